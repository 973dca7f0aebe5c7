"""The demo's maintenance funds, built through the fund actions and the use lifecycle as staff
would. 荣锦苑 (seed 002): ¥1,600,000 of first deposits apportioned by area; the owners voted three
uses — roads ¥300,000, one unit's doors and stairs ¥320,000 (whose houses fall below 30 % of their
own deposit: 需续交), cameras ¥490,000 — and a roof leak was repaired as an emergency; the balance is
then just above the 30 % floor, and the bicycle sheds' ¥428,000 is refused with the shortfall (the
sheds go to a special-fund application instead: the deliberation demo's 四议两公开 topic). The
resident login's compound has a healthy fund of its own, so the resident sees their sub-account."""

import datetime as dt

from django.utils import timezone

from linli.accounts.models import User
from linli.deliberation import actions as votes
from linli.deliberation.models import Ballot
from linli.funds import actions, book, rules
from linli.funds.models import EntryKind
from linli.funds.workflow import USE
from linli.people.models import Household
from linli.places.models import Building, Compound, House, Unit

FIRST_TOTAL = 160_000_000  # ¥1,600,000.00
DEPOSITED = dt.date(2016, 6, 30)
USES = [  # (title, budget in fen, the houses concerned: the whole compound, or its first unit)
    ("荣锦苑小区道路修缮", 30_000_000, False),
    ("荣锦苑1号楼1单元单元门及楼道改造", 32_000_000, True),
    ("荣锦苑监控系统改造", 49_000_000, False),
]


def build_funds(sub, out=print):
    out("建立维修资金账（荣锦苑等）……")
    admin = User.objects.get(username="admin")
    jiedao = User.objects.get(username="jiedao")
    compound = Compound.objects.get(subdistrict=sub, name="荣锦苑")
    if not House.objects.filter(compound=compound).exists():
        return
    fund = _open(compound, admin, "宁夏银行金凤支行", FIRST_TOTAL)
    buildings = list(Building.objects.filter(compound=compound).order_by("sort_key", "id"))
    unit = Unit.objects.filter(compound=compound).order_by("building__sort_key", "sort_key", "id").first()
    for title, amount, one_unit in USES:
        _voted_use(fund, title, amount, admin, jiedao, unit=unit if one_unit else None)
    _emergency(fund, "荣锦苑屋面渗漏抢修", 800_000, buildings[-1:], admin, jiedao)
    fund.refresh_from_db()
    refusal = book.floor_refusal(fund, 42_800_000)
    out(f"  荣锦苑自行车棚改造 42.8 万元：{refusal}")
    home = Household.objects.filter(community__subdistrict=sub, community__name="馨和苑社区").order_by("id").first()
    if home is not None and home.compound_id != compound.pk:
        _open(home.compound, admin, "宁夏银行金凤支行", 120_000_000)


def _open(compound, actor, bank, total):
    fund = actions.open_fund(actor=actor, compound=compound, bank=bank)
    areas = book.by_area(fund.accounts.all())
    shares = {pk: share for pk, share in rules.apportion(total, areas).items() if share}
    actions.book_entries(
        actor=actor, fund=fund, kind=EntryKind.FIRST_DEPOSIT, amounts=shares, booked_on=DEPOSITED, note="首期交存"
    )
    fund.refresh_from_db()
    return fund


def _move(use, name, actor, **data):
    use.refresh_from_db()
    USE.perform(use.pk, name, actor=actor, version=use.version, data=data)


def _voted_use(fund, title, amount, staff, approver, unit=None):
    use = actions.propose_use(actor=staff, fund=fund, title=title, budget=amount, unit=unit)
    _move(use, "put_to_vote", staff, closes_at=timezone.now() + dt.timedelta(days=15))
    use.refresh_from_db()
    vote = use.vote
    electors = list(vote.electors.order_by("id"))
    for i, elector in enumerate(electors[: len(electors) * 4 // 5]):  # four in five take part
        choice = Ballot.Choice.DISAGREE if i % 6 == 5 else Ballot.Choice.AGREE
        votes.cast(vote.pk, elector.pk, choice, actor=staff, paper_reference=f"纸质票{i + 1:03d}")
    vote.refresh_from_db()
    votes.close_vote(vote, actor=staff)
    _move(use, "agreed", staff)
    _paid(use, amount, staff, approver)


def _emergency(fund, title, amount, buildings, staff, approver):
    use = actions.propose_use(actor=staff, fund=fund, title=title, budget=amount, buildings=buildings, emergency="leak")
    _paid(use, amount, staff, approver, emergency=True)


def _paid(use, amount, staff, approver, emergency=False):
    today = timezone.localdate()
    _move(use, "emergency_works" if emergency else "start_works", staff, contractor="宁夏建工维修公司",
          works_started_on=today)  # fmt: skip
    _move(use, "request_payment", staff, invoice_total=f"{amount // 100}.{amount % 100:02d}",
          invoice_reference=f"FP{use.pk:06d}", works_finished_on=today)  # fmt: skip
    _move(use, "approve", approver)
    _move(use, "pay", approver, booked_on=today)
