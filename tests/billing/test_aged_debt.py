"""Aged debt (1-30, 31-60, 61-90, over 90 days past the working-day due date, and what is
not due yet) and the payment calendar, computed in the database to the grosz."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from operations.billing import selectors
from operations.billing.models import LedgerEntry
from tests.billing.kit import D, charge, correct, open_account, pay

pytestmark = pytest.mark.django_db

DUE = date(2026, 3, 10)  # a Tuesday: payable that very day


def _buckets(aged):
    return (aged.not_due, aged.days_1_30, aged.days_31_60, aged.days_61_90, aged.over_90)


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [(0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (400, 4)],
)
def test_bucket_boundaries(account, days_late, bucket):
    charge(account, "123.45", due=DUE)
    aged = selectors.account_aged_debt(account, as_of=DUE + timedelta(days=days_late))
    expected = [D("0.00")] * 5
    expected[bucket] = D("123.45")
    assert list(_buckets(aged)) == expected
    assert aged.total == D("123.45")
    assert aged.overdue == (D("0.00") if bucket == 0 else D("123.45"))


def test_the_days_count_from_the_moved_due_date(account):
    charge(account, "100.00", due=date(2026, 10, 10))  # a Saturday: payable on Monday 12th
    assert _buckets(selectors.account_aged_debt(account, as_of=date(2026, 10, 12)))[0] == D("100.00")
    assert _buckets(selectors.account_aged_debt(account, as_of=date(2026, 11, 11)))[1] == D("100.00")  # 30 days
    assert _buckets(selectors.account_aged_debt(account, as_of=date(2026, 11, 12)))[2] == D("100.00")  # 31 days


def test_a_ledger_aged_to_the_grosz(account):
    january = charge(account, "312.45", due=date(2026, 1, 12))  # 139 days late on 31 May
    water = charge(account, "87.33", due=date(2026, 2, 10), component="cold_water")  # 110 days
    charge(account, "312.45", due=date(2026, 3, 10))  # 82 days
    charge(account, "312.45", due=date(2026, 4, 10))  # 51 days
    charge(account, "312.45", due=date(2026, 5, 11))  # 20 days
    charge(account, "312.45", due=date(2026, 6, 10), booked=date(2026, 5, 25))  # not due yet
    # 400.00: January's 312.45, water's 87.33, 0.22 of March's.
    pay(account, "400.00", on=date(2026, 3, 1))
    # Water was 80.00: the 7.33 it no longer needs goes to March too (7.55 paid of it).
    correct(water, "-7.33", on=date(2026, 3, 2))
    aged = selectors.account_aged_debt(account, as_of=date(2026, 5, 31))
    assert _buckets(aged) == (D("312.45"), D("312.45"), D("312.45"), D("304.90"), D("0.00"))
    assert aged.total == D("1242.25") == selectors.account_balance(account).owed
    assert aged.overdue == D("929.80")
    # On the day of the payment: January and water paid, March's 312.23 not due yet.
    assert _buckets(selectors.account_aged_debt(account, as_of=date(2026, 3, 1))) == (
        D("312.23"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert january.effective_due_date == date(2026, 1, 12)


def test_as_of_a_past_day_leaves_out_what_came_later(account):
    charge(account, "200.00", due=DUE)
    pay(account, "150.00", on=DUE + timedelta(days=40))
    before = selectors.account_aged_debt(account, as_of=DUE + timedelta(days=35))
    after = selectors.account_aged_debt(account, as_of=DUE + timedelta(days=45))
    assert before.days_31_60 == D("200.00")
    assert after.days_31_60 == D("50.00")


def test_aged_debt_of_many_accounts_at_once():
    first, second = open_account(), open_account(payer_name="Jan Kowalski")
    charge(first, "10.00", due=DUE)
    charge(second, "20.00", due=DUE)
    aged = selectors.ledger.aged_debt_of(LedgerEntry.objects.all(), as_of=DUE + timedelta(days=5))
    assert aged.days_1_30 == D("30.00")


def test_payment_calendar_moves_due_dates_to_working_days(account):
    charge(account, "300.00", due=date(2026, 10, 10))  # Saturday → Monday 12th
    charge(account, "50.00", due=date(2026, 10, 10), component="waste")
    charge(account, "300.00", due=date(2026, 11, 11))  # Independence Day → 12th
    december = charge(account, "300.00", due=date(2026, 12, 24))  # Christmas Eve → Monday 28th
    charge(account, "300.00", due=date(2026, 9, 10))  # past: not in the calendar
    pay(account, "100.00", on=date(2026, 10, 1), designated=[december])
    calendar = selectors.payment_calendar(account, today=date(2026, 10, 1))
    assert [(day.due_date, day.pay_by, day.amount, day.moved) for day in calendar] == [
        (date(2026, 10, 10), date(2026, 10, 12), D("350.00"), True),
        (date(2026, 11, 11), date(2026, 11, 12), D("300.00"), True),
        (date(2026, 12, 24), date(2026, 12, 28), D("200.00"), True),
    ]
    # On Sunday 11 October the Saturday's charge is still payable (until Monday).
    assert selectors.payment_calendar(account, today=date(2026, 10, 11))[0].pay_by == date(2026, 10, 12)
    assert selectors.payment_calendar(account, today=date(2026, 10, 13))[0].due_date == date(2026, 11, 11)
