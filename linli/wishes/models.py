"""微心愿 micro-wishes: a small wish of a household (a school bag, a repair, a visit), checked by the
community, published anonymised on its wish wall (心愿墙), claimed by a party member of the roster
(双报到), a co-building partner or a volunteer, and delivered (docs/wishes.md).

Who wished is personal data — often a needy household: the wish keeps its household and person,
shown masked on staff screens and never on a public page. The wall publishes the community only,
never the compound, building or house (docs/wishes.md, "What the wall must not reveal")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.scope import ScopedModel, with_user
from linli.orgs.models import Organisation
from linli.people.models import Household
from linli.places.models import Community

# Defaults of a community without its own policy (WishPolicy): 500 元, 14 days to deliver, flagged
# after 14 days unclaimed.
MAX_VALUE_FEN = 50_000
DELIVER_DAYS = 14
UNCLAIMED_DAYS = 14


class WishPolicy(ScopedModel):
    """A community's rules for wishes: the value limit (元 in fen, 以内: the limit itself is
    allowed), the days a claimant has to deliver, the days a published wish may wait unclaimed
    before the community is told."""

    community = models.OneToOneField(
        "places.Community", models.CASCADE, related_name="wish_policy", verbose_name=_("community")
    )
    max_value_fen = models.PositiveIntegerField(_("value limit (fen)"), default=MAX_VALUE_FEN)
    deliver_days = models.PositiveSmallIntegerField(_("days to deliver"), default=DELIVER_DAYS)
    unclaimed_days = models.PositiveSmallIntegerField(
        _("days unclaimed before the community is told"), default=UNCLAIMED_DAYS
    )

    scope_domain = "wishes"
    scope_paths = {"subdistrict": "community__subdistrict_id", "community": "community_id"}

    class Meta:
        verbose_name = _("wish policy")
        verbose_name_plural = _("wish policies")

    def __str__(self):
        return str(self.community)

    def get_absolute_url(self):
        return reverse("wishes:policy")


def policy_for(community_id) -> WishPolicy:
    """The community's policy, or the defaults (unsaved) when it has none."""
    return WishPolicy.objects.filter(community_id=community_id).first() or WishPolicy(community_id=community_id)


class Category(models.TextChoices):
    STUDY = "study", _("Study")
    DAILY = "daily", _("Daily necessities")
    REPAIR = "repair", _("Repair")
    VISIT = "visit", _("Visit and company")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class ClaimantKind(models.TextChoices):
    MEMBER = "member", _("Party member (双报到)")
    PARTNER = "partner", _("Co-building partner")
    VOLUNTEER = "volunteer", _("Volunteer")


class Credit(models.TextChoices):
    """How the claimant is named on the board (晒事), as they choose."""

    NAME = "name", _("By name")
    ORGANISATION = "organisation", _("By organisation")
    ANONYMOUS = "anonymous", _("Anonymously")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting check")
    PUBLISHED = "published", _("On the wall")
    CLAIMED = "claimed", _("Claimed")
    DELIVERED = "delivered", pgettext_lazy("wish", "Delivered")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# on the wall: waiting for a claimant, or claimed (shown as such, so nobody claims twice)
ON_WALL = (State.PUBLISHED, State.CLAIMED)


def _paired_communities(ids):
    return Organisation.objects.filter(Q(id__in=sorted(ids)) | Q(host_id__in=sorted(ids))).values("community_id")


def _household_communities(ids):
    return Household.objects.filter(id__in=sorted(ids)).values("community_id")


def claims_in(user, community_id) -> bool:
    """Whether `user` may claim the wishes `community_id` publishes: partner staff of a paired
    organisation, or a resident of the community (staff keeping it see its wishes anyway)."""
    ids = user.scope_for("wishes.claim").ids
    return (
        Community.objects.filter(pk=community_id)
        .filter(
            Q(pk__in=_paired_communities(ids.get("organisation", ())))
            | Q(pk__in=_household_communities(ids.get("household", ())))
        )
        .exists()
    )


@with_user
def _partner_path(ids, user):
    """Partner staff: the published wishes of the community their organisation is paired with,
    and those their organisation claimed."""
    return Q(community_id__in=_paired_communities(ids), state=State.PUBLISHED) | Q(claimant_org_id__in=sorted(ids))


@with_user
def _resident_path(ids, user):
    """A resident: their household's own wishes, the published ones of their community (to claim
    as a volunteer), and those they claimed. The private details stay with the household's own
    (views: `private`)."""
    return (
        Q(household_id__in=sorted(ids))
        | Q(community_id__in=_household_communities(ids), state=State.PUBLISHED)
        | Q(claimant_user_id=user.pk)
    )


def _hidden(value):
    """Who wished, in audit records: that there is one, never who (the id would name them)."""
    return "***" if value else None


class Wish(ScopedModel):
    """微心愿: a household's small wish with its value (fen), checked by the community, published
    anonymised, claimed by one claimant at a time and delivered (confirmed with a photo)."""

    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", verbose_name=_("community"))
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    household = models.ForeignKey(
        "people.Household", models.PROTECT, related_name="wishes", verbose_name=_("household"), editable=False
    )
    wisher = models.ForeignKey(
        "people.Person", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("wisher")
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", editable=False
    )
    on_behalf = models.BooleanField(_("posted by staff on behalf of the household"), default=False, editable=False)
    title = models.CharField(_("wish"), max_length=40)
    story = models.TextField(_("about the wish"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.OTHER)
    value_fen = models.PositiveIntegerField(_("value (fen)"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    version = models.PositiveIntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # since when it waits for a claimant (published, or released); the unclaimed flag counts from here
    waiting_since = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    unclaimed_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    claimant_kind = models.CharField(_("claimant"), max_length=10, choices=ClaimantKind.choices, blank=True)
    claimant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("claimed by")
    )
    claimant_member = models.ForeignKey(
        "party.PartyMember",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="wishes",
        verbose_name=_("party member"),
    )
    claimant_org = models.ForeignKey(
        Organisation, models.SET_NULL, null=True, blank=True, related_name="wishes", verbose_name=_("partner")
    )
    credit = models.CharField(_("named on the board"), max_length=12, choices=Credit.choices, blank=True)
    credit_name = models.CharField(_("name on the board"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    deliver_by = models.DateField(_("deliver by"), null=True, blank=True, db_index=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    photo = models.FileField(_("photo of the delivery"), upload_to="wishes/%Y/%m/", blank=True)

    scope_domain = "wishes"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "household": _resident_path,
        "organisation": _partner_path,
    }
    sensitive_fields = {"household": _hidden, "wisher": _hidden}

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state"], name="wish_community_state"),
            # the lists' order, for everything (an administrator) and per community (its staff)
            models.Index(fields=["-created_at", "-id"], name="wish_new"),
            models.Index(fields=["community", "-created_at", "-id"], name="wish_community_new"),
        ]
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("wishes:wish", args=[self.pk])

    @property
    def value_yuan(self) -> str:
        return f"{self.value_fen // 100}.{self.value_fen % 100:02d}"
