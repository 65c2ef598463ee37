"""SQL query counts of the billing API: an account's figures, ledger, turnover and calendar
cost the same whatever the number of entries; the staff's list with its figures and the
totals per building cost the same whatever the number of accounts and buildings; the
household's list likewise whatever the number of its accounts.

The people are the tickets' cast (built once per module); the ledgers are made per test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.billing.models import BillingAccount
from tests.api.test_billing_accounts import gid, ledger_of
from tests.billing.kit import charge, open_account, pay
from tests.factories import tickets as tf
from tests.factories.residents import BuildingFactory, UnitFactory

pytestmark = pytest.mark.django_db

ACCOUNT = """
query($id: ID!, $from: Date!, $to: Date!) { billingAccount(id: $id) {
  id number { formatted } payerName unit { number building { code } }
  balance overdue agedDebt { notDue days1To30 days31To60 days61To90 over90Days total }
  turnover(from: $from, to: $to) { opening { balance } months { month debits credits } closing { balance } }
  entries(first: 100) { totalCount edges { cursor node {
    id kind component bookingDate payBy amount title correctsId
  } } }
  paymentCalendar { dueDate payBy amount }
} }
"""

HOUSEHOLD = """
query($from: Date!, $to: Date!) { viewer { billingAccounts { totalCount edges { node {
  id number { formatted electronic } payerName openedOn unit { number building { code } }
  balance overdue agedDebt { overdue total }
  turnover(from: $from, to: $to) { closing { balance } }
  entries(first: 20) { totalCount edges { node { amount kind } } }
  paymentCalendar { payBy amount }
} } } } }
"""

HOUSEHOLD_LIST = """
query { viewer { billingAccounts { totalCount edges { node {
  id number { formatted } payerName unit { number building { code } } balance overdue agedDebt { overdue total }
} } } } }
"""

STAFF_LIST = """
query($filter: BillingAccountFilter) { billingAccounts(filter: $filter, first: 100) { totalCount edges { node {
  id number { formatted electronic } payerName openedOn closedOn isOpen unit { number building { code street } }
  balance overdue agedDebt { notDue days1To30 days31To60 days61To90 over90Days overdue total }
} } } }
"""

TOTALS = "query { billingTotalsByBuilding { building { code estate { name } } accounts openAccounts balance overdue } }"


def _months(today):
    return {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}


def _busy(account: BillingAccount, months: int) -> None:
    """`months` monthly charges of three components, a payment after each month."""
    today = timezone.localdate()
    for n in range(months):
        due = today - timedelta(days=30 * n + 3)
        for component in ("maintenance", "repair_fund", "cold_water"):
            charge(account, "123.45", due=due, component=component, title=f"{component} {n}")
        if n % 2:
            pay(account, "250.00", on=due + timedelta(days=1))


def test_one_account_costs_the_same_whatever_its_ledger_holds(gql, cast):
    today = timezone.localdate()
    small = open_account(cast.unit, payer_name="Mała", opened_on=today - timedelta(days=900))
    ledger_of(small, today)  # 5 entries
    large = open_account(cast.other_unit, payer_name="Duża", opened_on=today - timedelta(days=900))
    _busy(large, 12)  # 42 entries, allocations and a year of months
    gql.login(tf.staff("accountant", username="ksiegowa-liczy"))
    small_count, small_data = gql.count_queries(ACCOUNT, {"id": gid(small), **_months(today)})
    large_count, large_data = gql.count_queries(ACCOUNT, {"id": gid(large), **_months(today)})
    assert small_data["billingAccount"]["entries"]["totalCount"] == 5
    assert large_data["billingAccount"]["entries"]["totalCount"] == 42
    assert len(large_data["billingAccount"]["turnover"]["months"]) >= 12
    assert small_count == large_count
    # The session, the user and their permissions, the staff check (5); the account with its
    # unit, building and figures (1), the turnover (2), the page of entries with its total
    # count (1), the calendar (1).
    assert large_count == 10, large_count


def test_the_households_accounts_cost_the_same_whatever_their_ledgers_hold(gql, cast):
    today = timezone.localdate()
    account = open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=900))
    ledger_of(account, today)
    gql.login(cast.reporter)
    small, _ = gql.count_queries(HOUSEHOLD, _months(today))
    _busy(account, 12)
    large, data = gql.count_queries(HOUSEHOLD, _months(today))
    assert data["viewer"]["billingAccounts"]["edges"][0]["node"]["entries"]["totalCount"] == 47
    assert small == large


def test_the_households_list_costs_the_same_whatever_the_number_of_accounts(gql, cast):
    today = timezone.localdate()
    first = open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=900))
    ledger_of(first, today)
    gql.login(cast.reporter)
    one, _ = gql.count_queries(HOUSEHOLD_LIST)
    for n in range(3):  # a payer of their own for parts of the unit, a garage, a storage room
        extra = open_account(cast.unit, payer_name=f"Anna Nowak {n}", opened_on=today - timedelta(days=900))
        ledger_of(extra, today)
    four, data = gql.count_queries(HOUSEHOLD_LIST)
    assert data["viewer"]["billingAccounts"]["totalCount"] == 4
    assert one == four


def _accounts(building, count: int) -> None:
    today = timezone.localdate()
    for n in range(count):
        account = open_account(
            UnitFactory(building=building, number=f"{n + 10}"), payer_name=f"Płatnik {n}", opened_on=today
        )
        charge(account, "100.01", due=today - timedelta(days=40 + n))
        if n % 3 == 0:
            pay(account, "50.00", on=today - timedelta(days=1))


def test_the_staff_list_and_totals_cost_the_same_whatever_the_number_of_accounts(gql, cast):
    gql.login(cast.board)
    _accounts(cast.building, 3)
    small_list, small_data = gql.count_queries(STAFF_LIST)
    small_totals, _ = gql.count_queries(TOTALS)
    small_filtered, _ = gql.count_queries(STAFF_LIST, {"filter": {"overdueAbove": "10", "isOpen": True}})
    _accounts(cast.other_building, 15)
    _accounts(BuildingFactory(estate=cast.building.estate, code="C-liczy"), 15)
    large_list, large_data = gql.count_queries(STAFF_LIST)
    large_totals, totals = gql.count_queries(TOTALS)
    large_filtered, filtered = gql.count_queries(STAFF_LIST, {"filter": {"overdueAbove": "10", "isOpen": True}})
    assert small_data["billingAccounts"]["totalCount"] == 3
    assert large_data["billingAccounts"]["totalCount"] == 33
    assert filtered["billingAccounts"]["totalCount"] == 33
    assert len(totals["billingTotalsByBuilding"]) == 3
    assert (small_list, small_totals, small_filtered) == (large_list, large_totals, large_filtered)
    # The session, the user and their permissions (4), the staff check (is the person a
    # contractor's worker?, asked by two selectors), then one page with every figure in it
    # and its total count: 7. The totals: the same 4, the staff check, four of their own: 9.
    assert large_list == 7, large_list
    assert large_totals == 9, large_totals
