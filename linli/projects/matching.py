"""Matching (对接): for an open need, the resources that could serve it; for a community, its
unmet needs and unused resources. Reads only; every query bounded (docs/projects.md, "Matching").

A resource is suggested for a need when it is offered, in the user's scope, and available: its
availability has not ended before today (`available_until` ≥ today) and starts within
`SOON_DAYS` days (`available_from` ≤ today + SOON_DAYS). The same community comes first, then
the same heading, then the earliest available."""

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from linli.core.scope import scope_for
from linli.deliberation.models import Meeting
from linli.orgs.models import Kind, Organisation
from linli.places.models import Community

from .models import Funding, Need, Project, Resource, paired_communities

SOON_DAYS = 30
SUGGESTED = 10


def available(qs, today=None):
    today = today or timezone.localdate()
    return qs.filter(state=Resource.State.OFFERED).filter(
        Q(available_until__isnull=True) | Q(available_until__gte=today),
        Q(available_from__isnull=True) | Q(available_from__lte=today + dt.timedelta(days=SOON_DAYS)),
    )


def suggestions(need, user, today=None):
    """Up to SUGGESTED resources for `need`: same community or same heading, available."""
    rows = available(Resource.objects.restrict(user), today).filter(
        Q(community_id=need.community_id) | Q(heading=need.heading, subdistrict_id=need.subdistrict_id)
    )
    rows = rows.annotate(
        same_place=Case(
            When(community_id=need.community_id, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
        same_heading=Case(When(heading=need.heading, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    return list(
        rows.select_related("partner", "community").order_by("-same_place", "-same_heading", "available_from", "id")[
            :SUGGESTED
        ]
    )


def summary(user, communities):
    """Per community of the page: open needs (and the people they help), offered resources
    available now — two grouped queries whatever the number of rows."""
    ids = [c.pk for c in communities]
    needs = dict(
        Need.objects.restrict(user)
        .filter(community_id__in=ids, state=Need.State.OPEN)
        .values_list("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    resources = dict(
        available(Resource.objects.restrict(user))
        .filter(community_id__in=ids)
        .values_list("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(c, needs.get(c.pk, 0), resources.get(c.pk, 0)) for c in communities]


def communities(user):
    """The communities whose lists the user sees: in their scope, or paired with their partner."""
    mine = Community.objects.restrict(user, "view", domain="projects").values("pk")
    paired = Organisation.objects.restrict(user, "view", domain="projects").filter(kind=Kind.PARTNER)
    return Community.objects.filter(Q(pk__in=mine) | Q(pk__in=paired.values("community_id"))).order_by("name")


def joint_meetings(user, community=None):
    """党建联席会议 the user may see: deliberation's scope, and for a partner's staff (who hold no
    votes.view) those of the community their partner is paired with — a partner sits at that
    table, and its agenda is the needs they already read (the same reach: paired_communities).
    They see the agenda page only, read-only: the meeting's own page stays deliberation's."""
    seen = Q(pk__in=Meeting.objects.restrict(user).values("pk"))
    partners = scope_for(user, "projects.view").ids.get("organisation")
    if partners:
        seen |= paired_communities(partners)
    rows = Meeting.objects.filter(seen, kind=Meeting.Kind.PARTY_JOINT)
    return rows.filter(community=community) if community is not None else rows


def figures(user, community):
    """The three lists of one community in figures: needs, resources and projects by state, the
    projects' money by source (fen) — four grouped queries."""

    def by_state(model):
        rows = model.objects.restrict(user).filter(community=community).values_list("state").annotate(n=Count("id"))
        counts = dict(rows.order_by())
        return [(label, counts.get(value, 0)) for value, label in model.State.choices]

    projects = Project.objects.restrict(user).filter(community=community).exclude(state=Project.State.CANCELLED)
    money = dict(
        Funding.objects.filter(project__in=projects.values("pk"))
        .values_list("source")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    return {
        "needs": by_state(Need),
        "resources": by_state(Resource),
        "projects": by_state(Project),
        "money": [(label, money[value]) for value, label in Funding.Source.choices if money.get(value)],
        "money_total": sum(money.values()),
    }
