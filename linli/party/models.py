"""党建引领 · 共驻共建: party members (党员) of the ledger, 双报到, posts and yearly commitments
(承诺 · 践诺), and the co-building agreement (共驻共建协议书) between a community and a partner.

The party organisations themselves and the partners are `orgs.Organisation` rows (kind 党组织 with
its level, parent and place; kind 共建单位 with its category and paired community)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.scope import ScopedModel
from linli.orgs.models import Kind, Organisation


class MemberKind(models.TextChoices):
    DIRECT = "direct", _("Directly managed member")  # 直管党员: organisation relation in the community
    IN_SERVICE = "in_service", _("In-service member")  # 在职党员: works elsewhere, reports where they live
    FLOATING = "floating", _("Floating member")  # 流动党员


def _org_or_its_party(field):
    """Partner staff are granted on their organisation: they reach rows of it and of its party
    organisations (host)."""

    def q(ids):
        return Q(**{f"{field}__in": sorted(ids)}) | Q(**{f"{field}__host_id__in": sorted(ids)})

    return q


class PartyMember(ScopedModel):
    """党员: a person of the ledger who is a party member, with their kind, the party organisation
    of the community they belong to and, for a 在职党员, their workplace's party organisation.
    Membership is personal data: scoped like the ledger (a grid worker sees their own grid) and
    never on a public page. `in_roster`: the community counts them (a 在职党员 once 双报到 is
    confirmed)."""

    person = models.OneToOneField(
        "people.Person", models.CASCADE, related_name="party_member", verbose_name=_("person")
    )
    kind = models.CharField(_("member kind"), max_length=12, choices=MemberKind.choices)
    home_org = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("party organisation in the community"),
    )
    workplace_org = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="working_members",
        verbose_name=_("workplace party organisation"),
    )
    in_roster = models.BooleanField(_("in the community's roster"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    grid = models.ForeignKey("places.Grid", models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "party"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": "grid_id",
        "organisation": _org_or_its_party("workplace_org"),
    }

    class Meta:
        ordering = ["community_id", "grid_id", "id"]
        verbose_name = _("party member")
        verbose_name_plural = _("party members")

    def __str__(self):
        return self.person.name

    def get_absolute_url(self):
        return reverse("party:member", args=[self.pk])

    def clean(self):
        errors = {}
        if self.kind == MemberKind.IN_SERVICE and not self.workplace_org_id:
            errors["workplace_org"] = _("An in-service member needs their workplace's party organisation.")
        if self.kind != MemberKind.IN_SERVICE and self.workplace_org_id:
            errors["workplace_org"] = _("Only an in-service member has a workplace party organisation.")
        for name in ("home_org", "workplace_org"):
            org = getattr(self, name) if getattr(self, f"{name}_id") else None
            if org is not None and org.kind != Kind.PARTY:
                errors[name] = _("Choose a party organisation.")
        if self.home_org_id and self.person_id and self.home_org.community_id != self.person.community_id:
            errors["home_org"] = _("The party organisation is not in the member's community.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        person = self.person
        self.grid_id, self.community_id, self.subdistrict_id = (
            person.grid_id,
            person.community_id,
            person.subdistrict_id,
        )
        super().save(*args, **kwargs)


class CheckIn(ScopedModel):
    """双报到: a report to the community of residence, by a workplace party organisation for one of
    its members (在职党员到社区报到) or for itself (单位党组织到社区报到). The community confirms it
    (the member enters its roster) or refuses it with a reason."""

    class State(models.TextChoices):
        REPORTED = "reported", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="check_ins", verbose_name=_("reporting party organisation")
    )
    member = models.ForeignKey(
        PartyMember,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("member"),
        help_text=_("Empty: the organisation reports itself."),
    )
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", verbose_name=_("community"))
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.REPORTED)
    version = models.PositiveIntegerField(default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        "accounts.User", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("time of the check-in"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    scope_domain = "party"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "organisation": _org_or_its_party("organisation"),
    }

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self):
        who = self.member.person.name if self.member_id else self.organisation.name
        return f"{who} → {self.community}"

    def get_absolute_url(self):
        return reverse("party:check_in", args=[self.pk])

    def clean(self):
        if self.organisation_id and self.organisation.kind != Kind.PARTY:
            raise ValidationError({"organisation": _("Choose a party organisation.")})
        if self.member_id and self.community_id and self.member.community_id != self.community_id:
            raise ValidationError({"community": _("A member reports to the community where they live.")})

    def save(self, *args, **kwargs):
        self.subdistrict_id = self.community.subdistrict_id
        super().save(*args, **kwargs)


class Commitment(ScopedModel):
    """承诺 · 践诺: what a member promises for one year in the post they claimed (设岗定责: the
    post's duties), checked at year end: kept, partly kept or not kept, with a note. Visible to
    the community."""

    class State(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        KEPT = "kept", _("Kept")
        PARTLY = "partly", _("Partly kept")
        NOT_KEPT = "not_kept", _("Not kept")

    member = models.ForeignKey(PartyMember, models.CASCADE, related_name="commitments", verbose_name=_("member"))
    post = models.ForeignKey(
        "people.ResidentPost",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("post"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    duties = models.TextField(_("duties"), max_length=1000)
    promise = models.TextField(_("commitment"), max_length=1000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLEDGED)
    version = models.PositiveIntegerField(default=0)
    check_note = models.CharField(_("check note"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    grid = models.ForeignKey("places.Grid", models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)

    scope_domain = "party"
    scope_paths = {"subdistrict": "subdistrict_id", "community": "community_id", "grid": "grid_id"}

    class Meta:
        ordering = ["-year", "community_id", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "post", "year"], name="uniq_commitment")]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return f"{self.year} · {self.member}"

    def get_absolute_url(self):
        return reverse("party:commitment", args=[self.pk])

    def clean(self):
        if self.post_id and self.member_id and self.post.person_id != self.member.person_id:
            raise ValidationError({"post": _("The post is held by someone else.")})

    def save(self, *args, **kwargs):
        member = self.member
        self.grid_id, self.community_id, self.subdistrict_id = (
            member.grid_id,
            member.community_id,
            member.subdistrict_id,
        )
        super().save(*args, **kwargs)


class Agreement(ScopedModel):
    """共驻共建协议书 (一书): the agreement between a community and a co-building partner — its term,
    what each side commits, the date it was signed. Draft → signed → renewed (a new draft takes
    over) or expired."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        RENEWED = "renewed", _("Renewed")
        EXPIRED = "expired", _("Expired")

    partner = models.ForeignKey(
        Organisation, models.PROTECT, related_name="agreements", verbose_name=_("co-building partner")
    )
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", verbose_name=_("community"))
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    community_commits = models.TextField(_("the community commits"), max_length=2000)
    partner_commits = models.TextField(_("the partner commits"), max_length=2000)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)  # set by the move "sign"
    renewal_of = models.OneToOneField(
        "self", models.SET_NULL, null=True, blank=True, related_name="renewal", editable=False
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_domain = "party"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "organisation": "partner_id",
    }

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("party:agreement", args=[self.pk])

    def clean(self):
        errors = {}
        if self.partner_id and self.partner.kind != Kind.PARTNER:
            errors["partner"] = _("Choose a co-building partner.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The term cannot end before it starts.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.subdistrict_id = self.community.subdistrict_id
        super().save(*args, **kwargs)
