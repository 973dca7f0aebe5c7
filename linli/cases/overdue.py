"""The overdue job: find open cases past their deadline, claim each one with a conditional
UPDATE (so two workers never notify twice), write the timeline and notify the handler's
organisation and the community's staff (the supervisor)."""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.roles import Role
from linli.core import notify

from .models import OPEN_STATES, Case, CaseEvent


def recipients(case):
    users = User.objects.filter(
        is_active=True, role_assignments__role=Role.COMMUNITY_STAFF, role_assignments__community_id=case.community_id
    )
    grid = User.objects.filter(
        is_active=True,
        role_assignments__role__in=(Role.GRID_WORKER, Role.GRID_CHIEF),
        role_assignments__grid_id=case.grid_id,
    )
    handlers = (
        User.objects.filter(is_active=True, role_assignments__organisation_id=case.assignee_org_id)
        if case.assignee_org_id
        else User.objects.none()
    )
    return list(users) + list(grid) + list(handlers)


def warn_near_deadline(now=None) -> int:
    """预警 · 催办: once a request has used LINLI_WARN_SHARE of its time, remind its handlers."""

    now = now or timezone.now()
    share = settings.LINLI_WARN_SHARE
    elapsed = ExpressionWrapper(now - F("created_at"), output_field=DurationField())
    total = ExpressionWrapper(F("resolve_by") - F("created_at"), output_field=DurationField())
    candidates = (
        Case.objects.filter(state__in=OPEN_STATES, warned_at=None, paused_at=None, resolve_by__gte=now)
        .annotate(elapsed=elapsed, total=total)
        .values_list("pk", "elapsed", "total")
    )
    warned = 0
    for pk, spent, limit in candidates[:2000]:
        if spent < limit * share:
            continue
        with transaction.atomic():
            if not Case.objects.filter(pk=pk, warned_at=None).update(warned_at=now):
                continue
            case = Case.objects.select_related("category").get(pk=pk)
            CaseEvent.objects.create(
                case=case, action="warn", from_state=case.state, to_state=case.state, created_at=now
            )
            text = _("Reminder: request %(number)s (%(category)s) is due %(deadline)s.") % {
                "number": case.number,
                "category": case.category.name,
                "deadline": timezone.localtime(case.resolve_by).strftime("%m-%d %H:%M"),
            }
            users = recipients(case)
            url = case.get_absolute_url()
            transaction.on_commit(partial(notify.send, users, text, url))
            warned += 1
    return warned


def mark_overdue(now=None) -> int:
    now = now or timezone.now()
    due = Case.objects.filter(
        state__in=OPEN_STATES, resolve_by__lt=now, overdue_notified_at=None, paused_at=None
    ).values_list("pk", flat=True)
    claimed = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            if not Case.objects.filter(pk=pk, overdue_notified_at=None).update(overdue_notified_at=now):
                continue  # another worker claimed it
            case = Case.objects.select_related("category").get(pk=pk)
            CaseEvent.objects.create(
                case=case, action="overdue", from_state=case.state, to_state=case.state, created_at=now
            )
            text = _("Request %(number)s (%(category)s) is past its deadline.") % {
                "number": case.number,
                "category": case.category.name,
            }
            users = recipients(case)
            url = case.get_absolute_url()
            transaction.on_commit(partial(notify.send, users, text, url))
            claimed += 1
    return claimed
