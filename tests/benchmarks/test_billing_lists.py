"""A household's billing accounts and an account's documents as the portal asks for them,
against hand-written floor views.

Run on purpose: `.venv/bin/python -m pytest -m benchmark -s -q -n 0 tests/benchmarks/test_billing_lists.py`
(`BENCHMARK_PROFILE=20` adds a cProfile of each case, see `kit.py`).

The viewer is the resident who holds the unit (the tickets' cast's reporter, an owner):
billing lists are the household's own (`viewer.billingAccounts`, `billingAccount(id)`);
the accountants' list of every account is another field (`Query.billingAccounts`) that
no stored operation asks for. Ledgers are posted through the services
(`tests/billing/kit.py`), documents are rows as the statements' import leaves them.

- `BillingAccounts` (`graphql/operations/BillingAccounts.graphql`): the operation asks
  for `billingAccounts(first: 20)`, so a page is at most 20 accounts, each with its
  figures (balance, aged debt, payment calendar), its payment QR code (an SVG each), the
  viewer's consents and its first 10 of 12 documents: 20 accounts and 200 documents in
  an answer. A household holds a few accounts (a flat, a garage, a storage room); 20 is
  the operation's page, not a likely household. Query counts at 10 and 20 accounts.
- `BillingDocuments` (`graphql/operations/BillingDocuments.graphql`) with `first: 100`:
  one account's 110 documents (statements, demands, interest notes). Query counts at
  10 and 100 documents.

Personal data, never served from a shared cache: warm (requests repeated) and cold
(every cache emptied before each). Asserts only that GraphQL and the floor return the
same JSON and that the GraphQL query count does not grow with the items; speed is
reported, never asserted.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from strawberry.relay import to_base64

from operations.billing.models import BillingAccount, BillingDocument
from tests.benchmarks import kit
from tests.billing.kit import charge, open_account, pay
from tests.factories import tickets as tf

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

ACCOUNTS = 20  # the operation's page
DOCUMENTS_PER_ACCOUNT = 12
DOCUMENTS = 110

_numbers = iter(range(1, 10**6))


def _document(account: BillingAccount, n: int, today) -> BillingDocument:
    """A statement, a payment demand or an interest note, as the import stores it."""
    kind = ("statement", "demand", "interest_note")[n % 3]
    number = next(_numbers)
    issued = today - timedelta(days=7 * n + 1)
    statement = kind == "statement"
    return BillingDocument.objects.create(
        account=account,
        kind=kind,
        number=f"WZ/2026/{number:05d}",
        issued_on=issued,
        period_from=issued - timedelta(days=30) if statement else None,
        period_to=issued - timedelta(days=1) if statement else None,
        amount=f"{100 + n}.{n % 100:02d}",
        file=f"billing-documents/benchmark-{number}.pdf",
        sha256="0" * 64,
        created_by_process="tests",
    )


def _account(unit, n: int, today) -> BillingAccount:
    """An account opened 400 days ago with a year of monthly charges (three components),
    payments for most months, one charge still to come, and its documents."""
    account = open_account(unit, payer_name=f"Anna Nowak {n + 1}", opened_on=today - timedelta(days=400))
    for month in range(12):
        due = today - timedelta(days=30 * month + 5)
        for component in ("maintenance", "repair_fund", "cold_water"):
            charge(account, f"{120 + n}.45", due=due, component=component, title=f"{component} {month}")
        if month % 3:
            pay(account, f"{360 + n}.00", on=due + timedelta(days=2))
    charge(account, "310.00", due=today + timedelta(days=5), component="maintenance", title="next month")
    for d in range(DOCUMENTS_PER_ACCOUNT):
        _document(account, d, today)
    return account


def _resident(cast) -> Client:
    client = Client()
    client.force_login(cast.reporter)
    return client


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_billing_accounts_list_graphql_against_floor():
    today = timezone.localdate()
    cast = tf.build_cast(with_firms=False)
    _account(cast.other_unit, 99, today)  # the neighbour's account stays theirs
    resident = _resident(cast)
    query = kit.operation("BillingAccounts")
    graphql_call = kit.graphql(resident, query)
    floor_call = kit.get(resident, "/floor/billing-accounts")

    for n in range(10):
        _account(cast.unit, n, today)
    kit.answer(graphql_call), kit.answer(floor_call)  # what a first request reads once (site, contact)
    queries_at = {10: kit.queries(graphql_call)}
    floor_queries_at = {10: kit.queries(floor_call)}
    for n in range(10, ACCOUNTS):
        _account(cast.unit, n, today)
    queries_at[ACCOUNTS] = kit.queries(graphql_call)
    floor_queries_at[ACCOUNTS] = kit.queries(floor_call)

    got = kit.answer(graphql_call)
    assert got == kit.answer(floor_call)
    accounts = got["data"]["viewer"]["billingAccounts"]
    assert accounts["totalCount"] == ACCOUNTS and len(accounts["edges"]) == ACCOUNTS
    first = accounts["edges"][0]["node"]
    assert first["documents"]["totalCount"] == DOCUMENTS_PER_ACCOUNT and len(first["documents"]["edges"]) == 10
    assert first["paymentQr"]["svg"].startswith("<svg") and first["paymentCalendar"]
    assert queries_at[10] == queries_at[ACCOUNTS], queries_at

    rows = {}
    for cold in (False, True):
        label = f"billing accounts, resident, {'cold' if cold else 'warm'}"
        rows[label] = kit.compare(label, graphql_call, floor_call, cold=cold, bound_query=query)
    kit.report(
        "billing accounts list",
        rows,
        items=f"{ACCOUNTS} accounts, {ACCOUNTS * 10} documents",
        graphql_queries_at_10_and_20_accounts=f"{queries_at[10]}/{queries_at[ACCOUNTS]}",
        floor_queries_at_10_and_20_accounts=f"{floor_queries_at[10]}/{floor_queries_at[ACCOUNTS]}",
    )


@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_billing_documents_list_graphql_against_floor():
    today = timezone.localdate()
    cast = tf.build_cast(with_firms=False)
    account = open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=900))
    other = open_account(cast.other_unit, payer_name="Jan Sąsiad", opened_on=today - timedelta(days=900))
    for d in range(5):
        _document(other, d, today)  # someone else's documents stay theirs
    resident = _resident(cast)
    query = kit.operation("BillingDocuments")
    variables = {"id": to_base64("BillingAccount", account.pk), "first": 100}
    graphql_call = kit.graphql(resident, query, variables)
    floor_call = kit.get(resident, f"/floor/billing-documents/{account.pk}?first=100")

    for d in range(10):
        _document(account, d, today)
    kit.answer(graphql_call), kit.answer(floor_call)  # what a first request reads once (site, contact)
    queries_at = {10: kit.queries(graphql_call)}
    floor_queries_at = {10: kit.queries(floor_call)}
    for d in range(10, DOCUMENTS):
        _document(account, d, today)
    queries_at[100] = kit.queries(graphql_call)
    floor_queries_at[100] = kit.queries(floor_call)

    got = kit.answer(graphql_call)
    assert got == kit.answer(floor_call)
    documents = got["data"]["billingAccount"]["documents"]
    assert documents["totalCount"] == DOCUMENTS and len(documents["edges"]) == 100
    assert documents["pageInfo"]["hasNextPage"]
    assert queries_at[10] == queries_at[100], queries_at

    rows = {}
    for cold in (False, True):
        label = f"billing documents, resident, {'cold' if cold else 'warm'}"
        rows[label] = kit.compare(
            label, graphql_call, floor_call, cold=cold, bound_query=query, bound_variables=variables
        )
    kit.report(
        "billing documents list",
        rows,
        items=100,
        graphql_queries_at_10_and_100=f"{queries_at[10]}/{queries_at[100]}",
        floor_queries_at_10_and_100=f"{floor_queries_at[10]}/{floor_queries_at[100]}",
    )
