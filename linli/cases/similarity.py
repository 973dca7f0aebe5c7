"""Similar open requests: Chinese text compared by character bigrams (Jaccard), no word
segmentation needed, within the same compound (or grid) and the last 30 days."""

from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from .models import OPEN_STATES, Case

THRESHOLD = 0.2


def bigrams(text: str) -> set[str]:
    chars = [c for c in text if not c.isspace() and c not in "，。、！？；：,.!?;:（）()“”\"'"]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)} or set(chars)


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def similar_open(case, queryset=None, limit=5):
    qs = (
        (queryset if queryset is not None else Case.objects)
        .filter(state__in=OPEN_STATES, created_at__gte=case.created_at - timedelta(days=30))
        .exclude(pk=case.pk)
    )
    qs = qs.filter(compound_id=case.compound_id) if case.compound_id else qs.filter(grid_id=case.grid_id)
    scored = [(similarity(case.description, other.description), other) for other in qs.select_related("category")[:200]]
    return [(round(score, 2), other) for score, other in sorted(scored, key=lambda s: -s[0]) if score >= THRESHOLD][
        :limit
    ]


def clusters(queryset, min_size=3, threshold=THRESHOLD, limit=10):
    """Hot issues: groups of ≥ min_size similar open requests in one compound over the last 30 days,
    suggested to staff as one topic (single-link grouping on bigram similarity)."""

    recent = queryset.filter(
        state__in=OPEN_STATES, compound__isnull=False, created_at__gte=timezone.now() - timedelta(days=30)
    )
    by_compound = defaultdict(list)
    for case in recent.select_related("compound", "category").order_by("compound_id", "id")[:2000]:
        by_compound[case.compound_id].append(case)
    found = []
    for cases in by_compound.values():
        found += [g for g in _group(cases, threshold) if len(g) >= min_size]
    return sorted(found, key=len, reverse=True)[:limit]


def _group(cases, threshold):
    """Single-link groups: a case joins a group if it is similar enough to any member (union-find)."""

    grams = [bigrams(c.description) for c in cases]
    parent = list(range(len(cases)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(cases)):
        for j in range(i + 1, len(cases)):
            union = grams[i] | grams[j]
            if union and len(grams[i] & grams[j]) / len(union) >= threshold:
                parent[root(i)] = root(j)
    groups = defaultdict(list)
    for i, case in enumerate(cases):
        groups[root(i)].append(case)
    return list(groups.values())
