"""The accountants' admin (issue 14, "Admin (accountants)"): the accounts list with its
balance filters and exports, an account's page with its ledger, and the situation centre's
panel, for an accountant (the "Księgowość" role), refused to every other kind of person;
query counts that do not grow with the accounts or the entries.

Statements, their import and the unmatched queue: `test_admin_statements.py`.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from operations.billing.admin.situation import billing_panel
from operations.billing.models import BankStatement, BankTransaction
from operations.residents.roles import StaffRole
from tests.billing import kit
from tests.factories.admin import staff_client
from tests.factories.residents import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
INDEX = "/admin/billingaccount/"
OLDEST_FIRST = "najpierw dług najdawniej wymagalny"  # art. 451 § 3, as the ledger's reason reads in Polish


def today():
    return timezone.localdate()


def days_ago(days: int):
    return today() - timedelta(days=days)


def open_(building, number, payer, **fields):
    return kit.open_account(
        UnitFactory(building=building, number=number), payer_name=payer, opened_on=days_ago(400), **fields
    )


@pytest.fixture
def book(building_a, building_b):
    """Four accounts, hand-computed on today:
    - A/1 Anna Nowak: 300,00 charged 40 days ago, unpaid → balance -300,00, overdue 300,00;
    - A/2 Piotr Sąsiad: 300,00 charged 40 days ago, paid 350,00 → balance 50,00, overdue 0;
    - B/1 Celina Wójcik: 200,00 due in 10 days → balance -200,00, overdue 0;
    - B/2 Damian Zamknięty (closed): 100,10 charged 100 days ago, 0,05 paid → -100,05 overdue."""
    a1 = open_(building_a, "1", "Anna Nowak")
    a2 = open_(building_a, "2", "Piotr Sąsiad")
    b1 = open_(building_b, "1", "Celina Wójcik")
    b2 = open_(building_b, "2", "Damian Zamknięty")
    kit.charge(a1, "300.00", due=days_ago(40), booked=days_ago(45))
    kit.charge(a2, "300.00", due=days_ago(40), booked=days_ago(45))
    kit.pay(a2, "350.00", on=days_ago(41))
    kit.charge(b1, "200.00", due=today() + timedelta(days=10), booked=today())
    kit.charge(b2, "100.10", due=days_ago(100), booked=days_ago(110))
    kit.pay(b2, "0.05", on=days_ago(90))
    from operations.billing import services

    b2 = services.account_close(account=b2, closed_on=days_ago(30))
    return {"a1": a1, "a2": a2, "b1": b1, "b2": b2}


@pytest.fixture
def accountant_client(db):
    return staff_client(StaffRole.ACCOUNTANT, username="ksiegowa.admin")


def listed(client, **params) -> list[int]:
    response = client.get(INDEX, params)
    assert response.status_code == 200, response.content[:500]
    return [row.pk for row in response.context["object_list"]]


def url_of(account) -> str:
    return reverse("billingaccount:inspect", args=[account.pk])


def pks(book, *names) -> set[int]:
    return {book[name].pk for name in names}


# --- The accounts list ---------------------------------------------------------------------------


def test_the_list_shows_balance_and_overdue_of_each_account(accountant_client, book):
    page = accountant_client.get(INDEX).content.decode()
    for text in ("-300,00\xa0zł", "50,00\xa0zł", "-200,00\xa0zł", "-100,05\xa0zł", "100,05\xa0zł"):
        assert text in page, text
    rows = {row.pk: row for row in accountant_client.get(INDEX).context["object_list"]}
    assert {pk: (row.balance_value, row.overdue_value) for pk, row in rows.items()} == {
        book["a1"].pk: (-30000, 30000),
        book["a2"].pk: (5000, 0),
        book["b1"].pk: (-20000, 0),
        book["b2"].pk: (-10005, 10005),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ("a1", "a2", "b1", "b2")),
        ({"state": "open"}, ("a1", "a2", "b1")),
        ({"state": "closed"}, ("b2",)),
        ({"overdue_above": "0"}, ("a1", "b2")),
        ({"overdue_above": "100,05"}, ("a1",)),  # strictly above
        ({"overdue_above": "100,04"}, ("a1", "b2")),
        ({"overdue_above": "1 000"}, ()),
        ({"balance_below": "0"}, ("a1", "b1", "b2")),
        ({"balance_below": "-200"}, ("a1",)),
        ({"balance_above": "0"}, ("a2",)),
        ({"balance_above": "-200,01", "balance_below": "0"}, ("b1", "b2")),
        ({"overdue_above": "0", "state": "open"}, ("a1",)),
    ],
)
def test_filters_give_exactly_the_right_rows(accountant_client, book, params, expected):
    assert set(listed(accountant_client, **params)) == pks(book, *expected)


def test_search_by_payer_unit_or_account_number(accountant_client, book):
    assert set(listed(accountant_client, q="Nowak")) == pks(book, "a1")
    assert set(listed(accountant_client, q=book["b2"].iban[-6:])) == pks(book, "b2")


def test_the_building_filter(accountant_client, book, building_a, building_b):
    assert set(listed(accountant_client, building=building_a.pk)) == pks(book, "a1", "a2")
    assert set(listed(accountant_client, building=building_b.pk, overdue_above="0")) == pks(book, "b2")


def test_a_bad_amount_filters_nothing_out_and_is_no_error(accountant_client, book):
    response = accountant_client.get(INDEX, {"overdue_above": "dużo"})
    assert response.status_code == 200
    assert "Enter an amount" in response.content.decode() or "Podaj kwotę" in response.content.decode()


def test_sorting_by_balance_and_overdue(accountant_client, book):
    assert listed(accountant_client, ordering="balance_value") == [book[name].pk for name in ("a1", "b1", "b2", "a2")]
    assert listed(accountant_client, ordering="-overdue_value")[:2] == [book["a1"].pk, book["b2"].pk]


def test_csv_of_the_filtered_list_is_correct_to_the_grosz(accountant_client, book):
    response = accountant_client.get(INDEX, {"balance_below": "0", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert len(lines) == 4  # the header and the three accounts in arrears
    header = lines[0].split(";")
    assert len(header) == 9
    rows = {(line.split(";")[0], line.split(";")[1]): line.split(";") for line in lines[1:]}
    b2 = book["b2"]
    assert rows[("B", "2")] == [
        "B",
        "2",
        "Damian Zamknięty",
        b2.iban_formatted,
        str(b2.identifier),
        f"{days_ago(400):%d.%m.%Y}",
        f"{days_ago(30):%d.%m.%Y}",
        "-100,05",  # a plain negative number stays a number (a spreadsheet sums arrears)
        "100,05",
    ]
    assert {unit: row[7:] for unit, row in rows.items()} == {
        ("A", "1"): ["-300,00", "300,00"],
        ("B", "1"): ["-200,00", "0,00"],
        ("B", "2"): ["-100,05", "100,05"],
    }


def test_xlsx_of_the_filtered_list_holds_numbers(accountant_client, book):
    response = accountant_client.get(INDEX, {"overdue_above": "0", "export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 3
    figures = {(row[0], row[1]): (D(str(row[7])), D(str(row[8]))) for row in rows[1:]}
    assert figures == {("A", "1"): (D("-300.00"), D("300.00")), ("B", "2"): (D("-100.05"), D("100.05"))}


def _many(building, count: int, start: int):
    for n in range(count):
        account = open_(building, str(start + n), f"Płatnik {start + n}")
        kit.charge(account, "123.45", due=days_ago(40), booked=days_ago(45))
        kit.charge(account, "10.01", due=days_ago(10), booked=days_ago(15))
        kit.pay(account, "50.00", on=days_ago(5))


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_the_list_and_its_exports_take_as_many_queries_for_2_accounts_as_for_20(accountant_client, building_a):
    _many(building_a, 2, 100)
    few = [
        _queries(accountant_client, INDEX),
        _queries(accountant_client, INDEX, {"overdue_above": "0", "balance_below": "0"}),
        _queries(accountant_client, INDEX, {"export": "csv"}),
        _queries(accountant_client, INDEX, {"export": "xlsx"}),
    ]
    _many(building_a, 18, 200)
    many = [
        _queries(accountant_client, INDEX),
        _queries(accountant_client, INDEX, {"overdue_above": "0", "balance_below": "0"}),
        _queries(accountant_client, INDEX, {"export": "csv"}),
        _queries(accountant_client, INDEX, {"export": "xlsx"}),
    ]
    assert many == few
    assert len(listed(accountant_client, overdue_above="0")) == 20


# --- An account's page ---------------------------------------------------------------------------


def test_an_accounts_page_shows_figures_aged_debt_and_the_ledger(accountant_client, book):
    a2 = book["a2"]
    url = reverse("billingaccount:inspect", args=[book["a1"].pk])
    response = accountant_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-figure="balance">-300,00\xa0zł' in page
    assert 'data-figure="overdue">300,00\xa0zł' in page
    assert 'data-bucket="days_31_60">300,00\xa0zł' in page
    assert 'data-bucket="not_due">0,00\xa0zł' in page
    page = accountant_client.get(url_of(a2)).content.decode()
    assert 'data-figure="balance">50,00\xa0zł' in page
    # The payment's allocations and why: 300,00 on the charge (oldest due first), 50,00 kept.
    rows = {row["entry"].kind: row["allocations"] for row in accountant_client.get(url_of(a2)).context["entries"]}
    assert rows["payment"] == [
        f"300,00\xa0zł → opłata eksploatacyjna {days_ago(45):%d.%m.%Y} (300,00\xa0zł): {OLDEST_FIRST}",
        "50,00\xa0zł: nadpłata pozostawiona na koncie",
    ]
    assert rows["charge"] == [f"300,00\xa0zł ← wpłata {days_ago(41):%d.%m.%Y} (-350,00\xa0zł): {OLDEST_FIRST}"]
    lines_url = f"{reverse('banktransaction:index')}?billing_account={a2.pk}&amp;state=matched"
    assert lines_url in page


def test_the_ledger_is_newest_first_and_paginated(accountant_client, building_a):
    account = open_(building_a, "9", "Ewa Długa")
    for n in range(30):
        kit.charge(account, f"{n + 1}.00", due=days_ago(300 - n * 5), booked=days_ago(305 - n * 5))
    url = reverse("billingaccount:inspect", args=[account.pk])
    first = accountant_client.get(url)
    entries = [row["entry"] for row in first.context["entries"]]
    assert len(entries) == 25
    assert [e.amount for e in entries[:3]] == [D("30.00"), D("29.00"), D("28.00")]
    second = accountant_client.get(url, {"p": 2})
    assert [row["entry"].amount for row in second.context["entries"]] == [D(f"{n}.00") for n in range(5, 0, -1)]


def test_the_accounts_page_takes_as_many_queries_for_3_entries_as_for_25(accountant_client, building_a):
    account = open_(building_a, "9", "Ewa Długa")
    url = reverse("billingaccount:inspect", args=[account.pk])

    def post(count, offset):
        for n in range(count):
            kit.charge(account, "10.00", due=days_ago(200 - offset - n), booked=days_ago(210 - offset - n))
            kit.pay(account, "4.00", on=days_ago(150 - offset - n))

    post(2, 0)
    few = _queries(accountant_client, url)
    post(12, 10)
    assert _queries(accountant_client, url) == few


# --- Who may see them ------------------------------------------------------------------------------


def _urls(book) -> list[str]:
    return [
        INDEX,
        f"{INDEX}?export=csv",
        reverse("billingaccount:inspect", args=[book["a1"].pk]),
        reverse("bankstatement:index"),
        reverse("banktransaction:index"),
        reverse("billing-queue:index"),
        reverse("billing-statement-import:index"),
    ]


def _refused(client, book):
    for url in _urls(book):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        body = b"".join(response.streaming_content) if hasattr(response, "streaming_content") else response.content
        assert b"Anna Nowak" not in body and book["a1"].iban_formatted.encode() not in body, url


def test_every_screen_opens_for_an_accountant(accountant_client, book):
    for url in _urls(book):
        response = accountant_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", [StaffRole.DISPATCHER, StaffRole.EDITOR, StaffRole.ADMINISTRATOR])
def test_other_staff_are_refused(book, role):
    _refused(staff_client(role), book)


def test_a_contractors_worker_given_every_permission_by_mistake_is_refused(book):
    from tests.factories import tickets as tf

    worker = tf.worker(tf.firm(title="Hydro-Test"), username="monter.test")
    accountant_like = kit.grant(
        worker,
        "wagtailadmin.access_admin",
        "billing.view_billingaccount",
        "billing.view_ledgerentry",
        "billing.view_bankstatement",
        "billing.view_banktransaction",
        "billing.import_bankstatement",
        "billing.post_ledgerentry",
    )
    client = Client()
    client.force_login(accountant_like)
    _refused(client, book)
    home = client.get("/admin/").content.decode()
    assert "hub-dashboard-billing" not in home
    for url in _urls(book):
        assert url.split("?")[0] not in home, url  # nor in the menu


def test_a_resident_is_refused(book, resident):
    client = Client()
    client.force_login(resident(book["a1"].unit))
    _refused(client, book)


def test_the_board_reads_accounts_but_not_the_queue_or_the_import(book):
    client = staff_client(StaffRole.BOARD)
    assert client.get(INDEX).status_code == 200
    assert client.get(reverse("billingaccount:inspect", args=[book["a1"].pk])).status_code == 200
    for url in (reverse("billing-queue:index"), reverse("billing-statement-import:index")):
        assert client.get(url).status_code in (302, 403), url


# --- The situation centre -------------------------------------------------------------------------


def _rows_of(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    if "paginator" in response.context and response.context["paginator"] is not None:
        return response.context["paginator"].count
    return len(response.context["object_list"])


def test_the_panels_numbers_equal_their_lists_lengths(accountant_client, book):
    statement = BankStatement.objects.create(
        account="PL74999000090000000000000001",
        number="12",
        profile="pko_bp",
        currency="PLN",
        opening_balance=D("0.00"),
        opening_date=days_ago(20),
        closing_balance=D("10.00"),
        closing_date=days_ago(10),
        file_hash="x" * 64,
        number_gap=True,
        imported_by_process="tests",
    )
    for n, state in enumerate([BankTransaction.State.UNMATCHED, BankTransaction.State.SUGGESTED, "ignored"]):
        BankTransaction.objects.create(
            statement=statement,
            key=f"k{n}",
            booking_date=days_ago(15),
            value_date=days_ago(15),
            amount=D("5.00"),
            currency="PLN",
            state=state,
            suggested_account=book["a1"] if state == BankTransaction.State.SUGGESTED else None,
        )
    panel = billing_panel(accountant_client.user)
    assert [figure.value for figure in panel.figures] == [2, 1, "400,05\xa0zł", 2]
    for figure in panel.figures:
        assert figure.url, figure.label
    queue, flagged, total, overdue = panel.figures
    assert _rows_of(accountant_client, queue.url) == 2
    assert _rows_of(accountant_client, flagged.url) == 1
    assert _rows_of(accountant_client, overdue.url) == 2
    rows = accountant_client.get(total.url).context["object_list"]
    assert sum(row.overdue_value for row in rows) == 40005
    home = accountant_client.get("/admin/").content.decode()
    assert "hub-dashboard-billing" in home and queue.url in home


def test_the_panel_is_for_billing_staff_only(book):
    assert billing_panel(staff_client(StaffRole.DISPATCHER).user) is None
    assert billing_panel(UserFactory()) is None
    assert "hub-dashboard-billing" not in staff_client(StaffRole.EDITOR).get("/admin/").content.decode()
    board = billing_panel(staff_client(StaffRole.BOARD).user)
    assert [figure.value for figure in board.figures] == ["400,05\xa0zł", 2]  # no bank figures to link to


def test_the_panel_takes_a_fixed_number_of_queries(accountant_client, building_a):
    _many(building_a, 2, 100)
    billing_panel(accountant_client.user)  # the person's permissions, read once and cached
    with CaptureQueriesContext(connection) as few:
        billing_panel(accountant_client.user)
    _many(building_a, 18, 200)
    with CaptureQueriesContext(connection) as many:
        billing_panel(accountant_client.user)
    assert len(many) == len(few)
