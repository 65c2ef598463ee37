"""Billing documents in the admin: the list, issuing (and sending) for an account, sending
later; for billing staff with the documents' permissions, never a contractor's worker."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from operations.billing.models import BillingConsent, BillingDocument
from operations.messaging.models import Message
from operations.residents.models import Membership
from tests.billing.kit import charge, grant
from tests.factories import tickets as tf
from tests.factories.residents import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_accountant(db):
    return tf.staff("accountant")


@pytest.fixture
def overdue(account):
    charge(account, "250.00", due=date(2026, 1, 12), title="Opłata eksploatacyjna 01/2026")
    return account


def test_an_accountant_issues_and_sends_a_demand(staff_accountant, overdue, unit, django_capture_on_commit_callbacks):
    owner = UserFactory()
    MembershipFactory(user=owner, unit=unit, role=Membership.Role.OWNER, verified=True)
    BillingConsent.objects.create(account=overdue, person=owner, electronic_documents=True)
    client = _client(staff_accountant)
    assert client.get(reverse("billing-documents:issue")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("billing-documents:issue"),
            {"account": overdue.pk, "kind": "demand", "on": "2026-03-02", "send": "on"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    document = BillingDocument.objects.get()
    assert document.number == "WZ/2026/0001" and document.created_by == staff_accountant
    assert Message.objects.filter(recipient=owner, dedupe_key=f"billing-document:{document.pk}").exists()
    listing = client.get(reverse("billing-documents:index")).content.decode()
    assert "WZ/2026/0001" in listing
    assert reverse("billing:document_download", args=[document.pk]) in listing
    assert client.get(reverse("billing:document_download", args=[document.pk])).status_code == 200
    # Sending later again sends nothing twice.
    assert client.post(reverse("billing-documents:send", args=[document.pk])).status_code == 302
    assert Message.objects.filter(dedupe_key=f"billing-document:{document.pk}").count() == 1


def test_a_refusal_is_shown_on_the_form(staff_accountant, account):
    response = _client(staff_accountant).post(
        reverse("billing-documents:issue"), {"account": account.pk, "kind": "demand", "on": "2026-03-02"}
    )
    assert response.status_code == 200
    assert "nie ma nic zaległego" in response.content.decode()  # the Polish admin
    assert not BillingDocument.objects.exists()


def test_a_statement_from_the_form(staff_accountant, overdue):
    response = _client(staff_accountant).post(
        reverse("billing-documents:issue"),
        {
            "account": overdue.pk,
            "kind": "statement",
            "on": "2026-03-02",
            "period_from": "2026-01-01",
            "period_to": "2026-02-28",
        },
    )
    assert response.status_code == 302
    assert BillingDocument.objects.get().number == "RK/2026/0001"


def test_the_board_reads_the_list_but_does_not_issue(overdue):
    board = _client(tf.staff("board"))
    assert board.get(reverse("billing-documents:index")).status_code == 200
    # Wagtail answers a refusal with a redirect to the admin's first page.
    refused = board.get(reverse("billing-documents:issue"))
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    refused = board.post(
        reverse("billing-documents:issue"), {"account": overdue.pk, "kind": "demand", "on": "2026-03-02"}
    )
    assert refused.status_code == 302 and not BillingDocument.objects.exists()


def test_a_contractors_worker_is_refused_even_with_the_permissions(overdue, site_tree):
    worker = grant(
        tf.worker(tf.firm()),
        "wagtailadmin.access_admin",
        "billing.view_billingaccount",
        "billing.view_billingdocument",
        "billing.issue_billingdocument",
    )
    client = _client(worker)
    assert client.get(reverse("billing-documents:index")).status_code in (302, 403)
    assert client.get(reverse("billing-documents:issue")).status_code in (302, 403)
