"""The figures of 党建共建 and of 维修资金与设施 (issues 14 and 15), per sub-district or community
of a place: what the party organisation and the co-building partners hold and did — members in
the roster, 双报到 confirmed, posts filled, partners and agreements in force, needs open and met,
resources offered and in use, projects by state and their money by source, micro-wishes posted,
claimed and delivered; and the compounds' maintenance funds (balance, funds under their floor,
houses needing a top-up, uses paid) and facilities (in the register, out of order, inspection
overdue).

Two kinds of figure: those that are a state (members, posts, partners, agreements in force, open
needs, resources, projects and their money) are counted as they are when the figures are made;
those that are events (check-ins confirmed, needs met, wishes posted, claimed, delivered) are
counted in the period when one is given, else over all time. Every model is read through its own
scope (`restrict`), so a user counts only what they may see; one grouped query per model, whatever
the number of rows (docs/reports.md)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.scope import has_perm
from linli.facilities.models import Facility
from linli.facilities.rules import overdue_q
from linli.funds.models import Account, Fund, Use
from linli.orgs.models import Kind, Organisation
from linli.party.models import Agreement, CheckIn, PartyMember
from linli.people.models import ResidentPost
from linli.places.models import Compound
from linli.projects.models import Funding, Need, Payment, Project, Resource
from linli.wishes.models import State as WishState
from linli.wishes.models import Wish

from .periods import Period
from .places import PERIODIC, Place, available

# (key, label, event?) in the order of the table's columns
COLUMNS = (
    ("members", _("Members in the roster"), False),
    ("check_ins", _("Check-ins confirmed (双报到)"), True),
    ("posts", _("Posts filled"), False),
    ("partners", _("Co-building partners"), False),
    ("agreements", _("Agreements in force"), False),
    ("needs_open", _("Needs open"), False),
    ("needs_met", _("Needs met"), True),
    ("resources_offered", _("Resources offered"), False),
    ("resources_used", _("Resources in use"), False),
    ("wishes_posted", _("Wishes posted"), True),
    ("wishes_claimed", _("Wishes claimed"), True),
    ("wishes_delivered", _("Wishes delivered"), True),
)
# 维修资金与设施: counts, then sums in fen
ESTATE_COLUMNS = (
    ("funds", _("Compound funds"), False),
    ("funds_below_floor", _("Funds under their floor"), False),
    ("houses_topup", _("Houses needing a top-up"), False),
    ("uses_paid", _("Uses paid"), True),
    ("uses_emergency", _("of them emergency uses"), True),
    ("facilities", _("Facilities in the register"), False),
    ("facilities_out", _("Facilities out of order"), False),
    ("facilities_overdue", _("Inspections overdue"), False),
)
ESTATE_MONEY = (
    ("fund_balance", _("Fund balances (yuan)"), False),
    ("uses_paid_fen", _("Uses paid (yuan)"), True),
    # 为民服务专项资金 of the 民生实事 not cancelled: applied for, approved, paid in the period
    ("special_applied", _("Special fund applied for (yuan)"), False),
    ("special_approved", _("Special fund approved (yuan)"), False),
    ("special_spent", _("Special fund paid (yuan)"), True),
)


@dataclass
class Row:
    """The figures of one place (a sub-district, a community, or the total)."""

    label: str
    place: Place | None = None
    counts: dict = field(default_factory=lambda: defaultdict(int))
    projects: dict = field(default_factory=lambda: defaultdict(int))  # state → n
    money: dict = field(default_factory=lambda: defaultdict(int))  # source → fen

    @property
    def cells(self):
        return [self.counts[key] for key, _label, _event in COLUMNS]

    @property
    def estate_cells(self):
        return [self.counts[key] for key, _label, _event in ESTATE_COLUMNS]

    @property
    def estate_money_cells(self):
        return [self.counts[key] for key, _label, _event in ESTATE_MONEY]

    @property
    def estate_labelled(self):
        return [(key, label, self.counts[key]) for key, label, _event in ESTATE_COLUMNS]

    @property
    def labelled(self):
        """(key, label, n) of each column."""
        return [(key, label, self.counts[key]) for key, label, _event in COLUMNS]

    @property
    def project_cells(self):
        return [self.projects[value] for value, _label in Project.State.choices]

    @property
    def money_cells(self):
        return [self.money[value] for value, _label in Funding.Source.choices]

    @property
    def money_labelled(self):
        """(label, fen) of each source of funds."""
        return [(label, self.money[value]) for value, label in Funding.Source.choices]

    @property
    def money_total(self):
        return sum(self.money.values())

    def add(self, other: "Row"):
        for target, source in ((self.counts, other.counts), (self.projects, other.projects), (self.money, other.money)):
            for key, n in source.items():
                target[key] += n


@dataclass
class CoBuilding:
    place: Place
    level: str  # the level of the rows: "subdistrict" or "community"
    rows: list
    total: Row
    start: dt.datetime | None
    end: dt.datetime | None
    made_at: dt.datetime
    compounds: dict | None = None  # for a community: its 维修资金与设施 per compound (id → Row)

    @property
    def estate_rows(self):
        """The rows of the 维修资金与设施 table: per compound for a community, else `rows`."""
        return list(self.compounds.values()) if self.compounds is not None else self.rows

    columns = COLUMNS
    estate_columns = ESTATE_COLUMNS
    estate_money = ESTATE_MONEY
    project_states = Project.State.choices
    sources = Funding.Source.choices


def children(user, place: Place) -> tuple[str, list[Place]]:
    """The places the rows are about: the sub-districts of the district, the communities of a
    sub-district, the community itself — each in the user's scope of reports."""
    if place.level == "district":
        return "subdistrict", available(user, ("subdistrict",))
    communities = available(user, ("community",))
    if place.level == "subdistrict":
        return "community", [c for c in communities if c.subdistrict_id == place.pk]
    return "community", [c for c in communities if c.pk == place.pk]


