import logging

from django.db import transaction
from django_tasks import task

from . import importer
from .models import ImportJob


@task()
def run_import(job_id: int) -> str:
    """Background ledger import (large files); the job page polls the ImportJob row."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    return importer.run(job).status


def submit_import(owner, filename, content) -> ImportJob:
    """Store an uploaded ledger file as a job without reading the sheet. A small file (by bytes) is
    then checked and imported at once; any other goes to the background worker, after the commit
    (so the worker finds the row). A failed import is marked on the job; the log has the cause."""
    job = ImportJob.objects.create(owner=owner, filename=filename[:200], content=content)
    if importer.small(content):
        try:
            importer.run(job)
        except Exception:  # the job is marked failed; the user sees it there
            logging.getLogger("linli.ledger").exception("ledger import %s failed", job.pk)
    else:
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job
