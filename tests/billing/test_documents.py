"""Billing documents: statements, payment demands and interest notes as PDF.

Issued from a frozen snapshot (the same snapshot gives the same bytes), numbered per kind
and year without gaps, stored with their SHA-256 only once the transaction commits,
downloaded by whoever sees the account (404 for everyone else), and sent through
messaging only to the viewers who chose electronic documents."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pypdf
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from cms.core.exceptions import ServiceError
from cms.home.models import CooperativeContact
from operations.billing import policy, selectors, services
from operations.billing.documents import render
from operations.billing.documents.links import document_download_url
from operations.billing.errors import BillingErrorCode as E
from operations.billing.models import BillingConsent, BillingDocument
from operations.billing.services import documents as documents_service
from operations.messaging.models import Message
from operations.residents.models import Membership
from operations.residents.roles import ROLE_PERMISSIONS, StaffRole
from tests.billing.kit import charge, grant, open_account, pay
from tests.factories import tickets as tf
from tests.factories.residents import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
Kind = BillingDocument.Kind
Role = Membership.Role
POLISH = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"


def _holding(unit, role=Role.OWNER, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, unit=unit, role=role, verified=True)
    return user


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _stored_files(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "billing-documents"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def contact(db):
    from wagtail.models import Site

    card = CooperativeContact.for_site(Site.objects.get(is_default_site=True))
    card.name = "Spółdzielnia Mieszkaniowa „Źródło”"
    card.street = "ul. Żeglarska 5"
    card.postal_code = "90-001"
    card.city = "Łódź"
    card.save()
    return card


@pytest.fixture
def polish_account(unit, contact):
    return open_account(unit, payer_name=f"Łukasz Żółć {POLISH}")


@pytest.fixture
def in_arrears(polish_account):
    """Two charges overdue on 2 March 2026, one paid in part."""
    october = charge(polish_account, "412.30", due=date(2026, 1, 12), title="Opłata eksploatacyjna 01/2026")
    charge(polish_account, "412.30", due=date(2026, 2, 10), title="Opłata eksploatacyjna 02/2026")
    pay(polish_account, "100.00", on=date(2026, 2, 20))
    return october


def _issue(account, kind=Kind.DEMAND, on=date(2026, 3, 2), **kwargs):
    kwargs.setdefault("process", "tests")
    return services.document_issue(account=account, kind=kind, on=on, **kwargs)


def _statement(account, **kwargs):
    return _issue(account, Kind.STATEMENT, period_from=date(2026, 1, 1), period_to=date(2026, 2, 28), **kwargs)


# --- Rendering ---------------------------------------------------------------------------


def test_the_same_snapshot_renders_the_same_bytes(in_arrears, polish_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = _issue(polish_account)
    again = render.render_pdf(document.snapshot)
    assert hashlib.sha256(again).hexdigest() == document.sha256
    assert render.render_pdf(document.snapshot) == again
    with document.file.open("rb") as handle:
        assert handle.read() == again
    # Nothing of the moment of rendering is in the file: the PDF's date is the day of issue.
    assert b"D:20260302" in again


def test_polish_letters_come_out_as_text(in_arrears, polish_account):
    for document in (_statement(polish_account), _issue(polish_account), _issue(polish_account, Kind.INTEREST_NOTE)):
        text = _text(render.render_pdf(document.snapshot))
        assert POLISH in text
        assert "Spółdzielnia Mieszkaniowa „Źródło”" in text
        assert "ul. Żeglarska 5" in text and "90-001 Łódź" in text
        assert document.number in text


def test_snapshot_is_plain_json_with_money_as_decimal_strings(in_arrears, polish_account):
    document = _issue(polish_account)

    def walk(value):
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document.snapshot)
    assert document.snapshot["total"] == str(document.amount)


# --- What each kind says -----------------------------------------------------------------


def test_a_statement_lists_the_periods_entries_between_its_balances(in_arrears, polish_account):
    document = _statement(polish_account)
    snapshot = document.snapshot
    assert document.number == "RK/2026/0001"
    assert snapshot["opening_balance"] == "0.00"
    assert [entry["title"] for entry in snapshot["entries"]][:2] == [
        "Opłata eksploatacyjna 01/2026",
        "Opłata eksploatacyjna 02/2026",
    ]
    assert snapshot["debits"] == "824.60" and snapshot["credits"] == "100.00"
    assert snapshot["closing_balance"] == "-724.60"
    assert document.amount == Decimal("-724.60")
    text = _text(render.render_pdf(snapshot))
    assert "-724,60\u00a0zł" in text or "-724,60 zł" in text
    assert "zaległość" in text


def test_a_demand_lists_overdue_debts_with_interest_a_deadline_and_the_qr_code(in_arrears, polish_account):
    document = _issue(polish_account)
    snapshot = document.snapshot
    assert document.number == "WZ/2026/0001"
    assert [debt["outstanding"] for debt in snapshot["debts"]] == ["312.30", "412.30"]
    interest = Decimal(snapshot["interest"])
    assert interest > 0
    assert document.amount == Decimal("724.60") + interest
    assert snapshot["pay_by"] == "2026-03-09"  # seven days by default
    fields = snapshot["qr_payload"].split("|")
    assert fields[1:4] == ["PL", polish_account.iban[2:], f"{int(document.amount * 100):06d}"]
    assert fields[5] == "WZ/2026/0001 lokal A/7"
    text = _text(render.render_pdf(snapshot))
    assert "Wezwanie do zapłaty" in text
    assert "słownie: siedemset" in text
    assert polish_account.iban_formatted in text


def test_the_deadline_to_pay_is_a_setting(in_arrears, polish_account, settings):
    settings.BILLING_DOCUMENT_PAYMENT_DAYS = 14
    assert _issue(polish_account).snapshot["pay_by"] == "2026-03-16"


def test_an_interest_note_prints_the_lines_of_the_interest_note(in_arrears, polish_account):
    document = _issue(polish_account, Kind.INTEREST_NOTE)
    note = selectors.interest_note(polish_account, until=date(2026, 3, 2))
    assert document.number == "NO/2026/0001"
    assert [line["amount"] for line in document.snapshot["lines"]] == [str(line.amount) for line in note.lines]
    assert document.amount == note.total
    assert "Nota odsetkowa" in _text(render.render_pdf(document.snapshot))


def test_nothing_overdue_means_no_demand_and_no_note(polish_account):
    charge(polish_account, "100.00", due=date(2026, 3, 10))
    for kind in (Kind.DEMAND, Kind.INTEREST_NOTE):
        with pytest.raises(ServiceError) as refused:
            _issue(polish_account, kind)
        assert refused.value.code == E.NOTHING_TO_DEMAND
    assert not BillingDocument.objects.exists()


def test_a_statement_needs_a_period_that_ends_by_the_day_of_issue(polish_account):
    for period in ({}, {"period_from": date(2026, 2, 1), "period_to": date(2026, 1, 1)}):
        with pytest.raises(ServiceError) as refused:
            _issue(polish_account, Kind.STATEMENT, **period)
        assert refused.value.code == E.DATE_INVALID
    with pytest.raises(ServiceError) as refused:
        _issue(polish_account, Kind.STATEMENT, period_from=date(2026, 3, 1), period_to=date(2026, 3, 31))
    assert refused.value.code == E.DATE_INVALID
    with pytest.raises(ServiceError) as refused:
        _issue(polish_account, "invoice")
    assert refused.value.code == E.KIND_INVALID


# --- Numbering ---------------------------------------------------------------------------


def test_numbers_run_per_kind_and_year_without_gaps(in_arrears, polish_account):
    assert _statement(polish_account).number == "RK/2026/0001"
    assert _issue(polish_account).number == "WZ/2026/0001"
    assert _statement(polish_account).number == "RK/2026/0002"
    # A refused issue takes no number.
    with pytest.raises(ServiceError):
        _issue(polish_account, Kind.STATEMENT)
    with mock.patch.object(documents_service, "render_pdf", side_effect=render.RenderError("boom")):
        with pytest.raises(ServiceError):
            _issue(polish_account)
    assert _issue(polish_account).number == "WZ/2026/0002"
    assert _issue(polish_account, on=date(2027, 1, 4)).number == "WZ/2027/0001"


def test_numbers_pass_ten_thousand_in_order(polish_account):
    BillingDocument.objects.create(
        account=polish_account, kind=Kind.DEMAND, number="WZ/2026/9999", issued_on=date(2026, 1, 1),
        file="x.pdf", sha256="0" * 64, created_by_process="tests",
    )  # fmt: skip
    assert documents_service.next_number(Kind.DEMAND, 2026) == "WZ/2026/10000"
    BillingDocument.objects.create(
        account=polish_account, kind=Kind.DEMAND, number="WZ/2026/10000", issued_on=date(2026, 1, 1),
        file="y.pdf", sha256="0" * 64, created_by_process="tests",
    )  # fmt: skip
    assert documents_service.next_number(Kind.DEMAND, 2026) == "WZ/2026/10001"


def test_a_clash_on_the_number_is_retried_with_the_next(in_arrears, polish_account):
    real = documents_service.next_number
    _issue(polish_account)  # WZ/2026/0001
    calls = []

    def stale(kind, year):
        calls.append(kind)
        # The first call answers as a concurrent issuer that had not seen 0001 would.
        return "WZ/2026/0001" if len(calls) == 1 else real(kind, year)

    with mock.patch.object(documents_service, "next_number", side_effect=stale):
        assert _issue(polish_account).number == "WZ/2026/0002"
    assert len(calls) == 2


# --- Who issues --------------------------------------------------------------------------


def test_only_accountants_and_processes_issue(in_arrears, polish_account, accountant, unit):
    resident = _holding(unit)
    with pytest.raises(ServiceError) as refused:
        _issue(polish_account, by=resident, process="")
    assert refused.value.code == E.FORBIDDEN
    with pytest.raises(ServiceError) as refused:
        _issue(polish_account, process="")
    assert refused.value.code == E.CREATOR_REQUIRED
    document = _issue(polish_account, by=accountant, process="")
    assert document.created_by == accountant
    assert "billing.issue_billingdocument" in policy.PERMISSIONS_ACCOUNTANT
    assert "billing.issue_billingdocument" in ROLE_PERMISSIONS[StaffRole.ACCOUNTANT]
    assert "billing.issue_billingdocument" not in ROLE_PERMISSIONS[StaffRole.BOARD]
    assert "billing.view_billingdocument" in ROLE_PERMISSIONS[StaffRole.BOARD]


def test_a_contractors_worker_never_issues_even_with_the_permission(in_arrears, polish_account, site_tree):
    worker = grant(tf.worker(tf.firm()), "billing.issue_billingdocument")
    with pytest.raises(ServiceError) as refused:
        _issue(polish_account, by=worker, process="")
    assert refused.value.code == E.FORBIDDEN


# --- Atomicity ---------------------------------------------------------------------------


def test_a_failing_render_leaves_no_row_and_no_file(
    in_arrears, polish_account, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with mock.patch.object(documents_service, "render_pdf", side_effect=render.RenderError("font missing")):
            with pytest.raises(ServiceError) as refused:
                _issue(polish_account)
    assert refused.value.code == E.DOCUMENT_RENDER_FAILED
    assert not BillingDocument.objects.exists()
    assert _stored_files(settings) == []


def test_the_file_is_written_only_when_the_transaction_commits(
    in_arrears, polish_account, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _issue(polish_account)
                raise RuntimeError("the caller fails after issuing")
    assert not BillingDocument.objects.exists()
    assert _stored_files(settings) == []
    with django_capture_on_commit_callbacks(execute=True):
        document = _issue(polish_account)
    files = _stored_files(settings)
    assert [file.name for file in files] == [Path(document.file.name).name]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == document.sha256


# --- Who downloads -----------------------------------------------------------------------


@pytest.fixture
def issued(in_arrears, polish_account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _issue(polish_account)


def _download(client, person, document):
    if person is not None:
        client.force_login(person)
    return client.get(document_download_url(document))


def test_the_accounts_viewer_downloads_the_pdf_as_an_attachment(client, issued, unit):
    response = _download(client, _holding(unit), issued)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="WZ-2026-0001.pdf"'
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == issued.sha256


def test_billing_staff_download(client, issued, accountant):
    assert _download(client, accountant, issued).status_code == 200


@pytest.mark.parametrize("who", ["other_household", "tenant", "worker", "anonymous", "pending"])
def test_nobody_else_learns_the_document_exists(client, issued, unit, who, site_tree):
    people = {
        "other_household": lambda: _holding(UnitFactory(building=unit.building, number="8")),
        "tenant": lambda: _holding(unit, Role.TENANT),
        "worker": lambda: grant(tf.worker(tf.firm()), "billing.view_billingaccount"),
        "anonymous": lambda: None,
        "pending": lambda: MembershipFactory(unit=unit, role=Role.OWNER, verified=False).user,
    }
    person = people[who]()
    assert _download(client, person, issued).status_code == 404
    # The same answer as for a document that does not exist.
    assert client.get(document_download_url(issued.pk + 1000)).status_code == 404


def test_a_tenant_downloads_when_the_cooperative_lets_tenants_see_accounts(client, issued, unit, settings):
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    assert _download(client, _holding(unit, Role.TENANT), issued).status_code == 200


def test_a_missing_file_is_rendered_again_from_the_snapshot(client, issued, unit):
    issued.file.storage.delete(issued.file.name)
    response = _download(client, _holding(unit), issued)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == issued.sha256


def test_documents_visible_to_follows_the_account(issued, unit, accountant):
    owner = _holding(unit)
    neighbour = _holding(UnitFactory(building=unit.building, number="9"))
    assert list(selectors.documents_visible_to(owner)) == [issued]
    assert list(selectors.documents_visible_to(accountant)) == [issued]
    assert list(selectors.documents_visible_to(neighbour)) == []
    assert list(selectors.documents_visible_to(AnonymousUser())) == []
    assert list(selectors.documents_visible_to(None)) == []


# --- Sending -----------------------------------------------------------------------------


def test_sent_only_to_viewers_who_chose_electronic_documents(issued, unit, accountant):
    electronic = _holding(unit)
    paper = _holding(unit)
    chose_reminders_only = _holding(unit)
    neighbour = _holding(UnitFactory(building=unit.building, number="8"))
    account = issued.account
    BillingConsent.objects.create(account=account, person=electronic, electronic_documents=True)
    BillingConsent.objects.create(account=account, person=chose_reminders_only, reminders=True)
    # A consent given for an account someone no longer sees sends nothing.
    BillingConsent.objects.create(account=account, person=neighbour, electronic_documents=True)

    result = services.document_send(document=issued, by=accountant)

    assert result.sent_to == [electronic]
    assert set(result.paper) == {paper, chose_reminders_only}
    messages = Message.objects.filter(dedupe_key=f"billing-document:{issued.pk}")
    assert [message.recipient for message in messages] == [electronic]
    assert messages[0].link.endswith(document_download_url(issued))
    assert "WZ/2026/0001" in messages[0].subject
    issued.refresh_from_db()
    assert issued.sent_at is not None
    # Sending again sends nothing more.
    services.document_send(document=issued, by=accountant)
    assert messages.count() == 1


def test_without_consent_nothing_is_sent(issued, unit):
    owner = _holding(unit)
    result = services.document_send(document=issued)
    assert result.sent_to == [] and result.paper == [owner]
    assert not Message.objects.filter(dedupe_key=f"billing-document:{issued.pk}").exists()
    issued.refresh_from_db()
    assert issued.sent_at is None


def test_a_resident_cannot_send(issued, unit):
    with pytest.raises(ServiceError) as refused:
        services.document_send(document=issued, by=_holding(unit))
    assert refused.value.code == E.FORBIDDEN


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_consecutive_numbers(building_a):
    """Two accountants issuing at the same moment: one waits for the other's number."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the advisory lock is PostgreSQL's")
    import threading

    from django.db import connections

    accounts = [open_account(UnitFactory(building=building_a, number=str(n))) for n in (31, 32, 33, 34)]
    for account in accounts:
        charge(account, "100.00", due=date(2026, 1, 12))
    barrier = threading.Barrier(len(accounts))
    numbers, failures = [], []

    def issue(account):
        try:
            barrier.wait()
            numbers.append(_issue(account).number)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(account,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(numbers) == [f"WZ/2026/{n:04d}" for n in range(1, len(accounts) + 1)]
