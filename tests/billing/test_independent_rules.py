"""Independent, hand-computed: art. 451 allocation, interest notes in the database, the
refusals of corrections, and the immutability of entries and allocations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cms.core.exceptions import ServiceError
from operations.billing import selectors, services
from operations.billing.errors import BillingErrorCode
from operations.billing.models import Allocation, ImmutableRecordError, LedgerEntry
from tests.factories.residents import UnitFactory

D = Decimal
K = LedgerEntry.Kind
C = LedgerEntry.Component
R = Allocation.Reason
P = "independent-test"


@pytest.fixture
def account(db, building_a):
    unit = UnitFactory(building=building_a, number="21")
    return services.account_open(unit=unit, payer_name="Jan Kowalski", opened_on=date(2026, 1, 1))


def charge(account, amount, booked, due, component=C.MAINTENANCE, **kw):
    return services.entry_post(
        account=account,
        kind=K.CHARGE,
        component=component,
        amount=amount,
        booking_date=booked,
        due_date=due,
        process=P,
        **kw,
    )


def pay(account, amount, booked, designated=()):
    return services.payment_record(
        account=account, amount=amount, booking_date=booked, designated=designated, process=P
    )


def interest(account, amount, booked, on):
    return services.entry_post(
        account=account, kind=K.INTEREST, amount=amount, booking_date=booked, interest_on=on, process=P
    )


def rows(payment):
    return list(Allocation.objects.filter(credit=payment).order_by("pk").values_list("debt_id", "amount", "reason"))


def left(entry):
    return D(selectors.debts_outstanding(LedgerEntry.objects.filter(pk=entry.pk)).get().outstanding_grosze) / 100


# --- art. 451 --------------------------------------------------------------------------------


def test_designation_binds_even_to_the_younger_debt(account):
    older = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    younger = charge(account, "100,00", date(2026, 2, 1), date(2026, 2, 10))
    p = pay(account, "100,00", date(2026, 2, 15), designated=[younger])
    assert rows(p) == [(younger.pk, D("100.00"), R.DESIGNATED)]
    assert (left(older), left(younger)) == (D("100.00"), D("0.00"))


def test_designated_debt_takes_its_interest_first(account):
    debt = charge(account, "1000,00", date(2026, 2, 1), date(2026, 2, 20))
    other = charge(account, "50,00", date(2026, 1, 1), date(2026, 1, 12))
    note = interest(account, "12,50", date(2026, 4, 10), debt)
    p = pay(account, "500,00", date(2026, 4, 15), designated=[debt])
    # 500 = interest 12,50 + principal 487,50; the older 50,00 is left alone
    assert rows(p) == [(note.pk, D("12.50"), R.INTEREST_FIRST), (debt.pk, D("487.50"), R.DESIGNATED)]
    assert (left(note), left(debt), left(other)) == (D("0.00"), D("512.50"), D("50.00"))


def test_payment_smaller_than_the_interest_alone(account):
    debt = charge(account, "1000,00", date(2026, 2, 1), date(2026, 2, 20))
    note = interest(account, "12,50", date(2026, 4, 10), debt)
    p = pay(account, "5,00", date(2026, 4, 15), designated=[debt])
    assert rows(p) == [(note.pk, D("5.00"), R.INTEREST_FIRST)]
    assert (left(note), left(debt)) == (D("7.50"), D("1000.00"))


def test_designation_beyond_the_designated_debt_goes_oldest_first_then_kept(account):
    a = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    b = charge(account, "100,00", date(2026, 2, 1), date(2026, 2, 10))
    p = pay(account, "230,00", date(2026, 2, 15), designated=[b])
    assert rows(p) == [
        (b.pk, D("100.00"), R.DESIGNATED),
        (a.pk, D("100.00"), R.OLDEST_DUE),
        (None, D("30.00"), R.KEPT_AS_CREDIT),
    ]


def test_without_designation_oldest_due_first_and_interest_charged_later_last(account):
    d1 = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    d2 = charge(account, "200,00", date(2026, 3, 1), date(2026, 3, 10))
    n1 = interest(account, "3,00", date(2026, 4, 1), d1)  # due when charged: 01.04
    p = pay(account, "301,00", date(2026, 4, 2))
    assert rows(p) == [
        (d1.pk, D("100.00"), R.OLDEST_DUE),
        (d2.pk, D("200.00"), R.OLDEST_DUE),
        (n1.pk, D("1.00"), R.OLDEST_DUE),
    ]
    assert left(n1) == D("2.00")


def test_oldest_by_moved_due_date_not_by_posting(account):
    # due Sat 10.01 → 12.01 is later than a debt due Mon 11.01?  No: 11.01.2026 is a Sunday.
    # A debt due Fri 09.01 (payable 09.01) is older than one due Sat 10.01 (payable 12.01)
    # even when posted after it.
    sat = charge(account, "40,00", date(2026, 1, 1), date(2026, 1, 10))
    fri = charge(account, "60,00", date(2026, 1, 2), date(2026, 1, 9))
    p = pay(account, "60,00", date(2026, 1, 20))
    assert rows(p) == [(fri.pk, D("60.00"), R.OLDEST_DUE)]
    assert left(sat) == D("40.00")


def test_payment_equal_to_several_debts_leaves_nothing_kept(account):
    ds = [
        charge(account, amt, date(2026, 1, 1), date(2026, 1, 12), component=c)
        for amt, c in (("250,00", C.MAINTENANCE), ("80,00", C.REPAIR_FUND), ("45,50", C.WASTE))
    ]
    p = pay(account, "375,50", date(2026, 1, 12))
    assert rows(p) == [(d.pk, D(a), R.OLDEST_DUE) for d, a in zip(ds, ("250.00", "80.00", "45.50"), strict=True)]
    assert not Allocation.objects.filter(credit=p, debt__isnull=True).exists()
    assert selectors.account_balance(account).balance == D("0.00")


def test_overpayment_kept_then_carried_when_the_next_charge_is_posted(account):
    p = pay(account, "100,00", date(2026, 1, 5))
    assert rows(p) == [(None, D("100.00"), R.KEPT_AS_CREDIT)]
    assert selectors.account_balance(account).balance == D("100.00")  # an overpayment is positive
    d = charge(account, "60,00", date(2026, 2, 1), date(2026, 2, 10))
    after = rows(p)
    assert after[1:] == [(None, D("-60.00"), R.CARRIED), (d.pk, D("60.00"), R.CARRIED)]
    assert left(d) == D("0.00")
    assert [c.kept_grosze for c in selectors.kept_credits(account)] == [4000]


def test_credit_opening_balance_is_carried_to_charges(account):
    op = services.entry_post(account=account, kind=K.OPENING, amount="-70,00", booking_date=date(2026, 1, 1), process=P)
    assert op.due_date is None
    d = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    assert left(d) == D("30.00")
    assert selectors.account_balance(account).balance == D("-30.00")


def test_designation_to_another_accounts_debt_is_refused(account, building_a):
    other = services.account_open(
        unit=UnitFactory(building=building_a, number="22"), payer_name="Inny", opened_on=date(2026, 1, 1)
    )
    foreign = charge(other, "10,00", date(2026, 1, 1), date(2026, 1, 12))
    with pytest.raises(ServiceError) as refused:
        pay(account, "10,00", date(2026, 1, 12), designated=[foreign])
    assert refused.value.code == BillingErrorCode.DESIGNATION_INVALID
    assert not LedgerEntry.objects.filter(account=account).exists()


# --- interest in the database ------------------------------------------------------------------


def test_interest_note_across_the_rate_change(account):
    debt = charge(account, "1000,00", date(2026, 2, 1), date(2026, 2, 20))
    pay(account, "1000,00", date(2026, 4, 10))
    note = selectors.interest_note(account, until=date(2026, 4, 30))
    # 12 d × 9,50 % = 3,12; 37 d × 9,25 % = 9,38 (see test_independent_pure)
    assert [(x.debt_id, x.start, x.end, x.days, x.rate, x.amount) for x in note.lines] == [
        (debt.pk, date(2026, 2, 21), date(2026, 3, 4), 12, D("9.50"), D("3.12")),
        (debt.pk, date(2026, 3, 5), date(2026, 4, 10), 37, D("9.25"), D("9.38")),
    ]
    assert note.total == D("12.50")
    posted = services.interest_post(account=account, until=date(2026, 4, 30), process=P)
    assert [(e.kind, e.amount, e.interest_on_id) for e in posted] == [(K.INTEREST, D("12.50"), debt.pk)]
    # running it again for the same day charges nothing more
    again = services.interest_post(account=account, until=date(2026, 4, 30), process=P)
    assert LedgerEntry.objects.filter(account=account, kind=K.INTEREST).count() == 1
    assert all(e.pk == posted[0].pk for e in again)
    assert selectors.interest_note(account, until=date(2026, 4, 30)).lines == []


def test_interest_note_declining_balance(account):
    charge(account, "1000,00", date(2026, 2, 1), date(2026, 2, 20))
    pay(account, "400,00", date(2026, 3, 20))
    pay(account, "600,00", date(2026, 4, 10))
    note = selectors.interest_note(account, until=date(2026, 5, 31))
    assert [(x.days, x.base, x.amount) for x in note.lines] == [
        (12, D("1000.00"), D("3.12")),
        (16, D("1000.00"), D("4.05")),
        (21, D("600.00"), D("3.19")),
    ]
    assert note.total == D("10.36")


def test_interest_on_an_unpaid_debt_due_on_a_saturday(account):
    # due Sat 10.01 → payable Mon 12.01; 13.01–31.01 = 19 days: 500 × 9,50 × 19 / 36500 = 2,4726 → 2,47
    charge(account, "500,00", date(2026, 1, 1), date(2026, 1, 10))
    note = selectors.interest_note(account, until=date(2026, 1, 31))
    assert [(x.start, x.days, x.amount) for x in note.lines] == [(date(2026, 1, 13), 19, D("2.47"))]


def test_interest_on_a_debt_due_24_december(account):
    # due Thu 24.12.2026 → payable Mon 28.12; 29–31.12 = 3 days: 365 × 9,25 × 3 / 36500 = 0,2775 → 0,28
    charge(account, "365,00", date(2026, 12, 1), date(2026, 12, 24))
    note = selectors.interest_note(account, until=date(2026, 12, 31))
    assert [(x.start, x.days, x.amount) for x in note.lines] == [(date(2026, 12, 29), 3, D("0.28"))]


def test_interest_after_a_correction_counts_the_corrected_amount(account):
    debt = charge(account, "1000,00", date(2026, 2, 1), date(2026, 2, 20))
    services.entry_post(
        account=account, kind=K.CORRECTION, amount="-500,00", booking_date=date(2026, 2, 25), corrects=debt, process=P
    )
    # 500 × 9,50 × 12 / 36500 = 1,5616 → 1,56; 500 × 9,25 × 37 / 36500 = 4,6883 → 4,69
    note = selectors.interest_note(account, until=date(2026, 4, 10))
    assert [x.amount for x in note.lines] == [D("1.56"), D("4.69")]


def test_interest_post_before_the_rate_table_is_refused(account):
    charge(account, "100,00", date(2025, 11, 1), date(2025, 11, 10))
    with pytest.raises(ServiceError) as refused:
        services.interest_post(account=account, until=date(2026, 1, 31), process=P)
    assert refused.value.code == BillingErrorCode.RATE_MISSING
    assert not LedgerEntry.objects.filter(kind=K.INTEREST).exists()


def test_interest_in_a_leap_year_span(account):
    # due Fri 25.02.2028, until 05.03.2028: 9 days at 9,25 % on 365 days: 2,28
    charge(account, "1000,00", date(2028, 2, 1), date(2028, 2, 25))
    note = selectors.interest_note(account, until=date(2028, 3, 5))
    assert [(x.days, x.amount) for x in note.lines] == [(9, D("2.28"))]


def test_interest_is_not_charged_on_interest(account):
    debt = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    note = interest(account, "1,00", date(2026, 2, 1), debt)
    with pytest.raises(ServiceError):
        interest(account, "0,10", date(2026, 3, 1), note)


# --- corrections ---------------------------------------------------------------------------------


def test_correction_below_zero_is_refused(account):
    d = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    services.entry_post(
        account=account, kind=K.CORRECTION, amount="-60,00", booking_date=date(2026, 1, 5), corrects=d, process=P
    )
    with pytest.raises(ServiceError) as refused:
        services.entry_post(
            account=account, kind=K.CORRECTION, amount="-40,01", booking_date=date(2026, 1, 6), corrects=d, process=P
        )
    assert refused.value.code == BillingErrorCode.CORRECTION_TOO_LARGE
    # exactly to zero is allowed
    services.entry_post(
        account=account, kind=K.CORRECTION, amount="-40,00", booking_date=date(2026, 1, 6), corrects=d, process=P
    )
    assert left(d) == D("0.00")
    assert selectors.account_balance(account).debits == D("0.00")


def test_correcting_a_payment_above_its_amount_is_refused(account):
    p = pay(account, "100,00", date(2026, 1, 5))
    with pytest.raises(ServiceError) as refused:
        services.entry_post(
            account=account, kind=K.CORRECTION, amount="100,01", booking_date=date(2026, 1, 6), corrects=p, process=P
        )
    assert refused.value.code == BillingErrorCode.CORRECTION_TOO_LARGE


def test_correction_of_a_correction_or_of_another_account_is_refused(account, building_a):
    d = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    c = services.entry_post(
        account=account, kind=K.CORRECTION, amount="-10,00", booking_date=date(2026, 1, 5), corrects=d, process=P
    )
    with pytest.raises(ServiceError):
        services.entry_post(
            account=account, kind=K.CORRECTION, amount="5,00", booking_date=date(2026, 1, 6), corrects=c, process=P
        )
    other = services.account_open(
        unit=UnitFactory(building=building_a, number="23"), payer_name="Inny", opened_on=date(2026, 1, 1)
    )
    with pytest.raises(ServiceError):
        services.entry_post(
            account=other, kind=K.CORRECTION, amount="-5,00", booking_date=date(2026, 1, 6), corrects=d, process=P
        )


def test_reducing_a_paid_charge_returns_the_money_as_credit(account):
    d = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    p = pay(account, "100,00", date(2026, 1, 12))
    services.entry_post(
        account=account, kind=K.CORRECTION, amount="-30,00", booking_date=date(2026, 1, 20), corrects=d, process=P
    )
    assert [c.kept_grosze for c in selectors.kept_credits(account)] == [3000]
    assert selectors.account_balance(account).balance == D("30.00")
    assert sum(Allocation.objects.filter(credit=p).values_list("amount", flat=True)) == D("100.00")


@pytest.mark.parametrize("amount", ["0", "0,004", "-0,00", "abc", "10000000000,00"])
def test_bad_amounts_are_refused(account, amount):
    with pytest.raises(ServiceError) as refused:
        charge(account, amount, date(2026, 1, 1), date(2026, 1, 12))
    assert refused.value.code == BillingErrorCode.AMOUNT_INVALID


def test_float_amount_is_refused_by_the_service(account):
    with pytest.raises(ServiceError):
        charge(account, 100.0, date(2026, 1, 1), date(2026, 1, 12))


def test_largest_amount_is_stored_to_the_grosz(account):
    d = charge(account, "9 999 999 999,99", date(2026, 1, 1), date(2026, 1, 12))
    d.refresh_from_db()
    assert d.amount == D("9999999999.99")
    assert selectors.account_balance(account).debits == D("9999999999.99")


def test_process_or_person_is_required(account):
    with pytest.raises(ServiceError) as refused:
        services.payment_record(account=account, amount="1,00", booking_date=date(2026, 1, 1))
    assert refused.value.code == BillingErrorCode.CREATOR_REQUIRED


# --- immutability ----------------------------------------------------------------------------


@pytest.fixture
def booked(account):
    d = charge(account, "100,00", date(2026, 1, 1), date(2026, 1, 12))
    p = pay(account, "100,00", date(2026, 1, 12))
    return d, p, Allocation.objects.get(credit=p)


def test_entry_save_and_delete_are_refused(booked):
    d, _p, a = booked
    for row in (d, a):
        row.amount = D("1.00")
        with pytest.raises(ImmutableRecordError):
            row.save()
        with pytest.raises(ImmutableRecordError):
            row.delete()
    d.refresh_from_db()
    assert d.amount == D("100.00")


def test_queryset_paths_are_refused(booked, account):
    d, _p, a = booked
    for qs in (LedgerEntry.objects.filter(pk=d.pk), Allocation.objects.filter(pk=a.pk), account.entries.all()):
        with pytest.raises(ImmutableRecordError):
            qs.update(amount=D("1.00"))
        with pytest.raises(ImmutableRecordError):
            qs.delete()
    with pytest.raises(ImmutableRecordError):
        LedgerEntry.objects.bulk_update([d], ["amount"])
    with pytest.raises(ImmutableRecordError):
        LedgerEntry.objects.update_or_create(pk=d.pk, defaults={"amount": D("1.00")})
    with pytest.raises(ImmutableRecordError):
        account.entries.update(title="x")


def test_deleting_the_account_is_refused_by_protect(booked, account):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        account.delete()
    assert LedgerEntry.objects.filter(account=account).count() == 2


def test_bulk_create_upsert_cannot_rewrite_an_entry(booked):
    d, _p, _a = booked
    copy = LedgerEntry.objects.get(pk=d.pk)
    copy.amount = D("1.00")
    try:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(
                [copy], update_conflicts=True, unique_fields=["id"], update_fields=["amount"]
            )
    except (ImmutableRecordError, IntegrityError, ValueError):
        pass
    d.refresh_from_db()
    assert d.amount == D("100.00")
