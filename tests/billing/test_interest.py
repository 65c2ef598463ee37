"""Statutory late-payment interest: day by day from the day after the (working-day) due
date to the day the money arrived, across rate changes, on a 365-day year, each line
rounded half-up to the grosz and the note's total the sum of its lines."""

from __future__ import annotations

from datetime import date

import pytest

from cms.core.exceptions import ServiceError
from operations.billing import selectors, services
from operations.billing.errors import BillingErrorCode as E
from operations.billing.interest import RateMissing, interest_lines
from operations.billing.models import InterestRate, LedgerEntry
from tests.billing.kit import PROCESS, D, charge, correct, open_account, pay

pytestmark = pytest.mark.django_db

RATES = [(date(2025, 12, 4), D("9.50")), (date(2026, 3, 5), D("9.25"))]


def _lines(note):
    return [(line.start, line.end, line.days, line.base, line.rate, line.amount) for line in note.lines]


def test_the_rates_are_seeded():
    assert list(InterestRate.objects.order_by("effective_from").values_list("effective_from", "rate")) == RATES


def test_a_rate_change_inside_the_delay(account):
    charge(account, "1000.00", due=date(2026, 2, 20))  # a Friday
    note = selectors.interest_note(account, until=date(2026, 3, 20))
    assert _lines(note) == [
        # 1000 × 9.50 % × 12 / 365 = 3.1233 → 3.12
        (date(2026, 2, 21), date(2026, 3, 4), 12, D("1000.00"), D("9.50"), D("3.12")),
        # 1000 × 9.25 % × 16 / 365 = 4.0548 → 4.05
        (date(2026, 3, 5), date(2026, 3, 20), 16, D("1000.00"), D("9.25"), D("4.05")),
    ]
    assert note.total == D("7.17")


def test_each_line_is_rounded_and_the_total_is_their_sum(account):
    charge(account, "1000.00", due=date(2026, 3, 3))
    note = selectors.interest_note(account, until=date(2026, 3, 20))
    assert _lines(note) == [
        (date(2026, 3, 4), date(2026, 3, 4), 1, D("1000.00"), D("9.50"), D("0.26")),  # 0.2603
        (date(2026, 3, 5), date(2026, 3, 20), 16, D("1000.00"), D("9.25"), D("4.05")),  # 4.0548
    ]
    # The exact total 4.3151 would round to 4.32; the note adds up what it prints.
    assert note.total == D("4.31")


def test_payments_in_parts_lower_the_base_the_day_after_the_money_arrived(account):
    march = charge(account, "1000.00", due=date(2026, 3, 10))
    pay(account, "600.00", on=date(2026, 3, 20))
    pay(account, "400.00", on=date(2026, 4, 9))
    note = selectors.interest_note(account, until=date(2026, 4, 30))
    assert _lines(note) == [
        (date(2026, 3, 11), date(2026, 3, 20), 10, D("1000.00"), D("9.25"), D("2.53")),  # 2.5342
        (date(2026, 3, 21), date(2026, 4, 9), 20, D("400.00"), D("9.25"), D("2.03")),  # 2.0274
    ]
    assert {line.debt_id for line in note.lines} == {march.pk}


def test_a_due_date_on_a_holiday_runs_from_the_next_working_day(account):
    november = charge(account, "500.00", due=date(2026, 11, 11))  # Independence Day
    assert november.effective_due_date == date(2026, 11, 12)
    december = charge(account, "500.00", due=date(2026, 12, 24))  # Christmas Eve
    assert december.effective_due_date == date(2026, 12, 28)
    pay(account, "500.00", on=date(2026, 11, 12), designated=[november])  # on time
    pay(account, "500.00", on=date(2026, 12, 29), designated=[december])  # one day late
    note = selectors.interest_note(account, until=date(2026, 12, 31))
    assert _lines(note) == [(date(2026, 12, 29), date(2026, 12, 29), 1, D("500.00"), D("9.25"), D("0.13"))]


