"""Security review of billing (issue 14, parts 1-3): who reads an account through `/graphql`
(every kind of viewer, bearer tokens, forged and malformed ids, the API's limits), the
response cache, and the statement import (XML attacks, files that are not the
cooperative's, titles that would put a payment on the wrong household). The ledger's
immutability, money and the admin are `test_billing_review_ledger_admin.py`.

Real requests through the Django test client; nothing of ours is mocked.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from strawberry import relay

from cms.core.exceptions import ServiceError
from operations.billing import services
from operations.billing.errors import BillingErrorCode
from operations.billing.models import (
    BankTransaction,
    LedgerEntry,
)
from operations.billing.policy import PERMISSIONS_ACCOUNTANT, PERMISSIONS_READ
from operations.residents import services as residents
from operations.residents.models import Membership
from tests.billing.kit import charge, grant, open_account, pay
from tests.factories import tickets as tf
from tests.factories.residents import MembershipFactory, SuperUserFactory, UserFactory

pytestmark = pytest.mark.django_db

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"
S = BankTransaction.State
D = Decimal


def gid(type_name: str, pk) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def raw_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


ONE = """
query($id: ID!) { billingAccount(id: $id) {
  id payerName balance overdue number { electronic }
  entries(first: 100) { totalCount edges { node { id amount title } } }
} }
"""

MINE = "query { viewer { billingAccounts { totalCount edges { node { id payerName balance } } } } }"

STAFF = """
query { billingAccounts { totalCount edges { node { id } } }
        billingTotalsByBuilding { accounts balance } }
