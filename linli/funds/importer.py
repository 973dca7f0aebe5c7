"""Import of the fund bank's xlsx: each house's first deposit (首次交存) and its balance at the bank
(期初余额) on a date, taken over as the opening of its sub-account (docs/funds.md, "Import of the
fund bank's file").

A file is checked in full before anything is written: the houses are named as the ledger's file
names them (小区, 楼栋, 单元, 门牌号: ledger.columns) and looked up in the uploader's scope, so a
house outside it gets the same answer as one that does not exist; amounts are yuan with at most
two decimals; a house is named once and only if its sub-account has no first deposit or opening
balance yet. Any error and nothing is written; otherwise actions.import_openings posts every row
through book.post, all in one transaction. The workbook is opened and read with the ledger
import's bounded reader (ledger.importer). A file is one compound's houses or a few compounds',
at most MAX_ROWS rows, so it is checked and posted in the upload request, not as a background job.
"""

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.ledger import columns as LC
from linli.ledger.importer import FileError, cell_text, open_workbook, parsed
from linli.places.models import House

from . import actions
from .models import Account, Entry, EntryKind

SHEET = "维修资金"
COMPOUND, BUILDING, UNIT, HOUSE = LC.COMPOUND, LC.BUILDING, LC.UNIT, LC.HOUSE
FIRST, BALANCE, DATE = "首次交存金额(元)", "期初余额(元)", "余额日期"
HEADERS = [COMPOUND, BUILDING, UNIT, HOUSE, FIRST, BALANCE, DATE]
REQUIRED = [COMPOUND, BUILDING, UNIT, HOUSE, DATE]
ALIASES = {"房号": HOUSE, "首次交存金额": FIRST, "期初余额": BALANCE}  # the banks' own words
MAX_ROWS = 10_000  # a large compound's houses (5,000 post in some 4 s); a larger file is split by compound
MAX_YUAN = 10**10  # ¥10,000,000,000: above it a cell is a mistake, not a house's deposit
AMOUNT = re.compile(r"\d+(\.\d+)?")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
OPENED = (EntryKind.FIRST_DEPOSIT, EntryKind.OPENING)


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message says why, in the UI's language."""


@dataclass(slots=True)
class Row:
    number: int  # the Excel row number, as the user sees it
    values: dict
    errors: list = field(default_factory=list)
    house: int | None = None
    account: int | None = None
    fund: int | None = None
    first: int = 0  # fen
    balance: int | None = None  # fen; None: the column is blank (the balance is the first deposit)
    booked_on: dt.date | None = None

    def error(self, column, message):
        self.errors.append({"row": self.number, "column": column, "message": str(message)})

    @property
    def opening(self) -> int:
        """The opening entry: what the bank's balance holds beyond the first deposit (interest less
        uses before Linli kept the ledger); negative when uses took more than interest gave."""
        return 0 if self.balance is None else self.balance - self.first


@dataclass
class Outcome:
    errors: list = field(default_factory=list)  # [{"row", "column", "message"}], at most LINLI_IMPORT_MAX_ERRORS
    more: int = 0  # errors beyond those
    message: str = ""  # why the whole file was refused
    funds: list = field(default_factory=list)  # actions.Imported, one per fund written


def _header(value) -> str:
    text = "".join(cell_text(value).split()).replace("（", "(").replace("）", ")")
    return ALIASES.get(text, text)


