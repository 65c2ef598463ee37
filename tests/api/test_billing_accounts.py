"""The billing API for every kind of viewer: `viewer.billingAccounts` (a household's own
accounts), the staff's `billingAccounts`, `billingAccount(id)` and `billingTotalsByBuilding`;
and the figures an account answers, to the grosz, as the selectors compute them.

The people are the tickets' cast (buildings A and B, built once per module); the accounts
and their ledgers are made per test through the billing services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from strawberry import relay

from operations.billing import selectors
from operations.billing.account_numbers import format_account_number
from operations.billing.models import BillingAccount, month_of
from operations.billing.policy import PERMISSIONS_READ
from operations.residents.models import Membership
from tests.billing.kit import charge, correct, grant, open_account, pay
from tests.factories import tickets as tf

pytestmark = pytest.mark.django_db


def gid(account: BillingAccount) -> str:
    return str(relay.GlobalID("BillingAccount", str(account.pk)))


@dataclass
class Books:
    """Building A's unit 1 (the cast's reporter owns it, its co-resident is a tenant) and a
    unit of building B (the stranger's), an account each, and an accountant."""

    home: BillingAccount
    other: BillingAccount
    accountant: object
    today: date


def ledger_of(account: BillingAccount, today: date) -> None:
    """300.00 due 95 days ago, 45.67 due 40 days ago corrected by -5.00, a payment of 200.00
    (to the oldest debt), 310.00 due in 5 days: balance -450.67, overdue 140.67 (100.00 over
    90 days, 40.67 of 31-60 days), 310.00 not yet due."""
    old = charge(account, "300.00", due=today - timedelta(days=95), title="Opłata eksploatacyjna")
    water = charge(account, "45.67", due=today - timedelta(days=40), component="cold_water", title="Woda")
    pay(account, "200.00", on=today - timedelta(days=35), title="Przelew")
    correct(water, "-5.00", on=today - timedelta(days=30), title="Korekta wody")
    charge(account, "310.00", due=today + timedelta(days=5), booked=today, title="Opłata eksploatacyjna")
    assert old.pk


@pytest.fixture
def books(cast) -> Books:
    today = timezone.localdate()
    stranger_unit = Membership.objects.live().get(user=cast.stranger).unit
    home = open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=200))
    other = open_account(stranger_unit, payer_name="Jan Obcy", opened_on=today - timedelta(days=200))
    ledger_of(home, today)
    charge(other, "99.99", due=today - timedelta(days=10), title="Czynsz")
    accountant = tf.staff("accountant", username="ksiegowa-api")
    return Books(home=home, other=other, accountant=accountant, today=today)


VIEWER = """
query { viewer { billingAccounts { totalCount edges { node {
  id payerName balance overdue number { formatted electronic } unit { number building { code } }
} } } } }
"""

STAFF = """
query($id: ID!) {
  billingAccounts { totalCount edges { node { id balance } } }
  billingTotalsByBuilding { building { code } accounts balance overdue }
  billingAccount(id: $id) { id payerName }
}
"""


def _viewer_accounts(gql, user) -> list[str] | None:
    gql.logout()
    if user is not None:
        gql.login(user)
    viewer = gql.data(VIEWER)["viewer"]
    if viewer is None:
        return None
    return [edge["node"]["id"] for edge in viewer["billingAccounts"]["edges"]]


def _staff_view(gql, user, account) -> dict:
    gql.logout()
    if user is not None:
        gql.login(user)
    return gql.data(STAFF, {"id": gid(account)})


def _sees_nothing_as_staff(data) -> bool:
    return (
        data["billingAccounts"] == {"totalCount": 0, "edges": []}
        and data["billingTotalsByBuilding"] == []
        and data["billingAccount"] is None
    )


# --- Who sees what ---------------------------------------------------------------------------------


def test_anonymous_sees_nothing(gql, books):
    assert _viewer_accounts(gql, None) is None
    assert _sees_nothing_as_staff(_staff_view(gql, None, books.home))


