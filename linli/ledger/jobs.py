"""The import job's life outside the ledger write: progress with a heartbeat, the end, and the
periodic check that fails the jobs of dead workers.

A worker beats the job's heart with every progress update while it checks rows. The write is
one transaction that starts by locking the job row and ends by marking the job succeeded, so a
job in "writing" is either being written by a live worker (the lock is held) or was not written
at all (a killed worker's transaction is rolled back with its connection). `fail_stale`, run by
check_overdue, claims running jobs whose heartbeat is older than LINLI_IMPORT_STALE_SECONDS
with a conditional UPDATE, skipping locked rows; the worker's own updates are conditional too,
so a job declared dead never comes back to life.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import jobs as core_jobs
from linli.core import notify

from .models import ImportJob

log = logging.getLogger("linli.ledger")


Abandoned = core_jobs.Abandoned


def progress(job, **fields):
    """Save progress (and the heartbeat) of a running job; raises Abandoned if it was failed."""
    core_jobs.progress(job, (ImportJob.Status.PENDING, *ImportJob.RUNNING), **fields)


def finish(job, status, **fields):
    """End the job: the outcome, and the upload dropped (the ledger now holds what it had)."""
    fields |= {"status": status, "finished_at": timezone.now(), "content": b""}
    for k, v in fields.items():
        setattr(job, k, v)
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    return job


def crashed(job):
    """The worker hit an unexpected error; the write transaction, if any, was rolled back."""
    if ImportJob.objects.filter(pk=job.pk, status__in=(ImportJob.Status.PENDING, *ImportJob.RUNNING)).exists():
        finish(
            job,
            ImportJob.Status.FAILED,
            message=_(
                "The import stopped because of an internal error. Nothing was written; upload the file again, or tell "
                "your administrator if it happens again."
            ),
        )
        _tell_owners([job])


def fail_stale(now=None) -> int:
    """Fail running jobs whose worker stopped beating their heart; tell their owners. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.LINLI_IMPORT_STALE_SECONDS)
    # no heartbeat at all: a job left running by a worker from before heartbeats
    stale = Q(status__in=ImportJob.RUNNING) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, created_at__lt=cutoff))
    try:
        with transaction.atomic():
            # a live writer holds its job's row lock: skipped, never waited for (PostgreSQL);
            # SQLite has one writer at a time, so a live write makes this wait for the database
            pks = list(
                ImportJob.objects.select_for_update(skip_locked=True).filter(stale).values_list("pk", flat=True)[:100]
            )
            ImportJob.objects.filter(stale, pk__in=pks).update(
                status=ImportJob.Status.FAILED, message=stale_message(), finished_at=now, content=b""
            )
            jobs = list(ImportJob.objects.filter(pk__in=pks).only("pk", "owner_id", "filename"))
            transaction.on_commit(lambda: _tell_owners(jobs))
    except OperationalError:
        if connection.vendor != "sqlite":
            raise
        # SQLite: a long import's write holds the database past the lock timeout; next round
        log.warning("ledger: stale-import check skipped, database busy", exc_info=True)
        return 0
    return len(jobs)


def stale_message():
    return _(
        "The import stopped: the background worker ended while it was working on this file. Nothing was written; "
        "upload the file again."
    )


def _tell_owners(jobs):
    owners = User.objects.in_bulk({j.owner_id for j in jobs})
    for job in jobs:
        text = _("Ledger import “%(file)s” failed. Nothing was written; open it to see why.") % {"file": job.filename}
        notify.send([owners[job.owner_id]], text, job.get_absolute_url())
