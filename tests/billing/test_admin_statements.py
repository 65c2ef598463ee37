"""Bank statements in the accountants' admin: the import screen (every sample through it,
the profile detected or chosen, the same file twice, bad files as messages), the
statements list with its flags, a statement's lines, and the unmatched-payments queue
(confirm the suggestion, pick another account, ignore; a refusal is a message)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.billing.admin.forms import detect_profile
from operations.billing.models import BankStatement, BankTransaction, LedgerEntry
from operations.residents.roles import StaffRole
from tests.billing import kit
from tests.factories.admin import staff_client
from tests.factories.residents import BuildingFactory, UnitFactory

SAMPLES = Path(__file__).parent / "samples"
S = BankTransaction.State
D = Decimal
pytestmark = pytest.mark.django_db

IMPORT = "/admin/billing-statement-import/"
QUEUE = "/admin/billing-queue/"
COOPERATIVE = "PL74999000090000000000000001"


@pytest.fixture
def accounts(building_a, estate):
    """The accounts the samples pay (tests/billing/samples/README.md)."""
    building_b = BuildingFactory(estate=estate, code="B", street="ul. Różana", number="3")

    def open_(building, number, identifier, payer):
        unit = UnitFactory(building=building, number=number)
        return kit.open_account(unit, payer_name=payer, identifier=identifier)

    return {
        "lezak": open_(building_a, "12", 40012, "Grzegorz Łężak"),
        "slezak": open_(building_b, "27", 40013, "Żaneta Wójcik-Ślęzak"),
        "zdzblo": open_(building_b, "44", 40044, "Bożena Źdźbło"),
        "nowak": open_(building_a, "7", 40058, "Anna Nowak"),
    }


@pytest.fixture
def client(db):
    return staff_client(StaffRole.ACCOUNTANT, username="ksiegowa.wyciagi")


def upload(client, name: str, data: bytes, profile: str = ""):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data), "profile": profile})


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def mt940(number: str, opening: str, closing: str, lines: list[tuple[str, str, str, str]], month: str = "04") -> bytes:
    """A PKO-style MT940 statement of the cooperative's account for 2026-`month`; each line
    (day, amount, name, title) a credit."""
    text = [":20:MT940", f":25:/{COOPERATIVE}", f":28C:{number}/001", f":60F:C26{month}01PLN{opening}"]
    for n, (day, amount, name, title) in enumerate(lines):
        text.append(f":61:26{month}{day}{month}{day}C{amount}NTRFNONREF//T26{month}{day}{n:05d}")
        text.append(f":86:020~00TRF~20{title}~27{name}~3012401037~310000111122223333")
    text += [f":62F:C26{month}30PLN{closing}", "-"]
    return "\r\n".join(text).encode("utf-8")


def counts(response) -> dict:
    return {
        key: response.context["result"][key]
        for key in ("lines_new", "lines_known", "matched", "suggested", "unmatched", "ignored")
    }


# --- The import screen -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("pko_bp.sta", "pko_bp"),
        ("mbank.sta", "pko_bp"),  # the common "~" form
        ("pekao.sta", "pekao"),
        ("ing.sta", "pko_bp"),
        ("mt940_cp852.sta", "pko_bp"),
        ("mt940_cp1250.sta", "pko_bp"),
        ("camt053_001_02.xml", "camt053"),
        ("camt053_001_08.xml", "camt053"),
    ],
)
def test_the_profile_is_detected_from_the_file(name, profile):
    assert detect_profile(sample(name)) == profile


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("pko_bp.sta", ""),
        ("mbank.sta", "mbank"),
        ("mbank.sta", ""),
        ("pekao.sta", ""),
        ("ing.sta", "ing"),
        ("ing.sta", ""),
        ("mt940_cp852.sta", ""),
        ("camt053_001_02.xml", ""),
        ("camt053_001_08.xml", "camt053"),
    ],
)
def test_every_sample_imports_through_the_screen_and_twice_changes_nothing(client, accounts, name, profile):
    first = upload(client, name, sample(name), profile)
    assert first.status_code == 200
    assert not first.context["form"].errors, first.context["form"].errors
    result = counts(first)
    lines = BankTransaction.objects.count()
    assert lines > 0 and result["lines_new"] == lines and result["lines_known"] == 0
    by_state = {state: BankTransaction.objects.filter(state=state).count() for state in S.values}
    assert (result["matched"], result["suggested"], result["unmatched"], result["ignored"]) == (
        by_state["matched"],
        by_state["suggested"],
        by_state["unmatched"],
        by_state["ignored"],
    )
    entries = LedgerEntry.objects.count()
    assert entries == by_state["matched"]
    page = first.content.decode()
    assert f'data-count="lines_new">{lines}<' in page
    again = upload(client, name, sample(name), profile)
    assert counts(again)["lines_new"] == 0 and counts(again)["lines_known"] == lines
    assert again.context["result"]["statements_known"] == BankStatement.objects.count()
    assert (BankTransaction.objects.count(), LedgerEntry.objects.count()) == (lines, entries)


def test_the_pko_sample_matches_as_the_service_says(client, accounts):
    response = upload(client, "pko_bp.sta", sample("pko_bp.sta"))
    assert counts(response) == {
        "lines_new": 4,
        "lines_known": 0,
        "matched": 2,
        "suggested": 0,
        "unmatched": 1,
        "ignored": 1,
    }
    statement = BankStatement.objects.get()
    assert (statement.profile, statement.imported_by) == ("pko_bp", client.user)
    assert reverse("bankstatement:inspect", args=[statement.pk]) in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "profile"),
    [
        ("hello.sta", b"hello, this is no statement", "pko_bp"),
        ("hello.sta", b"hello, this is no statement", ""),
        ("broken.xml", b"<?xml version='1.0'?><Document><BkToCstmrStmt>", ""),
        ("broken.xml", b"not xml at all", "camt053"),
        ("empty.sta", b"   \r\n", ""),
        ("binary.sta", bytes(range(256)) * 4, ""),
        ("truncated.sta", sample("pko_bp.sta")[:200], "pko_bp"),
        ("foreign.sta", sample("pko_bp.sta").replace(b"99900009", b"10201026"), "pko_bp"),
        ("pko.sta", sample("pko_bp.sta"), "no-such-profile"),
        ("camt.xml", sample("camt053_001_02.xml"), "pko_bp"),  # XML read as MT940
        ("pko.xml", sample("pko_bp.sta"), "camt053"),
        ("encoding.xml", sample("camt053_001_02.xml").replace(b'encoding="UTF-8"', b'encoding="TF-8"'), ""),
        (
            "entities.xml",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<Document><BkToCstmrStmt>&b;</BkToCstmrStmt></Document>",
            "",
        ),
    ],
)
def test_a_bad_file_is_a_message_on_the_form_never_a_500(client, accounts, name, data, profile):
    response = upload(client, name, data, profile)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "help-critical" in response.content.decode() or "error-message" in response.content.decode()
    assert not BankStatement.objects.exists() and not LedgerEntry.objects.exists()


def test_no_file_is_a_message(client):
    response = client.post(IMPORT, {"profile": ""})
    assert response.status_code == 200 and "file" in response.context["form"].errors


# --- Statements and their lines -------------------------------------------------------------------


@pytest.fixture
def statements(client, accounts):
    """March (no. 45, follows nothing), then April numbered 47 whose opening balance is not
    March's closing one: flagged for both."""
    upload(client, "pko_bp.sta", sample("pko_bp.sta"))
    april = mt940("00047", "12000,00", "12050,00", [("02", "50,00", "JAN NIEZNAŃSKI", "wpłata")])
    response = upload(client, "april.sta", april)
    assert counts(response)["lines_new"] == 1
    return BankStatement.objects.order_by("closing_date")


