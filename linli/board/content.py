"""What a community's public board (晒事) shows, each piece in a bounded number of queries whatever
the data: settled requests (问题—措施—结果), owners' vote results, consent campaign outcomes,
resolution tables and the month's three rates. Only text that passed the personal-data check
(people.public_text) is shown: a vote's or campaign's title only when it passed the check (title_checked,
else the matter or the compound stands for it), a resolution row only when it did (public_checked).
What each field reveals: docs/security.md, "The public board"."""

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.cases import metrics
from linli.cases.models import Case, CasePhoto, Channel, State
from linli.core import charts
from linli.deliberation import tally
from linli.deliberation.models import ActionItem, Ballot, Consent, ConsentCampaign, Elector, OwnerVote
from linli.deliberation.models import reached as consent_reached
from linli.places.models import Building, House
from linli.projects.models import Funding, Payment, Photo, Project
from linli.wishes.models import State as WishState
from linli.wishes.models import Wish

ON_BOARD = (State.VERIFIED, State.RATED, State.CLOSED)
RECENT = 5  # votes, campaigns and meetings with resolutions shown: the latest few


def on_board(community) -> Q:
    """The requests a community's board may show: settled, never anonymous, never a whisper."""
    return Q(community=community, anonymous=False, state__in=ON_BOARD) & ~Q(channel=Channel.WHISPER)


def cases(community, category=None, compound=None):
    photos = CasePhoto.objects.filter(kind=CasePhoto.Kind.RESULT, public=True).only("id", "case_id", "kind")
    qs = (
        Case.objects.filter(on_board(community))
        .select_related("category__parent", "compound")
        .prefetch_related(Prefetch("photos", queryset=photos, to_attr="public_photos"))
        .only(
            "created_at",
            "closed_at",
            "handled_at",
            "state",
            "rating",
            "public_summary",
            "public_measures",
            "community",
            "category__name",
            "category__parent__name",
            "compound__name",
        )
        .order_by("-handled_at", "-id")
    )
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if compound is not None:
        qs = qs.filter(compound=compound)
    return qs


def public_photo(pk):
    """A result photo the handler marked public, of a request on some board (or DoesNotExist)."""
    return CasePhoto.objects.select_related("case").get(
        pk=pk,
        kind=CasePhoto.Kind.RESULT,
        public=True,
        case__anonymous=False,
        case__state__in=ON_BOARD,
        case__channel__in=[c for c in Channel.values if c != Channel.WHISPER],
    )


FIGURES = (_("Area taking part"), _("Owners taking part"), _("Area approving"), _("Owners approving"))


@dataclass
class VoteResult:
    vote: OwnerVote
    result: tally.Result

    @property
    def figures(self):
        return list(zip(FIGURES, (*self.result.quorum, *self.result.approval), strict=True))


def vote_results(community) -> list[VoteResult]:
    """The latest closed owners' votes with their four figures: counts only, no ballot, no owner."""
    votes = list(
        OwnerVote.objects.filter(community=community, status=OwnerVote.Status.CLOSED)
        .select_related("compound")
        .only("matter", "title", "title_checked", "closed_at", "compound__name")
        .order_by("-closed_at", "-id")[:RECENT]
    )
    owners: dict[int, dict[str, int]] = defaultdict(dict)
    for vote_id, key, area in Elector.objects.filter(vote__in=votes).values_list("vote_id", "key", "area"):
        owners[vote_id][key] = area
    ballots: dict[int, dict[str, str]] = defaultdict(dict)
    for vote_id, key, choice in Ballot.objects.filter(vote__in=votes).values_list("vote_id", "elector__key", "choice"):
        ballots[vote_id][key] = choice
    return [VoteResult(v, tally.tally(v.matter, owners[v.pk], ballots[v.pk])) for v in votes]


@dataclass
class ConsentOutcome:
    campaign: ConsentCampaign
    consenting: int
    houses: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.consenting, self.houses) if self.houses else None

    @property
    def reached(self) -> bool:
        return consent_reached(self.consenting, self.houses, self.campaign.threshold_percent)


