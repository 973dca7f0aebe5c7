"""住宅专项维修资金 in the synthetic district: a fund per compound, a sub-account per house and ten
years of its ledger, so the fund page and the 需续交 list are measured at the district's scale.

Each compound's ledger is what `funds.book.post` would have written, posting by posting, in time
order: the first deposits (by area), per year the emergency uses paid that year (a unit, some
buildings or the whole compound; the invoice apportioned by area, largest remainder, refused when
it would take the compound under its floor, R2.2), the interest the bank credits on 30 June (1.5 %,
shared by balance), and in the autumn a third of the houses that must top up doing so (to half
their first deposit). Every entry carries the balance after it; the sub-accounts end with their
running balance, first deposit and 需续交 flag (R2.1), the fund with its totals — the same
integer rules (`funds.rules`), so the bench can check them against the sum of the entries.

Written in bulk (`writer.Table`: COPY on PostgreSQL), from a random stream of its own: the rest
of the district is the same with or without it. Not written: the audit records `post` adds per
posting (one per posting, not per entry), and the owners' votes: the uses are the emergency kinds
(R2.4), which go to the works without one.
"""

import calendar
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.db import connection, transaction
from django.utils import timezone

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.deliberation.tally import hundredths
from linli.funds import rules
from linli.funds.models import Account, Emergency, Entry, EntryKind, Fund, Use
from linli.places.models import House

from .writer import Table

YEARS = 10
INTEREST_PER_MILLE = 15  # a year: credited on 30 June, or at each month's end (`interest="monthly"`)
FEN_PER_M2 = (5_000, 6_000, 8_000)  # the first deposit: ¥50, ¥60 or ¥80 per m² of the compound's houses
USES_PER_YEAR = (0, 1, 1, 1, 2, 2)  # emergency uses in a year per 10 buildings, drawn from these
TOPUP_SHARE = 0.3  # of the houses that must top up, those who do in a year
BANK = "宁夏银行"
USE_TEXTS = [
    (Emergency.LEAK, "{place}屋面防水维修"),
    (Emergency.LIFT, "{place}电梯主机更换"),
    (Emergency.DRAINAGE, "{place}排水管道疏通改造"),
    (Emergency.FACADE, "{place}外墙空鼓脱落修复"),
    (Emergency.FIRE, "{place}消防管网维修"),
]


def label():
    return str(Fund._meta.verbose_name_plural)


def present() -> bool:
    """The district has its funds already."""
    return Fund.objects.filter(subdistrict__code__startswith="BENCH").exists()


def add(seed=2026, out=print, interest="yearly") -> dict:
    """Add the funds to a district generated without them, in one transaction."""
    with transaction.atomic():
        counts = Funds(seed=seed, out=out, interest=interest).build()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts


