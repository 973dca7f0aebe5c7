"""The periodic job of wishes (like cases.overdue): a published wish that has waited for a
claimant for the community's `unclaimed_days` (届满: on the Nth day after it went up, counted in
whole days) is flagged to the community's staff; a claimed one past its `deliver_by` day is flagged
to the community and the claimant. Each row is claimed with a conditional UPDATE, so two workers
never notify twice."""

import datetime as dt
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit, notify
from linli.core.models import AuditLog

from .models import UNCLAIMED_DAYS as DEFAULT_DAYS
from .models import State, Wish, WishPolicy
from .workflow import community_staff

BATCH = 1000


def unclaimed_since(days, now) -> dt.datetime:
    """The moment a wish must have waited since to be `days` whole days unclaimed at `now`."""
    return now - dt.timedelta(days=days)


def flag_unclaimed(now=None) -> int:
    now = now or timezone.now()
    days = dict(WishPolicy.objects.values_list("community_id", "unclaimed_days"))
    candidates = Wish.objects.filter(
        state=State.PUBLISHED,
        unclaimed_flagged_at=None,
        waiting_since__lte=unclaimed_since(min([DEFAULT_DAYS, *days.values()]), now),
    ).values_list("pk", "community_id", "waiting_since")
    flagged = 0
    for pk, community_id, since in list(candidates[:BATCH]):
        if since > unclaimed_since(days.get(community_id, DEFAULT_DAYS), now):
            continue  # this community waits longer
        with transaction.atomic():
            if not Wish.objects.filter(pk=pk, state=State.PUBLISHED, unclaimed_flagged_at=None).update(
                unclaimed_flagged_at=now
            ):
                continue  # another worker claimed it, or it was claimed meanwhile
            wish = Wish.objects.get(pk=pk)
            audit.record(
                None, AuditLog.Action.UPDATE, wish, {"unclaimed_flagged_at": [None, str(now)]}, note="unclaimed"
            )
            text = _("The wish “%(title)s” has waited %(days)s days without a claimant.") % {
                "title": wish.title,
                "days": days.get(community_id, DEFAULT_DAYS),
            }
            transaction.on_commit(partial(notify.send, community_staff(community_id), text, wish.get_absolute_url()))
            flagged += 1
    return flagged


def flag_overdue(now=None) -> int:
    """A claimed wish not delivered by the end of its `deliver_by` day (the day itself is in time)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Wish.objects.filter(state=State.CLAIMED, deliver_by__lt=today, overdue_flagged_at=None).values_list(
        "pk", flat=True
    )
    flagged = 0
    for pk in list(due[:BATCH]):
        with transaction.atomic():
            if not Wish.objects.filter(pk=pk, state=State.CLAIMED, overdue_flagged_at=None).update(
                overdue_flagged_at=now
            ):
                continue
            wish = Wish.objects.select_related("claimant_user").get(pk=pk)
            audit.record(None, AuditLog.Action.UPDATE, wish, {"overdue_flagged_at": [None, str(now)]}, note="overdue")
            text = _("The wish “%(title)s” was due to be delivered by %(date)s.") % {
                "title": wish.title,
                "date": wish.deliver_by.isoformat(),
            }
            users = community_staff(wish.community_id) + ([wish.claimant_user] if wish.claimant_user_id else [])
            transaction.on_commit(partial(notify.send, users, text, wish.get_absolute_url()))
            flagged += 1
    return flagged
