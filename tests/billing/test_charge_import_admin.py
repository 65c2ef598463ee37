"""The charge import screens: profiles, upload → preview → confirm, the list with progress,
reversing with a confirmation, and who gets them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.billing.models import ChargeImportBatch, ChargeImportProfile, LedgerEntry
from operations.residents.roles import StaffRole
from tests.billing import charge_import_kit as ck
from tests.factories.admin import staff_client

pytestmark = pytest.mark.django_db

S = ChargeImportBatch.State


@pytest.fixture
def accounts(building_a):
    return ck.accounts(building_a)


@pytest.fixture
def accountant_client(db):
    return staff_client(StaffRole.ACCOUNTANT, username="ksiegowa")


def _upload(client, profile, name="charges-utf8.csv", **data):
    return client.post(
        reverse("chargeimportbatch:upload"),
        {"profile": profile.pk, "file": SimpleUploadedFile(name, ck.sample(name)), **data},
    )


def test_upload_preview_confirm_and_reverse(accountant_client, accounts):
    profile = ck.fk_profile(header_row=1)
    index = accountant_client.get(reverse("chargeimportbatch:index"))
    assert index.status_code == 200 and reverse("chargeimportbatch:upload") in index.content.decode()
    assert accountant_client.get(reverse("chargeimportbatch:upload")).status_code == 200

    response = _upload(accountant_client, profile, "charges-bad-rows.csv")
    batch = ChargeImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("chargeimportbatch:batch", args=[batch.pk])
    page = accountant_client.get(response["Location"]).content.decode()
    assert LedgerEntry.objects.count() == 0
    assert "data-preview-note" in page
    for line in (3, 4, 5, 7, 8, 9, 10, 13):
        assert f'data-line="{line}" data-status="error"' in page
    assert "data-unreconciled" in page and "87,56\xa0zł" in page and "700,00\xa0zł" in page
    assert 'data-count="new">3<' in page

    response = accountant_client.post(reverse("chargeimportbatch:confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == S.IMPORTED and LedgerEntry.objects.filter(import_batch=batch).count() == 3
    page = accountant_client.get(reverse("chargeimportbatch:batch", args=[batch.pk])).content.decode()
    assert "data-reverse-link" in page and "data-confirm-form" not in page
    listing = accountant_client.get(reverse("chargeimportbatch:index")).content.decode()
    assert "charges-bad-rows.csv" in listing and "data-refresh" not in listing

    confirm = accountant_client.get(reverse("chargeimportbatch:reverse", args=[batch.pk]))
    assert confirm.status_code == 200 and "data-reverse-form" in confirm.content.decode()
    assert LedgerEntry.objects.filter(kind="correction").count() == 0  # asking is not doing
    accountant_client.post(reverse("chargeimportbatch:reverse", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == S.REVERSED and LedgerEntry.objects.filter(kind="correction").count() == 3
    page = accountant_client.get(reverse("chargeimportbatch:batch", args=[batch.pk])).content.decode()
    assert "data-reverse-link" not in page


def test_a_file_that_cannot_be_read_is_a_message_on_the_form(accountant_client, accounts):
    profile = ck.fk_profile(file_format="xlsx")
    response = _upload(accountant_client, profile)
    assert response.status_code == 200
    assert "XLSX" in response.content.decode() and ChargeImportBatch.objects.count() == 0


def test_a_running_import_refreshes_its_progress(accountant_client, accounts):
    batch = ck.preview(ck.fk_profile(), "charges-utf8.csv", by=accountant_client.user)
    ChargeImportBatch.objects.filter(pk=batch.pk).update(state=S.RUNNING, rows_done=2)
    page = accountant_client.get(reverse("chargeimportbatch:batch", args=[batch.pk])).content.decode()
    assert "data-refresh" in page and "data-progress" in page and 'value="2"' in page
    listing = accountant_client.get(reverse("chargeimportbatch:index")).content.decode()
    assert "data-refresh" in listing and "40 %" in listing


def test_profiles_are_added_and_edited_as_data(accountant_client):
    add_url = reverse("chargeimportprofile:add")
    assert accountant_client.get(add_url).status_code == 200
    response = accountant_client.post(
        add_url,
        {
            "name": "Symfonia FK",
            "source": "symfonia",
            "file_format": "csv",
            "encoding": "cp1250",
            "delimiter": ";",
            "decimal_mark": ",",
            "date_format": "%d.%m.%Y",
            "header_row": "1",
            "default_kind": "charge",
            "default_component": "",
            "total_label": "RAZEM",
            "column_account": "Konto",
            "column_amount": "Kwota",
            "column_component": "Składnik",
            "component_codes": "EKS = maintenance\nFR = repair_fund",
            "kind_codes": "N = charge\nBO = opening",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = ChargeImportProfile.objects.get(source="symfonia")
    assert profile.columns == {"account": "Konto", "component": "Składnik", "amount": "Kwota"}
    assert profile.component_map == {"EKS": "maintenance", "FR": "repair_fund"}
    assert profile.kind_map == {"N": "charge", "BO": "opening"}
    edit = accountant_client.get(reverse("chargeimportprofile:edit", args=[profile.pk])).content.decode()
    assert "EKS = maintenance" in edit and 'value="Konto"' in edit
    bad = accountant_client.post(
        add_url,
        {
            "name": "x",
            "source": "x",
            "file_format": "csv",
            "delimiter": ";",
            "decimal_mark": ",",
            "date_format": "%d.%m.%Y",
            "header_row": "1",
            "default_kind": "charge",
            "component_codes": "EKS = eksploatacja",
        },
    )
    assert bad.status_code == 200 and not ChargeImportProfile.objects.filter(source="x").exists()


@pytest.mark.parametrize("role", [StaffRole.DISPATCHER, StaffRole.EDITOR, StaffRole.BOARD])
def test_other_staff_get_no_import(role, accounts):
    client = staff_client(role)
    batch = ck.preview(ck.fk_profile(), "charges-utf8.csv", by=staff_client(StaffRole.ACCOUNTANT, "k2").user)
    # Wagtail answers a refusal with a redirect to the dashboard and a message.
    assert client.get(reverse("chargeimportbatch:upload")).status_code in (302, 403)
    assert client.post(reverse("chargeimportbatch:confirm", args=[batch.pk])).status_code in (302, 403)
    assert client.post(reverse("chargeimportbatch:reverse", args=[batch.pk])).status_code in (302, 403)
    assert client.get(reverse("chargeimportbatch:batch", args=[batch.pk])).status_code in (302, 403)
    assert client.get(reverse("chargeimportprofile:add")).status_code in (302, 403)
    assert LedgerEntry.objects.count() == 0


def test_a_contractors_worker_gets_nothing_even_with_the_permissions(accounts):
    from django.test import Client

    from operations.billing.policy import PERMISSIONS_ACCOUNTANT
    from tests.billing import kit
    from tests.factories.tickets import firm, worker

    person = kit.grant(
        worker(firm(title="Hydro"), username="monter"), "wagtailadmin.access_admin", *PERMISSIONS_ACCOUNTANT
    )
    client = Client()
    client.force_login(person)
    for url in (
        reverse("chargeimportbatch:upload"),
        reverse("chargeimportbatch:index"),
        reverse("chargeimportprofile:index"),
    ):
        assert client.get(url).status_code in (302, 403), url


def test_the_billing_menu_offers_the_imports_to_the_accountant_only(accountant_client):
    page = accountant_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("chargeimportbatch:index") in page and reverse("chargeimportprofile:index") in page
    page = staff_client(StaffRole.DISPATCHER).get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("chargeimportbatch:index") not in page