"""


@pytest.fixture
def world(cast):
    """Unit A/1 (the reporter owns it, the co-resident is its tenant) with an account that has
    a charge and a payment; building B's unit (the stranger's) with an account of its own."""
    today = timezone.localdate()
    home = open_account(cast.unit, payer_name="Anna Nowak", opened_on=today - timedelta(days=200))
    charge(home, "300.00", due=today - timedelta(days=40), title="Opłata eksploatacyjna")
    pay(home, "120.50", on=today - timedelta(days=20), title="Przelew Anna Nowak")
    stranger_unit = Membership.objects.live().get(user=cast.stranger).unit
    other = open_account(stranger_unit, payer_name="Jan Obcy", opened_on=today - timedelta(days=200))
    charge(other, "99.99", due=today - timedelta(days=10), title="Czynsz Jan Obcy")
    return home, other


def _as(gql, user):
    gql.logout()
    if user is not None:
        gql.login(user)
    return gql


def account_of(gql, user, account_id: str) -> dict:
    result = _as(gql, user).execute(ONE, {"id": account_id})
    return result


def mine(gql, user) -> list[str] | None:
    viewer = _as(gql, user).data(MINE)["viewer"]
    return None if viewer is None else [edge["node"]["id"] for edge in viewer["billingAccounts"]["edges"]]


def _membership(user, unit, role=Membership.Role.OWNER, *, verified=True):
    return MembershipFactory(user=user, unit=unit, role=role, verified=verified)


# --- 1. Who reads an account -------------------------------------------------------------------------


def test_every_kind_of_viewer_reads_only_what_is_theirs(gql, cast, world, settings):
    home, other = world
    home_id, other_id = gid("BillingAccount", home.pk), gid("BillingAccount", other.pk)
    decider = SuperUserFactory(username="decider-sec")

    pending, rejected, ended = UserFactory(), UserFactory(), UserFactory()
    _membership(pending, cast.unit, verified=False)
    residents.membership_reject(
        membership=_membership(rejected, cast.unit, verified=False), decided_by=decider, reason="x"
    )
    residents.membership_end(membership=_membership(ended, cast.unit), ended_by=decider)

    firm_worker_with_perms = grant(cast.firm_worker, *PERMISSIONS_ACCOUNTANT)
    inactive_accountant = grant(UserFactory(is_active=False), *PERMISSIONS_READ)
    editor = tf.staff("editor", username="sec-editor")
    nobody_sees = [
        None,
        pending,
        rejected,
        ended,
        cast.neighbour,  # another unit of the same building
        cast.co_resident,  # tenant, BILLING_TENANTS_SEE_ACCOUNTS off
        firm_worker_with_perms,
        cast.firm_manager,
        cast.dispatcher,
        editor,
        cast.administrator,
    ]
    for user in nobody_sees:
        result = account_of(gql, user, home_id)
        assert result == {"data": {"billingAccount": None}}, (user, result)
        assert _as(gql, user).data(STAFF) == {
            "billingAccounts": {"totalCount": 0, "edges": []},
            "billingTotalsByBuilding": [],
        }, user
        assert mine(gql, user) in (None, [])
    # The inactive accountant is not even signed in by the session.
    assert account_of(gql, inactive_accountant, home_id) == {"data": {"billingAccount": None}}

    assert mine(gql, cast.reporter) == [home_id]
    assert account_of(gql, cast.reporter, other_id) == {"data": {"billingAccount": None}}
    assert mine(gql, cast.stranger) == [other_id]

    settings.BILLING_TENANTS_SEE_ACCOUNTS = True
    assert mine(gql, cast.co_resident) == [home_id]
    assert account_of(gql, cast.co_resident, other_id) == {"data": {"billingAccount": None}}

    accountant = tf.staff("accountant", username="sec-accountant")
    for staff in (accountant, cast.board):
        data = account_of(gql, staff, other_id)["data"]["billingAccount"]
        assert data["payerName"] == "Jan Obcy"
        assert mine(gql, staff) == []  # staff's own "my accounts" is only what they hold


def test_a_named_account_is_not_read_by_the_households_other_members(gql, cast, world):
    home, _other = world
    named = open_account(cast.unit, payer_name="Osobno", members=[cast.co_resident], identifier=77001)
    charge(named, "10.00", due=date(2026, 1, 10))
    named_id = gid("BillingAccount", named.pk)
    assert account_of(gql, cast.reporter, named_id)["data"]["billingAccount"] is None  # owner, not named
    assert account_of(gql, cast.co_resident, named_id)["data"]["billingAccount"]["payerName"] == "Osobno"
    assert gid("BillingAccount", named.pk) not in mine(gql, cast.reporter)


def test_an_owner_change_freezes_the_old_history_away_from_the_new_owner(gql, cast, world):
    home, _other = world
    today = timezone.localdate()
    old_owner = cast.reporter
    # The old owner was verified long before; the new owner on the day they settle from.
    Membership.objects.live().filter(user=old_owner, unit=cast.unit).update(
        decided_at=timezone.now() - timedelta(days=400)
    )
    new_owner = UserFactory(username="nowy-wlasciciel")
    _membership(new_owner, cast.unit)  # verified today, the day the new owner settles from
    new = services.account_owner_change(account=home, payer_name="Nowy Właściciel", on=today)
    home.refresh_from_db()
    assert home.closed_on == today - timedelta(days=1)
    old_id, new_id = gid("BillingAccount", home.pk), gid("BillingAccount", new.pk)

    assert mine(gql, new_owner) == [new_id]
    assert account_of(gql, new_owner, old_id) == {"data": {"billingAccount": None}}
    # The old owner keeps the closed account's history while holding the unit, and never
    # reads the new owner's (review 2: the seller is another household).
    assert set(mine(gql, old_owner)) == {old_id}
    old = account_of(gql, old_owner, old_id)["data"]["billingAccount"]
    assert [edge["node"]["title"] for edge in old["entries"]["edges"]] == [
        "Przelew Anna Nowak",
        "Opłata eksploatacyjna",
    ]


# --- Ids, arguments and limits -------------------------------------------------------------------


def test_forged_foreign_and_malformed_ids_answer_alike(gql, cast, world):
    home, other = world
    entry = LedgerEntry.objects.filter(account=other).first()
    ghost = gid("BillingAccount", 10**9)
    user = cast.reporter

    def answer(value):
        result = account_of(gql, user, value)
        return result.get("data"), [e.get("extensions", {}).get("code") for e in result.get("errors", [])]

    # Someone else's and one that does not exist: the same answer, no error.
    assert answer(gid("BillingAccount", other.pk)) == answer(ghost) == ({"billingAccount": None}, [])
    # Another type's id (a ledger entry's, a ticket's) never reaches an account.
    for value in (
        gid("LedgerEntry", entry.pk),
        gid("Ticket", other.pk),
        raw_id(f"BillingAccount:{other.pk} "),
        raw_id(f"BillingAccount:{other.pk}.0"),
        raw_id(f"BillingAccount:-{other.pk}"),
        raw_id("BillingAccount:1e3"),
        raw_id("BillingAccount:" + "9" * 40),
        "not base64!",
        str(other.pk),
        "",
    ):
        data, codes = answer(value)
        assert data in (None, {"billingAccount": None}), value
        assert all(code in ("BAD_USER_INPUT", None) for code in codes), (value, codes)
        assert "INTERNAL_SERVER_ERROR" not in codes


@pytest.mark.parametrize(
    "since, until",
    [
        ("2026-05-01", "2026-01-01"),
        ("1900-01-01", "2026-01-01"),
        ("0001-01-01", "9999-12-31"),
        ("2026-02-30", "2026-03-01"),
    ],
)
def test_odd_turnover_periods_are_refused_as_input(gql, cast, world, since, until):
    home, _other = world
    query = "query($id: ID!, $f: Date!, $t: Date!) { billingAccount(id: $id) { turnover(from: $f, to: $t) { since } } }"
    result = _as(gql, cast.reporter).execute(query, {"id": gid("BillingAccount", home.pk), "f": since, "t": until})
    codes = {error["extensions"]["code"] for error in result["errors"]}
    assert codes == {"BAD_USER_INPUT"}, result


def test_the_turnover_limit_holds_for_the_longest_allowed_period(gql, cast, world):
    home, _other = world
    query = (
        'query($id: ID!) { billingAccount(id: $id) { turnover(from: "2016-02-01", to: "2026-01-31") '
        "{ since until closing { balance } } } }"
    )
    data = _as(gql, cast.reporter).data(query, {"id": gid("BillingAccount", home.pk)})
    assert data["billingAccount"]["turnover"]["since"] == "2016-02-01"


def test_aliases_and_page_sizes_are_bounded(gql, cast, world, settings):
    home, _other = world
    account = gid("BillingAccount", home.pk)
    turn = 'turnover(from: "2016-02-01", to: "2026-01-31") { closing { balance } }'
    many = " ".join(f"t{n}: {turn}" for n in range(50))
    result = _as(gql, cast.reporter).execute(f'query {{ billingAccount(id: "{account}") {{ {many} }} }}')
    assert result["data"] is None
    assert {error["extensions"]["code"] for error in result["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}

    huge = _as(gql, cast.reporter).execute(
        f'query {{ billingAccount(id: "{account}") '
        "{ entries(first: 100000) { totalCount edges { node { id } } } } }"
    )
    # Refused or capped at the page size: never 100000 rows.
    if huge.get("errors"):
        assert {error["extensions"]["code"] for error in huge["errors"]} <= {"BAD_USER_INPUT"}
    else:
        assert len(huge["data"]["billingAccount"]["entries"]["edges"]) <= settings.GRAPHQL_MAX_PAGE_SIZE


@pytest.mark.parametrize("amount", ["1e309", "NaN", "-0", "1,5", "Infinity", "-1", "1e-400", "99999999999999999999999"])
def test_weird_decimal_filters_are_refused_or_harmless(gql, cast, world, amount):
    accountant = tf.staff("accountant", username="sec-acc-decimal")
    query = "query($a: Decimal) { billingAccounts(filter: {overdueAbove: $a}) { totalCount } }"
    result = _as(gql, accountant).execute(query, {"a": amount})
    codes = {error["extensions"]["code"] for error in result.get("errors", [])}
    assert "INTERNAL_SERVER_ERROR" not in codes, result
    assert codes <= {"BAD_USER_INPUT"}, result
    if not codes:
        assert isinstance(result["data"]["billingAccounts"]["totalCount"], int)


def test_money_in_answers_is_decimal_text_never_float(gql, cast, world):
    home, _other = world
    data = account_of(gql, cast.reporter, gid("BillingAccount", home.pk))["data"]["billingAccount"]
    assert data["balance"] == "-179.50" and data["overdue"] == "179.50"
    assert {edge["node"]["amount"] for edge in data["entries"]["edges"]} == {"300.00", "-120.50"}


# --- 2. The response cache ----------------------------------------------------------------------


def _persisted_body(name: str, variables: dict) -> dict:
    digest = hashlib.sha256((OPERATIONS / name).read_bytes()).hexdigest()
    return {"variables": variables, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}


def test_billing_answers_are_never_shared_between_households(client, cast, world):
    home, other = world
    variables = {"id": gid("BillingAccount", home.pk), "from": "2026-01-01", "to": "2026-12-31"}
    text = (OPERATIONS / "BillingAccount.graphql").read_text()
    bodies = [_persisted_body("BillingAccount.graphql", variables), {"query": text, "variables": variables}]
    for body in bodies:
        answers = {}
        for user in (cast.reporter, cast.neighbour, cast.stranger, None, cast.reporter):
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.post("/graphql", data=json.dumps(body), content_type="application/json")
            assert response.status_code == 200
            answers.setdefault(getattr(user, "pk", None), []).append(json.loads(response.content))
        owner = answers[cast.reporter.pk]
        assert (
            owner[0]["data"]["billingAccount"]["payerName"]
            == "Anna Nowak"
            == owner[1]["data"]["billingAccount"]["payerName"]
        )
        for pk in (cast.neighbour.pk, cast.stranger.pk, None):
            assert answers[pk][0]["data"]["billingAccount"] is None, (pk, answers[pk])
        # GET of the persisted operation (a cacheable method) is personal too.
        params = {key: json.dumps(value) for key, value in body.items() if key != "query"}
        if "extensions" in body:
            client.force_login(cast.stranger)
            got = client.get("/graphql", params, HTTP_ACCEPT="application/json")
            if got.status_code == 200:
                assert json.loads(got.content)["data"]["billingAccount"] is None
            assert "public" not in got.get("Cache-Control", "")


def test_viewer_billing_accounts_are_personal_in_the_cache(client, cast, world):
    home, other = world
    seen = []
    for user in (cast.reporter, cast.stranger, cast.neighbour):
        client.force_login(user)
        response = client.post("/graphql", data=json.dumps({"query": MINE}), content_type="application/json")
        seen.append(
            [e["node"]["payerName"] for e in json.loads(response.content)["data"]["viewer"]["billingAccounts"]["edges"]]
        )
    assert seen == [["Anna Nowak"], ["Jan Obcy"], []]


# --- 4. Statement import ---------------------------------------------------------------------------


OUR_STATEMENT_ACCOUNT = "PL74999000090000000000000001"  # at the cooperative's bank (99900009)


def mt940(lines: list[tuple[str, str, str]], *, account: str = OUR_STATEMENT_ACCOUNT, ref: str = "SEC") -> bytes:
    """An MT940 statement (PKO BP's field 86) of `(amount "C10,00"/"D5,00", title, counterparty
    account)` lines; the balances add up."""
    body, total = [], D("1000.00")
    for n, (amount, title, other) in enumerate(lines):
        body.append(f":61:2603020302{amount}NTRFNONREF//{ref}{n:06d}\r\n")
        body.append(f":86:020~20{title}~27Jan Płacący~38{other}\r\n")
        value = D(amount[1:].replace(",", "."))
        total += value if amount[0] == "C" else -value
    closing = f"{total:.2f}".replace(".", ",")
    return (
        f":20:{ref}\r\n:25:/{account}\r\n:28C:1/1\r\n:60F:C260301PLN1000,00\r\n"
        + "".join(body)
        + f":62F:C260331PLN{closing}\r\n-\r\n"
    ).encode("cp1250")


def do_import(data: bytes, profile: str = "pko_bp"):
    return services.statement_import(file=data, profile=profile, process="tests")


@pytest.fixture
def payers(cast):
    """Unit A/1 (ul. Lipowa 1) with an account, unit A/2 with another, and a charge each for March."""
    first = open_account(cast.unit, payer_name="Anna Nowak", identifier=50001)
    second = open_account(cast.other_unit, payer_name="Piotr Sąsiad", identifier=50002)
    for account in (first, second):
        charge(account, "500.00", due=date(2026, 3, 10))
    return first, second


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>&xxe;</Id></Stmt></BkToCstmrStmt></Document>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>&lol3;</Id></Stmt></BkToCstmrStmt></Document>"""


@pytest.mark.parametrize(
    "data, profile",
    [
        (XXE, "camt053"),
        (LAUGHS, "camt053"),
        (b"<?xml version='1.0'?><!DOCTYPE x SYSTEM 'http://127.0.0.1:1/x.dtd'><Document/>", "camt053"),
        (b"\x00\xff" * 1000, "camt053"),
        (b"A" * (2 * 1024 * 1024), "pko_bp"),
        (b":20:X\r\n:25:/PL1\r\n" + b":86:" + b"~20x" * 50000 + b"\r\n-\r\n", "pko_bp"),
        (b"\xff\xfe" + "zażółć".encode("utf-16-le"), "mbank"),
        (b"", "pko_bp"),
    ],
)
def test_hostile_or_broken_files_are_refused_by_the_service_and_write_nothing(db, data, profile):
    with pytest.raises(ServiceError) as refused:
        do_import(data, profile)
    assert refused.value.code == BillingErrorCode.STATEMENT_INVALID
    assert "root:" not in refused.value.message
    assert (BankTransaction.objects.count(), LedgerEntry.objects.count()) == (0, 0)


def test_a_statement_of_an_account_that_is_not_the_cooperatives_is_refused(payers):
    first, _second = payers
    foreign = mt940([("C500,00", "opłata 03/2026", first.iban)], account="PL61109010140000071219812874")
    with pytest.raises(ServiceError) as refused:
        do_import(foreign)
    assert refused.value.code == BillingErrorCode.STATEMENT_INVALID
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 0
    # The cooperative's own statement is imported as before.
    assert do_import(mt940([("C500,00", "opłata 03/2026", first.iban)])).count(S.MATCHED) == 1


def test_money_out_zero_foreign_currency_and_huge_amounts_are_never_posted(payers):
    first, _second = payers
    result = do_import(mt940([("D500,00", "zwrot", first.iban), ("C0,00", "zero", first.iban)], ref="OUT"))
    assert {row.state for row in result.created} == {S.IGNORED}
    eur = mt940([("C500,00", "opłata", first.iban)], ref="EUR").replace(b"PLN", b"EUR")
    assert {row.state for row in do_import(eur).created} == {S.UNMATCHED}
    huge = mt940([("C99999999999,99", "opłata", first.iban)], ref="BIG")
    try:
        result = do_import(huge)
    except ServiceError as refused:  # "Kwota jest zbyt duża": the whole file is refused
        assert refused.field in ("file", "amount")
    else:  # recorded only if it fits the ledger
        assert all(row.state != S.MATCHED for row in result.created)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 0


def test_a_title_naming_another_household_does_not_outweigh_the_account_credited(payers):
    """Money credited to the first household's account number, with a title that names the
    second household's number and identifier, is not put on the second's ledger silently."""
    first, second = payers
    title = f"za sasiada {second.iban[2:]} ident. {second.identifier} 03/2026"
    result = do_import(mt940([("C500,00", title, first.iban)], ref="MIX"))
    (row,) = result.created
    assert row.state != S.MATCHED, (row.state, row.account)
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT, account=second).exists()


def test_the_previous_owners_payment_by_unit_is_only_suggested_after_an_owner_change(cast, payers):
    """After an owner change unit A/1 has the old (closed) account and the new one; a payment
    titled with the unit alone ("Lipowa 1/1") may be the old owner settling old debts: a person
    decides, and the new owner's ledger does not get it (with its title) silently."""
    first, _second = payers
    new = services.account_owner_change(account=first, payer_name="Nowy Właściciel", on=date(2026, 3, 1))
    result = do_import(mt940([("C500,00", "Lipowa 1/1 zaległość", "PL60102010260000123456789012")], ref="OLD"))
    (row,) = result.created
    assert row.state == S.SUGGESTED and row.suggested_account == new
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).exists()


def test_a_title_with_the_account_identifier_pays_that_account_as_the_payer_designates(payers):
    """A payer may pay for someone else (art. 356 KC): the identifier in the title binds."""
    _first, second = payers
    result = do_import(mt940([("C100,00", f"ident. {second.identifier}", "PL60102010260000123456789012")], ref="ID"))
    assert [(row.state, row.account) for row in result.created] == [(S.MATCHED, second)]


def test_entry_filters_at_the_ends_of_the_calendar_are_not_server_errors(gql, cast, world):
    home, _other = world
    query = """query($id: ID!, $f: LedgerEntryFilter) { billingAccount(id: $id) {
      entries(filter: $f) { totalCount } } }"""
    for flt in (
        {"untilMonth": "9999-12-01"},
        {"sinceMonth": "0001-01-01", "untilMonth": "9999-12-31"},
        {"sinceMonth": "9999-12-31"},
    ):
        result = _as(gql, cast.reporter).execute(query, {"id": gid("BillingAccount", home.pk), "f": flt})
        assert not result.get("errors"), (flt, result)
    total = _as(gql, cast.reporter).data(
        query, {"id": gid("BillingAccount", home.pk), "f": {"untilMonth": "9999-12-01"}}
    )
    assert total["billingAccount"]["entries"]["totalCount"] == 2


def test_a_bearer_token_reads_only_its_owners_accounts(client, cast, world):
    home, other = world
    token = residents.api_token_issue(user=cast.stranger, client_name="Telefon testowy")
    answers = []
    for account in (home, other):
        body = {"query": ONE, "variables": {"id": gid("BillingAccount", account.pk)}}
        response = client.post(
            "/graphql", data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        answers.append(json.loads(response.content)["data"]["billingAccount"])
    assert answers[0] is None and answers[1]["payerName"] == "Jan Obcy"
    forged = client.post(
        "/graphql",
        data=json.dumps({"query": MINE}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}x",
    )
    assert "Jan Obcy" not in forged.content.decode()


def test_a_new_owner_verified_before_the_change_date_does_not_keep_the_old_history(gql, cast, world):
    home, _other = world
    today = timezone.localdate()
    Membership.objects.live().filter(user=cast.reporter, unit=cast.unit).update(
        decided_at=timezone.now() - timedelta(days=400)
    )
    new_owner = UserFactory(username="nowy-wczesniej")
    _membership(new_owner, cast.unit)  # verified today; settles from the first of next month
    on = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    # The office says who the newcomers are (review: the memberships cannot tell).
    new = services.account_owner_change(account=home, payer_name="Nowy Właściciel", on=on, newcomers=[new_owner])
    assert account_of(gql, new_owner, gid("BillingAccount", home.pk)) == {"data": {"billingAccount": None}}
    assert mine(gql, new_owner) == [gid("BillingAccount", new.pk)]
    assert mine(gql, cast.reporter) == [gid("BillingAccount", home.pk)]  # the seller: the old history only