def listed(client, url, **params) -> list:
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["object_list"])


def test_flagged_statements_are_marked_and_filterable(client, statements):
    march, april = statements
    assert not march.is_flagged
    assert (april.balance_mismatch, april.number_gap, april.totals_mismatch) == (True, True, False)
    url = reverse("bankstatement:index")
    assert [s.pk for s in listed(client, url, flagged="yes")] == [april.pk]
    assert [s.pk for s in listed(client, url, flagged="no")] == [march.pk]
    assert [s.pk for s in listed(client, url, number_gap="true")] == [april.pk]
    assert [s.pk for s in listed(client, url, totals_mismatch="true")] == []
    page = client.get(url).content.decode()
    assert page.count("data-flag>") == 2
    rows = {s.pk: s.line_count for s in listed(client, url)}
    assert rows == {march.pk: 4, april.pk: 1}


def test_a_statements_page_lists_its_lines_and_what_became_of_them(client, statements, accounts):
    march, _april = statements
    response = client.get(reverse("bankstatement:inspect", args=[march.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert [row["line"].state for row in response.context["rows"]] == [S.MATCHED, S.MATCHED, S.IGNORED, S.UNMATCHED]
    assert reverse("billingaccount:inspect", args=[accounts["lezak"].pk]) in page
    unmatched = BankTransaction.objects.get(state=S.UNMATCHED, statement=march)
    assert reverse("billing-queue:line", args=[unmatched.pk]) in page


def test_lines_filter_by_account_statement_and_state(client, statements, accounts):
    march, april = statements
    url = reverse("banktransaction:index")
    lezak = accounts["lezak"]
    assert [line.account_id for line in listed(client, url, billing_account=lezak.pk)] == [lezak.pk]
    assert len(listed(client, url, statement=april.pk)) == 1
    assert len(listed(client, url, state=["unmatched", "suggested"])) == 2


def test_the_statements_screens_take_as_many_queries_for_few_lines_as_for_many(client, accounts):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    upload(client, "few.sta", mt940("00001", "0,00", "1,00", [("02", "1,00", "A B", "wpłata")]))
    first = BankStatement.objects.get()
    urls = [reverse("bankstatement:index"), reverse("banktransaction:index"), QUEUE]
    few = [queries(url) for url in urls] + [queries(reverse("bankstatement:inspect", args=[first.pk]))]
    many_lines = [(f"{day:02d}", "1,00", f"Osoba {day}", f"wpłata lok. {day}") for day in range(3, 23)]
    upload(client, "many.sta", mt940("00001", "1,00", "21,00", many_lines, month="05"))
    second = BankStatement.objects.order_by("-pk").first()
    many = [queries(url) for url in urls] + [queries(reverse("bankstatement:inspect", args=[second.pk]))]
    assert many == few


# --- The unmatched-payments queue ------------------------------------------------------------------


@pytest.fixture
def queue(client, accounts):
    """Three lines waiting: an unmatched one (oldest), one suggested for B/44 ("lok. 44",
    no building named), another unmatched; and one matched by the account number."""
    data = mt940(
        "00001",
        "0,00",
        "480,00",
        [
            ("02", "100,00", "JAN NIEZNAŃSKI", "wpłata"),
            ("03", "150,00", "X Y", "opłata lok. 44 za 04/2026"),
            ("04", "30,00", "Firma Z", "zwrot nadpłaty"),
            ("05", "200,00", "Grzegorz Łężak", "ident. 40012 opłata"),
        ],
    )
    response = upload(client, "queue.sta", data)
    assert counts(response) == {
        "lines_new": 4,
        "lines_known": 0,
        "matched": 1,
        "suggested": 1,
        "unmatched": 2,
        "ignored": 0,
    }
    return list(BankTransaction.objects.filter(state__in=[S.SUGGESTED, S.UNMATCHED]).order_by("booking_date"))


def test_the_queue_lists_suggested_and_unmatched_oldest_first(client, queue, accounts):
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert [row["line"].pk for row in response.context["rows"]] == [line.pk for line in queue]
    page = response.content.decode()
    assert "Bożena Źdźbło" in page  # the suggestion, confirmed from the list in one click
    assert page.count('name="account"') == 1


def test_confirming_the_suggestion_records_the_payment(client, queue, accounts):
    suggested = queue[1]
    assert suggested.suggested_account == accounts["zdzblo"]
    response = client.post(reverse("billing-queue:confirm", args=[suggested.pk]), {"account": accounts["zdzblo"].pk})
    assert response.status_code == 302 and response["Location"] == QUEUE
    suggested.refresh_from_db()
    assert (suggested.state, suggested.matched_by, suggested.account, suggested.confirmed_by) == (
        S.MATCHED,
        "person",
        accounts["zdzblo"],
        client.user,
    )
    assert suggested.payment.amount == D("-150.00") and suggested.payment.account == accounts["zdzblo"]
    assert [row["line"].pk for row in client.get(QUEUE).context["rows"]] == [queue[0].pk, queue[2].pk]


def test_another_account_is_found_and_picked(client, queue, accounts):
    line = queue[0]
    page = client.get(reverse("billing-queue:line", args=[line.pk]), {"q": "A/7"})
    assert page.status_code == 200
    assert [account for account, _text in page.context["found"]] == [accounts["nowak"]]
    for query, expected in [
        ("Łężak", ["lezak"]),
        ("40044", ["zdzblo"]),
        ("12", ["lezak"]),
        (accounts["slezak"].iban[-10:], ["slezak"]),
        ("B 27", ["slezak"]),
    ]:
        found = client.get(reverse("billing-queue:line", args=[line.pk]), {"q": query}).context["found"]
        assert [account for account, _text in found] == [accounts[name] for name in expected], query
    response = client.post(reverse("billing-queue:confirm", args=[line.pk]), {"account": accounts["nowak"].pk})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.state, line.account, line.payment.amount) == (S.MATCHED, accounts["nowak"], D("-100.00"))


def test_ignoring_a_line_posts_nothing(client, queue):
    line = queue[2]
    entries = LedgerEntry.objects.count()
    response = client.post(reverse("billing-queue:ignore", args=[line.pk]), {"confirm": "on"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.state, line.confirmed_by, line.payment) == (S.IGNORED, client.user, None)
    assert LedgerEntry.objects.count() == entries


def test_a_refusal_is_a_message_on_the_lines_page(client, queue, accounts):
    line = queue[1]
    client.post(reverse("billing-queue:ignore", args=[line.pk]), {"confirm": "on"})
    response = client.post(reverse("billing-queue:confirm", args=[line.pk]), {"account": accounts["zdzblo"].pk})
    assert response.status_code == 200
    assert response.context["confirm_form"].errors
    assert "data-errors" in response.content.decode()
    line.refresh_from_db()
    assert line.state == S.IGNORED and line.payment is None
    again = client.post(reverse("billing-queue:ignore", args=[line.pk]), {"confirm": "on"})
    assert again.status_code == 200 and again.context["ignore_form"].errors
    unknown = client.post(reverse("billing-queue:confirm", args=[queue[0].pk]), {"account": 999999})
    assert unknown.status_code == 200 and unknown.context["confirm_form"].errors
    assert client.post(reverse("billing-queue:confirm", args=[queue[0].pk]), {"account": "x"}).status_code == 200
    assert client.get(reverse("billing-queue:confirm", args=[queue[0].pk])).status_code == 405


def test_the_queue_is_refused_to_those_who_may_not_post(queue, accounts):
    for role in (StaffRole.DISPATCHER, StaffRole.BOARD, StaffRole.EDITOR):
        other = staff_client(role)
        line = queue[0]
        for url in (QUEUE, reverse("billing-queue:line", args=[line.pk])):
            assert other.get(url).status_code in (302, 403), (role, url)
        response = other.post(reverse("billing-queue:confirm", args=[line.pk]), {"account": accounts["nowak"].pk})
        assert response.status_code in (302, 403)
        response = other.post(IMPORT, {"file": SimpleUploadedFile("x.sta", sample("pko_bp.sta")), "profile": ""})
        assert response.status_code in (302, 403)
    line.refresh_from_db()
    assert line.state == S.UNMATCHED
    assert BankStatement.objects.count() == 1


def test_a_line_not_in_the_queue_any_more_is_shown_without_actions(client, queue, accounts):
    line = queue[1]
    client.post(reverse("billing-queue:confirm", args=[line.pk]), {"account": accounts["zdzblo"].pk})
    page = client.get(reverse("billing-queue:line", args=[line.pk]))
    assert page.status_code == 200 and "data-actions" not in page.content.decode()
    assert date(2026, 4, 3) == line.booking_date


def test_an_accounts_links_list_exactly_its_matched_and_suggested_lines(client, queue, accounts):
    zdzblo, lezak = accounts["zdzblo"], accounts["lezak"]
    page = client.get(reverse("billingaccount:inspect", args=[zdzblo.pk]))
    assert (page.context["matched_lines"], page.context["suggested_lines"]) == (0, 1)
    assert [line.pk for line in listed(client, page.context["suggested_url"])] == [queue[1].pk]
    assert listed(client, page.context["matched_url"]) == []
    # Settled to another account, the line is no longer zdzblo's, though it was suggested for it.
    client.post(reverse("billing-queue:confirm", args=[queue[1].pk]), {"account": lezak.pk})
    page = client.get(reverse("billingaccount:inspect", args=[zdzblo.pk]))
    assert (page.context["matched_lines"], page.context["suggested_lines"]) == (0, 0)
    assert listed(client, page.context["suggested_url"]) == []
    page = client.get(reverse("billingaccount:inspect", args=[lezak.pk]))
    assert page.context["matched_lines"] == 2
    assert len(listed(client, page.context["matched_url"])) == 2