def test_a_due_date_on_a_saturday(account):
    charge(account, "500.00", due=date(2026, 10, 10))
    pay(account, "500.00", on=date(2026, 10, 20))
    # Payable until Monday 12 October: interest for 13 to 20 October, 8 days: 1.0137 → 1.01.
    assert _lines(selectors.interest_note(account, until=date(2026, 10, 31))) == [
        (date(2026, 10, 13), date(2026, 10, 20), 8, D("500.00"), D("9.25"), D("1.01"))
    ]


def test_a_leap_year_counts_29_february_on_a_365_day_year():
    lines = interest_lines(
        principal=D("1000.00"),
        payable_until=date(2028, 2, 27),
        payments=[],
        until=date(2028, 3, 1),
        rates=RATES,
    )
    # 28 and 29 February and 1 March: 1000 × 9.25 % × 3 / 365 = 0.7603 → 0.76 (not / 366).
    assert [(line.days, line.amount) for line in lines] == [(3, D("0.76"))]


def test_paid_on_time_or_overpaid_ahead_earns_nothing(account):
    pay(account, "300.00", on=date(2026, 3, 1))
    charge(account, "300.00", due=date(2026, 3, 10))  # paid by the overpayment before it was due
    charge(account, "200.00", due=date(2026, 4, 10))
    pay(account, "200.00", on=date(2026, 4, 10))
    assert selectors.interest_note(account, until=date(2026, 6, 30)).lines == []


def test_a_correction_changes_what_bears_interest_from_the_start(account):
    march = charge(account, "1000.00", due=date(2026, 3, 10))
    correct(march, "-270.00", on=date(2026, 4, 15))  # the charge was wrong, not late
    note = selectors.interest_note(account, until=date(2026, 4, 20))
    # 730 × 9.25 % × 41 / 365 = 7.585 exactly: half-up makes it 7.59 (half-even would say 7.58).
    assert _lines(note) == [(date(2026, 3, 11), date(2026, 4, 20), 41, D("730.00"), D("9.25"), D("7.59"))]
    # A note as of a day before the correction was booked still knows only the charge.
    assert _lines(selectors.interest_note(account, until=date(2026, 4, 9)))[0][3] == D("1000.00")


def test_no_rate_known_is_refused_not_guessed(account):
    charge(account, "100.00", due=date(2025, 11, 10))
    with pytest.raises(RateMissing):
        selectors.interest_note(account, until=date(2025, 12, 31))
    with pytest.raises(ServiceError) as refused:
        services.interest_post(account=account, until=date(2025, 12, 31), process=PROCESS)
    assert refused.value.code == E.RATE_MISSING
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.INTEREST).exists()


def test_interest_is_posted_per_debt_once_and_never_on_interest(account):
    february = charge(account, "1000.00", due=date(2026, 2, 20))
    march = charge(account, "500.00", due=date(2026, 3, 10), component="repair_fund")
    posted = services.interest_post(account=account, until=date(2026, 3, 20), process="interest-run")
    assert [(entry.interest_on_id, entry.amount) for entry in posted] == [
        (february.pk, D("7.17")),
        (march.pk, D("1.27")),  # 500 × 9.25 % × 10 / 365 = 1.2671
    ]
    assert all(entry.booking_date == date(2026, 3, 20) and entry.source == "interest" for entry in posted)
    # The same day again charges nothing more.
    assert services.interest_post(account=account, until=date(2026, 3, 20), process="interest-run") == []
    # A later note charges only the days since, and nothing on the interest itself.
    later = selectors.interest_note(account, until=date(2026, 3, 25))
    assert [(line.debt_id, line.start, line.days) for line in later.lines] == [
        (february.pk, date(2026, 3, 21), 5),
        (march.pk, date(2026, 3, 21), 5),
    ]


def test_an_account_with_no_debts_has_an_empty_note():
    account = open_account()
    note = selectors.interest_note(account, until=date(2026, 3, 20))
    assert note.lines == [] and note.total == D("0.00")
