"""住宅专项维修资金: the maintenance fund of a compound, a sub-account (分户账) per house, its ledger
of immutable entries in fen, and the uses of the fund (维修资金使用) with their lifecycle
(workflow.py). docs/funds.md."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.scope import ScopedModel
from linli.people.models import Household, Tenure
from linli.places.models import Building


def _compounds_in_grids(ids):
    return Q(compound_id__in=Building.objects.filter(grid_id__in=sorted(ids)).values("compound_id"))


def _compounds_of_households(ids):
    return Q(compound_id__in=Household.objects.filter(id__in=sorted(ids)).values("compound_id"))


def _own_houses(prefix=""):
    """A resident reaches the sub-account of a house their household owns: the owner-occupier
    household living there, or a person of it in the owners register (a landlord's other house).
    A tenant does not."""

    def q(ids):
        ids = sorted(ids)
        return Q(**{f"{prefix}house__households__id__in": ids, f"{prefix}house__households__tenure": Tenure.OWNER}) | Q(
            **{f"{prefix}house__ownerships__person__household_id__in": ids}
        )

    return q


# Fund-wide rows (the fund, its uses): the compound's staff, grid workers of a grid with one of
# its buildings, and its residents (its accounts are published to them, art. 281).
COMPOUND_PATHS = {
    "subdistrict": "subdistrict_id",
    "community": "community_id",
    "compound": "compound_id",
    "grid": _compounds_in_grids,
    "household": _compounds_of_households,
}


class Fund(ScopedModel):
    """维修资金 of one compound: the running totals of its sub-accounts (the balance and the first
    deposits, in fen), kept by every posting so a compound's balance is one row read."""

    compound = models.OneToOneField(
        "places.Compound", models.PROTECT, related_name="maintenance_fund", verbose_name=_("compound")
    )
    bank = models.CharField(_("fund bank"), max_length=60, blank=True)
    first_total = models.BigIntegerField(_("total first deposits (fen)"), default=0, editable=False)
    balance = models.BigIntegerField(_("balance (fen)"), default=0, editable=False)
    # the day the balance fell below the floor (the Shanghai variant's 90 days run from it)
    below_floor_since = models.DateField(_("below the floor since"), null=True, blank=True, editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    scope_domain = "funds"
    scope_paths = COMPOUND_PATHS

    class Meta:
        ordering = ["community_id", "compound_id"]
        verbose_name = _("maintenance fund")
        verbose_name_plural = _("maintenance funds")

    def __str__(self):
        return str(self.compound.name)

    def get_absolute_url(self):
        return reverse("funds:fund", args=[self.pk])

    def save(self, *args, **kwargs):
        self.community_id, self.subdistrict_id = self.compound.community_id, self.compound.subdistrict_id
        super().save(*args, **kwargs)


class Account(ScopedModel):
    """分户账: one house's sub-account of its compound's fund: its first deposit and its running
    balance (fen), and whether it must top up (需续交, R2.1), kept with every posting and indexed
    so the list of houses to top up is an index range, not a sum over the ledger. Never public."""

    fund = models.ForeignKey(Fund, models.PROTECT, related_name="accounts", verbose_name=_("fund"))
    house = models.OneToOneField("places.House", models.PROTECT, related_name="fund_account", verbose_name=_("house"))
    first_deposit = models.BigIntegerField(_("first deposit (fen)"), default=0, editable=False)
    balance = models.BigIntegerField(_("balance (fen)"), default=0, editable=False)
    needs_topup = models.BooleanField(_("needs top-up"), default=False, editable=False)
    unit = models.ForeignKey("places.Unit", models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey("places.Compound", models.PROTECT, related_name="+", editable=False)
    grid = models.ForeignKey("places.Grid", models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "funds"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "unit": "unit_id",
        "household": _own_houses(),
    }

    class Meta:
        ordering = ["fund_id", "house_id"]
        indexes = [models.Index(fields=["fund", "needs_topup", "house"], name="funds_account_topup")]
        verbose_name = _("sub-account")
        verbose_name_plural = _("sub-accounts")

    def __str__(self):
        return str(self.house)

    def get_absolute_url(self):
        return reverse("funds:account", args=[self.pk])

    def copy_places(self, house):
        for level in ("unit", "building", "compound", "grid", "community", "subdistrict"):
            setattr(self, f"{level}_id", getattr(house, f"{level}_id"))

    def save(self, *args, **kwargs):
        self.copy_places(self.house)
        super().save(*args, **kwargs)


class EntryKind(models.TextChoices):
    FIRST_DEPOSIT = "first_deposit", _("First deposit")  # 首期交存
    OPENING = "opening", _("Opening balance")  # 期初余额 taken over from the fund bank
    INTEREST = "interest", _("Interest")  # 利息
    TOP_UP = "top_up", _("Top-up")  # 续交
    USE = "use", _("Use")  # 使用分摊
    REVERSAL = "reversal", _("Reversing entry")  # 冲正


class Entry(ScopedModel):
    """One movement of one sub-account (fen, signed: a use is negative), with the balance after
    it. Immutable: never updated or deleted; a mistake is corrected by a reversing entry
    (`reverses`), itself never reversed."""

    fund = models.ForeignKey(Fund, models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, models.PROTECT, related_name="entries", verbose_name=_("sub-account"))
    kind = models.CharField(_("kind"), max_length=14, choices=EntryKind.choices)
    amount = models.BigIntegerField(_("amount (fen)"))
    balance_after = models.BigIntegerField(_("balance after (fen)"))
    use = models.ForeignKey("Use", models.PROTECT, null=True, blank=True, related_name="entries")
    reverses = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name=_("reverses")
    )
    booked_on = models.DateField(_("value date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    compound = models.ForeignKey("places.Compound", models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "funds"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "compound": "compound_id",
        "grid": "account__grid_id",
        "building": "account__building_id",
        "unit": "account__unit_id",
        "household": _own_houses("account__"),
    }

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "id"], name="funds_entry_account")]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("A ledger entry is never changed: post a reversing entry."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A ledger entry is never deleted: post a reversing entry."))


class Emergency(models.TextChoices):
    """R2.4: the emergencies that skip the owners' vote (住宅专项维修资金管理办法 art. 22 and the local rules)."""

    LIFT = "lift", _("Lift failure")  # 电梯故障
    FIRE = "fire", _("Fire equipment damaged")  # 消防设施损坏
    FACADE = "facade", _("Facade at risk of falling")  # 外墙脱落
    COLLAPSE = "collapse", _("Risk of collapse")  # 房屋危险
    LEAK = "leak", _("Roof or wall leak")  # 屋面、外墙渗漏
    DRAINAGE = "drainage", _("Blocked drainage")  # 排水堵塞


class Use(ScopedModel):
    """维修资金使用: one use of a compound's fund for the houses concerned (the compound, some
    buildings or one unit), from the proposal through the owners' vote (art. 278 matter 5) or an
    emergency (R2.4), the works, the payment request and its approval to the payment, which
    apportions the invoice to the houses concerned by area. Published on the board (art. 281)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        VOTING = "voting", _("Owners voting")
        AGREED = "agreed", _("Agreed by the owners")
        REJECTED = "rejected", _("Not agreed by the owners")
        WORKS = "works", _("Works under way")
        REQUESTED = "requested", _("Payment requested")
        APPROVED = "approved", _("Payment approved")
        PAID = "paid", _("Paid")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    fund = models.ForeignKey(Fund, models.PROTECT, related_name="uses", verbose_name=_("fund"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    emergency = models.CharField(_("emergency"), max_length=10, choices=Emergency.choices, blank=True)
    buildings = models.ManyToManyField("places.Building", blank=True, verbose_name=_("only these buildings"))
    unit = models.ForeignKey(
        "places.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("only this unit")
    )
    budget = models.BigIntegerField(_("budget (fen)"))
    vote = models.ForeignKey(
        "deliberation.OwnerVote",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_uses",
        verbose_name=_("owners' vote"),
    )
    contractor = models.CharField(_("contractor"), max_length=100, blank=True)
    works_started_on = models.DateField(_("works started on"), null=True, blank=True)
    works_finished_on = models.DateField(_("works finished on"), null=True, blank=True)
    invoice_total = models.BigIntegerField(_("invoice total (fen)"), null=True, blank=True)
    invoice_reference = models.CharField(_("invoice reference"), max_length=60, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    balance_after = models.BigIntegerField(_("compound balance after (fen)"), null=True, blank=True)
    houses = models.PositiveIntegerField(_("houses concerned"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    compound = models.ForeignKey("places.Compound", models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "funds"
    scope_paths = COMPOUND_PATHS

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["compound", "state", "paid_at"], name="funds_use_board")]
        verbose_name = _("use of the fund")
        verbose_name_plural = _("uses of the fund")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("funds:use", args=[self.pk])

    @property
    def amount(self) -> int:
        """What the use takes from the fund: the invoice once requested, the budget before."""
        return self.invoice_total if self.invoice_total is not None else self.budget

    def save(self, *args, **kwargs):
        if self._state.adding:
            self._copy_places(self.fund)
        super().save(*args, **kwargs)

    def _copy_places(self, fund):
        self.compound_id, self.community_id, self.subdistrict_id = (
            fund.compound_id,
            fund.community_id,
            fund.subdistrict_id,
        )
