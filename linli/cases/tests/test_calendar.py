import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from linli.cases.calendar import add_workdays, is_workday, workday_deadline

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (dt.date(2026, 11, 20), 1, dt.date(2026, 11, 23)),  # Friday + 1 → Monday
        (dt.date(2026, 11, 23), 5, dt.date(2026, 11, 30)),  # a full week
        (dt.date(2026, 9, 30), 1, dt.date(2026, 10, 8)),  # over the National Day holiday
        (dt.date(2026, 10, 9), 1, dt.date(2026, 10, 10)),  # Saturday 10 October is a make-up working day
        (dt.date(2026, 9, 19), 1, dt.date(2026, 9, 20)),  # so is Sunday 20 September
        (dt.date(2026, 2, 13), 1, dt.date(2026, 2, 14)),  # Spring Festival make-up Saturday
        (dt.date(2026, 2, 14), 1, dt.date(2026, 2, 24)),  # then nine days off
    ],
)
def test_add_workdays_follows_the_holiday_calendar(start, n, expected):
    assert add_workdays(start, n) == expected


@pytest.mark.django_db
def test_is_workday():
    assert not is_workday(dt.date(2026, 10, 1)) and is_workday(dt.date(2026, 10, 10))
    assert is_workday(dt.date(2026, 11, 24)) and not is_workday(dt.date(2026, 11, 28))


@pytest.mark.django_db
def test_deadline_is_the_end_of_the_last_working_day_in_shanghai():
    reported = dt.datetime(2026, 11, 20, 23, 30, tzinfo=SH)  # late Friday evening
    deadline = workday_deadline(reported, 1)
    assert deadline.astimezone(SH).replace(tzinfo=None) == dt.datetime(2026, 11, 23, 23, 59, 59, 999999)
    early = dt.datetime(2026, 11, 20, 15, 59, tzinfo=dt.UTC)  # already Saturday 0:00 local? no: 23:59 Friday
    assert workday_deadline(early, 1).astimezone(SH).date() == dt.date(2026, 11, 23)
    saturday = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)  # 00:00 Saturday in Shanghai
    assert workday_deadline(saturday, 1).astimezone(SH).date() == dt.date(2026, 11, 23)


def test_n_must_be_positive():
    with pytest.raises(ValueError):
        add_workdays(dt.date(2026, 1, 5), 0)


@pytest.mark.django_db
def test_long_spans_read_every_holiday_on_the_way():
    # day by day (one lookup per day) against add_workdays (one lookup for the whole span), over
    # 45 working days from late August 2026: the National Day holiday and its make-up days included
    start, day, counted, expected = dt.date(2026, 8, 24), dt.date(2026, 8, 24), 0, {}
    while counted < 45:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
            expected[counted] = day
    assert expected[45] > dt.date(2026, 10, 10) and dt.date(2026, 10, 10) in expected.values()  # across National Day
    assert not {dt.date(2026, 10, d) for d in range(1, 8)} & set(expected.values())
    assert {n: add_workdays(start, n) for n in expected} == expected
