"""The ledger: postings through the services, balances and turnover to the grosz
(corrections included), exact sums on both databases, and entries that never change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cms.core.exceptions import ServiceError
from operations.billing import selectors, services
from operations.billing.errors import BillingErrorCode as E
from operations.billing.models import Allocation, ImmutableRecordError, LedgerEntry
from tests.billing.kit import PROCESS, D, charge, correct, kept, open_account, opening, paid_to, pay
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db
K = LedgerEntry.Kind


def _january_to_march(account):
    """A quarter of one flat's books, computed by hand below."""
    maintenance = charge(account, "312.45", due=date(2026, 1, 12))
    repair = charge(account, "150.00", due=date(2026, 1, 12), component="repair_fund")
    water = charge(account, "87.33", due=date(2026, 1, 12), component="cold_water")
    pay(account, "400.00", on=date(2026, 1, 10))
    water_fix = correct(water, "-20.00", on=date(2026, 1, 20), title="Odczyt wodomierza poprawiony")
    february = charge(account, "312.45", due=date(2026, 2, 10))
    pay(account, "500.00", on=date(2026, 2, 9))
    return maintenance, repair, water, water_fix, february


def test_a_quarter_computed_by_hand(account):
    maintenance, repair, water, water_fix, february = _january_to_march(account)
    # 400.00 paid the oldest first (same due date: in booking order): 312.45, then 87.55.
    assert paid_to(maintenance) == D("312.45")
    # Then 500.00: repair fund's remaining 62.45, water's 67.33 (87.33 - 20.00), February's
    # 312.45; 57.77 is left over.
    assert paid_to(repair) == D("150.00")
    assert paid_to(water) == D("67.33")
    assert paid_to(february) == D("312.45")
    assert kept(account) == D("57.77")
    balance = selectors.account_balance(account)
    assert balance.debits == D("842.23")  # 312.45 + 150.00 + 87.33 - 20.00 + 312.45
    assert balance.credits == D("900.00")
    assert balance.balance == D("57.77")  # the glossary's saldo: positive is an overpayment
    assert balance.owed == D("-57.77")

    # March's charge takes the overpayment at once.
    march = charge(account, "312.45", due=date(2026, 3, 10))
    assert kept(account) == D("0.00")
    assert paid_to(march) == D("57.77")
    carried = Allocation.objects.filter(debt=march).get()
    assert carried.reason == Allocation.Reason.CARRIED and carried.cause_id == march.pk
    assert selectors.account_balance(account).balance == D("-254.68")
    assert selectors.account_balance(account, as_of=date(2026, 1, 31)).balance == D("-129.78")


def test_turnover_per_month_with_the_correction_on_the_debit_side(account):
    _january_to_march(account)
    charge(account, "312.45", due=date(2026, 3, 10))
    opening_balance, months, closing = selectors.account_turnover(
        account, start=date(2026, 1, 1), end=date(2026, 3, 31)
    )
    assert (opening_balance.debits, opening_balance.credits) == (D("0.00"), D("0.00"))
    assert [(row.period, row.debits, row.credits) for row in months] == [
        (date(2026, 1, 1), D("529.78"), D("400.00")),  # 312.45 + 150 + 87.33 - 20.00 (red reversal)
        (date(2026, 2, 1), D("312.45"), D("500.00")),
        (date(2026, 3, 1), D("312.45"), D("0.00")),
    ]
    assert (closing.debits, closing.credits, closing.balance) == (D("1154.68"), D("900.00"), D("-254.68"))
    february_on, february, february_off = selectors.account_turnover(
        account, start=date(2026, 2, 1), end=date(2026, 2, 28)
    )
    assert february_on.balance == D("-129.78")
    assert february_off.balance == february_on.balance + D("500.00") - D("312.45")