def test_the_owner_sees_their_households_account_and_no_other(gql, cast, books):
    assert _viewer_accounts(gql, cast.reporter) == [gid(books.home)]
    data = _staff_view(gql, cast.reporter, books.home)
    assert data["billingAccount"] == {"id": gid(books.home), "payerName": "Anna Nowak"}
    assert data["billingAccounts"]["totalCount"] == 0  # the staff's list is not theirs
    assert data["billingTotalsByBuilding"] == []
    assert _staff_view(gql, cast.reporter, books.other)["billingAccount"] is None


def test_another_buildings_resident_sees_only_their_own(gql, cast, books):
    assert _viewer_accounts(gql, cast.stranger) == [gid(books.other)]
    assert _staff_view(gql, cast.stranger, books.home)["billingAccount"] is None


def test_a_neighbour_of_the_same_building_sees_nothing(gql, cast, books):
    assert _viewer_accounts(gql, cast.neighbour) == []
    assert _sees_nothing_as_staff(_staff_view(gql, cast.neighbour, books.home))


def test_a_tenant_sees_the_account_only_when_the_cooperative_allows_it(gql, cast, books, settings):
    assert _viewer_accounts(gql, cast.co_resident) == []  # BILLING_TENANTS_SEE_ACCOUNTS is off by default
    assert _staff_view(gql, cast.co_resident, books.home)["billingAccount"] is None
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    assert _viewer_accounts(gql, cast.co_resident) == [gid(books.home)]
    assert _staff_view(gql, cast.co_resident, books.home)["billingAccount"]["id"] == gid(books.home)


def test_a_contractors_worker_sees_nothing_even_with_the_permission(gql, cast, books):
    assert _viewer_accounts(gql, cast.firm_worker) == []
    assert _sees_nothing_as_staff(_staff_view(gql, cast.firm_worker, books.home))
    mistaken = grant(cast.firm_worker, *PERMISSIONS_READ)
    assert _viewer_accounts(gql, mistaken) == []
    assert _sees_nothing_as_staff(_staff_view(gql, mistaken, books.home))


@pytest.mark.parametrize("who", ["accountant", "board"])
def test_accountants_and_the_board_see_every_account_but_none_as_their_own(gql, cast, books, who):
    user = books.accountant if who == "accountant" else cast.board
    assert _viewer_accounts(gql, user) == []  # no unit of their own
    data = _staff_view(gql, user, books.home)
    assert data["billingAccounts"]["totalCount"] == 2
    assert [edge["node"]["id"] for edge in data["billingAccounts"]["edges"]] == [gid(books.home), gid(books.other)]
    assert data["billingAccount"]["id"] == gid(books.home)
    assert data["billingTotalsByBuilding"] == [
        {"building": {"code": cast.building.code}, "accounts": 1, "balance": "-450.67", "overdue": "140.67"},
        {"building": {"code": cast.other_building.code}, "accounts": 1, "balance": "-99.99", "overdue": "99.99"},
    ]


def test_a_dispatcher_without_the_billing_permission_sees_nothing(gql, cast, books):
    assert _viewer_accounts(gql, cast.dispatcher) == []
    assert _sees_nothing_as_staff(_staff_view(gql, cast.dispatcher, books.home))


def test_a_staff_member_who_owns_a_unit_sees_only_that_as_their_own(gql, cast, books):
    owner_accountant = grant(cast.reporter, *PERMISSIONS_READ)
    assert _viewer_accounts(gql, owner_accountant) == [gid(books.home)]
    assert _staff_view(gql, owner_accountant, books.home)["billingAccounts"]["totalCount"] == 2


def test_an_ended_membership_sees_the_account_no_more(gql, cast, books):
    from operations.residents import services as residents

    owner = tf.resident(cast.unit, username="wyprowadzony")
    assert _viewer_accounts(gql, owner) == [gid(books.home)]
    residents.membership_end(membership=Membership.objects.live().get(user=owner), ended_by=owner)
    assert _viewer_accounts(gql, tf.fresh(owner)) == []


