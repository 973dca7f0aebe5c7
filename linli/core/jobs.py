"""Background jobs with progress and a heartbeat (the ledger import, the periodic reports).

A job row has `status` and `heartbeat_at`. The worker saves its progress with `progress()`,
which is a conditional UPDATE on the job still being in one of its live states: once a stale
check (`fail_stale`) has failed a job whose worker stopped beating its heart, the worker's next
update matches nothing and it stops (`Abandoned`), so a job declared dead never comes back.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone


class Abandoned(Exception):  # noqa: N818 - a state, not a fault
    """The job is no longer this worker's: the stale check failed it meanwhile."""


def progress(job, live, **fields):
    """Save progress (and the heartbeat) of a job in one of the `live` states; raises Abandoned
    if it is no longer in one."""
    fields["heartbeat_at"] = timezone.now()
    for k, v in fields.items():
        setattr(job, k, v)
    if not type(job).objects.filter(pk=job.pk, status__in=live).update(**fields):
        raise Abandoned(job.pk)


def fail_stale(model, running, cutoff, **fields) -> list[int]:
    """Fail the `running` jobs of `model` whose heartbeat is older than `cutoff` (or that never
    beat and were created before it), skipping rows a live worker holds; returns their ids."""
    stale = Q(status__in=running) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, created_at__lt=cutoff))
    with transaction.atomic():
        pks = list(model.objects.select_for_update(skip_locked=True).filter(stale).values_list("pk", flat=True)[:100])
        model.objects.filter(stale, pk__in=pks).update(**fields)
    return pks