def test_opening_balances(account):
    arrears = opening(account, "120.50", on=date(2025, 12, 1), title="Saldo z systemu FK")
    assert arrears.due_date == date(2025, 12, 1) and arrears.effective_due_date == date(2025, 12, 1)
    other = open_account(payer_name="Jan Kowalski")
    overpaid = opening(other, "-40.00", on=date(2025, 12, 1))
    assert overpaid.due_date is None
    assert kept(other) == D("40.00")
    january = charge(other, "100.00", due=date(2026, 1, 12))
    assert paid_to(january) == D("40.00")
    assert selectors.account_balance(other).balance == D("-60.00")


def test_corrections_of_a_payment_release_its_allocations(account):
    january = charge(account, "300.00", due=date(2026, 1, 12))
    february = charge(account, "300.00", due=date(2026, 2, 10))
    payment = pay(account, "650.00", on=date(2026, 1, 10))
    assert (paid_to(january), paid_to(february), kept(account)) == (D("300.00"), D("300.00"), D("50.00"))
    # The bank returned 400.00 of it: the kept 50.00 goes first, then the latest debt.
    correct(payment, "400.00", on=date(2026, 1, 15), title="Zwrot części wpłaty")
    assert (paid_to(january), paid_to(february), kept(account)) == (D("250.00"), D("0.00"), D("0.00"))
    # The payment had been recorded 10.00 too low: the 10.00 goes to the oldest open debt.
    correct(payment, "-10.00", on=date(2026, 1, 16))
    assert (paid_to(january), paid_to(february)) == (D("260.00"), D("0.00"))
    assert selectors.account_balance(account).balance == D("-340.00")


def test_correction_below_what_was_paid_frees_the_money_for_other_debts(account):
    january = charge(account, "300.00", due=date(2026, 1, 12))
    pay(account, "300.00", on=date(2026, 1, 10))
    february = charge(account, "300.00", due=date(2026, 2, 10))
    correct(january, "-100.00", on=date(2026, 2, 1))
    assert paid_to(january) == D("200.00")
    assert paid_to(february) == D("100.00")  # released by the correction, carried on at once
    reasons = sorted(Allocation.objects.filter(cause__kind=K.CORRECTION).values_list("reason", flat=True))
    assert reasons == ["carried", "carried", "corrected", "corrected"]
    assert selectors.account_balance(account).balance == D("-200.00")


def test_correction_cannot_take_more_than_the_entry_counts_for(account):
    january = charge(account, "300.00", due=date(2026, 1, 12))
    correct(january, "-200.00", on=date(2026, 1, 20))
    with pytest.raises(ServiceError) as refused:
        correct(january, "-100.01", on=date(2026, 1, 21))
    assert refused.value.code == E.CORRECTION_TOO_LARGE
    correct(january, "-100.00", on=date(2026, 1, 21))  # a full reversal is fine
    fix = LedgerEntry.objects.get(corrects=january, amount=D("-100.00"))
    with pytest.raises(ServiceError) as refused:
        correct(fix, "1.00", on=date(2026, 1, 22))
    assert refused.value.code == E.CORRECTION_INVALID


