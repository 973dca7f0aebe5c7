import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.fields import EncryptedTextField
from linli.core.masking import mask_phone
from linli.core.scope import LEVELS, Scope, ScopedModel
from linli.core.validators import validate_phone

from .roles import ORG_ROLE_COMPOUNDS, PERMISSIONS, ROLE_LEVEL, TWO_FACTOR_ROLES, Role


class User(AbstractUser):
    """A login. What it may do comes only from its role assignments (and is_superuser)."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    def scope_for(self, perm: str) -> Scope:
        cache = self.__dict__.setdefault("_linli_scopes", {})
        if perm not in cache:
            cache[perm] = self._compute_scope(perm)
        return cache[perm]

    @property
    def role_list(self):
        if "_linli_roles" not in self.__dict__:
            # ids only: this runs on every request, and planning a seven-table join cost more than
            # the request's own work (docs/benchmarks.md); screens that name the places join them
            self.__dict__["_linli_roles"] = list(self.role_assignments.all())
        return self.__dict__["_linli_roles"]

    def _compute_scope(self, perm: str) -> Scope:
        scope = Scope(everything=self.is_superuser)
        for ra in self.role_list:
            if perm not in PERMISSIONS[ra.role]:
                continue
            level = ROLE_LEVEL[ra.role]
            if level is None:
                scope.everything = True
                continue
            scope.add(level, getattr(ra, f"{level}_id"))
            if ra.role in ORG_ROLE_COMPOUNDS and perm.startswith(("places.", "orgs.")):
                scope.add("compound", *ra.organisation.compounds_served.values_list("id", flat=True))
        return scope

    def has_role(self, *roles) -> bool:
        return any(ra.role in roles for ra in self.role_list)

    def role_granting(self, perm: str):
        """The first of the user's role assignments whose role carries `perm`, or None."""
        return next((ra for ra in self.role_list if perm in PERMISSIONS[ra.role]), None)

    @property
    def requires_two_factor(self) -> bool:
        """Administrators and every role that reveals or exports personal data (roles.py)."""
        return self.is_superuser or self.is_staff or any(ra.role in TWO_FACTOR_ROLES for ra in self.role_list)


class RoleAssignment(ScopedModel):
    """岗位授权: a role granted to a user on one place or organisation and everything below it."""

    user = models.ForeignKey(User, models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    subdistrict = models.ForeignKey(
        "places.Subdistrict", models.CASCADE, null=True, blank=True, verbose_name=_("sub-district")
    )
    community = models.ForeignKey(
        "places.Community", models.CASCADE, null=True, blank=True, verbose_name=_("community")
    )
    grid = models.ForeignKey("places.Grid", models.CASCADE, null=True, blank=True, verbose_name=_("grid"))
    building = models.ForeignKey("places.Building", models.CASCADE, null=True, blank=True, verbose_name=_("building"))
    unit = models.ForeignKey("places.Unit", models.CASCADE, null=True, blank=True, verbose_name=_("unit"))
    household = models.ForeignKey(
        "people.Household", models.CASCADE, null=True, blank=True, verbose_name=_("household")
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", models.CASCADE, null=True, blank=True, verbose_name=_("organisation")
    )

    scope_domain = "accounts"

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.place or ''}"

    def get_absolute_url(self):

        return reverse("accounts:roles")

    @property
    def place(self):
        level = ROLE_LEVEL.get(self.role)
        return getattr(self, level) if level else None

    def clean(self):
        level = ROLE_LEVEL.get(self.role)
        set_levels = [lv for lv in LEVELS if lv != "compound" and getattr(self, f"{lv}_id", None)]
        if level is None and set_levels:
            raise ValidationError(_("A system administrator is not tied to a place."))
        if level and set_levels != [level]:
            raise ValidationError(
                {
                    level: _("This role is granted on exactly one %(level)s.")
                    % {"level": self._meta.get_field(level).verbose_name}
                }
            )
        if self.organisation_id and self.role == Role.PROPERTY_STAFF and self.organisation.kind != "property":
            raise ValidationError({"organisation": _("Property staff belong to a property company.")})
        if self.organisation_id and self.role == Role.PARTNER_STAFF and self.organisation.kind != "partner":
            raise ValidationError({"organisation": _("Partner staff belong to a co-building partner.")})

    def scope_keys(self):
        place = self.place
        if place is None:
            return {"subdistrict": None, "community": None, "grid": None}
        return place.scope_keys() if hasattr(place, "scope_keys") else {}


# Staff manage role assignments of places under them (a community worker: grids, buildings … in it).
RoleAssignment.scope_paths = {
    "subdistrict": lambda ids: (
        models.Q(subdistrict_id__in=sorted(ids))
        | models.Q(community__subdistrict_id__in=sorted(ids))
        | models.Q(grid__subdistrict_id__in=sorted(ids))
        | models.Q(building__subdistrict_id__in=sorted(ids))
        | models.Q(unit__subdistrict_id__in=sorted(ids))
        | models.Q(household__subdistrict_id__in=sorted(ids))
        | models.Q(organisation__subdistrict_id__in=sorted(ids))
    ),
    "community": lambda ids: (
        models.Q(community_id__in=sorted(ids))
        | models.Q(grid__community_id__in=sorted(ids))
        | models.Q(building__community_id__in=sorted(ids))
        | models.Q(unit__community_id__in=sorted(ids))
        | models.Q(household__community_id__in=sorted(ids))
        | models.Q(organisation__community_id__in=sorted(ids))
    ),
}


