"""The fuzzer of `test_fuzz_variables.py`: the values (wrong kinds, and wrong content of
each scalar), the world's baseline values, the schema's fields and arguments as
introspection shows them, the operations and cases built from them, and sending the cases
(several refused ones to a request, the others one to a request in a savepoint)."""

from __future__ import annotations

import base64
import copy
import datetime
import json
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    build_client_schema,
    get_named_type,
    introspection_from_schema,
    is_enum_type,
    is_input_object_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_required_argument,
    parse_type,
    type_from_ast,
)
from graphql.pyutils import Undefined
from graphql.utilities import coerce_input_value

from cms.schema import schema
from operations.tickets.models import Ticket
from tests.factories import tickets as tf
from tests.factories.graphql import gid

VIEWERS = ("anonymous", "resident", "staff")
CLIENT_CODES = {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def nested_list(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


# --- Values ------------------------------------------------------------------------------------

# JSON of every kind, sent to every position whatever its type.
WRONG_KINDS = {
    "string": "x",
    "empty string": "",
    "number": 7,
    "zero": 0,
    "negative": -1,
    "beyond 2^53": 2**53 + 1,
    "beyond int64": 2**63,
    "float": 1.5,
    "NaN": math.nan,
    "infinity": math.inf,
    "boolean": True,
    "object": {"a": 1},
    "empty object": {},
    "list of strings": ["x"],
    "empty list": [],
    "nested list": nested_list(40),
    "null": None,
    "NUL in text": "a\x00b",
}

LONG_TEXT = "x" * 1_000_000

# Values of the right kind (they pass the schema's own checks) that may still surprise a resolver.
STRINGS = {
    "blank": " ",
    "megabyte": LONG_TEXT,
    "polish, emoji, right-to-left": "zażółć gęślą jaźń 🦄 \u202eabc",
    "control characters": "\x01\x1b[31m\x7f",
    "lone surrogate": "\ud800",
    "quotes": "' OR '1'='1' --",
    "like wildcards": "%_\\",
    "path": "../../etc/passwd",
}
IDS = {
    "not a number": "x",
    "lone surrogate": "\udfff1",
    "0": "0",
    "-1": "-1",
    "decimal": "1.5",
    "exponent": "1e3",
    "padded": " 1 ",
    "arabic digit": "١",
    "beyond int64": str(2**63),
    "thirty nines": "9" * 30,
    "not base64": "garbage!!",
    "bad padding": "abc",
    "ticket 10^20": "VGlja2V0Ojk5OTk5OTk5OTk5OTk5OTk5OTk5",
    "ticket -1": b64("Ticket:-1"),
    "ticket x": b64("Ticket:x"),
    "ticket empty": b64("Ticket:"),
    "only a colon": b64(":"),
    "contractor 1": b64("Contractor:1"),
    "contractor 10^20": b64("Contractor:" + "9" * 20),
    "inbox message 0": b64("InboxMessage:0"),
    "binary": b64(b"\xff\xfe\x00\x01"),
}
INTS = {"-1": -1, "0": 0, "2^31-1": 2**31 - 1, "-2^31": -(2**31), "10^9": 10**9}
FLOATS = {"-1e308": -1e308, "1e308": 1e308, "smallest": 5e-324, "big": 123456789.123456, "-0": -0.0, "91": 91.0}
DATETIMES = {
    "year 1": "0001-01-01T00:00:00",
    "year 9999": "9999-12-31T23:59:59.999999",
    "year 1 east": "0001-01-01T00:00:00+14:00",
    "year 9999 west": "9999-12-31T23:59:59-12:00",
    "in the DST gap": "2026-03-29T02:30:00",
    "30 February": "2026-02-30T00:00:00",
    "date only": "2026-01-01",
    "epoch UTC": "1970-01-01T00:00:00Z",
    "word": "now",
}
DATES = {
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "30 February": "2026-02-30",
    "with time": "2026-01-01T10:00",
}
DECIMALS = {"NaN": "NaN", "infinity": "Infinity", "huge exponent": "1e999999", "hundred digits": "9" * 100}
BY_SCALAR = {
    "String": STRINGS,
    "ID": IDS,
    "Int": INTS,
    "Float": FLOATS,
    "Boolean": {"true": True, "false": False},
    "DateTime": DATETIMES,
    "Date": DATES,
    "Decimal": DECIMALS,
    "Upload": {},
}

# --- The world the baseline values name ---------------------------------------------------------


@dataclass
class World:
    cast: tf.Cast
    ticket: Ticket  # the resident's, assigned to the firm's worker
    done_ticket: Ticket  # the resident's, done: it may be rated or reopened
    message_id: str  # in the resident's inbox
    users: dict[str, object]  # viewer -> user (None when anonymous)


def named_baselines(world: World) -> dict[str, object]:
    """Valid values by argument (or input field) name: real objects the viewers may use."""
    cast = world.cast
    soon = timezone.now() + datetime.timedelta(days=3)
    return {
        "ticketId": gid("Ticket", world.ticket.pk),
        "contractorId": gid("Contractor", cast.firm.pk),
        "workerId": str(cast.firm_worker.pk),
        "categoryId": str(cast.category.pk),
        "buildingId": str(cast.building.pk),
        "unitId": str(cast.unit.pk),
        "reporterId": str(cast.reporter.pk),
        "ids": [world.message_id],
        "urlPath": "/",
        "dueAt": soon.isoformat(),
        "rating": 5,
        "status": "IN_PROGRESS",
        "reason": "Nadal cieknie.",
        "body": "Proszę o kontakt.",
        "title": "Cieknie kran",
        "description": "Kapie z kranu w kuchni.",
        "contactPhone": "600 123 456",
        "phone": "+48600123456",
        "language": "pl",
        "token": "ExponentPushToken[fuzz-0123456789]",
        "email": "ktos@example.com",
        "username": "ktos",
        "password": "Zle-haslo-12345",
        "role": "OWNER",
        "proofKind": "ACCESS_CODE",
        "proofValue": "KOD-1",
        "clusterLimit": 10,
        "first": 5,
    }


def field_baselines(world: World) -> dict[tuple[str, str], object]:
    """Where one field needs another object than its argument's name says."""
    done = gid("Ticket", world.done_ticket.pk)
    return {
        ("ticket", "id"): gid("Ticket", world.ticket.pk),
        ("ticketRate", "ticketId"): done,
        ("ticketReopen", "ticketId"): done,
    }


# --- The schema, as introspection shows it ----------------------------------------------------

CLIENT_SCHEMA = build_client_schema(introspection_from_schema(schema._schema))


def server_type(client_type):
    """The executable schema's type of the same name: it coerces the way the endpoint does."""
    return type_from_ast(schema._schema, parse_type(str(client_type)))


@dataclass(frozen=True)
class Target:
    """A field to fuzz, reached from the root through `path` (fields without required arguments)."""

    operation: str  # "query" or "mutation"
    path: tuple[str, ...]
    name: str
    field: object

    @property
    def label(self) -> str:
        return ".".join((*self.path, self.name)) if self.operation == "query" else f"mutation {self.name}"


def _reachable_fields_with_arguments() -> list[Target]:
    """Non-root fields with arguments, each by the shortest path from Query."""
    query = CLIENT_SCHEMA.query_type
    paths = {query.name: ()}
    queue = [query]
    targets = []
    while queue:
        parent = queue.pop(0)
        for name, child in parent.fields.items():
            if any(is_required_argument(argument) for argument in child.args.values()):
                continue
            named = get_named_type(child.type)
            if is_leaf_type(named) or named.name in paths or not hasattr(named, "fields"):
                continue
            paths[named.name] = (*paths[parent.name], name)
            queue.append(named)
            targets.extend(
                Target("query", paths[named.name], field_name, grandchild)
                for field_name, grandchild in named.fields.items()
                if grandchild.args
            )
    return targets


def all_targets() -> list[Target]:
    targets = [Target("query", (), name, f) for name, f in CLIENT_SCHEMA.query_type.fields.items()]
    targets += [Target("mutation", (), name, f) for name, f in CLIENT_SCHEMA.mutation_type.fields.items()]
    return targets + _reachable_fields_with_arguments()


TARGETS = all_targets()


def _selectable(named) -> dict:
    return {
        name: child
        for name, child in getattr(named, "fields", {}).items()
        if not any(is_required_argument(argument) for argument in child.args.values())
    }


def selection(type_, depth: int) -> str:
    """Every field of `type_` without required arguments, `depth` object levels down
    (a connection's `edges` not counted: its nodes are what it returns)."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    chosen = ["__typename"]
    for name, child in _selectable(named).items():
        if is_leaf_type(get_named_type(child.type)):
            chosen.append(name)
        elif name == "edges":
            chosen.append(f"{name} {selection(child.type, depth)}")
        elif depth > 1:
            chosen.append(f"{name} {selection(child.type, depth - 1)}")
    return "{ " + " ".join(chosen) + " }"


def resolved(type_) -> str:
    """Enough of an object to make it resolve: `__typename`, its `id`, a connection's nodes."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    chosen = ["__typename"]
    for name, child in _selectable(named).items():
        if name == "id":
            chosen.append(name)
        elif name in {"edges", "node"}:
            chosen.append(f"{name} {resolved(child.type)}")
    return "{ " + " ".join(chosen) + " }"


def field_selection(type_, detail: str) -> str:
    """ "full" (the baseline's): two levels of fields; "lean" (the cases'): the field's own
    leaves and every object below it resolved; "none": `__typename`. Every request parses
    and validates its document again, so the cases' documents are kept small."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if detail == "none":
        return "{ __typename }"
    if detail == "full":
        return selection(type_, 2)
    chosen = ["__typename"]
    for name, child in _selectable(named).items():
        chosen.append(name if is_leaf_type(get_named_type(child.type)) else f"{name} {resolved(child.type)}")
    return "{ " + " ".join(chosen) + " }"


def variable_type(argument) -> str:
    """The argument's type; a required type with a default may be left out, so it is declared nullable."""
    if is_non_null_type(argument.type) and argument.default_value is not Undefined:
        return str(argument.type.of_type)
    return str(argument.type)


def operation(target: Target, aliases: int | None = None, *, detail: str = "lean") -> str:
    """The operation for `target`: one use of the field (variables `$<arg>`), or `aliases`
    uses (`c<n>: field(...)`, variables `$c<n>_<arg>`)."""
    arguments = target.field.args
    uses, definitions = [], []
    body = field_selection(target.field.type, detail)
    for index in range(aliases or 1):
        prefix = f"c{index}_" if aliases else ""
        alias = f"c{index}: " if aliases else ""
        definitions += [f"${prefix}{name}: {variable_type(argument)}" for name, argument in arguments.items()]
        passed = ", ".join(f"{name}: ${prefix}{name}" for name in arguments)
        uses.append(f"{alias}{target.name}{f'({passed})' if passed else ''} {body}")
    inner = " ".join(uses)
    for step in reversed(target.path):
        inner = f"{step} {{ {inner} }}"
    declared = f"({', '.join(definitions)})" if definitions else ""
    return f"{target.operation} Fuzz{declared} {{ {inner} }}"


# --- Baselines and cases --------------------------------------------------------------------


class Builder:
    def __init__(self, world: World, target: Target):
        self.named = named_baselines(world)
        self.per_field = field_baselines(world)
        self.target = target

    def fallback(self, type_, name: str | None):
        """A valid value of `type_`, or None for one that has none in JSON (a file)."""
        for known in (self.per_field.get((self.target.name, name)), self.named.get(name)):
            # A name may mean another type elsewhere (`status` of a ticket, of an investment).
            if known is not None and coerce_input_value(known, server_type(type_)) is not Undefined:
                return copy.deepcopy(known)
        if is_non_null_type(type_):
            type_ = type_.of_type
        if is_list_type(type_):
            item = self.fallback(type_.of_type, None)
            return [] if item is None else [item]
        if is_input_object_type(type_):
            return self.input_object(type_)
        if is_enum_type(type_):
            return next(iter(type_.values))
        return {
            "String": "x",
            "ID": "1",
            "Int": 1,
            "Float": 1.0,
            "Boolean": False,
            "DateTime": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
            "Date": timezone.localdate().isoformat(),
            "Decimal": "1",
        }.get(type_.name)

    def input_object(self, type_: GraphQLInputObjectType) -> dict:
        """Its required fields, and those the baselines name."""
        value = {}
        for name, input_field in type_.fields.items():
            required = is_non_null_type(input_field.type) and input_field.default_value is Undefined
            if required or name in self.named:
                item = self.fallback(input_field.type, name)
                if item is not None:
                    value[name] = item
        return value

    def baseline(self) -> dict:
        """Required arguments, and the optional ones the baselines name."""
        variables = {}
        for name, argument in self.target.field.args.items():
            if is_required_argument(argument) or name in self.named or (self.target.name, name) in self.per_field:
                value = self.fallback(argument.type, name)
                if value is not None:
                    variables[name] = value
        return variables


@dataclass
class Case:
    label: str
    variables: dict

    @property
    def summary(self) -> str:
        text = json.dumps(self.variables, default=str)
        return text if len(text) < 300 else text[:300] + f"… ({len(text)} characters)"


def _values_for(type_) -> dict[str, object]:
    """WRONG_KINDS, and the values of the right kind worth trying for `type_`."""
    named = get_named_type(type_)
    values = dict(WRONG_KINDS)
    if isinstance(named, GraphQLEnumType):
        values.update({f"enum {value}": value for value in named.values})
        values["unknown enum value"] = "NOPE"
        values["lower-case enum value"] = next(iter(named.values)).lower()
    elif is_input_object_type(named):
        values["unknown field"] = {"nope": 1}
    else:
        values.update(BY_SCALAR.get(named.name, STRINGS))
    return values


def _positions(type_):
    """(path within the argument, type) of the value and of everything inside it."""
    yield (), type_
    inner = type_.of_type if is_non_null_type(type_) else type_
    if is_list_type(inner):
        for path, item_type in _positions(inner.of_type):
            yield (0, *path), item_type
    elif is_input_object_type(inner):
        for field_name, input_field in inner.fields.items():
            for path, field_type in _positions(input_field.type):
                yield (field_name, *path), field_type


def _placed(builder: Builder, argument_type, container, path: tuple, value):
    """A copy of the argument's value with `value` at `path` (containers made as needed)."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    inner = argument_type.of_type if is_non_null_type(argument_type) else argument_type
    if is_list_type(inner):
        item = container[0] if isinstance(container, list) and container else builder.fallback(inner.of_type, None)
        return [_placed(builder, inner.of_type, item, rest, value)]
    current = dict(container) if isinstance(container, dict) else builder.input_object(inner)
    field_type = inner.fields[step].type
    current[step] = _placed(builder, field_type, current.get(step), rest, value)
    return current


def cases(world: World, target: Target, *, dedupe: bool = True) -> list[Case]:
    builder = Builder(world, target)
    baseline = builder.baseline()
    found = [Case("baseline", baseline)]
    seen = {json.dumps(baseline, sort_keys=True)}
    for name, argument in target.field.args.items():
        for path, type_ in _positions(argument.type):
            values = _values_for(type_)
            inner = type_.of_type if is_non_null_type(type_) else type_
            if is_list_type(inner):
                item = builder.fallback(inner.of_type, None)
                if item is not None:
                    values["a thousand items"] = [item] * 1000
                values["a null item"] = [None]
            for label, value in values.items():
                variables = dict(baseline)
                variables[name] = _placed(builder, argument.type, baseline.get(name), path, value)
                key = json.dumps(variables, sort_keys=True)
                if dedupe and key in seen:
                    continue
                seen.add(key)
                where = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
                found.append(Case(f"{name}{where} = {label}", variables))
    return found


def refused_by_the_schema(target: Target, case: Case) -> bool:
    """Whether coercing the variables fails, so that no resolver sees them (and the viewer
    cannot matter). Text with a NUL or a lone surrogate is refused before coercion, for the
    whole request: such cases are sent on their own."""
    text = json.dumps(case.variables, ensure_ascii=False)
    if "\\u0000" in text:  # JSON escapes NUL whatever ensure_ascii says
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    for name, argument in target.field.args.items():
        value = case.variables.get(name, Undefined)
        if value is Undefined:
            continue
        declared = server_type(variable_type(argument))
        if coerce_input_value(value, declared) is Undefined:
            return True
    return False


# --- Sending ---------------------------------------------------------------------------------


class Recorder(logging.Handler):
    """The tracebacks of server faults, to show next to the case that caused them."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def take(self) -> str:
        text = "\n".join(self.format(record) for record in self.records)
        self.records.clear()
        return text[-2000:]


def faults(response) -> list[str]:
    """What is wrong with an answer: a 5xx, something else than JSON, an untyped or server error."""
    if response.status_code not in (200, 400):
        return [f"HTTP {response.status_code}: {response.content[:200]!r}"]
    try:
        result = json.loads(response.content)
    except ValueError:
        return [f"not JSON: {response.content[:200]!r}"]
    found = []
    for error in result.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None or code == "INTERNAL_SERVER_ERROR":
            found.append(f"{code}: {error.get('message')} at {error.get('path')}")
    return found


class Sender:
    def __init__(self, client, world: World, viewer: str, recorder: Recorder):
        self.client = client
        self.recorder = recorder
        self.session_key = None
        user = world.users[viewer]
        client.logout()
        if user is not None:
            client.force_login(user)
            self.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def post(self, query: str, variables: dict):
        # Each case starts from the same state: rows rolled back, rate limits reset, and
        # the viewer signed in again (sessionSignOut and sign-in mutations change the session).
        if self.session_key is not None:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.session_key
        else:
            self.client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        body = json.dumps({"query": query, "variables": variables})
        with transaction.atomic():
            response = self.client.post("/graphql", data=body, content_type="application/json")
            transaction.set_rollback(True)
        cache.clear()
        return response


BATCH = 10


def _send_refused(sender: Sender, target: Target, refused: list[Case], problems: list[str]) -> None:
    """Cases the schema refuses, several to a request: nothing may run, every case must be
    named in a typed error of its own."""
    for start in range(0, len(refused), BATCH):
        chunk = refused[start : start + BATCH]
        variables = {
            f"c{index}_{name}": value for index, case in enumerate(chunk) for name, value in case.variables.items()
        }
        response = sender.post(operation(target, len(chunk), detail="none"), variables)
        found = faults(response)
        if found:
            problems.extend(f"{case.label}: {found} (sent with others)" for case in chunk)
            continue
        result = response.json()
        if result.get("data") is not None:
            problems.append(f"expected to be refused, but ran: {[case.label for case in chunk]}")
            continue
        messages = " ".join(error["message"] for error in result["errors"])
        for index, case in enumerate(chunk):
            if f"$c{index}_" not in messages and "error limit reached" not in messages:
                problems.append(f"{case.label}: not reported among the refusals: {messages[:300]}")


def run(sender: Sender, target: Target, all_cases: list[Case]) -> list[str]:
    """Every case sent; what went wrong, case by case."""
    problems: list[str] = []
    refused, accepted = [], []
    for case in all_cases:
        (refused if refused_by_the_schema(target, case) else accepted).append(case)
    _send_refused(sender, target, refused, problems)
    for case in accepted:
        query = operation(target, detail="full" if case.label == "baseline" else "lean")
        response = sender.post(query, case.variables)
        found = faults(response)
        if found:
            problems.append(f"{case.label}\n    variables: {case.summary}\n    {found}\n    {sender.recorder.take()}")
    return problems
