from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.fields import EncryptedBinaryField


class ImportJob(models.Model):
    """台账导入任务: one uploaded ledger file, validated in full and then imported all or nothing.
    The file is kept in the database until the job ends, so the background worker needs no shared
    disk; so is the error file, which the error limit keeps small."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking rows")
        WRITING = "writing", _("Writing")
        FAILED = "failed", _("Not imported")
        SUCCEEDED = "succeeded", _("Imported")

    RUNNING = (Status.VALIDATING, Status.WRITING)  # a worker holds the job and beats its heart

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="import_jobs", verbose_name=_("user")
    )
    filename = models.CharField(_("file"), max_length=200)
    # both hold ID numbers and phones as the user typed them: encrypted at rest like the ledger
    content = EncryptedBinaryField()  # emptied when the job ends: the ledger, not the upload, keeps the data
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)  # the sheet's own size until every row is read; 0: unknown
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    households_created = models.PositiveIntegerField(default=0)
    # [{"row": 5, "column": "身份证号", "message": "…"}], at most LINLI_IMPORT_MAX_ERRORS
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(_("message"), blank=True)  # why the whole file failed, or why checking stopped
    error_file = EncryptedBinaryField(blank=True, default=b"")  # the failing rows as xlsx, written once
    created_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # set by the worker while it checks rows
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="ledger_job_running")]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("ledger:job", args=[self.pk])

    @property
    def finished(self):
        return self.status in (self.Status.FAILED, self.Status.SUCCEEDED)

    @property
    def percent(self):
        return min(100, 100 * self.processed_rows // self.total_rows) if self.total_rows else 0
