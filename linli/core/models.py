from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField
from .masking import mask_phone
from .scope import ScopedModel


class AuditLog(ScopedModel):
    """审计日志: who changed or revealed what, when, with field-level before/after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        REVEAL = "reveal", _("Revealed personal data")
        IMPORT = "import", _("Imported")
        EXPORT = "export", _("Exported personal data")
        SEARCH = "search", _("Searched personal data")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Plain ids, not foreign keys: the record outlives the place it describes.
    subdistrict_id = models.BigIntegerField(null=True, db_index=True)
    community_id = models.BigIntegerField(null=True, db_index=True)
    grid_id = models.BigIntegerField(null=True, db_index=True)

    scope_domain = "audit"
    scope_paths = {
        "subdistrict": "subdistrict_id",
        "community": "community_id",
        "grid": "grid_id",
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"


class Notification(models.Model):
    """站内通知: a message to one user, with a link to what it is about.

    `key` names the matter and the step ("cases.case:12:dispatch"): one message per person per
    matter per step, so a repeated send of the same key is dropped (core.notify). `digested_at`:
    put in that user's daily digest e-mail (once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    text = models.CharField(_("message"), max_length=300)
    url = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="uniq_notification_key")
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text


class NotificationPreference(models.Model):
    """通知方式: the channels a user wants besides the in-app list (always on). Without a row:
    e-mail on (where the user has an address and a mail backend is configured), no SMS, no digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_preference")
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)
    phone = EncryptedTextField(_("mobile phone for SMS"), blank=True)
    digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("One e-mail each morning with the previous day's unread messages."),
    )

    sensitive_fields = {"phone": mask_phone}

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user_id)
