"""Working days in Poland: a due date on a Saturday, Sunday or public holiday moves on."""

from __future__ import annotations

from datetime import date

import pytest

from operations.billing.working_days import holiday_name, is_public_holiday, is_working_day, next_working_day


@pytest.mark.parametrize(
    ("due", "pay_by"),
    [
        (date(2026, 11, 11), date(2026, 11, 12)),  # Independence Day, a Wednesday
        (date(2026, 12, 24), date(2026, 12, 28)),  # Christmas Eve (Thu), Christmas, Saturday, Sunday
        (date(2026, 10, 10), date(2026, 10, 12)),  # a Saturday
        (date(2026, 5, 10), date(2026, 5, 11)),  # a Sunday
        (date(2026, 4, 6), date(2026, 4, 7)),  # Easter Monday (movable)
        (date(2026, 6, 4), date(2026, 6, 5)),  # Corpus Christi (movable)
        (date(2026, 3, 10), date(2026, 3, 10)),  # a Tuesday stays
        (date(2026, 5, 1), date(2026, 5, 4)),  # 1 May (Fri), then the weekend (3 May is a Sunday)
    ],
)
def test_next_working_day(due, pay_by):
    assert next_working_day(due) == pay_by


def test_christmas_eve_is_a_holiday_from_2025_on():
    assert is_public_holiday(date(2025, 12, 24))
    assert is_public_holiday(date(2026, 12, 24))
    assert not is_public_holiday(date(2024, 12, 24))
    assert is_working_day(date(2024, 12, 24))  # a Tuesday, before the law changed
    assert holiday_name(date(2026, 12, 24)) == "Wigilia Bożego Narodzenia"
    assert holiday_name(date(2026, 12, 23)) == ""
