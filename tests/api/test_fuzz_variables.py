"""Every argument of every field, fed values of the wrong kind and values of the right kind
but wrong content, as anonymous, as a resident and as staff: the answer is always JSON
(HTTP 200 or 400) and never a server fault (INTERNAL_SERVER_ERROR, HTTP 500).

The fields come from the schema's introspection, so a field added tomorrow is fuzzed
tomorrow without touching this file: every root query field, every mutation, and every
field with arguments that can be reached from the root through fields without required
arguments (`viewer.inbox`, `Image.rendition`). Each operation declares every argument of
its field as a variable of the argument's type.

Deterministic, not random: each *position* (an argument, a field of an input object at
any depth, the first item of a list) gets every value of WRONG_KINDS and the values of
its own type (ids that are not ids, or name nothing; dates out of range; a megabyte of
text; every enum value...), while every other argument keeps a valid baseline value
naming real objects, so that the value under test reaches as deep as it can.

Values that the schema refuses while the variables are coerced cannot reach a resolver;
they are sent together, several to a request (aliases, one set of variables each). The
rest are sent one to a request, each in a savepoint that is rolled back, with the rate
limits reset, so that every case starts from the same state.

The fuzzer (values, schema walk, cases, sending) is `fuzz_kit.py`; here the world it
names, the fixtures and the tests.
"""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils import timezone
from graphql.pyutils import Undefined
from graphql.utilities import coerce_input_value
from strawberry.schema import schema as strawberry_schema

from operations.messaging.models import Message
from operations.tickets import services as ticket_services
from operations.tickets.models import Ticket
from tests.api.fuzz_kit import (
    CLIENT_CODES,
    CLIENT_SCHEMA,
    TARGETS,
    VIEWERS,
    WRONG_KINDS,
    Builder,
    Case,
    Recorder,
    Sender,
    Target,
    World,
    b64,
    cases,
    faults,
    nested_list,
    refused_by_the_schema,
    run,
    server_type,
)
from tests.factories import content as content_factories
from tests.factories import tickets as tf
from tests.factories.graphql import gid

pytestmark = pytest.mark.django_db


# --- The world the baseline values name ---------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, api_media_root):
    with override_settings(MEDIA_ROOT=api_media_root), tf.shared_cast(django_db_blocker) as cast:
        with django_db_blocker.unblock():
            cache.clear()
            tree = content_factories.build_site_tree()
            image = content_factories.make_image(title="Awaria")
            content_factories.make_news(tree.news, image=image, buildings=(cast.building,))
            content_factories.make_document(building=cast.building)
            content_factories.make_investment(tree.investments, image=image)
            ticket = tf.report(cast.reporter, category=cast.category, unit=cast.unit)
            ticket_services.ticket_assign(
                ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker
            )
            done = tf.put_in_status(
                tf.report(cast.reporter, category=cast.category, unit=cast.unit),
                Ticket.Status.DONE,
                contractor=cast.firm,
            )
            ticket_services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Technik przyjdzie jutro.")
            message = Message.objects.filter(recipient=cast.reporter).first()
            assert message is not None, "the resident's inbox is empty: the inbox cases would name nothing"
            yield World(
                cast=cast,
                ticket=ticket,
                done_ticket=done,
                message_id=gid("InboxMessage", message.pk),
                users={"anonymous": None, "resident": cast.reporter, "staff": cast.dispatcher},
            )
            cache.clear()


@pytest.fixture
def validated_once(monkeypatch):
    """Validation of a document does not depend on its variables, and it is most of the
    cost of a request: a document that passed it once (every case of a field sends the
    same document) is not validated again. The variables are coerced every time."""
    validate_document = strawberry_schema.validate_document
    passed: set[tuple] = set()

    def validate_once(graphql_schema, document, rules):
        key = (document.loc.source.body if document.loc else None, tuple(rule.__name__ for rule in rules))
        if key[0] is not None and key in passed:
            return []
        errors = validate_document(graphql_schema, document, rules)
        if not errors:
            passed.add(key)
        return errors

    monkeypatch.setattr(strawberry_schema, "validate_document", validate_once)


@pytest.fixture
def recorder():
    handler = Recorder()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    server_log = logging.getLogger("cms.graphql")
    # Strawberry logs every error with its traceback; thousands of client errors here.
    strawberry_log = logging.getLogger("strawberry.execution")
    was_disabled = strawberry_log.disabled
    server_log.addHandler(handler)
    strawberry_log.disabled = True
    yield handler
    server_log.removeHandler(handler)
    strawberry_log.disabled = was_disabled


# --- Tests ---------------------------------------------------------------------------------


def _target_id(target: Target) -> str:
    return target.label


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("target", TARGETS, ids=_target_id)
def test_no_argument_value_is_a_server_error(client, world, recorder, validated_once, viewer, target):
    sender = Sender(client, world, viewer, recorder)
    problems = run(sender, target, cases(world, target))
    assert not problems, f"{target.label} as {viewer}:\n" + "\n".join(problems)


def test_every_field_and_argument_is_fuzzed(world):
    """The walk reaches what it should, and every argument gets every wrong kind."""
    labels = {target.label for target in TARGETS}
    assert {"tickets", "ticket", "news", "page", "mutation ticketCreate", "viewer.inbox"} <= labels
    assert any(label.endswith(".rendition") for label in labels)
    assert {t.name for t in TARGETS if t.operation == "mutation"} == set(CLIENT_SCHEMA.mutation_type.fields)
    assert {t.name for t in TARGETS if t.operation == "query" and not t.path} == set(CLIENT_SCHEMA.query_type.fields)
    for target in TARGETS:
        planned = {case.label for case in cases(world, target, dedupe=False)}
        for name in target.field.args:
            missing = {kind for kind in WRONG_KINDS if f"{name} = {kind}" not in planned}
            assert not missing, (target.label, name, missing)


