"""Working days under the Chinese public-holiday calendar, including make-up working days (调休).

Weekends are rest days and Monday–Friday working days, unless a WorkdayOverride row says
otherwise. Deadlines "within N working days" end at the close of the Nth working day after the
day of intake (the intake day itself does not count), in Asia/Shanghai.
"""

import datetime as dt

from django.utils import timezone

from .models import WorkdayOverride


def overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def is_workday(day: dt.date, known: dict | None = None) -> bool:
    known = overrides(day, day) if known is None else known
    return known.get(day, day.weekday() < 5)


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The Nth working day after `day` (n ≥ 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    known = overrides(day, day + dt.timedelta(days=n * 3 + 30))  # generous window: long holidays
    current, counted = day, 0
    while counted < n:
        current += dt.timedelta(days=1)
        if is_workday(current, known):
            counted += 1
    return current


def workday_deadline(start: dt.datetime, n: int) -> dt.datetime:
    """End of the Nth working day after the local date of `start` (23:59:59.999999 local)."""
    local = timezone.localtime(start).date()
    last = add_workdays(local, n)
    return timezone.make_aware(dt.datetime.combine(last, dt.time.max))
