"""The period of a report: a calendar month, quarter or year (Asia/Shanghai), the one before it
(环比) and the report's number (月报〔2026〕11号)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    year: int
    number: int  # the month 1–12, the quarter 1–4, or 1 for a year

    @property
    def first_month(self) -> int:
        return 1 if self.kind == "year" else (self.number - 1) * MONTHS[self.kind] + 1

    def _month_start(self, shift=0):
        index = self.year * 12 + self.first_month - 1 + shift
        return datetime.date(index // 12, index % 12 + 1, 1)

    @property
    def first_day(self) -> datetime.date:
        return self._month_start()

    @property
    def end_day(self) -> datetime.date:
        """The first day after the period."""
        return self._month_start(MONTHS[self.kind])

    @property
    def start(self):
        return timezone.make_aware(datetime.datetime.combine(self.first_day, datetime.time()))

    @property
    def end(self):
        return timezone.make_aware(datetime.datetime.combine(self.end_day, datetime.time()))

    def previous(self) -> "Period":
        if self.kind == "year":
            return Period("year", self.year - 1, 1)
        per_year = 12 // MONTHS[self.kind]
        index = self.year * per_year + self.number - 2
        return Period(self.kind, index // per_year, index % per_year + 1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d, month %(month)d") % {"year": self.year, "month": self.number}
        if self.kind == "quarter":
            return _("%(year)d, quarter %(quarter)d") % {"year": self.year, "quarter": self.number}
        return _("Year %(year)d") % {"year": self.year}

    @property
    def title(self) -> str:
        return {"month": _("Monthly report"), "quarter": _("Quarterly report"), "year": _("Annual report")}[self.kind]

    @property
    def number_text(self) -> str:
        """The paper's number: 月报〔2026〕11号, 季报〔2026〕4号, 年报〔2026〕1号."""
        return f"{self.title}〔{self.year}〕{self.number}号"