# --- The staff's filters ---------------------------------------------------------------------------

FILTERED = """
query($filter: BillingAccountFilter) { billingAccounts(filter: $filter) { totalCount edges { node { id } } } }
"""


def _filtered(gql, books, **filter) -> list[str]:
    gql.logout().login(books.accountant)
    data = gql.data(FILTERED, {"filter": filter})["billingAccounts"]
    return [edge["node"]["id"] for edge in data["edges"]]


def test_the_staff_list_filters_by_building_arrears_and_state(gql, cast, books):
    closed = open_account(cast.other_unit, payer_name="Poprzedni", opened_on=books.today - timedelta(days=400))
    from operations.billing import services

    services.account_close(account=closed, closed_on=books.today - timedelta(days=100), by=books.accountant)
    home, other, closed_id = gid(books.home), gid(books.other), gid(closed)
    assert _filtered(gql, books, buildingId=str(cast.building.pk)) == [home, closed_id]
    assert _filtered(gql, books, buildingId=str(cast.other_building.pk)) == [other]
    assert _filtered(gql, books, overdueAbove="100.00") == [home]
    assert _filtered(gql, books, overdueAbove="140.67") == []
    assert _filtered(gql, books, overdueAbove="0") == [home, other]
    assert _filtered(gql, books, isOpen=False) == [closed_id]
    assert _filtered(gql, books, isOpen=True, buildingId=str(cast.building.pk)) == [home]


def test_a_negative_arrears_threshold_is_the_clients_mistake(gql, books):
    gql.logout().login(books.accountant)
    result = gql.execute(FILTERED, {"filter": {"overdueAbove": "-1"}})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_an_id_of_another_type_is_the_clients_mistake(gql, cast, books):
    gql.logout().login(cast.reporter)
    result = gql.execute("query($id: ID!) { billingAccount(id: $id) { id } }", {"id": "VGlja2V0OjE="})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- The figures, to the grosz ---------------------------------------------------------------------

ACCOUNT = """
query($id: ID!, $from: Date!, $to: Date!, $filter: LedgerEntryFilter) { billingAccount(id: $id) {
  number { formatted electronic } payerName openedOn closedOn isOpen unit { number building { code } }
  balance overdue
  agedDebt { notDue days1To30 days31To60 days61To90 over90Days overdue total }
  turnover(from: $from, to: $to) {
    since until opening { debits credits balance } months { month debits credits } closing { debits credits balance }
  }
  entries(filter: $filter, first: 10) { totalCount edges { node {
    kind component bookingDate dueDate payBy period amount title correctsId
  } } }
  paymentCalendar { dueDate payBy amount }
} }
"""


def _account(gql, user, account, *, since, until, filter=None) -> dict:
    gql.logout().login(user)
    variables = {"id": gid(account), "from": since.isoformat(), "to": until.isoformat(), "filter": filter}
    return gql.data(ACCOUNT, variables)["billingAccount"]


