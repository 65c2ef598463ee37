"""`BillingAccount.documents`, `BillingAccount.paymentQr` for every kind of viewer, and the
query counts of lists of accounts with every per-account field (turnover, entries,
calendar, documents, consents, the payment code): the same whatever the number of
accounts and whatever the number of entries.

The people are the tickets' cast (built once per module); accounts and documents per test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from strawberry import relay

from operations.billing import services
from operations.billing.models import BillingAccount, BillingDocument
from operations.billing.policy import PERMISSIONS_READ
from operations.residents.models import Membership
from tests.api.test_billing_accounts import gid, ledger_of
from tests.billing.kit import charge, grant, open_account, pay
from tests.factories import tickets as tf
from tests.factories.residents import UnitFactory

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 100000))


def document(account: BillingAccount, kind="statement", *, issued_on: date | None = None, amount="12.34"):
    n = next(_numbers)
    return BillingDocument.objects.create(
        account=account,
        kind=kind,
        number=f"T/{n:05d}",
        issued_on=issued_on or timezone.localdate(),
        amount=amount,
        file=f"billing-documents/test-{n}.pdf",
        sha256="0" * 64,
        created_by_process="tests",
    )


def doc_gid(doc) -> str:
    return str(relay.GlobalID("BillingDocument", str(doc.pk)))


ONE = """
query($id: ID!) { billingAccount(id: $id) {
  id
  documents(first: 10) { totalCount edges { node { id kind number issuedOn periodFrom periodTo amount downloadUrl } } }
  paymentQr { payload svg amount recipient title }
} }
"""

MINE = """
query { viewer { billingAccounts { edges { node { id documents { totalCount edges { node { id } } } } } } } }
"""


@pytest.fixture
def books(cast):
    today = timezone.localdate()
    home = open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=200))
    stranger_unit = Membership.objects.live().get(user=cast.stranger).unit
    other = open_account(stranger_unit, payer_name="Jan Obcy", opened_on=today - timedelta(days=200))
    ledger_of(home, today)
    docs = [
        document(home, "statement", issued_on=today - timedelta(days=40)),
        document(home, "demand", issued_on=today - timedelta(days=2), amount="140.67"),
    ]
    document(other, "statement")
    return home, other, docs


def _one(gql, user, account):
    gql.logout()
    if user is not None:
        gql.login(user)
    return gql.data(ONE, {"id": gid(account)})["billingAccount"]


def test_anonymous_sees_no_account_and_so_no_documents(gql, books):
    home, _other, _docs = books
    assert _one(gql, None, home) is None
    assert gql.logout().data(MINE) == {"viewer": None}


def test_the_owner_sees_their_documents_newest_first_with_download_addresses(gql, cast, books):
    home, _other, docs = books
    data = _one(gql, cast.reporter, home)
    nodes = [edge["node"] for edge in data["documents"]["edges"]]
    assert data["documents"]["totalCount"] == 2
    assert [node["id"] for node in nodes] == [doc_gid(docs[1]), doc_gid(docs[0])]
    assert nodes[0]["kind"] == "DEMAND" and nodes[0]["amount"] == "140.67" and nodes[0]["number"] == docs[1].number
    assert nodes[0]["downloadUrl"] == f"http://testserver/billing/documents/{docs[1].pk}/pdf/"
    mine = gql.data(MINE)["viewer"]["billingAccounts"]["edges"]
    assert [edge["node"]["documents"]["totalCount"] for edge in mine] == [2]


def test_the_owner_gets_a_payment_code_for_what_is_due_now(gql, cast, books):
    home, _other, _docs = books
    qr = _one(gql, cast.reporter, home)["paymentQr"]
    # 100.00 and 40.67 overdue, 310.00 payable in five days.
    assert qr["amount"] == "450.67"
    fields = qr["payload"].split("|")
    assert fields[1:4] == ["PL", home.iban[2:], "045067"]
    assert fields[4] == qr["recipient"][:20] and "/1" in fields[5] and fields[5] == qr["title"][:32]
    assert qr["svg"].startswith("<svg")


def test_a_paid_up_account_gets_a_code_without_an_amount(gql, cast):
    today = timezone.localdate()
    account = open_account(cast.unit, payer_name="Zapłacone", opened_on=today - timedelta(days=100))
    charge(account, "50.00", due=today - timedelta(days=20))
    pay(account, "50.00", on=today - timedelta(days=21))
    qr = _one(gql, cast.reporter, account)["paymentQr"]
    assert qr["amount"] is None and qr["payload"].split("|")[3] == "000000"


def test_another_buildings_resident_sees_neither(gql, cast, books):
    home, other, _docs = books
    assert _one(gql, cast.stranger, home) is None
    mine = gql.data(MINE)["viewer"]["billingAccounts"]["edges"]
    assert [edge["node"]["id"] for edge in mine] == [gid(other)]
    assert mine[0]["node"]["documents"]["totalCount"] == 1


def test_a_tenant_sees_documents_only_when_the_cooperative_allows_it(gql, cast, books, settings):
    home, _other, _docs = books
    assert _one(gql, cast.co_resident, home) is None
    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    data = _one(gql, cast.co_resident, home)
    assert data["documents"]["totalCount"] == 2 and data["paymentQr"]["amount"] == "450.67"


def test_a_contractors_worker_sees_nothing_even_with_the_permission(gql, cast, books):
    home, _other, _docs = books
    assert _one(gql, cast.firm_worker, home) is None
    assert _one(gql, grant(cast.firm_worker, *PERMISSIONS_READ), home) is None


def test_staff_see_every_accounts_documents_and_code(gql, cast, books):
    home, other, _docs = books
    accountant = tf.staff("accountant", username="ksiegowa-dokumenty")
    assert _one(gql, accountant, home)["documents"]["totalCount"] == 2
    assert _one(gql, accountant, other)["documents"]["totalCount"] == 1
    assert _one(gql, accountant, home)["paymentQr"]["amount"] == "450.67"


def test_documents_page_with_cursors(gql, cast, books):
    home, _other, docs = books
    extra = [document(home, "interest_note", issued_on=timezone.localdate() - timedelta(days=n)) for n in (60, 70)]
    gql.logout().login(cast.reporter)
    query = """query($id: ID!, $after: String) { billingAccount(id: $id) {
      documents(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
    } }"""
    first = gql.data(query, {"id": gid(home)})["billingAccount"]["documents"]
    second = gql.data(query, {"id": gid(home), "after": first["pageInfo"]["endCursor"]})["billingAccount"]["documents"]
    assert first["totalCount"] == second["totalCount"] == 4
    assert first["pageInfo"]["hasNextPage"] is True and second["pageInfo"]["hasNextPage"] is False
    ids = [edge["node"]["id"] for edge in first["edges"] + second["edges"]]
    assert ids == [doc_gid(doc) for doc in [docs[1], docs[0], *extra]]


# --- Query counts of lists of accounts ------------------------------------------------------------

EVERYTHING = """
  id balance overdue agedDebt { overdue total }
  turnover(from: $from, to: $to) { opening { balance } months { month debits credits } closing { balance } }
  entries(first: 5) { totalCount pageInfo { hasNextPage } edges { cursor node { id amount kind } } }
  paymentCalendar { payBy amount }
  documents(first: 3) { totalCount edges { node { id number downloadUrl } } }
  consents { reminders electronicDocuments }
  paymentQr { payload amount }
"""

STAFF_LIST = (
    "query($from: Date!, $to: Date!) { billingAccounts(first: 100) { totalCount edges { node {" + EVERYTHING + "} } } }"
)
HOUSEHOLD_LIST = (
    "query($from: Date!, $to: Date!) { viewer { billingAccounts { totalCount edges { node {" + EVERYTHING + "} } } } }"
)


def _months():
    today = timezone.localdate()
    return {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}


def _accounts(unit_of, count: int, *, entries: int = 3) -> list[BillingAccount]:
    today = timezone.localdate()
    made = []
    for n in range(count):
        account = open_account(unit_of(n), payer_name=f"Płatnik {n}", opened_on=today - timedelta(days=400))
        for m in range(entries):
            charge(account, "100.01", due=today - timedelta(days=10 * m - 15), title=f"opłata {m}")
        pay(account, "50.00", on=today - timedelta(days=1))
        document(account, "statement")
        made.append(account)
    return made


def test_the_staff_list_with_every_field_costs_the_same_for_2_and_10_accounts(gql, cast):
    gql.login(cast.board)
    building = cast.other_building
    _accounts(lambda n: UnitFactory(building=building, number=f"S{n}"), 2)
    gql.data(STAFF_LIST, _months())  # the first answer makes the contact card's row
    small, small_data = gql.count_queries(STAFF_LIST, _months())
    _accounts(lambda n: UnitFactory(building=building, number=f"L{n}"), 8)
    large, large_data = gql.count_queries(STAFF_LIST, _months())
    assert small_data["billingAccounts"]["totalCount"] == 2
    assert large_data["billingAccounts"]["totalCount"] == 10
    node = large_data["billingAccounts"]["edges"][-1]["node"]
    assert node["entries"]["totalCount"] == 4 and len(node["entries"]["edges"]) == 4
    assert node["documents"]["totalCount"] == 1 and node["paymentQr"]["payload"]
    assert small == large, (small, large)


def test_the_households_list_costs_the_same_for_2_and_10_accounts(gql, cast):
    gql.login(cast.reporter)
    _accounts(lambda n: cast.unit, 2)
    gql.data(HOUSEHOLD_LIST, _months())  # the first answer makes the contact card's row
    small, small_data = gql.count_queries(HOUSEHOLD_LIST, _months())
    _accounts(lambda n: cast.unit, 8)
    large, large_data = gql.count_queries(HOUSEHOLD_LIST, _months())
    assert small_data["viewer"]["billingAccounts"]["totalCount"] == 2
    assert large_data["viewer"]["billingAccounts"]["totalCount"] == 10
    assert small == large, (small, large)


def test_the_households_list_costs_the_same_for_2_and_30_entries(gql, cast):
    gql.login(cast.reporter)
    small_account, large_account = _accounts(lambda n: cast.unit, 2, entries=2)
    gql.data(HOUSEHOLD_LIST, _months())  # the first answer makes the contact card's row
    small, small_data = gql.count_queries(HOUSEHOLD_LIST, _months())
    today = timezone.localdate()
    for m in range(28):
        charge(large_account, "10.00", due=today - timedelta(days=m), title=f"więcej {m}")
    large, large_data = gql.count_queries(HOUSEHOLD_LIST, _months())
    counts = [edge["node"]["entries"]["totalCount"] for edge in large_data["viewer"]["billingAccounts"]["edges"]]
    assert sorted(counts) == [3, 31]
    assert small == large, (small, large)


def test_an_account_with_nothing_costs_no_more_than_one_with_everything(gql, cast):
    """An empty first page of entries or documents is answered from the window: no count."""
    gql.login(cast.reporter)
    today = timezone.localdate()
    _accounts(lambda n: cast.unit, 2)
    gql.data(HOUSEHOLD_LIST, _months())  # the first answer makes the contact card's row
    full, _ = gql.count_queries(HOUSEHOLD_LIST, _months())
    open_account(cast.unit, payer_name="Pusty", opened_on=today)
    with_empty, data = gql.count_queries(HOUSEHOLD_LIST, _months())
    empty = data["viewer"]["billingAccounts"]["edges"][-1]["node"]
    assert empty["entries"]["totalCount"] == 0 and empty["documents"]["totalCount"] == 0
    assert empty["consents"] == {"reminders": False, "electronicDocuments": False}
    assert full == with_empty, (full, with_empty)


def test_consents_in_a_list_are_the_viewers_own(gql, cast):
    gql.login(cast.reporter)
    first, second = _accounts(lambda n: cast.unit, 2)
    services.consents_update(account=second, person=cast.reporter, reminders=True)
    data = gql.data(HOUSEHOLD_LIST, _months())["viewer"]["billingAccounts"]["edges"]
    by_id = {edge["node"]["id"]: edge["node"]["consents"]["reminders"] for edge in data}
    assert by_id == {gid(first): False, gid(second): True}
