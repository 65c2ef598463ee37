"""The billing section of the admin: accounts and the ledger are read only; interest rates
are added and changed, never deleted."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from operations.billing.models import InterestRate, LedgerEntry
from tests.billing.kit import D, charge, grant, pay
from tests.factories.residents import SuperUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db):
    client = Client()
    client.force_login(SuperUserFactory())
    return client


def test_accounts_and_ledger_are_listed_and_read(admin_client_, account):
    entry = charge(account, "312.45", due=date(2026, 1, 12))
    pay(account, "12.45", on=date(2026, 1, 10))
    for url in (
        reverse("billingaccount:index"),
        reverse("billingaccount:inspect", args=[account.pk]),
        reverse("ledgerentry:index"),
        reverse("ledgerentry:inspect", args=[entry.pk]),
    ):
        response = admin_client_.get(url)
        assert response.status_code == 200, url
    listing = admin_client_.get(reverse("ledgerentry:index")).content.decode()
    assert "312,45\xa0zł" in listing and "-12,45\xa0zł" in listing
    assert account.iban_formatted in admin_client_.get(reverse("billingaccount:index")).content.decode()


@pytest.mark.parametrize("namespace", ["billingaccount", "ledgerentry"])
@pytest.mark.parametrize("view", ["add", "edit", "delete", "copy", "history"])
def test_nothing_is_added_edited_or_deleted_in_the_admin(namespace, view):
    with pytest.raises(NoReverseMatch):
        reverse(f"{namespace}:{view}", args=[] if view == "add" else [1])


def test_the_ledger_pages_offer_no_change(admin_client_, account):
    entry = charge(account, "100.00", due=date(2026, 1, 12))
    page = admin_client_.get(reverse("ledgerentry:inspect", args=[entry.pk])).content.decode()
    assert "/edit/" not in page and "/delete/" not in page
    assert admin_client_.post(f"/admin/ledgerentry/delete/{entry.pk}/").status_code == 404
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_interest_rates_are_added_and_changed_never_deleted(admin_client_):
    response = admin_client_.post(
        reverse("interestrate:add"),
        {"effective_from": "2026-07-02", "rate": "9.00", "reference_rate": "3.50", "note": "Uchwała RPP"},
    )
    assert response.status_code == 302, response.content[:2000]
    rate = InterestRate.objects.get(effective_from=date(2026, 7, 2))
    assert rate.rate == D("9.00")
    response = admin_client_.post(
        reverse("interestrate:edit", args=[rate.pk]),
        {"effective_from": "2026-07-02", "rate": "9.25", "reference_rate": "3.75", "note": ""},
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.rate == D("9.25")
    with pytest.raises(NoReverseMatch):
        reverse("interestrate:delete", args=[rate.pk])
    assert "/delete/" not in admin_client_.get(reverse("interestrate:edit", args=[rate.pk])).content.decode()


def test_the_section_is_for_staff_with_the_permissions(account):
    client = Client()
    reader = grant(UserFactory(), "wagtailadmin.access_admin", "billing.view_billingaccount")
    client.force_login(reader)
    assert client.get(reverse("billingaccount:index")).status_code == 200
    assert client.get(reverse("interestrate:index")).status_code == 302  # no permission: sent away
    outsider = grant(UserFactory(), "wagtailadmin.access_admin")
    client.force_login(outsider)
    assert client.get(reverse("billingaccount:index")).status_code == 302