class Credential(models.Model):
    """A secret handed out once and kept only as its SHA-256 digest (the secrets are 256 random
    bits, so a fast hash is enough: nothing to guess). Named, revocable, with its last use."""

    PREFIX = ""

    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # the first characters of the secret, shown so that owners can tell their keys apart
    hint = models.CharField(_("begins with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @classmethod
    def find(cls, secret: str):
        """The row for a presented secret (revoked or expired rows too: the caller says why)."""
        if not secret or len(secret) > 200:
            return None
        rows: Any = cls._default_manager  # the concrete subclass's: each declares its own `user`
        return rows.select_related("user").filter(key_hash=cls.digest(secret)).first()

    def touch(self):
        # one write a minute at most, however busy the client; a conditional UPDATE, no race. The
        # row was just read: when it says it was used within the minute, no statement at all
        # (one of an intake's round trips, docs/benchmarks.md)
        now = timezone.now()
        since = now - dt.timedelta(minutes=1)
        if self.last_used_at is not None and self.last_used_at >= since:
            return
        type(self).objects.filter(pk=self.pk).filter(
            models.Q(last_used_at=None) | models.Q(last_used_at__lt=since)
        ).update(last_used_at=now)


class ApiToken(Credential):
    """API 令牌: a user's sign-in for the REST API, issued at /api/v1/auth/token/, expiring."""

    PREFIX = "lt_"

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    expires_at = models.DateTimeField(_("expires"))
    # whether the second factor was given when it was issued (a role gained later needs a new one)
    two_factor = models.BooleanField(_("second factor given"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class Open311Key(Credential, ScopedModel):
    """Open311 接入密钥: a machine client's key (hotline systems), sent as `api_key` in query
    strings, so kept apart from user tokens; it acts with the scope of one user."""

    PREFIX = "o311_"

    user = models.ForeignKey(User, models.CASCADE, related_name="open311_keys", verbose_name=_("acts as"))
    created_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )

    # managed by administrators only: the permission open311.manage, granted everywhere or nowhere
    scope_domain = "open311"
    scope_paths: dict = {}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def get_absolute_url(self):

        return reverse("accounts:open311_keys")


class SignInSession(models.Model):
    """登录设备: one signed-in browser session of a user, so that the user can see where they are
    signed in and sign out everywhere. Django's session table cannot be searched by user (the
    user id is inside the encoded data), hence this small index of it (docs/architecture.md)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="sign_in_sessions", verbose_name=_("user"))
    session_key = models.CharField(max_length=40, unique=True, editable=False)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("session", "signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self):
        return f"{self.user} · {self.device or '?'}"


class OneTimeLink(Credential):
    """一次性链接: a link handed over in person instead of an e-mail — an administrator's password
    reset for a user, or staff's invitation of a registered household member (people.Person) to
    an account. Valid once and until it expires; the secret is kept only as its digest."""

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("password reset")
        INVITATION = "invitation", _("invitation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        User, models.CASCADE, null=True, blank=True, related_name="one_time_links", verbose_name=_("user")
    )
    person = models.ForeignKey(
        "people.Person", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    created_by = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("one-time link")
        verbose_name_plural = _("one-time links")

    def refusal(self, now=None) -> str:
        """Why this link may not be used now, or "" (used, revoked and expired are all refused)."""
        now = now or timezone.now()
        if self.used_at or self.revoked_at:
            return str(_("This link has already been used or was withdrawn. Ask for a new one."))
        if now >= self.expires_at:
            return str(_("This link has expired. Ask for a new one."))
        return ""


class Registration(ScopedModel):
    """注册申请: a resident who signed up with a phone number and their house. The login is made
    only when the grid worker of that house's grid confirms it against the ledger, naming the
    registered person (accounts/workflow.py), with the username and password the resident chose
    (the password kept as its hash) and the resident role on that person's household. Until then
    no login exists, so the answer to a registration cannot tell whether a username is taken
    (docs/security.md, "A resident's own registration")."""

    class State(models.TextChoices):
        PENDING = "pending", _("awaiting confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    user = models.OneToOneField(
        User, models.CASCADE, null=True, blank=True, related_name="registration", verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=150, default="")
    password = models.CharField(max_length=128, default="", editable=False)  # a hash, as User.password
    reason = models.CharField(_("reason"), max_length=200, blank=True)  # why it was not confirmed
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("phone"), validators=[validate_phone])
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    house = models.ForeignKey("places.House", models.PROTECT, related_name="+", verbose_name=_("house"))
    subdistrict = models.ForeignKey("places.Subdistrict", models.PROTECT, related_name="+", editable=False)
    community = models.ForeignKey("places.Community", models.PROTECT, related_name="+", editable=False)
    grid = models.ForeignKey(
        "places.Grid", models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name=_("grid")
    )
    person = models.ForeignKey(
        "people.Person", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    # the grid's workers confirm (people.change over the house), as they keep its ledger
    scope_domain = "people"
    scope_paths = {"subdistrict": "subdistrict_id", "community": "community_id", "grid": "grid_id"}
    sensitive_fields = {"phone": mask_phone, "password": lambda value: "***"}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self):
        return f"{self.name} · {self.house}"

    @property
    def phone_masked(self):
        return mask_phone(self.phone)

    @property
    def username_taken(self) -> bool:
        """Another login has the username chosen: the grid worker picks another on confirming."""
        return self.user_id is None and User.objects.filter(username__iexact=self.username).exists()

    def get_absolute_url(self):
        return reverse("accounts:registration", args=[self.pk])