def test_the_same_source_reference_posts_once(account):
    first = charge(account, "312.45", due=date(2026, 1, 12), source="fk", source_reference="2026-01/A7/EKS")
    again = charge(account, "312.45", due=date(2026, 1, 12), source="fk", source_reference="2026-01/A7/EKS")
    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(account=account).count() == 1
    with pytest.raises(ServiceError) as refused:
        charge(account, "300.00", due=date(2026, 1, 12), source="fk", source_reference="2026-01/A7/EKS")
    assert refused.value.code == E.SOURCE_CONFLICT
    # Another source may use the same reference.
    charge(account, "312.45", due=date(2026, 1, 12), source="bank", source_reference="2026-01/A7/EKS")
    payment = pay(account, "10.00", on=date(2026, 1, 5), source="mt940", source_reference="REF1")
    assert pay(account, "10.00", on=date(2026, 1, 5), source="mt940", source_reference="REF1").pk == payment.pk


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": K.CHARGE, "amount": "10.00", "component": "", "due_date": date(2026, 1, 12)}, E.COMPONENT_INVALID),
        ({"kind": K.CHARGE, "amount": "10.00", "component": "maintenance"}, E.DATE_INVALID),
        (
            {"kind": K.CHARGE, "amount": "-10.00", "component": "maintenance", "due_date": date(2026, 1, 12)},
            E.AMOUNT_INVALID,
        ),
        (
            {"kind": K.CHARGE, "amount": "0.004", "component": "maintenance", "due_date": date(2026, 1, 12)},
            E.AMOUNT_INVALID,
        ),
        (
            {"kind": K.CHARGE, "amount": 10.5, "component": "maintenance", "due_date": date(2026, 1, 12)},
            E.AMOUNT_INVALID,
        ),
        ({"kind": K.PAYMENT, "amount": "-10.00"}, E.KIND_INVALID),
        ({"kind": K.CORRECTION, "amount": "-10.00"}, E.CORRECTION_INVALID),
        ({"kind": K.INTEREST, "amount": "1.00"}, E.CORRECTION_INVALID),
    ],
)
def test_refused_postings_change_nothing(account, fields, code):
    with pytest.raises(ServiceError) as refused:
        services.entry_post(account=account, booking_date=date(2026, 1, 1), process=PROCESS, **fields)
    assert refused.value.code == code
    assert not LedgerEntry.objects.exists()


def test_someone_must_post_and_be_allowed_to(account, accountant):
    with pytest.raises(ServiceError) as refused:
        services.payment_record(account=account, amount=D("10"), booking_date=date(2026, 1, 5))
    assert refused.value.code == E.CREATOR_REQUIRED
    resident = UserFactory()
    with pytest.raises(ServiceError) as refused:
        services.payment_record(account=account, amount=D("10"), booking_date=date(2026, 1, 5), by=resident)
    assert refused.value.code == E.FORBIDDEN
    payment = services.payment_record(account=account, amount=D("10"), booking_date=date(2026, 1, 5), by=accountant)
    assert payment.created_by == accountant and payment.amount == D("-10.00")


def test_designation_must_name_a_debt_of_the_account(account):
    other = open_account(payer_name="Jan Kowalski")
    elsewhere = charge(other, "10.00", due=date(2026, 1, 12))
    with pytest.raises(ServiceError) as refused:
        pay(account, "10.00", on=date(2026, 1, 5), designated=[elsewhere])
    assert refused.value.code == E.DESIGNATION_INVALID
    payment = pay(other, "5.00", on=date(2026, 1, 5))
    with pytest.raises(ServiceError) as refused:
        pay(other, "10.00", on=date(2026, 1, 6), designated=[payment])
    assert refused.value.code == E.DESIGNATION_INVALID


def test_charges_stop_when_the_account_closes_but_payments_still_come(account):
    january = charge(account, "100.00", due=date(2026, 1, 12))
    services.account_close(account=account, closed_on=date(2026, 1, 31))
    with pytest.raises(ServiceError) as refused:
        charge(account, "100.00", due=date(2026, 2, 10), booked=date(2026, 2, 1))
    assert refused.value.code == E.ACCOUNT_CLOSED
    pay(account, "100.00", on=date(2026, 2, 20))
    assert paid_to(january) == D("100.00")


# --- Exact sums ------------------------------------------------------------------------------


def test_many_tenths_sum_exactly(account):
    rows = [
        LedgerEntry(
            account=account,
            kind=K.CHARGE,
            component="other",
            booking_date=date(2026, 1, 1),
            due_date=date(2026, 1, 12),
            effective_due_date=date(2026, 1, 12),
            period=date(2026, 1, 1),
            amount=D(amount),
            created_by_process=PROCESS,
        )
        for amount in ["0.10"] * 1000 + ["0.29"] * 100
    ]
    LedgerEntry.objects.bulk_create(rows)
    expected = D("129.00")  # 1000 × 0.10 + 100 × 0.29
    balance = selectors.account_balance(account)
    assert balance.debits == expected and str(balance.debits) == "129.00"
    assert selectors.account_aged_debt(account, as_of=date(2026, 3, 1)).days_31_60 == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(amount) FROM billing_ledgerentry")
        (raw,) = cursor.fetchone()
    if connection.vendor == "sqlite":
        # SQLite keeps the column as binary floats: the bare sum is not 129.00.
        assert isinstance(raw, float) and Decimal(raw) != expected
    else:
        assert raw == expected