def read_rows(content: bytes):
    """The non-empty rows of the sheet 维修资金 (or the first sheet), values as the cells hold them."""
    wb = open_workbook(content)
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        ws.reset_dimensions()  # the declared size is only a hint (ledger.importer.read_rows)
        rows = parsed(ws.iter_rows(values_only=True))
        header = [_header(v) for v in next(rows, [])]
        missing = [h for h in REQUIRED if h not in header]
        if FIRST not in header and BALANCE not in header:
            missing.append(f"{FIRST}/{BALANCE}")
        if missing:
            raise FileError(
                _("The first row must hold the template's headers; missing: %(cols)s.") % {"cols": "、".join(missing)}
            )
        index = [(h, header.index(h)) for h in HEADERS if h in header]
        count = 0
        for number, raw in enumerate(rows, start=2):
            if number > 10 * MAX_ROWS:  # blank rows count here: a sheet of a million empty rows is not read through
                raise FileError(_("The file has more than %(max)s rows; split it by compound.") % {"max": MAX_ROWS})
            values = {h: raw[i] if i < len(raw) else None for h, i in index}
            if not any(cell_text(v) for v in values.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                raise FileError(_("The file has more than %(max)s rows; split it by compound.") % {"max": MAX_ROWS})
            yield Row(number=number, values=values)
    finally:
        wb.close()


def to_fen(value) -> int:
    """A cell in yuan (a number, or text such as "1,234.56" or "¥12") to fen: at most two
    decimals, not negative; anything else is a CellError. A number typed into Excel is read with
    Excel's 15 significant digits, so 0.1 + 0.2 is 0.3 as the sheet shows it."""
    if isinstance(value, bool):
        raise CellError(_("Not a number: enter an amount in yuan, e.g. 1234.56."))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(_("Not a number: enter an amount in yuan, e.g. 1234.56."))
        amount = Decimal(format(value, ".15g"))
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        text = cell_text(value).replace(",", "").replace("，", "").lstrip("¥￥").strip()
        negative = text.startswith(("-", "－"))
        if not AMOUNT.fullmatch(text.lstrip("-－")):
            raise CellError(_("Not a number: enter an amount in yuan, e.g. 1234.56."))
        amount = -Decimal(text.lstrip("-－")) if negative else Decimal(text)
    if amount < 0:
        raise CellError(_("Must not be negative."))
    if amount != round(amount, 2):
        raise CellError(_("At most two decimals (fen)."))
    if amount >= MAX_YUAN:
        raise CellError(_("Too large for one house."))
    return int(amount * 100)


def to_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Not a date: enter it as 2024-12-31."))


class Houses:
    """House ids in the user's funds scope by compound → (building, unit, number), a compound
    fetched the first time the file names it; a house outside the scope is simply not there."""

    def __init__(self, user):
        self.user = user
        self.compounds: dict[str, dict] = {}

    def of(self, name) -> dict:
        if name not in self.compounds:
            houses = House.objects.restrict(self.user, "change", domain="funds").filter(compound__name=name)
            self.compounds[name] = {
                (b, u, n): pk
                for b, u, n, pk in houses.values_list("unit__building__name", "unit__name", "number", "pk")
            }
        return self.compounds[name]


class Validator:
    """Checks rows against the user's scope and the funds' ledgers; collects errors, never writes."""

    def __init__(self, user):
        self.houses = Houses(user)
        self.seen: dict[int, int] = {}  # house → the first row naming it
        self.today = timezone.localdate()

    def check(self, row: Row):
        v = row.values
        for column in REQUIRED:
            if not cell_text(v.get(column)):
                row.error(column, _("Required."))
        self._amounts(row)
        if cell_text(v.get(DATE)):
            try:
                row.booked_on = to_date(v[DATE])
            except CellError as exc:
                row.error(DATE, exc)
            else:
                if row.booked_on > self.today:
                    row.error(DATE, _("The balance date is after today."))
        self._house(row)

    def _amounts(self, row):
        v = row.values
        first, balance = cell_text(v.get(FIRST)), cell_text(v.get(BALANCE))
        if not first and not balance:
            row.error(FIRST, _("Give the first deposit, the balance, or both."))
            return
        for column, given in ((FIRST, first), (BALANCE, balance)):
            if not given:
                continue
            try:
                fen = to_fen(v[column])
            except CellError as exc:
                row.error(column, exc)
                continue
            if column == FIRST:
                if not fen:
                    row.error(FIRST, _("Must be more than 0; leave it blank if nothing was deposited."))
                row.first = fen
            else:
                row.balance = fen
        if row.balance == 0 and not row.first:
            row.error(BALANCE, _("Give the first deposit, the balance, or both."))

    def _house(self, row):
        v = row.values
        key = tuple(cell_text(v.get(c)) for c in (COMPOUND, BUILDING, UNIT, HOUSE))
        if not all(key):
            return
        houses = self.houses.of(key[0])
        pk = houses.get(key[1:])
        if pk is None:
            # the ledger's messages: nothing here tells a house outside the scope from none at all
            if not houses:
                message = _("Unknown compound “%(value)s”, or outside your scope.") % {"value": key[0][:30]}
                row.error(COMPOUND, message)
            elif not any(k[0] == key[1] for k in houses):
                row.error(BUILDING, _("Unknown building “%(value)s” in this compound.") % {"value": key[1][:30]})
            elif not any(k[:2] == key[1:3] for k in houses):
                row.error(UNIT, _("Unknown unit “%(value)s” in this building.") % {"value": key[2][:30]})
            else:
                row.error(HOUSE, _("Unknown house number “%(value)s” in this unit.") % {"value": key[3][:30]})
            return
        first = self.seen.setdefault(pk, row.number)
        if first != row.number:
            row.error(HOUSE, _("Row %(row)s already names this house.") % {"row": first})
            return
        row.house = pk

    def check_accounts(self, rows):
        """The sub-account of each row's house, and no first deposit or opening balance on it yet
        (one that was reversed does not count: the house may be imported again)."""
        named = [r for r in rows if r.house]
        accounts = {}
        for batch in _batches([r.house for r in named], 1000):
            for house, pk, fund in Account.objects.filter(house_id__in=batch).values_list("house_id", "pk", "fund_id"):
                accounts[house] = (pk, fund)
        opened = set()
        for batch in _batches([pk for pk, _fund in accounts.values()], 1000):
            opened.update(
                Entry.objects.filter(account_id__in=batch, kind__in=OPENED, reversal__isnull=True).values_list(
                    "account_id", flat=True
                )
            )
        for row in named:
            if row.house not in accounts:
                row.error(HOUSE, _("This house has no sub-account: open its compound's fund (again) first."))
            elif accounts[row.house][0] in opened:
                row.error(
                    HOUSE,
                    _(
                        "This house already has a first deposit or an opening balance. To import it again, reverse "
                        "those entries on its sub-account page first."
                    ),
                )
            else:
                row.account, row.fund = accounts[row.house]


def _batches(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run(user, filename: str, content: bytes) -> Outcome:
    """Check the whole file, then post it all or nothing. Nothing is written when any row fails."""
    try:
        rows = list(read_rows(content))
    except FileError as exc:
        return Outcome(message=str(exc))
    if not rows:
        return Outcome(message=_("The file has no rows to import."))
    with transaction.atomic():
        validator = Validator(user)
        for row in rows:
            validator.check(row)
        validator.check_accounts(rows)
        errors = [e for row in rows for e in row.errors]
        if errors:
            limit = settings.LINLI_IMPORT_MAX_ERRORS
            return Outcome(errors=errors[:limit], more=max(0, len(errors) - limit))
        lines = [actions.Opening(r.account, r.fund, r.first, r.opening, r.booked_on) for r in rows]
        return Outcome(funds=actions.import_openings(actor=user, lines=lines, filename=filename))
