"""Bad input gets a typed GraphQL error, never a 500 and never an "internal server error".

A client that sends an unknown filter value, asks for too many items, replays a mangled
cursor or an over-deep query has made a mistake it can fix: the answer is HTTP 200 with
`errors[*].extensions.code` BAD_USER_INPUT or GRAPHQL_VALIDATION_FAILED. A wrong password
is not an error of the request at all: it comes back as a typed error in the payload.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from django.conf import settings

from tests.factories import content as f
from tests.factories.residents import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CLIENT_CODES = {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}
LISTS = ["news", "documents", "investments", "contractors"]


def _post(client, query: str, variables: dict | None = None):
    return client.post(
        "/graphql", data=json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )


def _client_error(client, query: str, variables: dict | None = None) -> list[dict]:
    """Insist on HTTP 200 and errors that all carry a client-fault code; return the errors."""
    response = _post(client, query, variables)
    assert response.status_code == 200, response.content[:300]
    result = response.json()
    errors = result.get("errors")
    assert errors, result
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    assert "INTERNAL_SERVER_ERROR" not in codes, errors
    assert set(codes) <= CLIENT_CODES, errors
    assert not (result.get("data") or {}).get(_root_field(query)), result
    return errors


def _root_field(query: str) -> str | None:
    for name in LISTS:
        if f"{name}(" in query:
            return name
    return None


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def content(site_tree):
    """A couple of items in every list (most tests need none: bad input fails before the data)."""
    trade = f.make_trade()
    for n in range(2):
        f.make_news(site_tree.news, title=f"news {n}")
        f.make_document(title=f"doc {n}")
        f.make_investment(site_tree.investments, title=f"investment {n}")
        f.make_contractor(site_tree.contractors, title=f"firm {n}", trade=trade)
    return site_tree


# --- Unknown filter values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ news(filter: {kind: NOPE}) { totalCount } }",
        "{ news(order: NOPE) { totalCount } }",
        "{ documents(filter: {category: NOPE}) { totalCount } }",
        "{ investments(filter: {status: NOPE}) { totalCount } }",
        '{ news(filter: {kind: "OUTAGE"}) { totalCount } }',  # a string is not an enum literal
    ],
)
def test_unknown_enum_literal(client, query):
    _client_error(client, query)


@pytest.mark.parametrize(
    "query, variables",
    [
        ("query($f: NewsFilter) { news(filter: $f) { totalCount } }", {"f": {"kind": "NOPE"}}),
        ("query($f: NewsFilter) { news(filter: $f) { totalCount } }", {"f": {"kind": "outage"}}),
        ("query($f: DocumentFilter) { documents(filter: $f) { totalCount } }", {"f": {"category": "NOPE"}}),
        ("query($f: DocumentFilter) { documents(filter: $f) { totalCount } }", {"f": {"year": "2026"}}),
        ("query($f: DocumentFilter) { documents(filter: $f) { totalCount } }", {"f": {"year": 2**40}}),
        ("query($f: InvestmentFilter) { investments(filter: $f) { totalCount } }", {"f": {"status": 3}}),
        ("query($f: NewsFilter) { news(filter: $f) { totalCount } }", {"f": {"nope": True}}),
        ("query($n: Int) { news(first: $n) { totalCount } }", {"n": "ten"}),
    ],
)
def test_unknown_or_mistyped_variable_values(client, query, variables):
    _client_error(client, query, variables)


def test_unknown_trade(client):
    errors = _client_error(client, '{ contractors(filter: {trade: "astronauta"}) { totalCount } }')
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"].get("field") == "trade"


@pytest.mark.parametrize("field", ["news", "documents", "investments"])
@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "0", "", " ", "1; DROP TABLE x", "VXNlcjox"])
def test_non_numeric_building_id(client, field, value):
    query = f"query($b: ID) {{ {field}(filter: {{buildingId: $b}}) {{ totalCount }} }}"
    errors = _client_error(client, query, {"b": value})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("value", ["abc", "0", "-3", "2.0"])
def test_non_numeric_collection_id(client, value):
    _client_error(client, "query($c: ID) { documents(filter: {collectionId: $c}) { totalCount } }", {"c": value})


@pytest.mark.parametrize("field", ["news", "documents", "investments"])
def test_out_of_range_building_id_is_not_a_server_error(client, field):
    query = f"query($b: ID) {{ {field}(filter: {{buildingId: $b}}) {{ totalCount }} }}"
    response = _post(client, query, {"b": "9" * 30})
    assert response.status_code == 200
    result = response.json()
    if result.get("errors"):
        _client_error(client, query, {"b": "9" * 30})
    else:
        assert result["data"][field]["totalCount"] == 0


@pytest.mark.parametrize(
    "query, variables",
    [
        ("query($p: String!) { page(urlPath: $p) { title } }", {"p": "/aktualnosci/a\u0000b/"}),
        ("query($t: String) { contractors(filter: {trade: $t}) { totalCount } }", {"t": "hydra\u0000ulik"}),
        ("query($p: String!) { page(urlPath: $p) { title } }", {"p": "/" + "x" * 20_000 + "/"}),
    ],
    ids=["nul-in-path", "nul-in-trade", "very-long-path"],
)
def test_odd_strings_are_not_server_errors(client, site_tree, query, variables):
    response = _post(client, query, variables)
    assert response.status_code == 200
    result = response.json()
    codes = [(e.get("extensions") or {}).get("code") for e in result.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, result
    assert set(codes) <= CLIENT_CODES


# --- Page sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize("field", LISTS)
@pytest.mark.parametrize("argument", ["first: 101", "last: 101", "first: 100000", "first: -1", "last: -1"])
def test_page_size_above_the_maximum_or_negative(client, field, argument):
    errors = _client_error(client, f"{{ {field}({argument}) {{ totalCount edges {{ node {{ __typename }} }} }} }}")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("field", LISTS)
def test_page_size_at_the_maximum_is_fine(client, content, field):
    response = _post(client, f"{{ {field}(first: {settings.GRAPHQL_MAX_PAGE_SIZE}) {{ totalCount }} }}")
    assert response.status_code == 200 and not response.json().get("errors")


@pytest.mark.parametrize("field", LISTS)
def test_no_page_size_still_caps_the_page(client, content, field):
    result = _post(client, f"{{ {field} {{ totalCount edges {{ node {{ __typename }} }} }} }}").json()
    assert not result.get("errors")
    assert len(result["data"][field]["edges"]) <= settings.GRAPHQL_MAX_PAGE_SIZE


# --- Cursors -------------------------------------------------------------------------------------

MALFORMED_CURSORS = {
    "not-base64": "garbage!!",
    "bad-padding": "abc",
    "wrong-prefix": _cursor("User:1"),
    "no-separator": _cursor("arrayconnection"),
    "not-a-number": _cursor("arrayconnection:one"),
    "float": _cursor("arrayconnection:1e3"),
    "negative": _cursor("arrayconnection:-5"),
    "huge": _cursor("arrayconnection:" + "9" * 25),
    "just-above-int64": _cursor(f"arrayconnection:{2**63}"),
    "binary": base64.b64encode(b"\xff\xfe\x00\x01").decode(),
}


@pytest.mark.parametrize("field", LISTS)
@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize("cursor", sorted(MALFORMED_CURSORS))
def test_malformed_cursor(client, field, direction, cursor):
    size = "first" if direction == "after" else "last"
    selection = "totalCount edges { node { __typename } }"
    query = f"query($c: String) {{ {field}({direction}: $c, {size}: 2) {{ {selection} }} }}"
    response = _post(client, query, {"c": MALFORMED_CURSORS[cursor]})
    assert response.status_code == 200
    result = response.json()
    codes = [(e.get("extensions") or {}).get("code") for e in result.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, result
    if codes:
        assert set(codes) <= CLIENT_CODES, result
    else:
        # A well-formed cursor past the end is simply an empty page, not an error.
        assert result["data"][field]["edges"] == []


def test_a_real_cursor_still_works(client, content):
    first = _post(client, "{ news(first: 1) { pageInfo { endCursor } edges { node { title } } } }").json()
    cursor = first["data"]["news"]["pageInfo"]["endCursor"]
    second = _post(
        client, "query($c: String) { news(first: 1, after: $c) { edges { node { title } } } }", {"c": cursor}
    )
    assert (
        second.json()["data"]["news"]["edges"][0]["node"]["title"] != first["data"]["news"]["edges"][0]["node"]["title"]
    )


# --- Limits on the operation itself ------------------------------------------------------------


def _nested(depth: int) -> str:
    """A syntactically valid selection `depth` levels deep under `news`, with made-up fields."""
    inner = "x"
    for level in range(depth):
        inner = f"f{level} {{ {inner} }}"
    return f"{{ news {{ edges {{ node {{ leadImage {{ {inner} }} }} }} }} }}"


def test_query_deeper_than_the_limit(client):
    errors = _client_error(client, _nested(settings.GRAPHQL_MAX_DEPTH + 2))
    assert any("depth" in error["message"].lower() for error in errors), errors


def test_introspection_cannot_be_nested_without_limit(client):
    query = "{ __schema { types { " + "fields { type { " * 8 + "name" + " } }" * 8 + " } } }"
    response = _post(client, query)
    assert response.status_code == 200
    codes = [(e.get("extensions") or {}).get("code") for e in response.json().get("errors") or []]
    assert codes and set(codes) <= CLIENT_CODES


def test_too_many_aliases(client):
    aliases = " ".join(f"a{n}: news(first: 1) {{ totalCount }}" for n in range(settings.GRAPHQL_MAX_ALIASES + 1))
    errors = _client_error(client, f"{{ {aliases} }}")
    assert any("alias" in error["message"].lower() for error in errors), errors


def test_aliases_at_the_limit_are_fine(client):
    aliases = " ".join(f"a{n}: __typename" for n in range(settings.GRAPHQL_MAX_ALIASES))
    response = _post(client, f"{{ {aliases} }}")
    assert response.status_code == 200 and not response.json().get("errors")


def test_too_many_tokens(client):
    query = "{ " + " ".join(["__typename"] * (settings.GRAPHQL_MAX_TOKENS + 10)) + " }"
    _client_error(client, query)


@pytest.mark.parametrize(
    "query",
    ["{ news { totalCount }", "{ news(first: ) { totalCount } }", "{ nosuchfield }", "query { news { nosuch } }"],
)
def test_syntax_and_unknown_field_errors(client, query):
    _client_error(client, query)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"query": 5}', b"[]", b'[{"query": "{ __typename }"}]', b'"{ __typename }"', b"5", b"null", b""],
    ids=["not-json", "query-not-string", "empty-batch", "batch", "bare-string", "number", "null", "empty"],
)
def test_malformed_http_bodies_are_refused_not_crashed(client, body):
    client.raise_request_exception = False
    response = client.post("/graphql", data=body, content_type="application/json")
    assert response.status_code < 500, response.content[:200]
    assert response.status_code != 200 or response.json().get("errors")


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ __typename }", "variables": "nope"},
        {"query": "{ news(first: 101) { totalCount } }"},
        {"query": "{ news { totalCount }"},
        {"query": ""},
        {"query": 'mutation { sessionSignIn(username: "a", password: "b") { errors { message } } }'},
    ],
    ids=["bad-variables", "page-size", "syntax", "empty", "mutation-over-get"],
)
def test_get_requests_with_bad_input_are_not_crashes(client, params):
    client.raise_request_exception = False
    response = client.get("/graphql", params)
    assert response.status_code < 500, response.content[:200]
    if response.status_code == 200:
        codes = [(e.get("extensions") or {}).get("code") for e in response.json().get("errors") or []]
        assert codes and set(codes) <= CLIENT_CODES


# --- Sign-in ------------------------------------------------------------------------------------

SIGN_IN = """
mutation SignIn($username: String!, $password: String!) {
  sessionSignIn(username: $username, password: $password) {
    viewer { username }
    errors { __typename field message ... on SignInError { code } }
  }
}
"""


def test_wrong_password_is_a_typed_error_in_the_payload(client):
    user = UserFactory(username="jan")
    response = _post(client, SIGN_IN, {"username": user.username, "password": "nie-to-haslo"})
    assert response.status_code == 200
    result = response.json()
    assert not result.get("errors"), result
    payload = result["data"]["sessionSignIn"]
    assert payload["viewer"] is None
    assert [(e["__typename"], e["code"]) for e in payload["errors"]] == [("SignInError", "INVALID_CREDENTIALS")]
    assert payload["errors"][0]["message"]
    # And nobody is signed in afterwards.
    assert _post(client, "{ viewer { username } }").json()["data"]["viewer"] is None


def test_unknown_user_and_wrong_password_look_the_same(client):
    UserFactory(username="jan")
    wrong = _post(client, SIGN_IN, {"username": "jan", "password": "nie-to-haslo"}).json()
    unknown = _post(client, SIGN_IN, {"username": "nikt-taki", "password": "nie-to-haslo"}).json()
    assert wrong["data"]["sessionSignIn"]["errors"] == unknown["data"]["sessionSignIn"]["errors"]


def test_right_password_signs_in(client):
    user = UserFactory(username="jan")
    payload = _post(client, SIGN_IN, {"username": user.username, "password": DEFAULT_PASSWORD}).json()
    assert payload["data"]["sessionSignIn"] == {"viewer": {"username": "jan"}, "errors": []}


@pytest.mark.parametrize("username, password", [("", ""), ("jan", ""), ("", "x"), ("a" * 10_000, "x")])
def test_odd_credentials_are_typed_errors(client, username, password):
    UserFactory(username="jan")
    response = _post(client, SIGN_IN, {"username": username, "password": password})
    assert response.status_code == 200
    result = response.json()
    assert not result.get("errors"), result
    payload = result["data"]["sessionSignIn"]
    assert payload["viewer"] is None and payload["errors"][0]["code"] == "INVALID_CREDENTIALS"


# --- graphql/ is a contract folder, not a Python package ----------------------------------------


@pytest.mark.parametrize(
    "query, variables",
    [
        (SIGN_IN, {"username": "jan\u0000", "password": "x"}),
        ('mutation { sessionSignIn(username: "jan\\u0000", password: "x") { errors { message } } }', None),
        ("query($p: String!) { page(urlPath: $p) { title } }", {"p": "/aktualnosci/a\u0000b/"}),
        (
            'mutation($c: String!) { tokenSignIn(username: "jan", password: "x", clientName: $c) { token } }',
            {"c": "tel\u0000efon"},
        ),
    ],
    ids=["variable", "literal-escape", "path", "client-name"],
)
def test_nul_anywhere_is_refused_as_bad_input_and_changes_nothing(client, query, variables):
    from operations.residents.models import SignInAttempt

    UserFactory(username="jan")
    response = _post(client, query, variables)
    assert response.status_code == 200
    codes = [(e.get("extensions") or {}).get("code") for e in response.json()["errors"]]
    assert codes == ["BAD_USER_INPUT"]
    assert not SignInAttempt.objects.exists()


def test_a_clients_mistake_is_answered_not_logged(gql, caplog):
    # Strawberry logs every error with its traceback; production logs would fill with
    # every mistyped query. Server faults are still logged, once (extensions.TypedErrors).
    with caplog.at_level(logging.INFO):
        result = gql.execute("query($n: Int!) { news(first: $n) { totalCount } }", {"n": "many"})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ news(first", None),  # does not parse
        ("{ nope }", None),  # does not fit the schema
        ("query($n: Int!) { news(first: $n) { totalCount } }", {"n": "many"}),  # a variable of the wrong type
        ("{ news(first: -5) { totalCount } }", None),  # an argument the resolver refuses
        ('query { ticket(id: "zzz") { id } }', None),  # a malformed id
        (
            'mutation { sessionSignIn(username: "nikt", password: "zle-haslo") { errors { code } } }',
            None,
        ),  # a refusal in the payload
    ],
    ids=["parse", "validation", "variable", "argument", "id", "payload"],
)
def test_no_clients_mistake_leaves_a_traceback_in_the_log(client, caplog, query, variables):
    """Issue 13: ordinary user errors are one line at most (Django's "Bad Request" for a
    400), never a traceback; tracebacks are kept for real faults."""
    with caplog.at_level(logging.DEBUG):
        response = _post(client, query, variables)
    assert response.status_code in (200, 400)
    assert [record for record in caplog.records if record.exc_info] == []
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