# --- Never changed, never deleted ---------------------------------------------------------------


def test_entries_and_allocations_are_never_changed_or_deleted(account):
    january = charge(account, "100.00", due=date(2026, 1, 12))
    pay(account, "60.00", on=date(2026, 1, 10))
    january.amount = D("90.00")
    with pytest.raises(ImmutableRecordError):
        january.save()
    with pytest.raises(ImmutableRecordError):
        january.delete()
    with pytest.raises(ImmutableRecordError):
        LedgerEntry.objects.filter(pk=january.pk).update(amount=D("90.00"))
    with pytest.raises(ImmutableRecordError):
        LedgerEntry.objects.filter(pk=january.pk).delete()
    with pytest.raises(ImmutableRecordError):
        LedgerEntry.objects.bulk_update([january], ["amount"])
    with pytest.raises(ImmutableRecordError):
        LedgerEntry.objects.update_or_create(pk=january.pk, defaults={"amount": D("1.00")})
    allocation = Allocation.objects.first()
    with pytest.raises(ImmutableRecordError):
        allocation.save()
    with pytest.raises(ImmutableRecordError):
        allocation.delete()
    with pytest.raises(ImmutableRecordError):
        Allocation.objects.all().delete()
    with pytest.raises(ImmutableRecordError):
        Allocation.objects.all().update(amount=D("1.00"))
    january.refresh_from_db()
    assert january.amount == D("100.00")
    assert paid_to(january) == D("60.00")


def test_the_database_refuses_what_the_ledger_forbids(account):
    base = dict(account=account, booking_date=date(2026, 1, 1), period=date(2026, 1, 1), created_by_process=PROCESS)
    wrong = [
        LedgerEntry(kind=K.PAYMENT, amount=D("10.00"), **base),  # a payment is a credit
        LedgerEntry(kind=K.CHARGE, amount=D("10.00"), **base),  # a charge has a due date
        LedgerEntry(kind=K.CORRECTION, amount=D("10.00"), **base),  # a correction names its entry
        LedgerEntry(kind=K.OPENING, amount=D("0.00"), **base),
        LedgerEntry(kind=K.OPENING, amount=D("1.00"), **{**base, "created_by_process": ""}),
    ]
    for entry in wrong:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.bulk_create([entry])


# --- Query counts ---------------------------------------------------------------------------------


def _figures_queries(account) -> list[int]:
    counts = []
    for read in (
        lambda: selectors.account_balance(account),
        lambda: selectors.account_aged_debt(account, as_of=date(2026, 6, 1)),
        lambda: selectors.account_turnover(account, start=date(2026, 1, 1), end=date(2026, 12, 31)),
        lambda: selectors.payment_calendar(account, today=date(2026, 1, 1)),
        lambda: selectors.interest_note(account, until=date(2026, 6, 1)),
    ):
        with CaptureQueriesContext(connection) as captured:
            read()
        counts.append(len(captured.captured_queries))
    return counts


def test_figures_take_the_same_queries_whatever_the_number_of_entries(account):
    charge(account, "100.00", due=date(2026, 1, 12))
    pay(account, "50.00", on=date(2026, 1, 20))
    few = _figures_queries(account)
    for month in range(2, 13):
        charge(account, "100.00", due=date(2026, month, 10))
        charge(account, "20.00", due=date(2026, month, 10), component="waste")
        pay(account, "70.00", on=date(2026, month, 12))
    assert LedgerEntry.objects.filter(account=account).count() == 35
    many = _figures_queries(account)
    assert few == many == [1, 1, 2, 1, 3]
