"""Adversarial review of two performance changes, for any answer that differs from stock:

1. `cms.core.loading.LeanLoading`: rows of the tickets and residents models loaded without
   `Model.__init__`. Every check loads the same rows twice, the lean way and Django's
   (`loads_lean` patched to say no), and compares what the instances hold and do.
2. `HubExecutionContext._execute_object_field`: an object field read by strawberry's basic
   resolver executed without graphql-core's `execute_field`/`complete_value`. A small
   schema of its own is answered by `HubExecutionContext` and by strawberry's stock
   context; data, errors (in order, with paths and locations) and the resolver calls are
   compared. The real schema's ticket operations are compared with both changes turned off.

Findings, each shown by a test here that failed before its fix:
- `_execute_object_field` collected the object's fields outside its `try`: an error raised
  there (`@include(if: $v)` with `$v: Boolean = true` sent as null) nulled the parent
  instead of the field and named the parent in the error's path (a mutation's payload
  lost its ticket). Now such an object is completed by graphql-core's `complete_value`.
- `loads_lean` did not look at a class's own `__setattr__`, which `Model.__init__` calls.
- An object the short path handed back was read twice (its resolver ran again); now the
  value read once is completed by graphql-core.
- Async only: pending siblings of a failing field were dropped unawaited instead of
  settled; now settled in the background as graphql-core does.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import logging
import pickle
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import strawberry
from django.core import serializers
from django.db import connection, transaction
from django.db.models import Count, F, Model, Value
from django.db.models.functions import Upper
from django.db.models.signals import post_init, pre_init
from django.forms.models import model_to_dict, modelform_factory
from django.test.utils import CaptureQueriesContext, isolate_apps
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from cms.core import loading
from cms.core.graphql import execution
from cms.core.graphql.execution import HubExecutionContext
from operations.residents.models import Building, Unit
from operations.tickets import services
from operations.tickets.admin.forms import CategoryForm
from operations.tickets.models import Category, Ticket, TicketComment, TicketEvent, TicketPhoto
from tests.factories import tickets as tf
from tests.factories.graphql import gid
from tests.factories.pictures import jpeg

# --- The executor: a schema of its own -----------------------------------------------------------

CALLS: Counter = Counter()


class Broken(Exception):
    pass


def _fail(message: str):
    raise Broken(message)


def _counted(name: str, read):
    """An attribute read by a basic resolver, counting its reads."""

    def getter(self):
        CALLS[name] += 1
        return read(self)

    return property(getter)


class Thing:
    def __init__(self, n: int):
        self.n = n
        self.name = f"rzecz {n}"
        self.missing = None
        self.maybe = None if n % 2 else "tak"

    @property
    def raising(self) -> str:
        raise Broken(f"nie da się odczytać rzeczy {self.n}")


class Source:
    def __init__(self, n: int):
        self.n = n

    leaf = _counted("leaf", lambda self: Thing(self.n))
    maybe_leaf = _counted("maybe_leaf", lambda self: Thing(self.n) if self.n % 2 else None)
    absent = _counted("absent", lambda self: None)
    absent_nullable = _counted("absent_nullable", lambda self: None)
    raising_leaf = _counted("raising_leaf", lambda self: _fail(f"nie ma rzeczy {self.n}"))
    raising_nullable_leaf = _counted("raising_nullable_leaf", lambda self: _fail(f"nie ma rzeczy {self.n}"))
    error_value = _counted("error_value", lambda self: Broken(f"zwrócony błąd {self.n}"))
    error_value_strict = _counted("error_value_strict", lambda self: Broken(f"zwrócony błąd {self.n}"))
    square = _counted("square", lambda self: Thing(self.n))  # not a square
    square_strict = _counted("square_strict", lambda self: Thing(self.n))
    circle_as_square = _counted("circle_as_square", lambda self: Circle(side=self.n))  # shares the interface
    picky = _counted("picky", lambda self: Thing(self.n))
    picky_wrong = _counted("picky_wrong", lambda self: Source(self.n))
    truthy = _counted("truthy", lambda self: Thing(self.n))
    child = _counted("child", lambda self: Source(self.n + 10) if self.n < 40 else None)
    strict_child = _counted("strict_child", lambda self: Source(self.n + 10))


@strawberry.type
class Leaf:
    n: int
    name: str
    missing: str  # declared non-null, answers None
    maybe: str | None
    raising: str

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"później {self.n}"

    @strawberry.field
    async def later_missing(self) -> str:
        await asyncio.sleep(0)
        return None  # type: ignore[return-value]


@strawberry.interface
class Shape:
    side: int


@strawberry.type
class Square(Shape):
    pass


@strawberry.type
class Circle(Shape):
    pass


@strawberry.type
class Picky:
    """An `is_type_of` that reads the `Info` it is given."""

    name: str

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return info.field_name.startswith("picky") and isinstance(obj, Thing)


@strawberry.type
class Truthy:
    """An `is_type_of` that answers a true value other than True."""

    name: str

    @classmethod
    def is_type_of(cls, obj, info):
        return 1 if isinstance(obj, Thing) else 0


@strawberry.type
class Mid:
    n: int
    leaf: Leaf
    maybe_leaf: Leaf | None
    absent: Leaf
    absent_nullable: Leaf | None
    raising_leaf: Leaf
    raising_nullable_leaf: Leaf | None
    error_value: Leaf | None
    error_value_strict: Leaf
    square: Square | None
    square_strict: Square
    circle_as_square: Square | None
    picky: Picky | None
    picky_wrong: Picky | None
    truthy: Truthy | None
    child: Mid | None
    strict_child: Mid


@strawberry.type
class Query:
    @strawberry.field
    def mid(self) -> Mid | None:
        return Source(1)

    @strawberry.field
    def strict_mid(self) -> Mid:
        return Source(2)

    @strawberry.field
    def mids(self) -> list[Mid | None]:
        return [Source(n) for n in range(3)]

    @strawberry.field
    def strict_mids(self) -> list[Mid] | None:
        return [Source(n) for n in range(3)]


_SCHEMAS: dict[type, strawberry.Schema] = {}


def _small_schema(context_class) -> strawberry.Schema:
    if context_class not in _SCHEMAS:
        _SCHEMAS[context_class] = strawberry.Schema(query=Query, execution_context_class=context_class)
    return _SCHEMAS[context_class]


def _result(result) -> dict:
    return {
        "data": result.data,
        # In graphql-core's order, not sorted: the order is part of the answer.
        "errors": [
            (
                tuple(error.path or ()),
                error.message,
                tuple((location.line, location.column) for location in error.locations or ()),
            )
            for error in result.errors or ()
        ],
        "calls": dict(CALLS),
    }


def _answer(context_class, query: str, variables: dict | None = None) -> dict:
    CALLS.clear()
    return _result(_small_schema(context_class).execute_sync(query, variable_values=variables))


def _answer_async(context_class, query: str) -> dict:
    CALLS.clear()
    # In a thread of its own: in a test process that ran the browser tests, Playwright's
    # sync API keeps an event loop running in this thread, and `asyncio.run` refuses to
    # start inside one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(asyncio.run, _small_schema(context_class).execute(query)).result()
    return _result(result)


def _without_calls(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key != "calls"}


EXECUTOR_QUERIES = {
    "plain objects, nested three deep": (
        "{ mid { leaf { name } child { child { leaf { n maybe } maybeLeaf { n } } } } }"
    ),
    "a non-null leaf's null passes through two non-null objects to a nullable one": (
        "{ mids { n strictChild { strictChild { leaf { name missing } } } } }"
    ),
    "to the root when nothing on the way is nullable": "{ strictMid { strictChild { leaf { missing } } } }",
    "a non-null list's item nulls the list": "{ strictMids { n leaf { raising } } }",
    "an error in a nullable object inside a non-null one": "{ mid { strictChild { child { leaf { raising } } n } } }",
    "errors on siblings, in order": (
        "{ mids { maybeLeaf { raising } leaf { maybe raising } absentNullable { n } child { leaf { missing } } } }"
    ),
    "a null for a non-null object in a non-null object": "{ mid { strictChild { absent { name } } } }",
    "a null for a nullable object": "{ mid { absentNullable { name } maybeLeaf { name } } }",
    "a resolver raising, non-null and nullable": "{ mids { raisingLeaf { n } } mid { raisingNullableLeaf { n } } }",
    "an exception returned as the value": "{ mid { errorValue { n } } strictMid { errorValueStrict { n } } }",
    "an object of another type": "{ mids { square { side } } mid { squareStrict { side } } }",
    "another type of the same interface": "{ mid { circleAsSquare { side __typename } } }",
    "an is_type_of that reads info": "{ mid { picky { name } pickyWrong { name } } }",
    "an is_type_of answering a true value that is not True": "{ mid { truthy { name } } }",
    "aliases and the same object twice with other fields": (
        "{ mid { a: leaf { name } leaf { n } leaf { maybe } b: leaf { missing } c: child { n } } }"
    ),
    "fragments, inline and named, and typename": (
        "query { mid { ...M leaf { ... on Leaf { maybe } __typename } } } "
        "fragment M on Mid { leaf { name } child { __typename ...M2 } } fragment M2 on Mid { n }"
    ),
    "every field of an object skipped": "{ mid { leaf { name @skip(if: true) } child { n @include(if: false) } } }",
    "only the typename": "{ mids { leaf { __typename } child { __typename leaf { __typename } } } }",
    "skip and include on objects and inside them": (
        "{ mid { leaf @skip(if: true) { name } child @include(if: true) { leaf { name @skip(if: true) n } } } }"
    ),
}


@pytest.mark.parametrize("query", EXECUTOR_QUERIES.values(), ids=EXECUTOR_QUERIES.keys())
def test_object_fields_answer_as_graphql_core_does(query):
    assert _without_calls(_answer(HubExecutionContext, query)) == _without_calls(
        _answer(StrawberryGraphQLCoreExecutionContext, query)
    )


@pytest.mark.parametrize("include", [True, False])
def test_skip_and_include_by_variables(include):
    query = "query($on: Boolean!) { mid { leaf @include(if: $on) { name } child @skip(if: $on) { leaf { missing } } } }"
    variables = {"on": include}
    assert _answer(HubExecutionContext, query, variables) == _answer(
        StrawberryGraphQLCoreExecutionContext, query, variables
    )


def test_the_comparisons_hold_the_errors_they_are_meant_to():
    # Compared, not merely run: these answers do hold errors and nulls where meant.
    deep = _answer(
        HubExecutionContext,
        EXECUTOR_QUERIES["a non-null leaf's null passes through two non-null objects to a nullable one"],
    )
    assert deep["data"] == {"mids": [None, None, None]}
    assert [error[0] for error in deep["errors"]] == [
        ("mids", i, "strictChild", "strictChild", "leaf", "missing") for i in range(3)
    ]
    assert (
        _answer(HubExecutionContext, EXECUTOR_QUERIES["to the root when nothing on the way is nullable"])["data"]
        is None
    )
    wrong = _answer(HubExecutionContext, EXECUTOR_QUERIES["an object of another type"])
    assert [error[1].startswith("Expected value of type 'Square'") for error in wrong["errors"]] == [True] * 4
    picky = _answer(HubExecutionContext, EXECUTOR_QUERIES["an is_type_of that reads info"])
    assert picky["data"] == {"mid": {"picky": {"name": "rzecz 1"}, "pickyWrong": None}}


def _infos_built(monkeypatch) -> list[str]:
    built: list[str] = []
    real = HubExecutionContext.build_resolve_info

    def counting(self, field_def, field_nodes, parent_type, path):
        built.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return real(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(HubExecutionContext, "build_resolve_info", counting)
    return built


def test_the_object_path_is_taken_and_reads_each_object_once(monkeypatch):
    # The comparisons above compare two paths, not one path with itself; and on the short
    # path every object is read exactly as often as graphql-core reads it.
    built = _infos_built(monkeypatch)
    query = "{ mids { leaf { name } child { leaf { n } maybeLeaf { n } } } }"
    hub = _answer(HubExecutionContext, query)
    assert built == ["Query.mids"]
    assert hub == _answer(StrawberryGraphQLCoreExecutionContext, query)
    assert hub["calls"] == {"leaf": 6, "child": 3, "maybe_leaf": 3}


@pytest.mark.parametrize(
    "query",
    ["{ mid { raisingLeaf { n } } }", "{ mid { absent { n } } }", "{ mid { square { side } } }"],
    ids=["raising", "null for non-null", "another type"],
)
def test_a_handed_back_object_is_read_once(query):
    assert (
        _answer(HubExecutionContext, query)["calls"] == _answer(StrawberryGraphQLCoreExecutionContext, query)["calls"]
    )


ASYNC_QUERIES = {
    "async leaves inside short-pathed objects": "{ mids { leaf { later name } child { leaf { later } } } }",
    "an async non-null null inside a nullable object": "{ mid { maybeLeaf { laterMissing } leaf { later } } }",
    "an async non-null null passed up through non-null objects": (
        "{ mids { strictChild { strictChild { leaf { laterMissing n } } } } }"
    ),
}


@pytest.mark.parametrize("query", ASYNC_QUERIES.values(), ids=ASYNC_QUERIES.keys())
def test_async_execution_answers_as_graphql_core_does(query):
    hub = _answer_async(HubExecutionContext, query)
    stock = _answer_async(StrawberryGraphQLCoreExecutionContext, query)
    assert _without_calls(hub) == _without_calls(stock)


def _never_awaited(context_class, query: str) -> list[str]:
    # Logged errors keep their tracebacks (pytest keeps the records), and with them the
    # coroutines: nothing is logged here, so that they are collected now.
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _answer_async(context_class, query)
            gc.collect()
    finally:
        logging.disable(logging.NOTSET)
    return [str(warning.message) for warning in caught if "never awaited" in str(warning.message)]


def test_pending_siblings_of_a_failing_field_are_settled_as_graphql_core_does():
    query = "{ mid { leaf { later } absent { n } } }"
    assert _without_calls(_answer_async(HubExecutionContext, query)) == _without_calls(
        _answer_async(StrawberryGraphQLCoreExecutionContext, query)
    )
    assert _never_awaited(HubExecutionContext, query) == _never_awaited(StrawberryGraphQLCoreExecutionContext, query)


# --- Lean loading: the ORM ---------------------------------------------------------------------------


def _django_way(monkeypatch):
    monkeypatch.setattr(loading, "loads_lean", lambda model: False)


def _snapshot(instance, seen: frozenset = frozenset()):
    """Everything an instance holds, its related rows' too; a row met again on the way
    (a prefetch caches the parent on each child) by its model and key."""
    if instance is None:
        return None
    if id(instance) in seen:
        return ("again", type(instance), instance.pk)
    seen = seen | {id(instance)}
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    for name, value in list(values.items()):
        if isinstance(value, list):
            values[name] = [_snapshot(item, seen) for item in value]
    if "_prefetched_objects_cache" in values:
        values["_prefetched_objects_cache"] = {
            name: [_snapshot(item, seen) for item in queryset]
            for name, queryset in instance._prefetched_objects_cache.items()
        }
    state = instance._state
    cached = {name: _snapshot(related, seen) for name, related in state.fields_cache.items()}
    return type(instance), values, state.adding, state.db, cached, instance.get_deferred_fields()


def _both_ways(monkeypatch, load):
    lean = load()
    _django_way(monkeypatch)
    django = load()
    monkeypatch.undo()
    return lean, django


@pytest.fixture
def tickets(cast):
    photo = services.photos_process([jpeg()])
    made = []
    for n in range(3):
        ticket = tf.report(cast.reporter, title=f"Usterka {n}", photos=photo if n == 0 else ())
        services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body=f"Notatka {n}", internal=n == 1)
        made.append(ticket)
    made.append(tf.report(cast.reporter, unit=None, building=cast.building, title="Klatka schodowa"))
    return made


ORM_QUERIES = {
    "annotations": lambda: list(
        Ticket.objects.annotate(comment_count=Count("comments"), shout=Upper("title"), twice=F("id") * 2).order_by("id")
    ),
    "annotations with only()": lambda: list(
        Ticket.objects.only("id", "title").annotate(label=Value("x"), cat=F("category__name")).order_by("id")
    ),
    "extra select": lambda: list(Ticket.objects.extra(select={"doubled": "id * 2"}).order_by("id")),
    "raw with a column that is no field": lambda: list(
        Ticket.objects.raw("SELECT id, status, title, 7 AS lucky FROM tickets_ticket ORDER BY id")
    ),
    "raw with columns out of the model's order": lambda: list(
        Ticket.objects.raw(
            "SELECT title, unit_id, id, building_id, category_id, status FROM tickets_ticket ORDER BY id"
        )
    ),
    "iterator in chunks": lambda: list(Ticket.objects.select_related("category").order_by("id").iterator(2)),
    "in_bulk": lambda: sorted(Ticket.objects.in_bulk().items()),
    "using the default database": lambda: list(Ticket.objects.using("default").order_by("id")),
    "dates and ordering by a related field": lambda: list(Unit.objects.order_by("building__code", "-number")),
    "select_related to a non-lean model with only()": lambda: list(
        TicketComment.objects.select_related("author", "ticket__category").only(
            "body", "author__username", "ticket__title", "ticket__category__slug"
        )
    ),
    "a related row with every column deferred but its key": lambda: list(
        Ticket.objects.select_related("unit").only("id", "unit__id").order_by("id")
    ),
    "reverse one-to-many through the building": lambda: list(
        Building.objects.prefetch_related("tickets__photos", "units").order_by("id")
    ),
    "events deferred": lambda: list(TicketEvent.objects.defer("note", "actor").order_by("id")),
    "photos' files read": lambda: [(photo, photo.file, photo.thumbnail) for photo in TicketPhoto.objects.all()],
}


@pytest.mark.django_db
@pytest.mark.parametrize("load", ORM_QUERIES.values(), ids=ORM_QUERIES.keys())
def test_each_query_loads_what_djangos_way_loads(tickets, monkeypatch, load):
    def snapshots():
        rows = load()
        out = []
        for row in rows:
            items = row if isinstance(row, tuple) else (row,)
            out.append(tuple(_snapshot(item) if hasattr(item, "_state") else (type(item), str(item)) for item in items))
        return out

    lean, django = _both_ways(monkeypatch, snapshots)
    assert lean, "nothing to compare"
    assert lean == django


@pytest.mark.django_db
def test_annotations_are_on_the_lean_instances(tickets):
    # The comparison above would hold if neither way set them: say what is expected.
    first = Ticket.objects.annotate(comment_count=Count("comments"), twice=F("id") * 2).order_by("id").first()
    assert first.comment_count == 1 and first.twice == first.pk * 2
    raw = next(iter(Ticket.objects.raw("SELECT id, title, 7 AS lucky FROM tickets_ticket")))
    assert raw.lucky == 7 and "status" in raw.get_deferred_fields()


@pytest.mark.django_db
def test_pickle_and_copies_keep_the_instance(tickets, monkeypatch):
    def load():
        rows = list(Ticket.objects.select_related("category", "unit").only("id", "title", "category__name", "unit"))
        rows += list(Category.objects.prefetch_related("tickets"))
        copiers = (lambda row: pickle.loads(pickle.dumps(row)), copy.copy, copy.deepcopy)
        return [[_snapshot(copier(row)) for copier in copiers] for row in rows]

    lean, django = _both_ways(monkeypatch, load)
    assert lean and lean == django


@pytest.mark.django_db
def test_equality_hash_and_str_match_djangos_instances(tickets, monkeypatch):
    lean, django = _both_ways(monkeypatch, lambda: list(Ticket.objects.select_related("unit__building").order_by("id")))
    assert lean == django  # Model.__eq__: same model, same pk
    assert [hash(row) for row in lean] == [hash(row) for row in django]
    assert [str(row) for row in lean] == [str(row) for row in django]
    assert [str(row.unit) for row in lean if row.unit] == [str(row.unit) for row in django if row.unit]
    assert len(set(lean) | set(django)) == len(lean)


def _saved_sql(save, table: str = "") -> list[str]:
    """The statements `save` sends about `table` (a save may also raise the content version)."""
    with CaptureQueriesContext(connection) as captured:
        save()
    return [query["sql"] for query in captured.captured_queries if f'"{table}"' in query["sql"]]


@pytest.mark.django_db
def test_save_updates_what_djangos_instance_updates(tickets, monkeypatch):
    def run():
        partial = Ticket.objects.only("id", "title", "status").get(pk=tickets[0].pk)
        partial.title = "Zmieniony tytuł"
        whole = Category.objects.get(pk=tickets[0].category_id)
        whole.description = "Opis"
        building = Building.objects.get(pk=tickets[0].building_id)
        return (
            _saved_sql(partial.save, "tickets_ticket"),  # only the loaded columns, an UPDATE
            _saved_sql(whole.save, "tickets_category"),
            _saved_sql(lambda: building.save(update_fields=["city"]), "residents_building"),
            partial._state.adding,
            whole._state.db,
        )

    lean, django = _both_ways(monkeypatch, run)
    assert lean == django
    # (a save may also read the row, for the signals that follow a building's change)
    assert [sql.split(" ")[0] for sql in lean[0] + lean[1]] == ["UPDATE", "UPDATE"]
    assert any(sql.startswith("UPDATE") for sql in lean[2]) and not any("INSERT" in sql for sql in lean[2])
    assert '"description"' not in lean[0][0] and '"title"' in lean[0][0]
    assert Ticket.objects.count() == len(tickets)


@pytest.mark.django_db
def test_refresh_from_db_forgets_a_changed_related_row(tickets, cast, monkeypatch):
    def run():
        ticket = Ticket.objects.select_related("unit").get(pk=tickets[0].pk)
        assert ticket.unit_id == cast.unit.pk
        Ticket.objects.filter(pk=ticket.pk).update(unit=cast.other_unit, title="Nowy")
        ticket.refresh_from_db()
        seen = (ticket.title, ticket.unit.number, _snapshot(ticket))
        Ticket.objects.filter(pk=ticket.pk).update(unit=cast.unit, title=tickets[0].title)
        partial = Ticket.objects.only("id").get(pk=ticket.pk)
        partial.refresh_from_db(fields=["title"])
        return seen, _snapshot(partial), partial.get_deferred_fields()

    lean, django = _both_ways(monkeypatch, run)
    assert lean == django
    assert lean[0][:2] == ("Nowy", "2")


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["json", "python", "xml"])
def test_serializers_write_the_same(tickets, monkeypatch, form):
    def run():
        return [
            serializers.serialize(form, queryset)
            for queryset in (
                Ticket.objects.order_by("id"),
                Ticket.objects.only("id", "title").order_by("id"),
                TicketPhoto.objects.all(),
                Unit.objects.order_by("id"),
            )
        ]

    lean, django = _both_ways(monkeypatch, run)
    assert lean == django
    assert "Usterka 0" in str(lean[0]) and "Klatka schodowa" in str(lean[1])


@pytest.mark.django_db
def test_forms_on_lean_instances_validate_and_save_as_djangos(tickets, monkeypatch):
    def run():
        category = Category.objects.get(pk=tickets[0].category_id)
        data = {key: value for key, value in model_to_dict(category).items() if value is not None}
        form = modelform_factory(Category, form=CategoryForm, exclude=[])(data=data, instance=category)
        valid = form.is_valid()  # unique name and slug: the instance itself is not a clash
        sql = _saved_sql(form.save, "tickets_category") if valid else []
        return model_to_dict(category), valid, form.errors, [statement.split(" ")[0] for statement in sql]

    lean, django = _both_ways(monkeypatch, run)
    assert lean == django
    assert lean[1] is True and "INSERT" not in lean[3]


def _admin_pages(client, ticket) -> dict:
    pages = {}
    for url in (
        f"/admin/unit/edit/{ticket.unit_id}/",
        f"/admin/building/edit/{ticket.building_id}/",
        f"/admin/ticket-categories/edit/{ticket.category_id}/",
        "/admin/unit/",
        "/admin/building/",
        "/admin/ticket-categories/",
        f"/admin/tickets/inspect/{ticket.pk}/",
    ):
        response = client.get(url)
        body = response.content.decode()
        # The tokens differ from one response to the next.
        body = "\n".join(line for line in body.splitlines() if "csrf" not in line.lower() and "nonce" not in line)
        pages[url] = (response.status_code, body)
    return pages


@pytest.mark.django_db
def test_wagtail_admin_views_render_the_same(tickets, client, monkeypatch):
    from tests.factories.residents import SuperUserFactory

    client.force_login(SuperUserFactory())
    lean, django = _both_ways(monkeypatch, lambda: _admin_pages(client, tickets[0]))
    assert {url: status for url, (status, _) in lean.items()} == dict.fromkeys(lean, 200)
    for url in lean:
        assert lean[url][1] == django[url][1], url


@pytest.mark.django_db
def test_a_receiver_for_every_sender_connected_at_run_time_is_honoured(tickets):
    seen: list = []

    def receiver(sender, instance=None, **kwargs):
        seen.append(sender)

    post_init.connect(receiver)  # no sender: every model
    try:
        loaded = list(Unit.objects.select_related("building"))
    finally:
        post_init.disconnect(receiver)
    assert Counter(seen) == Counter({Unit: len(loaded), Building: len(loaded)})
    seen.clear()
    list(Unit.objects.select_related("building"))
    assert seen == []


@pytest.mark.django_db
def test_a_weak_receiver_that_is_gone_no_longer_counts(tickets, monkeypatch):
    class Listener:
        def __call__(self, sender, **kwargs):
            pass

    listener = Listener()
    pre_init.connect(listener, sender=Category)  # weak
    assert pre_init.has_listeners(Category)
    del listener
    gc.collect()
    assert not pre_init.has_listeners(Category)
    made = []
    django_init = Model.__init__

    def counting(self, *args, **kwargs):
        made.append(type(self))
        django_init(self, *args, **kwargs)

    monkeypatch.setattr(Model, "__init__", counting)
    assert list(Category.objects.all()) and made == []


@isolate_apps("tickets")
def test_proxies_with_their_own_init_or_attributes_keep_djangos_way():
    class Remembering(Ticket):
        class Meta:
            proxy = True
            app_label = "tickets"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.remembered = True

    class Shadowing(Category):
        class Meta:
            proxy = True
            app_label = "tickets"

        @property
        def name(self):
            return "zawsze to samo"

        @name.setter
        def name(self, value):
            self.__dict__["real_name"] = value

    class Plain(Building):
        class Meta:
            proxy = True
            app_label = "tickets"

    assert not loading.loads_lean(Remembering)
    assert not loading.loads_lean(Shadowing)
    assert loading.loads_lean(Plain)


# --- Both, through the real API ----------------------------------------------------------------------


def _object_path_off(monkeypatch):
    monkeypatch.setattr(execution, "_object_step", lambda field_def: None)


def _operation(name: str) -> str:
    from django.conf import settings

    return (settings.BASE_DIR / "graphql" / "operations" / f"{name}.graphql").read_text()


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["dispatcher", "reporter", "firm_worker"])
def test_the_ticket_operations_answer_the_same_with_both_changes_off(tickets, cast, gql, monkeypatch, viewer):
    gql.login(getattr(cast, viewer))
    services.ticket_assign(ticket=tickets[0], actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)

    def answers():
        return [
            gql.execute(_operation("Tickets"), {"first": 10}),
            gql.execute(_operation("Ticket"), {"id": gid("Ticket", tickets[0].pk)}),
            gql.execute(_operation("Ticket"), {"id": gid("Ticket", tickets[3].pk)}),
            gql.execute(_operation("TicketCategories")),
        ]

    lean = answers()
    _django_way(monkeypatch)
    _object_path_off(monkeypatch)
    stock = answers()
    assert lean == stock
    assert not any(answer.get("errors") for answer in lean)
    assert lean[0]["data"]["tickets"]["edges"], "the viewer sees no tickets: nothing compared"


@pytest.mark.django_db
def test_the_ticket_lists_objects_take_the_object_path(tickets, cast, gql, monkeypatch):
    # `is_type_of` is asked without an `Info` here: a type whose check needs one would hand
    # every row back to graphql-core (read twice, no gain) without a word.
    gql.login(cast.dispatcher)
    built = _infos_built(monkeypatch)
    with CaptureQueriesContext(connection) as short:
        answer = gql.execute(_operation("Tickets"), {"first": 10})
    assert "Query.tickets" in built  # counted
    assert not answer.get("errors") and len(answer["data"]["tickets"]["edges"]) == len(tickets)
    objects = {"TicketEdge.node", "Ticket.category", "Ticket.building", "Ticket.unit", "TicketConnection.pageInfo"}
    assert objects.isdisjoint(built), sorted(objects & set(built))
    _object_path_off(monkeypatch)
    with CaptureQueriesContext(connection) as long:
        assert gql.execute(_operation("Tickets"), {"first": 10}) == answer
    assert len(short.captured_queries) == len(long.captured_queries)


MUTATIONS = [
    (
        "reporter",
        # Not the new comment's id: PostgreSQL's sequences do not roll back, so the second
        # run's comment gets the next one.
        'mutation($id: ID!) { ticketCommentAdd(ticketId: $id, body: "Dalej cieknie") { comment { body isInternal '
        "authorName isMine photos { id } } errors { field message ... on TicketError { code } } } }",
    ),
    (
        "dispatcher",
        "mutation($id: ID!) { ticketTransition(ticketId: $id, status: ACCEPTED) { ticket { id status statusLabel "
        "category { id name } unit { id number } actions { transitionTo } } errors { field message } } }",
    ),
    (
        "reporter",  # refused: an error in the payload, the ticket null
        "mutation($id: ID!) { ticketTransition(ticketId: $id, status: CLOSED) { ticket { id category { name } } "
        "errors { field message ... on TicketError { code } } } }",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("viewer", "mutation"), MUTATIONS, ids=["comment", "transition", "refused transition"])
def test_mutation_payloads_answer_the_same_with_both_changes_off(tickets, cast, gql, monkeypatch, viewer, mutation):
    gql.login(getattr(cast, viewer))
    variables = {"id": gid("Ticket", tickets[1].pk)}

    def answer():
        with transaction.atomic():
            result = gql.execute(mutation, variables)
            transaction.set_rollback(True)
        return result

    lean = answer()
    _django_way(monkeypatch)
    _object_path_off(monkeypatch)
    assert answer() == lean
    text = json.dumps(lean)
    # Something was answered: a comment, a ticket, or (refused) the ticket null.
    assert "errors" not in lean and any(part in text for part in ('"ticket": null', '"id"', '"body"'))


# --- Finding (fixed): an error while collecting an object's fields was reported one level up ---------
#
# `_execute_object_field` called `collect_subfields` outside its `try`. graphql-core raises
# there when a directive's argument is invalid at run time: `@include(if: $v)` with
# `$v: Boolean = true` passes validation, and an explicit `null` for `$v` is refused only
# when the object's fields are collected. graphql-core reports it as an error of the object
# field (null there, or passed up if it is non-null); the short path let it escape to the
# parent, which was nulled instead (data lost) and named in the error's path.

COLLECTING = {
    "in a nullable object": "query($v: Boolean = true) { mid { n maybeLeaf { name @include(if: $v) } } }",
    "in a non-null object": "query($v: Boolean = true) { mid { n leaf { name @skip(if: $v) } } }",
    "in list items": "query($v: Boolean = true) { mids { n child { n leaf { n @include(if: $v) } } } }",
}


@pytest.mark.parametrize("query", COLLECTING.values(), ids=COLLECTING.keys())
def test_an_error_collecting_an_objects_fields_is_the_objects(query):
    variables = {"v": None}
    assert _without_calls(_answer(HubExecutionContext, query, variables)) == _without_calls(
        _answer(StrawberryGraphQLCoreExecutionContext, query, variables)
    )


def test_an_error_collecting_an_objects_fields_is_an_error_of_the_answer():
    # What the test above compares: graphql-core does answer with an error there.
    stock = _answer(StrawberryGraphQLCoreExecutionContext, COLLECTING["in a nullable object"], {"v": None})
    assert stock["data"] == {"mid": {"n": 1, "maybeLeaf": None}}
    assert [error[0] for error in stock["errors"]] == [("mid", "maybeLeaf")]


API_COLLECTING = {
    # The mutation is done; graphql-core answers its ticket without the unit, the short
    # path answers no ticket at all.
    "a mutation's ticket": (
        "dispatcher",
        "mutation($id: ID!, $v: Boolean = true) { ticketTransition(ticketId: $id, status: ACCEPTED) { "
        "ticket { id status unit { number @include(if: $v) } } errors { field } } }",
    ),
    "the site's emergency numbers": (
        "reporter",
        "query($v: Boolean = true) { site { name emergencyNumbers { gas @include(if: $v) } } }",
    ),
}


def _api_answers(gql, monkeypatch, query, variables):
    def answer():
        with transaction.atomic():
            result = gql.execute(query, variables)
            transaction.set_rollback(True)
        return result

    short = answer()
    _object_path_off(monkeypatch)
    stock = answer()
    monkeypatch.undo()
    return short, stock


@pytest.mark.django_db
@pytest.mark.parametrize(("viewer", "query"), API_COLLECTING.values(), ids=API_COLLECTING.keys())
def test_the_api_reports_an_error_collecting_fields_where_graphql_core_does(
    tickets, cast, gql, monkeypatch, viewer, query
):
    gql.login(getattr(cast, viewer))
    short, stock = _api_answers(gql, monkeypatch, query, {"id": gid("Ticket", tickets[0].pk), "v": None})
    assert short == stock


@pytest.mark.django_db
def test_graphql_core_keeps_the_mutations_ticket(tickets, cast, gql, monkeypatch):
    # What the test above compares, for the mutation.
    gql.login(cast.dispatcher)
    _viewer, query = API_COLLECTING["a mutation's ticket"]
    short, stock = _api_answers(gql, monkeypatch, query, {"id": gid("Ticket", tickets[0].pk), "v": None})
    assert stock["data"]["ticketTransition"]["ticket"]["status"] == "ACCEPTED"
    assert stock["data"]["ticketTransition"]["ticket"]["unit"] is None
    assert [error["path"] for error in stock["errors"]] == [["ticketTransition", "ticket", "unit"]]
    assert short == stock  # the short path once answered no ticket at all


# --- Finding: a class's own __setattr__ is not among what keeps Django's way --------------------------


@pytest.mark.django_db
@isolate_apps("tickets")
def test_a_model_with_its_own_setattr_keeps_djangos_way(tickets, monkeypatch):
    # `Model.__init__` stores each value with `setattr`, so a class's own `__setattr__`
    # (change tracking is the usual reason for one) sees every loaded column; the lean way
    # fills `__dict__` without it.
    class Tracked(Category):
        class Meta:
            proxy = True
            app_label = "tickets"

        def __setattr__(self, name, value):
            self.__dict__.setdefault("_seen", []).append(name)
            super().__setattr__(name, value)

    lean, django = _both_ways(monkeypatch, lambda: [vars(row).get("_seen") for row in Tracked.objects.order_by("id")])
    assert django and django[0] and "name" in django[0]
    assert lean == django


def test_the_projects_schema_has_no_incremental_delivery():
    # The short path hands deferred fragments back; the project's schema offers neither
    # @defer nor @stream, so a document with them is refused before execution.
    from cms.schema import schema

    assert schema._schema.get_directive("defer") is None and schema._schema.get_directive("stream") is None
    result = schema.execute_sync("{ ticketCategories { ... @defer { name } } }")
    assert result.errors and "Unknown directive" in result.errors[0].message
