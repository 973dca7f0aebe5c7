"""What an attacker can rebuild from what a role sees: the number of clear values consistent with it.

Shared by the masking tests (people/tests/test_privacy.py) and the personal-data crawl
(core/tests/test_privacy_crawl.py). Counting, not assuming: every candidate is a real calendar
date with a valid GB 11643 check digit.
"""

import datetime
import re

from linli.core.validators import id_check_digit

EARLIEST = datetime.date(1900, 1, 1)
MASKED_ID = re.compile(r"\b(\d{6})(\*{8})(\d{3}[\dX])\b")


def date_forms(d: datetime.date) -> list[str]:
    """Every way a page could print a birth date (ISO, compact as inside the ID, Chinese, slashes, English)."""
    return [
        d.isoformat(), d.strftime("%Y%m%d"), d.strftime("%Y/%m/%d"), f"{d.year}/{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日", f"{d.year}年{d.month:02d}月{d.day:02d}日", f"{d.year}-{d.month}-{d.day}",
        d.strftime("%b. %-d, %Y"), d.strftime("%B %-d, %Y"),
    ]  # fmt: skip


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def consistent_ids(masked: str, today: datetime.date, *, birth_date=None, birth_year=None, age=None) -> int:
    """How many ID numbers match `masked` (first 6 and last 4 shown) and what else is known of
    the birth date: its full value, its year, or the age on `today`; without any, every date
    from 1900 to today."""
    m = MASKED_ID.fullmatch(masked)
    assert m, f"not a masked ID number: {masked!r}"
    region, serial, check = m.group(1), m.group(3)[:3], m.group(3)[3]
    day, count = EARLIEST, 0
    while day <= today:
        if (
            (birth_date is None or day == birth_date)
            and (birth_year is None or day.year == birth_year)
            and (age is None or age_on(day, today) == age)
            and id_check_digit(region + day.strftime("%Y%m%d") + serial) == check
        ):
            count += 1
        day += datetime.timedelta(days=1)
    return count


def consistent_phones(masked: str) -> int:
    """A mobile masked as 138****5678 hides four digits: every one of them is possible."""
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", masked), masked
    return 10 ** masked.count("*")