def test_the_baselines_are_valid(world):
    """Every baseline passes the schema, down to the input objects that only the cases
    fill in, so that a value under test is the only thing wrong with its request."""
    for target in TARGETS:
        builder = Builder(world, target)
        assert not refused_by_the_schema(target, Case("baseline", builder.baseline())), target.label
        for name, argument in target.field.args.items():
            value = builder.fallback(argument.type, name)
            if value is not None:
                assert coerce_input_value(value, server_type(argument.type)) is not Undefined, (target.label, name)


# --- What the fuzzing found, kept as plain tests -----------------------------------------------


def answer(client, world: World, viewer: str, query: str, variables: dict) -> dict:
    client.logout()
    if world.users[viewer] is not None:
        client.force_login(world.users[viewer])
    response = client.post(
        "/graphql", data=json.dumps({"query": query, "variables": variables}), content_type="application/json"
    )
    assert response.status_code == 200, response.content[:300]
    return response.json()


def client_error_codes(result: dict) -> list[str]:
    assert result.get("errors"), result
    return [(error.get("extensions") or {}).get("code") for error in result["errors"]]


@pytest.mark.parametrize(
    ("viewer", "query", "variables"),
    [
        ("anonymous", "query($p: String!) { page(urlPath: $p) { title } }", {"p": "/\ud800/"}),
        ("anonymous", "query($t: String) { contractors(filter: {trade: $t}) { totalCount } }", {"t": "\udfff"}),
        (
            "anonymous",
            'mutation($u: String!) { sessionSignIn(username: $u, password: "x") { viewer { username } } }',
            {"u": "jan\ud83d"},
        ),
        (
            "resident",
            "mutation($id: ID!, $r: String!) { ticketReopen(ticketId: $id, reason: $r) { ticket { id } } }",
            {"id": b64("Ticket:1"), "r": "nie działa \ud800"},
        ),
        (
            "staff",
            "mutation($t: String!) { pushDeviceRegister(token: $t) { __typename } }",
            {"t": "ExponentPushToken[\ud800]"},
        ),
    ],
    ids=["page", "contractors", "sign-in", "reopen", "push-token"],
)
def test_text_with_a_lone_surrogate_is_bad_input(client, world, viewer, query, variables):
    """JSON's \\ud800 escape decodes to a string no database can store or compare."""
    result = answer(client, world, viewer, query, variables)
    assert client_error_codes(result) == ["BAD_USER_INPUT"] and result["data"] is None, result


STATISTICS_SINCE = "query($s: DateTime) { ticketStatistics(since: $s) { period { reported } } }"
STATISTICS_UNTIL = "query($u: DateTime) { ticketStatistics(until: $u) { period { reported } } }"
DEADLINE_CHANGE = """
mutation($id: ID!, $d: DateTime!) { ticketDeadlineChange(ticketId: $id, dueAt: $d, reason: "x") { ticket { id } } }
"""


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (STATISTICS_SINCE, {"s": "0001-01-01T00:00:00"}),
        (STATISTICS_UNTIL, {"u": "0001-01-01T00:30:00+01:00"}),
        (DEADLINE_CHANGE, {"d": "9999-12-31T23:59:59-12:00"}),
        ('{ ticketStatistics(since: "0001-01-01T00:00:00") { period { reported } } }', {}),
    ],
    ids=["since-year-1", "until-year-1-with-offset", "deadline-year-9999-west", "literal"],
)
def test_a_time_beyond_what_utc_can_hold_is_bad_input(client, world, query, variables):
    if "$id" in query:
        variables = {**variables, "id": gid("Ticket", world.ticket.pk)}
    result = answer(client, world, "staff", query, variables)
    assert set(client_error_codes(result)) <= CLIENT_CODES and result["data"] is None, result


def test_statistics_from_a_start_in_the_future_is_bad_input(client, world):
    tomorrow = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    result = answer(client, world, "staff", STATISTICS_SINCE, {"s": tomorrow})
    assert client_error_codes(result) == ["BAD_USER_INPUT"], result
    assert result["errors"][0]["extensions"]["field"] == "since"


def test_times_at_the_ends_of_the_range_that_utc_holds_still_work(client, world):
    query = "query($s: DateTime, $u: DateTime) { ticketStatistics(since: $s, until: $u) { period { reported } } }"
    variables = {"s": "0001-01-02T00:00:00", "u": "9999-12-30T00:00:00+00:00"}
    result = answer(client, world, "staff", query, variables)
    assert not result.get("errors"), result


def nested_object(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("shape", ["list", "object"])
@pytest.mark.parametrize("depth", [64, 500, 850])
def test_variables_nested_hundreds_deep_are_refused_not_crashed(client, world, shape, depth):
    value = nested_list(depth) if shape == "list" else nested_object(depth)
    client.raise_request_exception = False
    body = json.dumps({"query": "query($p: String!) { page(urlPath: $p) { title } }", "variables": {"p": value}})
    response = client.post("/graphql", data=body, content_type="application/json")
    assert not faults(response)


def test_the_text_check_walks_any_depth():
    from cms.core.graphql.execution import invalid_text_errors

    assert invalid_text_errors({"p": nested_list(20_000), "q": nested_object(20_000)}) == []
    assert len(invalid_text_errors({"p": [nested_object(20_000), "\ud800"]})) == 1
