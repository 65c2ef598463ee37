"""Working days in Poland: a deadline that falls on a Saturday, a Sunday or a public
holiday moves to the next working day (art. 115 of the Civil Code).

Public holidays come from `holidays.Poland`, which knows the fixed and movable ones and
the changes of law (24 December is a holiday from 2025 on). Each year's list is built once
per process.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> frozenset[date]:
    return frozenset(holidays.Poland(years=year))


def is_public_holiday(day: date) -> bool:
    return day in _holidays_of(day.year)


def holiday_name(day: date) -> str:
    """The holiday's name as `holidays` gives it in Polish, or ""."""
    return holidays.Poland(years=day.year, language="pl").get(day, "") or ""


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