def test_an_account_answers_its_figures_as_the_selectors_compute_them(gql, cast, books):
    home, today = books.home, books.today
    since = today - timedelta(days=95)
    data = _account(gql, cast.reporter, home, since=since, until=today)
    assert data["number"] == {"formatted": format_account_number(home.iban), "electronic": home.iban}
    assert data["number"]["formatted"].startswith("PL") and len(data["number"]["formatted"].split(" ")) == 7
    assert data["unit"] == {"number": "1", "building": {"code": cast.building.code}}
    assert (data["payerName"], data["isOpen"], data["closedOn"]) == ("Anna Nowak", True, None)
    assert data["balance"] == "-450.67" == str(selectors.account_balance(home).balance)
    assert data["overdue"] == "140.67"
    aged = selectors.account_aged_debt(home)
    assert data["agedDebt"] == {
        "notDue": "310.00",
        "days1To30": "0.00",
        "days31To60": "40.67",
        "days61To90": "0.00",
        "over90Days": "100.00",
        "overdue": "140.67",
        "total": "450.67",
    }
    assert data["agedDebt"]["total"] == str(aged.total)

    opening, months, closing = selectors.account_turnover(home, start=month_of(since), end=_month_end(today))
    turnover = data["turnover"]
    assert turnover["since"] == month_of(since).isoformat()
    assert turnover["opening"] == {"debits": "0.00", "credits": "0.00", "balance": "0.00"}
    assert turnover["months"] == [
        {"month": row.period.isoformat(), "debits": str(row.debits), "credits": str(row.credits)} for row in months
    ]
    assert turnover["closing"] == {
        "debits": str(closing.debits),
        "credits": str(closing.credits),
        "balance": str(closing.balance),
    }
    assert turnover["closing"]["balance"] == "-450.67"

    entries = data["entries"]
    assert entries["totalCount"] == 5
    amounts = [edge["node"]["amount"] for edge in entries["edges"]]
    assert amounts == ["310.00", "-5.00", "-200.00", "45.67", "300.00"]  # newest booked first
    payment = entries["edges"][2]["node"]
    assert (payment["kind"], payment["component"], payment["dueDate"], payment["payBy"]) == (
        "PAYMENT",
        None,
        None,
        None,
    )
    correction = entries["edges"][1]["node"]
    assert correction["kind"] == "CORRECTION" and correction["correctsId"] is not None

    calendar = selectors.payment_calendar(home, today=today)
    assert data["paymentCalendar"] == [
        {"dueDate": day.due_date.isoformat(), "payBy": day.pay_by.isoformat(), "amount": "310.00"} for day in calendar
    ]
    assert len(calendar) == 1


def _month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def test_the_ledger_filters_by_kind_and_period(gql, cast, books):
    today = books.today
    charges = _account(gql, cast.reporter, books.home, since=today, until=today, filter={"kinds": ["CHARGE"]})
    assert [edge["node"]["amount"] for edge in charges["entries"]["edges"]] == ["310.00", "45.67", "300.00"]
    recent = _account(
        gql,
        cast.reporter,
        books.home,
        since=today,
        until=today,
        filter={"sinceMonth": today.isoformat(), "untilMonth": today.isoformat(), "kinds": ["CHARGE", "PAYMENT"]},
    )
    assert [edge["node"]["amount"] for edge in recent["entries"]["edges"]] == ["310.00"]


def test_a_turnover_that_ends_before_it_starts_is_the_clients_mistake(gql, cast, books):
    gql.logout().login(cast.reporter)
    query = 'query($id: ID!) { billingAccount(id: $id) { turnover(from: "2026-05-01", to: "2026-03-31") { since } } }'
    result = gql.execute(query, {"id": gid(books.home)})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_money_is_never_a_float(gql, cast, books):
    gql.logout().login(cast.reporter)
    data = gql.data(VIEWER)["viewer"]["billingAccounts"]["edges"][0]["node"]
    assert isinstance(data["balance"], str) and isinstance(data["overdue"], str)


# --- The portal's stored operations ---------------------------------------------------------------

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


def test_the_portals_operations_answer_the_household_and_nobody_else(gql, cast, books):
    accounts = (OPERATIONS / "BillingAccounts.graphql").read_text()
    account = (OPERATIONS / "BillingAccount.graphql").read_text()
    variables = {"id": gid(books.home), "from": books.today.isoformat(), "to": books.today.isoformat()}
    gql.logout().login(cast.reporter)
    mine = gql.data(accounts)["viewer"]["billingAccounts"]["edges"]
    assert [(edge["node"]["id"], edge["node"]["balance"]) for edge in mine] == [(gid(books.home), "-450.67")]
    assert gql.data(account, variables)["billingAccount"]["entries"]["totalCount"] == 5
    gql.logout().login(cast.stranger)
    assert gql.data(account, variables)["billingAccount"] is None
    gql.logout()
    assert gql.data(accounts)["viewer"] is None
    assert gql.data(account, variables)["billingAccount"] is None
