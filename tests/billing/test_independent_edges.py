"""Independent edge cases: a correction of a payment, interest notes for a past day after a
later correction, and upserts that would rewrite immutable rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from operations.billing import selectors, services
from operations.billing.models import Allocation, ImmutableRecordError, LedgerEntry
from tests.factories.residents import UnitFactory

D = Decimal
K = LedgerEntry.Kind
C = LedgerEntry.Component
P = "independent-test"


@pytest.fixture
def account(db, building_a):
    unit = UnitFactory(building=building_a, number="31")
    return services.account_open(unit=unit, payer_name="Piotr Zieliński", opened_on=date(2026, 1, 1))


def charge(account, amount, booked, due):
    return services.entry_post(
        account=account,
        kind=K.CHARGE,
        component=C.MAINTENANCE,
        amount=amount,
        booking_date=booked,
        due_date=due,
        process=P,
    )


def correct(account, entry, amount, booked):
    return services.entry_post(
        account=account, kind=K.CORRECTION, amount=amount, booking_date=booked, corrects=entry, process=P
    )


def left(entry, as_of=None):
    qs = selectors.debts_outstanding(LedgerEntry.objects.filter(pk=entry.pk), as_of=as_of)
    return D(qs.get().outstanding_grosze) / 100


def test_correcting_a_payment_down_reopens_the_latest_debt(account):
    # 100,00 recorded, the bank says 60,00 came: correction +40,00 on the payment.
    # It paid d1 (due 12.01) 50 and d2 (due 10.02) 50; the 40 is taken back from d2 first.
    d1 = charge(account, "50,00", date(2026, 1, 1), date(2026, 1, 12))
    d2 = charge(account, "50,00", date(2026, 2, 1), date(2026, 2, 10))
    p = services.payment_record(account=account, amount="100,00", booking_date=date(2026, 2, 10), process=P)
    correct(account, p, "40,00", date(2026, 2, 20))
    assert (left(d1), left(d2)) == (D("0.00"), D("40.00"))
    b = selectors.account_balance(account)
    assert (b.debits, b.credits, b.balance) == (D("100.00"), D("60.00"), D("-40.00"))
    assert sum(Allocation.objects.filter(credit=p).values_list("amount", flat=True)) == D("60.00")


def test_debts_outstanding_as_of_a_day_before_a_correction(account):
    d = charge(account, "100,00", date(2026, 3, 1), date(2026, 3, 10))
    services.payment_record(account=account, amount="100,00", booking_date=date(2026, 4, 10), process=P)
    correct(account, d, "-30,00", date(2026, 6, 1))
    # on 31.05 the books said: 100 charged, 100 paid → nothing left, nothing kept
    assert left(d, as_of=date(2026, 5, 31)) == D("0.00")
    assert left(d) == D("0.00")
    assert selectors.account_aged_debt(account, as_of=date(2026, 5, 31)).total == D("0.00")


def test_interest_note_for_a_day_before_a_later_correction(account):
    # 100,00 due 10.03 paid 10.04 (31 days late at 9,25 %); on 01.06 the charge is cut by 30.
    # The note up to 31.05 (what the books said then): 11.03–10.04, 31 days on 100,00:
    # 100 × 9,25 × 31 / 36500 = 0,7856 → 0,79, and nothing after the money arrived.
    d = charge(account, "100,00", date(2026, 3, 1), date(2026, 3, 10))
    services.payment_record(account=account, amount="100,00", booking_date=date(2026, 4, 10), process=P)
    correct(account, d, "-30,00", date(2026, 6, 1))
    note = selectors.interest_note(account, until=date(2026, 5, 31))
    assert [(x.start, x.end, x.base, x.amount) for x in note.lines] == [
        (date(2026, 3, 11), date(2026, 4, 10), D("100.00"), D("0.79"))
    ]


def test_interest_note_after_the_correction_uses_the_corrected_amount(account):
    # after 01.06 the charge counts 70,00: 70 × 9,25 × 31 / 36500 = 0,5499 → 0,55
    d = charge(account, "100,00", date(2026, 3, 1), date(2026, 3, 10))
    services.payment_record(account=account, amount="100,00", booking_date=date(2026, 4, 10), process=P)
    correct(account, d, "-30,00", date(2026, 6, 1))
    note = selectors.interest_note(account, until=date(2026, 6, 30))
    assert [(x.start, x.end, x.base, x.amount) for x in note.lines] == [
        (date(2026, 3, 11), date(2026, 4, 10), D("70.00"), D("0.55"))
    ]


def test_bulk_create_upsert_cannot_rewrite_an_allocation(account):
    d = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    p = services.payment_record(account=account, amount="100,00", booking_date=date(2026, 1, 12), process=P)
    row = Allocation.objects.get(credit=p, debt=d)
    copy = Allocation.objects.get(pk=row.pk)
    copy.amount = D("1.00")
    try:
        with transaction.atomic():
            Allocation.objects.bulk_create(
                [copy], update_conflicts=True, unique_fields=["id"], update_fields=["amount"]
            )
    except (ImmutableRecordError, IntegrityError, ValueError):
        pass
    row.refresh_from_db()
    assert row.amount == D("100.00")


def test_a_new_instance_with_an_existing_pk_does_not_overwrite(account):
    d = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    fields = {f.attname: getattr(d, f.attname) for f in LedgerEntry._meta.concrete_fields}
    fields["amount"] = D("1.00")
    fresh = LedgerEntry(**fields)  # a new object that happens to carry d's id
    try:
        with transaction.atomic():
            fresh.save()
    except (ImmutableRecordError, IntegrityError):
        pass
    d.refresh_from_db()
    assert d.amount == D("100.00")


@pytest.mark.django_db
def test_the_base_manager_cannot_change_entries_or_allocations_either():
    from operations.billing.models import Allocation, ImmutableRecordError, LedgerEntry

    for model in (LedgerEntry, Allocation):
        with pytest.raises(ImmutableRecordError):
            model._base_manager.all().update(amount=1)
        with pytest.raises(ImmutableRecordError):
            model._base_manager.all().delete()
