"""The ledger's audit records that are not row changes: exports, and import conflicts."""

from django.contrib.contenttypes.models import ContentType

from linli.accounts.models import User
from linli.core import audit
from linli.core.models import AuditLog
from linli.places.models import Community, Grid, Subdistrict

from . import bulk


def record_export(user, exported, filters: str) -> AuditLog:
    """导出台账: who exported, which filter, how many rows; never a value from the rows. The
    record belongs to the narrowest place all the rows share, so that place's staff see who took
    their residents away; rows from several sub-districts (or none) leave it to administrators."""
    place = None
    for model, ids in ((Grid, exported.grids), (Community, exported.communities), (Subdistrict, exported.subdistricts)):
        if len(ids) == 1 and None not in ids:
            place = model.objects.get(pk=next(iter(ids)))
            break
    place = place or User.objects.get(pk=user.pk)  # no single place: the record names the user, for administrators
    changes = {"rows": [None, exported.rows], "filter": [None, filters]}
    return audit.record(user, AuditLog.Action.EXPORT, place, changes, note="export.xlsx")


def record_conflicts(user, job, conflicts):
    """Rows refused because their ID number is registered outside the user's scope: which row,
    which person, which user, for system administrators only (the records name no place, and
    only a role over everything sees records without one). The user is told only that the row
    cannot be imported."""
    if not conflicts:
        return
    job_type = ContentType.objects.get_for_model(type(job)).pk
    note = "ID number registered outside the uploader's scope"
    rows = [
        (
            user.pk,
            AuditLog.Action.IMPORT,
            job_type,
            str(job.pk),
            str(job)[:200],
            {"row": [None, row], "person": [None, person]},
            note,
        )
        for row, person in conflicts
    ]
    bulk.insert(
        AuditLog, ("actor_id", "action", "content_type_id", "object_id", "object_repr", "changes", "note"), rows
    )
