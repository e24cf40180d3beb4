"""Academic years (学年): year Y runs from 1 September Y to 31 August Y+1."""
from __future__ import annotations

import datetime


def academic_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of academic year `year`."""
    return datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)


def academic_year_of(day: datetime.date) -> int:
    """The academic year a day falls in."""
    return day.year if day.month >= 9 else day.year - 1
