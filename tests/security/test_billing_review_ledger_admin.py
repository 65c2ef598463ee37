"""Security review of billing, part 2: the ledger never changes (every ORM path), money is
Decimal rounded half-up to the grosz, and the admin's billing screens for every staff role
(a contractor's worker included). Part 1 is `test_billing_review.py`.

Real requests through the Django test client; nothing of ours is mocked.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.test import Client

from cms.core.exceptions import ServiceError
from operations.billing import services
from operations.billing.models import Allocation, BillingAccount, ImmutableRecordError, InterestRate, LedgerEntry
from operations.billing.money import money, to_grosze
from operations.billing.policy import PERMISSIONS_ACCOUNTANT
from tests.billing.kit import charge, grant, open_account, pay
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def payers(cast):
    """Unit A/1 and unit A/2 of the cast's building, an account each with a charge for March."""
    first = open_account(cast.unit, payer_name="Anna Nowak", identifier=50001)
    second = open_account(cast.other_unit, payer_name="Piotr Sąsiad", identifier=50002)
    for account in (first, second):
        charge(account, "500.00", due=date(2026, 3, 10))
    return first, second


# --- 5. The ledger never changes -------------------------------------------------------------------


def test_no_orm_path_changes_or_deletes_a_ledger_entry(payers):
    first, second = payers
    payment = pay(first, "100.00", on=date(2026, 3, 5))
    entry = first.entries.filter(kind=LedgerEntry.Kind.CHARGE).get()
    attempts = [
        lambda: first.entries.update(amount=D("0.00")),
        lambda: first.entries.all().delete(),
        lambda: first.entries.filter(pk=entry.pk).update(account=second),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).values("pk").update(amount=D("1.00")),
        lambda: LedgerEntry.objects.select_for_update().filter(pk=entry.pk).update(title="x"),
        lambda: LedgerEntry.objects.bulk_update([entry], ["amount"]),
        lambda: LedgerEntry.objects.update_or_create(pk=entry.pk, defaults={"amount": D("1.00")}),
        lambda: entry.corrections.update(amount=D("1.00")),
        lambda: entry.save(),
        lambda: entry.delete(),
        lambda: payment.allocations_out.update(amount=D("0.00")),
        lambda: payment.allocations_out.all().delete(),
        lambda: Allocation.objects.filter(credit=payment).first().save(),
    ]
    for attempt in attempts:
        with pytest.raises(ImmutableRecordError), transaction.atomic():
            attempt()
    if hasattr(entry.corrections, "clear"):  # only when `corrects` may be empty
        correction = services.entry_post(
            account=first,
            kind=LedgerEntry.Kind.CORRECTION,
            amount=D("-1.00"),
            booking_date=date(2026, 3, 6),
            corrects=entry,
            process="tests",
        )
        with pytest.raises(ImmutableRecordError), transaction.atomic():
            entry.corrections.clear()
        # bulk=False saves each row inside atomic(savepoint=False): our savepoint keeps the test's transaction usable
        with pytest.raises(ImmutableRecordError), transaction.atomic():
            entry.corrections.clear(bulk=False)
        assert LedgerEntry.objects.get(pk=correction.pk).corrects_id == entry.pk
    # Deleting what entries hang on is refused too.
    with pytest.raises(ProtectedError):
        first.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == D("500.00")


def test_amounts_are_decimal_and_round_half_up_to_the_grosz(payers):
    first, _second = payers
    assert money("2,005") == D("2.01") and money(D("-2.005")) == D("-2.01") and money("1 234,565") == D("1234.57")
    assert to_grosze(D("0.005")) == 1
    for bad in (0.1, 1e309, float("nan")):
        with pytest.raises(TypeError):
            money(bad)
    for bad in (D("NaN"), D("Infinity"), D("1e309"), "1e309", "NaN"):
        with pytest.raises(ValueError):
            money(bad)
    with pytest.raises((ServiceError, TypeError)):
        services.payment_record(account=first, amount=0.1, booking_date=date(2026, 3, 1), process="tests")
    entry = charge(first, "0.10", due=date(2026, 3, 20))
    assert isinstance(LedgerEntry.objects.get(pk=entry.pk).amount, Decimal)


