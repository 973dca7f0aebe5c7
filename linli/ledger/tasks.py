from django_tasks import task

from . import importer
from .models import ImportJob


@task()
def run_import(job_id: int) -> str:
    """Background ledger import (large files); the job page polls the ImportJob row."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    return importer.run(job).status