def consent_outcomes(community) -> list[ConsentOutcome]:
    """The latest consent campaigns, rate against threshold, counted as ConsentCampaign.progress
    does (the houses of the compound, or of the campaign's buildings) in four queries: the
    houses and the consents are counted per building, then summed per campaign. Counts only:
    no house is named."""
    campaigns = list(
        ConsentCampaign.objects.filter(community=community)
        .select_related("compound")
        .prefetch_related(Prefetch("buildings", queryset=Building.objects.only("id")))
        .only("title", "title_checked", "threshold_percent", "created_at", "compound__name", "compound_id")
        .order_by("-created_at", "-id")[:RECENT]
    )
    compounds = {c.compound_id for c in campaigns}
    houses = list(
        House.objects.filter(compound_id__in=compounds)
        .values_list("compound_id", "building_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    consents = (
        Consent.objects.filter(campaign__in=campaigns, consent=True)
        .values_list("campaign_id", "house__compound_id", "house__building_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    agreed: dict[int, list] = defaultdict(list)
    for campaign_id, *place in consents:
        agreed[campaign_id].append(place)
    out = []
    for c in campaigns:
        buildings = {b.pk for b in c.buildings.all()}

        def asked(compound_id, building_id, c=c, buildings=buildings):
            return compound_id == c.compound_id and (not buildings or building_id in buildings)

        total = sum(n for compound_id, building_id, n in houses if asked(compound_id, building_id))
        yes = sum(n for compound_id, building_id, n in agreed[c.pk] if asked(compound_id, building_id))
        out.append(ConsentOutcome(c, yes, total))
    return out


def resolutions(community):
    """The resolution tables (事项, 责任单位, 措施, 时限, done or not) of the latest closed meetings.
    The 责任人 column stays off the public board: a named member of staff is personal data."""
    items = (
        # rows made before the public-text check and not cleared by migration 0023 stay off
        ActionItem.objects.filter(meeting__community=community, meeting__closed_at__isnull=False, public_checked=True)
        .select_related("meeting", "case__assignee_org")
        .only(
            "matter",
            "meeting__title",
            "meeting__starts_at",
            "case__description",
            "case__resolve_by",
            "case__state",
            "case__assignee_org__name",
        )
        .order_by("-meeting__starts_at", "meeting_id", "created_at", "id")
    )
    meetings: dict[int, dict] = {}
    for item in items[: RECENT * 10]:
        m = meetings.setdefault(item.meeting_id, {"meeting": item.meeting, "items": []})
        m["items"].append(item)
    return list(meetings.values())[:RECENT]


def projects(community):
    """晒事 of the three lists: the latest delivered co-building projects (项目清单) — title, heading,
    result, the partner credited, delivered on. Only rows whose title and result passed the
    personal-data check when delivered (public_checked); never the person responsible."""
    return (
        Project.objects.filter(
            community=community,
            state=Project.State.DELIVERED,
            public_checked=True,
            programme=Project.Programme.COBUILDING,
        )
        .select_related("partner")
        .only("title", "heading", "result", "delivered_on", "community", "partner__name")
        .order_by("-delivered_on", "-id")[: RECENT * 2]
    )


def livelihood(community):
    """晒账 of the 民生实事 delivered (问效 done): title, compound, result, satisfaction, and the
    accounts — per source the approved budget and what was paid, every payment (day, source,
    amount, payee: an organisation, checked when recorded), the progress photos. Never the person
    responsible, the applicant or an invoice number. Four queries, however many projects."""
    rows = list(
        Project.objects.filter(
            community=community,
            state=Project.State.DELIVERED,
            public_checked=True,
            programme=Project.Programme.LIVELIHOOD,
        )
        .select_related("compound")
        .only("title", "result", "delivered_on", "respondents", "satisfied", "community", "compound__name")
        .order_by("-delivered_on", "-id")[: RECENT * 2]
    )
    by_pk = {p.pk: p for p in rows}
    for p in rows:
        p.board_accounts, p.board_payments, p.board_photos = {}, [], []
    for pk, source, fen in (
        Funding.objects.filter(project__in=by_pk)
        .values_list("project", "source")
        .annotate(t=Sum("approved_fen"))
        .order_by()
    ):
        by_pk[pk].board_accounts[source] = {"label": Funding.Source(source).label, "approved": fen or 0, "paid": 0}
    for payment in (
        Payment.objects.filter(project__in=by_pk)
        .select_related("fund_use")
        .only("project", "source", "amount_fen", "paid_on", "payee", "fund_use__title")
    ):
        p = by_pk[payment.project_id]
        p.board_payments.append(payment)
        row = p.board_accounts.setdefault(
            payment.source, {"label": Funding.Source(payment.source).label, "approved": 0, "paid": 0}
        )
        row["paid"] += payment.amount_fen
    for photo in Photo.objects.filter(project__in=by_pk).only("project", "caption", "taken_on"):
        by_pk[photo.project_id].board_photos.append(photo)
    return rows


def delivered_wishes(community):
    """微心愿 圆梦: the latest delivered wishes — the wish as published on the wall (it passed the
    personal-data check when the community published it), the claimant as they chose to be named
    (a name, an organisation, or nobody), the day it was delivered. Nothing of the household."""
    return list(
        Wish.objects.filter(community=community, state=WishState.DELIVERED)
        .only("title", "story", "credit", "credit_name", "delivered_at")
        .order_by("-delivered_at", "-id")[: RECENT * 2]
    )


def month_start(day, back=0):
    index = day.year * 12 + day.month - 1 - back
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


def figures(community, now=None, months=6):
    """The three rates of this month and the last `months` months' for the chart (cases.metrics)."""
    now = now or timezone.now()
    first = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    since = month_start(first, months - 1)
    rows = metrics.by_month(Case.objects.filter(community=community, created_at__gte=since), now=now)
    by_label = {r["label"]: r for r in rows}
    labels = [f"{month_start(first, back):%Y-%m}" for back in range(months - 1, -1, -1)]
    series = [by_label.get(label) or {"label": label, "total": 0, **dict.fromkeys(charts.RATES)} for label in labels]
    return {"current": series[-1], "chart": charts.rates_chart(series)}