# --- 3. The admin ---------------------------------------------------------------------------------


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def roles(cast):
    return {
        "accountant": tf.staff("accountant", username="sec-adm-accountant"),
        "board": cast.board,
        "dispatcher": cast.dispatcher,
        "editor": tf.staff("editor", username="sec-adm-editor"),
        "administrator": cast.administrator,
    }


def test_the_admins_billing_screens_per_role(cast, payers, roles):
    first, _second = payers
    entry = first.entries.first()
    reads = [
        "/admin/billingaccount/",
        f"/admin/billingaccount/inspect/{first.pk}/",
        "/admin/ledgerentry/",
        f"/admin/ledgerentry/inspect/{entry.pk}/",
        "/admin/ledgerentry/results/?q=Nowak",
        "/admin/interestrate/",
    ]
    for name, user in roles.items():
        client = _admin(user)
        for url in reads:
            response = client.get(url)
            if name in ("accountant", "board"):
                assert response.status_code == 200, (name, url)
            else:
                assert response.status_code in (302, 403), (name, url, response.status_code)
                assert first.iban.encode() not in response.content and b"Anna Nowak" not in response.content
        # Nothing writes the ledger, whatever the role.
        for url in (
            "/admin/ledgerentry/add/",
            f"/admin/ledgerentry/edit/{entry.pk}/",
            f"/admin/ledgerentry/delete/{entry.pk}/",
            f"/admin/billingaccount/edit/{first.pk}/",
            f"/admin/billingaccount/delete/{first.pk}/",
            f"/admin/bulk/billing/ledgerentry/delete/?id={entry.pk}",
            f"/admin/bulk/billing/billingaccount/delete/?id={first.pk}",
        ):
            assert client.post(url, {"amount": "0.00"}).status_code in (302, 403, 404), (name, url)
        assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount
        assert BillingAccount.objects.filter(pk=first.pk).exists()


def test_interest_rates_are_the_accountants_to_change(roles):
    rate = InterestRate.objects.order_by("-effective_from").first()
    form = {"effective_from": "2031-01-01", "rate": "9.00", "reference_rate": "3.50", "note": "x"}
    for name, user in roles.items():
        client = _admin(user)
        add = client.post("/admin/interestrate/add/", form | {"note": name})
        edit = client.post(
            f"/admin/interestrate/edit/{rate.pk}/",
            {**form, "effective_from": rate.effective_from.isoformat(), "note": name},
        )
        delete = client.post(f"/admin/interestrate/delete/{rate.pk}/")
        assert delete.status_code == 404, name
        changed = InterestRate.objects.filter(note=name).exists()
        assert changed == (name == "accountant"), (name, add.status_code, edit.status_code)
    assert InterestRate.objects.filter(pk=rate.pk).exists()


def test_a_contractors_worker_given_billing_and_admin_permissions_by_mistake(cast, payers):
    """The API never shows a firm's worker an account (selectors.is_billing_staff); the admin
    showed every account to one given admin access and billing permissions by mistake."""
    first, _second = payers
    worker = grant(cast.firm_worker, "wagtailadmin.access_admin", *PERMISSIONS_ACCOUNTANT)
    client = _admin(worker)
    for url in (
        "/admin/billingaccount/",
        f"/admin/billingaccount/inspect/{first.pk}/",
        "/admin/ledgerentry/",
        "/admin/interestrate/",
        "/admin/interestrate/add/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        assert "Anna Nowak" not in response.content.decode() and first.iban_formatted not in response.content.decode()
    home = client.get("/admin/").content.decode()
    assert "/admin/billingaccount/" not in home and "/admin/ledgerentry/" not in home