class Funds:
    def __init__(self, seed=2026, now=None, out=print, interest="yearly"):
        if interest not in ("yearly", "monthly"):
            raise ValueError(interest)
        self.monthly = interest == "monthly"
        self.rng = random.Random(f"funds-{seed}")  # noqa: S311 - synthetic data
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.out = out

    def build(self) -> dict:
        began = time.monotonic()
        self._read()
        self.t = {m: Table(m, batch=50_000) for m in (Fund, Account, Use, Use.buildings.through, Entry)}
        self.funds = [self._open(pid, houses) for pid, houses in self.houses.items()]
        first = self.today.year - YEARS
        self._post_each(date(first, 1, 15), self._first_deposits)
        for year in range(first, first + YEARS):
            for month in range(1, 13):
                if month == 3:
                    self._post_each(date(year, 3, 1), self._uses)
                if month == 9:
                    self._post_each(date(year, 9, 1), self._topups)
                if self.monthly or month == 6:
                    self._post_each(date(year, month, calendar.monthrange(year, month)[1]), self._interest)
            self.out(f"{label()}: {year}, {self.t[Entry].written + len(self.t[Entry].rows):,} entries")
        self.flagged = 0
        for fund in self.funds:
            self._close(fund)
        for table in self.t.values():
            table.finish()
        counts = {m._meta.model_name: table.written for m, table in self.t.items()}
        counts["needs_topup"] = self.flagged
        counts["seconds"] = round(time.monotonic() - began, 1)
        return counts

    def _read(self):
        self.houses = {}
        rows = House.objects.filter(subdistrict__code__startswith="BENCH").order_by("compound_id", "id")
        fields = ("id", "unit_id", "building_id", "compound_id", "grid_id", "community_id", "subdistrict_id", "area")
        for row in rows.values_list(*fields).iterator(chunk_size=20_000):
            self.houses.setdefault(row[3], []).append(row)
        roles = RoleAssignment.objects.filter(role__in=(Role.COMMUNITY_STAFF, Role.SUBDISTRICT_STAFF)).order_by("id")
        # who books (the community's staff) and who approves the payments (the sub-district's)
        self.staff = dict(roles.filter(role=Role.COMMUNITY_STAFF).values_list("community_id", "user_id"))
        self.approver = dict(roles.filter(role=Role.SUBDISTRICT_STAFF).values_list("subdistrict_id", "user_id"))

    def _open(self, pid, houses):
        """The fund and its sub-accounts, as actions.open_fund: [id, first deposit, balance, flag,
        area in hundredths, house row] per house."""
        _h, _u, _b, _p, _g, cid, sid, _a = houses[0]
        fund = {
            "id": self.t[Fund].new_id(),
            "compound_id": pid,
            "community_id": cid,
            "subdistrict_id": sid,
            "balance": 0,
            "first_total": 0,
            "rate": self.rng.choice(FEN_PER_M2),
            "by": self.staff[cid],
            "approver": self.approver[sid],
        }
        fund["buildings"] = sorted({house[2] for house in houses})
        fund["accounts"] = []
        for house in houses:
            fund["accounts"].append([self.t[Account].new_id(), 0, 0, False, hundredths(house[7]), house])
        return fund

    def _post_each(self, day, posting):
        for fund in self.funds:
            posting(fund, day)

    def _post(self, fund, lines, day, kind, *, use=None, note=""):
        """book.post: the entries of one posting (lines: [(account, amount)]) with the balance
        after each; the sub-accounts' and the fund's running figures."""
        percent = rules.policy().house_percent
        at = timezone.make_aware(datetime.combine(day, clock(10)))
        for account, amount in lines:
            account[2] += amount
            fund["balance"] += amount
            if kind == EntryKind.FIRST_DEPOSIT:
                account[1] += amount
                fund["first_total"] += amount
            account[3] = rules.needs_topup(account[2], account[1], percent)
            self.t[Entry].add(
                fund_id=fund["id"],
                account_id=account[0],
                kind=kind,
                amount=amount,
                balance_after=account[2],
                use_id=use,
                booked_on=day,
                note=note,
                created_by_id=fund["by"],
                created_at=at,
                compound_id=fund["compound_id"],
                community_id=fund["community_id"],
                subdistrict_id=fund["subdistrict_id"],
            )

    def _first_deposits(self, fund, day):
        lines = [(a, a[4] * fund["rate"] // 100) for a in fund["accounts"]]
        self._post(fund, lines, day, EntryKind.FIRST_DEPOSIT, note="首期交存")

    def _interest(self, fund, day):
        """actions.credit_interest: the bank's interest shared by balance, largest remainder."""
        earning = {a[0]: a for a in fund["accounts"] if a[2] > 0}
        total = fund["balance"] * INTEREST_PER_MILLE // (12_000 if self.monthly else 1000)
        if not earning or total <= 0:
            return
        shares = rules.apportion(total, {pk: a[2] for pk, a in earning.items()})
        lines = [(earning[pk], share) for pk, share in shares.items() if share]
        self._post(fund, lines, day, EntryKind.INTEREST, note=f"{day.year}年度结息")

    def _topups(self, fund, day):
        """Some of the houses that must top up do, each its own posting (actions.book_entry), up to
        half of their first deposit."""
        for a in fund["accounts"]:
            if a[3] and self.rng.random() < TOPUP_SHARE:
                amount = rules.share_of(a[1], 50) - a[2]
                self._post(fund, [(a, amount)], day + timedelta(days=self.rng.randrange(28)), EntryKind.TOP_UP)

    def _uses(self, fund, day):
        blocks = -(-len(fund["buildings"]) // 10)
        for _k in range(sum(self.rng.choice(USES_PER_YEAR) for _b in range(blocks))):
            self._use(fund, day + timedelta(days=self.rng.randrange(28)))

    def _use(self, fund, paid_on):
        """An emergency use (R2.4) paid: the houses of one unit, some buildings or the compound,
        the invoice apportioned by area and posted as one entry per house (workflow._pay)."""
        rng, accounts = self.rng, fund["accounts"]
        buildings = fund["buildings"]
        where = rng.choices(("unit", "buildings", "compound"), (40, 45, 15))[0]
        unit, chosen = None, []
        if where == "unit":
            unit = rng.choice(accounts)[5][1]
            concerned = [a for a in accounts if a[5][1] == unit]
            place = "1个单元"
        elif where == "buildings":
            chosen = sorted(rng.sample(buildings, min(len(buildings), rng.choice((1, 1, 2, 3)))))
            concerned = [a for a in accounts if a[5][2] in chosen]
            place = f"{len(chosen)}栋楼"
        else:
            concerned, place = accounts, "小区"
        share = rng.uniform(0.03, 0.12) if where == "compound" else rng.uniform(0.15, 0.5)
        invoice = round(sum(a[1] for a in concerned) * share)
        if invoice <= 0 or rules.floor_shortfall(
            fund["balance"], invoice, fund["first_total"], rules.policy().floor_percent
        ):
            return  # refused at the request (R2.2): never paid
        emergency, title = rng.choice(USE_TEXTS)
        title = title.format(place=place)
        pk = self.t[Use].new_id()
        by_id = {a[0]: a for a in concerned}
        shares = rules.apportion(invoice, {a[0]: a[4] for a in concerned})
        lines = [(by_id[k], -v) for k, v in sorted(shares.items()) if v]
        self._post(fund, lines, paid_on, EntryKind.USE, use=pk, note=title[:200])
        paid = timezone.make_aware(datetime.combine(paid_on, clock(10)))
        self.t[Use].add(
            id=pk,
            fund_id=fund["id"],
            title=title,
            emergency=emergency,
            unit_id=unit,
            budget=invoice,
            contractor="维修工程有限公司",
            works_started_on=paid_on - timedelta(days=40),
            works_finished_on=paid_on - timedelta(days=10),
            invoice_total=invoice,
            invoice_reference=f"FP{pk:08d}",
            requested_by_id=fund["by"],
            approved_by_id=fund["approver"],
            approved_at=paid - timedelta(days=3),
            paid_at=paid,
            balance_after=fund["balance"],
            houses=len(concerned),
            state=Use.State.PAID,
            version=4,  # emergency_works, request_payment, approve, pay
            created_by_id=fund["by"],
            created_at=paid - timedelta(days=45),
            compound_id=fund["compound_id"],
            community_id=fund["community_id"],
            subdistrict_id=fund["subdistrict_id"],
        )
        for building in chosen:
            self.t[Use.buildings.through].add(use_id=pk, building_id=building)

    def _close(self, fund):
        """The fund's and the sub-accounts' rows with their running figures. Uses are refused below
        the floor and nothing else lowers a balance, so no fund is below it (below_floor_since)."""
        self.t[Fund].add(
            id=fund["id"],
            compound_id=fund["compound_id"],
            bank=BANK,
            first_total=fund["first_total"],
            balance=fund["balance"],
            community_id=fund["community_id"],
            subdistrict_id=fund["subdistrict_id"],
            created_at=self.now - timedelta(days=365 * YEARS),
        )
        self.flagged += sum(a[3] for a in fund["accounts"])
        for pk, first, balance, flag, _area, house in fund["accounts"]:
            hid, uid, bid, pid, gid, cid, sid, _a = house
            self.t[Account].add(
                id=pk,
                fund_id=fund["id"],
                house_id=hid,
                first_deposit=first,
                balance=balance,
                needs_topup=flag,
                unit_id=uid,
                building_id=bid,
                compound_id=pid,
                grid_id=gid,
                community_id=cid,
                subdistrict_id=sid,
            )
        fund["accounts"] = None  # memory
