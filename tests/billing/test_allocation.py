"""Payments settle debts as art. 451 of the Civil Code says: the payer's designation binds,
interest first within a designated debt, otherwise the oldest due debt first; what is left
is kept as credit and goes to later charges. Every grosz of a credit is always allocated."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from operations.billing import services
from operations.billing.models import Allocation, LedgerEntry
from tests.billing.kit import PROCESS, D, allocations, charge, correct, kept, paid_to, pay

pytestmark = pytest.mark.django_db
R = Allocation.Reason


def _interest(debt, amount, *, on):
    return services.entry_post(
        account=debt.account,
        kind=LedgerEntry.Kind.INTEREST,
        amount=D(amount),
        booking_date=on,
        interest_on=debt,
        process=PROCESS,
    )


def _every_credit_is_fully_allocated(account):
    for credit in LedgerEntry.objects.filter(account=account).credits():
        counted = credit.amount + (credit.corrections.aggregate(total=Sum("amount"))["total"] or 0)
        allocated = Allocation.objects.filter(credit=credit).aggregate(total=Sum("amount"))["total"] or 0
        assert allocated == -counted, credit


@pytest.fixture
def quarter(account):
    """Three monthly charges of 300.00, due on working days."""
    return (
        charge(account, "300.00", due=date(2026, 1, 12)),
        charge(account, "300.00", due=date(2026, 2, 10)),
        charge(account, "300.00", due=date(2026, 3, 10)),
    )


def test_without_designation_the_oldest_due_debt_first(account, quarter):
    january, february, march = quarter
    payment = pay(account, "450.00", on=date(2026, 3, 12))
    assert allocations(payment) == [
        (payment.pk, january.pk, D("300.00"), R.OLDEST_DUE),
        (payment.pk, february.pk, D("150.00"), R.OLDEST_DUE),
    ]
    assert paid_to(march) == D("0.00")
    _every_credit_is_fully_allocated(account)


def test_the_designation_binds(account, quarter):
    january, february, march = quarter
    payment = pay(account, "300.00", on=date(2026, 3, 12), designated=[march], title="eksploatacja 03/2026")
    assert allocations(payment) == [(payment.pk, march.pk, D("300.00"), R.DESIGNATED)]
    assert paid_to(january) == D("0.00")  # older, but the payer chose March


def test_what_the_designated_debt_does_not_take_goes_to_the_oldest(account, quarter):
    january, february, march = quarter
    payment = pay(account, "400.00", on=date(2026, 3, 12), designated=[february])
    assert allocations(payment) == [
        (payment.pk, february.pk, D("300.00"), R.DESIGNATED),
        (payment.pk, january.pk, D("100.00"), R.OLDEST_DUE),
    ]


def test_several_designations_in_the_payers_order(account, quarter):
    january, february, march = quarter
    payment = pay(account, "450.00", on=date(2026, 3, 12), designated=[march, february])
    assert allocations(payment) == [
        (payment.pk, march.pk, D("300.00"), R.DESIGNATED),
        (payment.pk, february.pk, D("150.00"), R.DESIGNATED),
    ]


def test_within_a_designated_debt_interest_first(account, quarter):
    january, february, march = quarter
    interest = _interest(february, "3.47", on=date(2026, 3, 31))
    payment = pay(account, "200.00", on=date(2026, 4, 2), designated=[february])
    assert allocations(payment) == [
        (payment.pk, interest.pk, D("3.47"), R.INTEREST_FIRST),
        (payment.pk, february.pk, D("196.53"), R.DESIGNATED),
    ]
    assert paid_to(january) == D("0.00")


def test_without_designation_interest_charged_later_waits_for_older_principal(account, quarter):
    january, february, march = quarter
    interest = _interest(january, "5.00", on=date(2026, 3, 31))  # due when charged
    payment = pay(account, "650.00", on=date(2026, 4, 2))
    assert allocations(payment) == [
        (payment.pk, january.pk, D("300.00"), R.OLDEST_DUE),
        (payment.pk, february.pk, D("300.00"), R.OLDEST_DUE),
        (payment.pk, march.pk, D("50.00"), R.OLDEST_DUE),
    ]
    assert paid_to(interest) == D("0.00")


def test_a_designated_debt_already_paid_takes_nothing(account, quarter):
    january, february, march = quarter
    pay(account, "300.00", on=date(2026, 1, 12))
    payment = pay(account, "100.00", on=date(2026, 3, 12), designated=[january])
    assert allocations(payment) == [(payment.pk, february.pk, D("100.00"), R.OLDEST_DUE)]


def test_paying_ahead_of_time_pays_the_coming_charge(account):
    april = charge(account, "300.00", due=date(2026, 4, 10))
    payment = pay(account, "300.00", on=date(2026, 4, 2))
    assert allocations(payment) == [(payment.pk, april.pk, D("300.00"), R.OLDEST_DUE)]


def test_an_overpayment_is_kept_and_carried_to_later_charges(account, quarter):
    january, february, march = quarter
    payment = pay(account, "1000.00", on=date(2026, 1, 8))
    assert kept(account) == D("100.00")
    assert allocations(payment)[-1] == (payment.pk, None, D("100.00"), R.KEPT_AS_CREDIT)
    april = charge(account, "300.00", due=date(2026, 4, 10))
    may = charge(account, "300.00", due=date(2026, 5, 11))
    assert paid_to(april) == D("100.00") and paid_to(may) == D("0.00")
    assert kept(account) == D("0.00")
    carried = list(Allocation.objects.filter(cause=april).values_list("debt_id", "amount", "reason"))
    assert carried == [(None, D("-100.00"), R.CARRIED), (april.pk, D("100.00"), R.CARRIED)]
    _every_credit_is_fully_allocated(account)


def test_two_overpayments_carried_oldest_first(account):
    first = pay(account, "50.00", on=date(2026, 1, 2))
    second = pay(account, "70.00", on=date(2026, 1, 5))
    january = charge(account, "100.00", due=date(2026, 1, 12))
    assert list(Allocation.objects.filter(debt=january).values_list("credit_id", "amount")) == [
        (first.pk, D("50.00")),
        (second.pk, D("50.00")),
    ]
    assert kept(account) == D("20.00")


def test_allocations_stay_whole_through_corrections(account, quarter):
    january, february, march = quarter
    payment = pay(account, "700.00", on=date(2026, 3, 12))
    correct(february, "-120.00", on=date(2026, 3, 15))  # frees 120.00, which goes to March
    assert (paid_to(january), paid_to(february), paid_to(march)) == (D("300.00"), D("180.00"), D("220.00"))
    correct(payment, "250.00", on=date(2026, 3, 20))  # 250.00 of the payment came back
    assert (paid_to(january), paid_to(february), paid_to(march)) == (D("300.00"), D("150.00"), D("0.00"))
    correct(january, "15.50", on=date(2026, 3, 21))  # January was 15.50 short
    assert paid_to(january) == D("300.00") and kept(account) == D("0.00")
    _every_credit_is_fully_allocated(account)