def _in(start, end, name):
    """The rows whose `name` falls in the period (all of them when there is none)."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{name}__gte": start})
    if end is not None:
        q &= Q(**{f"{name}__lt": end})
    return q


def figures(user, place: Place, start=None, end=None, now=None) -> CoBuilding:
    """The figures of `place` (already checked to be in the user's scope), per sub-district or
    community; events counted from `start` up to (not including) `end` when given."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    level, places = children(user, place)
    key = f"{level}_id"
    rows = {p.pk: Row(label=p.name, place=p) for p in places}

    def count(qs, **aggregates):
        _count(qs, place, rows, key, **aggregates)

    count(PartyMember.objects.restrict(user), members=Count("id", filter=Q(in_roster=True)))
    count(
        CheckIn.objects.restrict(user),
        check_ins=Count("id", filter=Q(state=CheckIn.State.CONFIRMED) & _in(start, end, "decided_at")),
    )
    count(ResidentPost.objects.restrict(user), posts=Count("id"))
    count(
        Organisation.objects.restrict(user).filter(kind=Kind.PARTNER, community__isnull=False),
        partners=Count("id"),
    )
    count(
        Agreement.objects.restrict(user).filter(state=Agreement.State.SIGNED, starts_on__lte=today, ends_on__gte=today),
        agreements=Count("id"),
    )
    met = Q(state=Need.State.MET)
    if start is not None or end is not None:
        days = [timezone.localdate(t) if t is not None else None for t in (start, end)]
        met &= Q(id__in=Project.objects.filter(_in(*days, "delivered_on")).values("needs"))
    count(
        Need.objects.restrict(user),
        needs_open=Count("id", filter=Q(state=Need.State.OPEN)),
        needs_met=Count("id", filter=met),
    )
    count(
        Resource.objects.restrict(user),
        resources_offered=Count("id", filter=Q(state=Resource.State.OFFERED)),
        resources_used=Count("id", filter=Q(state=Resource.State.IN_USE)),
    )
    count(
        Wish.objects.restrict(user),
        wishes_posted=Count("id", filter=_in(start, end, "created_at")),
        wishes_claimed=Count("id", filter=Q(claimed_at__isnull=False) & _in(start, end, "claimed_at")),
        wishes_delivered=Count("id", filter=Q(state=WishState.DELIVERED) & _in(start, end, "delivered_at")),
    )
    projects = Project.objects.restrict(user).filter(place.q, **{f"{key}__in": list(rows)})
    for values in projects.values(key, "state").annotate(n=Count("id")).order_by():
        rows[values[key]].projects[values["state"]] += values["n"]
    funded = projects.exclude(state=Project.State.CANCELLED)
    money = Funding.objects.filter(project__in=funded.values("pk"))
    for values in money.values(f"project__{key}", "source").annotate(fen=Sum("amount_fen")).order_by():
        rows[values[f"project__{key}"]].money[values["source"]] += values["fen"]
    estate(user, place, rows, key, funded, start, end, today)

    total = Row(label=str(_("Total")), place=place)
    for row in rows.values():
        total.add(row)
    compounds = None
    if place.level == "community":  # 维修资金与设施 per compound of the community
        compounds = {c.pk: Row(label=c.name) for c in Compound.objects.restrict(user).filter(community=place.pk)}
        estate(user, place, compounds, "compound_id", funded, start, end, today)
    return CoBuilding(place, level, list(rows.values()), total, start, end, now, compounds=compounds)


def _grouped(qs, rows, key, path):
    """`qs` grouped by `path`: a sub-district's or community's rows keep their own places only;
    per compound, every compound of the community (its rows are all there is)."""
    return (qs if key == "compound_id" else qs.filter(**{f"{path}__in": list(rows)})).values(path)


def _row(rows, pk):
    if pk not in rows:  # per compound: what belongs to no compound
        rows[pk] = Row(label=str(_("Not in a compound")))
    return rows[pk]


def _count(qs, place, rows, key, **aggregates):
    """Add the `aggregates` of `qs` in `place` to `rows`, grouped by `key`: one query."""
    for values in _grouped(qs.filter(place.q), rows, key, key).annotate(**aggregates).order_by():
        target = _row(rows, values.pop(key))
        for figure in aggregates:
            target.counts[figure] += values[figure]


def estate(user, place, rows, key, funded, start, end, today):
    """维修资金与设施 and the 民生实事's special fund into `rows` (by `key`: the sub-district,
    community or compound id of each model). Per compound, what belongs to none (a community-wide
    project, a facility of no compound) goes to a row of its own, so the rows add up to the total."""

    def row(pk):
        return _row(rows, pk)

    def grouped(qs, path):
        return _grouped(qs, rows, key, path)

    def count(qs, **aggregates):
        _count(qs, place, rows, key, **aggregates)

    money = Funding.objects.filter(project__in=funded.values("pk"))
    special = money.filter(source=Funding.Source.SERVICE_FUND, project__programme=Project.Programme.LIVELIHOOD)
    by_project = f"project__{key}"
    for values in (
        grouped(special, by_project)
        .annotate(applied=Sum("amount_fen"), approved=Coalesce(Sum("approved_fen"), 0))
        .order_by()
    ):
        target = row(values[by_project])
        target.counts["special_applied"] += values["applied"]
        target.counts["special_approved"] += values["approved"]
    days = [timezone.localdate(t) if t is not None else None for t in (start, end)]
    spent = Payment.objects.filter(
        _in(*days, "paid_on"), project__in=funded.values("pk"), source=Funding.Source.SERVICE_FUND
    )
    for values in grouped(spent, by_project).annotate(fen=Sum("amount_fen")).order_by():
        row(values[by_project]).counts["special_spent"] += values["fen"]
    count(
        Fund.objects.restrict(user),
        funds=Count("id"),
        funds_below_floor=Count("id", filter=Q(below_floor_since__isnull=False)),
        fund_balance=Coalesce(Sum("balance"), 0),
    )
    count(Account.objects.restrict(user).filter(needs_topup=True), houses_topup=Count("id"))
    paid = Q(state=Use.State.PAID) & _in(start, end, "paid_at")
    count(
        Use.objects.restrict(user),
        uses_paid=Count("id", filter=paid),
        uses_emergency=Count("id", filter=paid & ~Q(emergency="")),
        uses_paid_fen=Coalesce(Sum("invoice_total", filter=paid), 0),
    )
    count(
        Facility.objects.restrict(user).exclude(state=Facility.State.RETIRED),
        facilities=Count("id"),
        facilities_out=Count("id", filter=Q(state=Facility.State.OUT_OF_ORDER)),
        facilities_overdue=Count("id", filter=overdue_q(today)),
    )


def year_bounds(year):
    """(start, end) of a calendar year, or (None, None) for all time."""
    if not year:
        return None, None
    period = Period("year", year, 1)
    return period.start, period.end


def dashboard_panel(request, year):
    """The dashboard's card: the totals of the widest place the user reports on."""
    if not has_perm(request.user, "reports.view"):
        return None
    places = available(request.user, PERIODIC)
    if not places:
        return None
    return {"f": figures(request.user, places[0], *year_bounds(year)), "year": year}
