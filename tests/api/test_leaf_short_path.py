"""The executor's short paths for leaf fields and for objects read by a basic resolver
(`cms.core.graphql.execution`): which fields take them, and that every answer, errors
included, is what graphql-core's own path gives.

The comparison uses a small schema of its own, run twice: with `HubExecutionContext`
and with strawberry's stock execution context. It holds every case the short path has
to hand back (a null for a non-null field, an error raised while reading, a value the
scalar refuses, an enum value that is not a member; for objects, a null for a non-null
object, an object of another type, an error inside one that nulls the nearest nullable
field), so that a change in strawberry or graphql-core that the short paths do not
follow shows here."""

from __future__ import annotations

import enum

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from cms.core.graphql.execution import HubExecutionContext, _leaf_answer, _object_step
from cms.schema import schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Broken(Exception):
    pass


class Child:
    def __init__(self, index: int):
        self.index = index
        self.name = f"dziecko {index}"

    @property
    def raising(self) -> str:
        raise Broken(f"nie da się odczytać dziecka {self.index}")


class Row:
    def __init__(self, index: int):
        self.index = index
        self.name = f"wiersz {index}"
        self.missing = None
        self.colour = Colour.BLUE if index % 2 else Colour.RED
        self.not_a_colour = "green"
        self.not_a_number = "dziesięć"
        self.maybe = None if index % 2 else 1.5
        self.missing_nullable = None
        self.tags = ["a", "b"][: index % 3]
        self.colours = (Colour.RED, Colour.BLUE)
        self.maybe_tags = None if index % 2 else ["x", None]
        self.tags_with_a_null = ["x", None]
        self.not_numbers = [1, "dwa"]
        self.missing_tags = None
        self.child = Child(index)
        self.maybe_child = Child(index) if index % 2 else None
        self.missing_child = None
        self.wrong_child = self  # a row where a child is declared

    @property
    def raising(self) -> str:
        raise Broken(f"nie da się odczytać wiersza {self.index}")

    @property
    def raising_child(self) -> Child:
        raise Broken(f"nie da się odczytać dziecka wiersza {self.index}")


@strawberry.type
class ChildType:
    index: int
    name: str
    raising: str
    raising_nullable: str | None = strawberry.field(
        name="raisingNullable", resolver=lambda root: Child.raising.fget(root)
    )

    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, Child)


@strawberry.type
class RowType:
    index: int
    name: str
    colour: Colour
    maybe: float | None
    missing: str  # declared non-null, answers None
    missing_nullable: str | None = strawberry.field(name="missingNullable", default=None)
    not_a_colour: Colour
    not_a_number: int
    raising: str
    raising_nullable: str | None = strawberry.field(
        name="raisingNullable", resolver=lambda root: Row.raising.fget(root)
    )

    tags: list[str]
    colours: list[Colour]
    maybe_tags: list[str | None] | None
    tags_with_a_null: list[str]  # declared without nulls, holds one
    not_numbers: list[int]
    missing_tags: list[str]  # declared non-null, answers None
    child: ChildType
    maybe_child: ChildType | None
    missing_child: ChildType  # declared non-null, answers None
    wrong_child: ChildType  # answers a row
    raising_child: ChildType

    @strawberry.field
    def shouted(self, times: int = 1) -> str:
        return self.name.upper() * times


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[RowType]:
        return [Row(index) for index in range(4)]

    @strawberry.field
    def nullable_rows(self) -> list[RowType | None]:
        return [Row(index) for index in range(4)]


def _answer(context_class, query: str) -> dict:
    small = strawberry.Schema(query=Query, execution_context_class=context_class)
    result = small.execute_sync(query)
    return {
        "data": result.data,
        "errors": sorted(((tuple(error.path or ()), error.message) for error in result.errors or ()), key=repr),
    }


QUERIES = {
    "plain leaves": "{ rows { index name colour maybe missingNullable } }",
    "a null for a non-null field": "{ nullableRows { index missing } }",
    "an error while reading": "{ nullableRows { name raising } }",
    "an error on a nullable field": "{ rows { name raisingNullable } }",
    "an enum value that is not a member": "{ nullableRows { notAColour } }",
    "a value the scalar refuses": "{ nullableRows { notANumber } }",
    "arguments": "{ rows { shouted(times: 2) } }",
    "aliases and typename": "{ rows { a: name b: name __typename } }",
    "skip and include": "{ rows { name @skip(if: true) index @include(if: false) colour } }",
    "an error that nulls the whole list": "{ rows { index missing } }",
    "lists of leaves": "{ rows { tags colours maybeTags } }",
    "a null in a list without nulls": "{ nullableRows { index tagsWithANull } }",
    "an item the scalar refuses": "{ nullableRows { index notNumbers } }",
    "a null for a non-null list": "{ nullableRows { index missingTags } }",
    "objects": "{ rows { index child { index name } maybeChild { name } } }",
    "a null for a non-null object": "{ nullableRows { index missingChild { name } } }",
    "an object of another type": "{ nullableRows { index wrongChild { name } } }",
    "an error while reading an object": "{ nullableRows { index raisingChild { name } } }",
    "an error inside an object": "{ nullableRows { index child { name raising } } }",
    "an error inside an object, on a nullable field": "{ rows { child { index raisingNullable } } }",
    "an error inside a nullable object": "{ rows { index maybeChild { raising } } }",
    "an object asked twice, aliased, in fragments": (
        "{ rows { child { name } child { index } other: child { ... on ChildType { name __typename } } "
        "...more } } fragment more on RowType { child { index } }"
    ),
    "skip and include on objects": "{ rows { child @skip(if: true) { name } maybeChild @include(if: true) { index } }}",
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_short_path_answers_as_graphql_core_does(query):
    assert _answer(HubExecutionContext, query) == _answer(StrawberryGraphQLCoreExecutionContext, query)


def test_the_comparison_holds_errors_where_they_are_meant_to_be():
    # The cases above are compared, not merely run: these ones do fail.
    answer = _answer(HubExecutionContext, QUERIES["an error while reading"])
    assert [path for path, _ in answer["errors"]] == [("nullableRows", i, "raising") for i in range(4)]
    assert answer["data"]["nullableRows"] == [None] * 4
    assert _answer(HubExecutionContext, QUERIES["an error that nulls the whole list"])["data"] is None
    inside = _answer(HubExecutionContext, QUERIES["an error inside an object"])
    assert [path for path, _ in inside["errors"]] == [("nullableRows", i, "child", "raising") for i in range(4)]
    assert inside["data"]["nullableRows"] == [None] * 4
    listed = _answer(HubExecutionContext, QUERIES["a null in a list without nulls"])
    assert [path for path, _ in listed["errors"]] == [("nullableRows", i, "tagsWithANull", 1) for i in range(4)]
    wrong = _answer(HubExecutionContext, QUERIES["an object of another type"])
    assert len(wrong["errors"]) == 4 and "Expected value of type" in wrong["errors"][0][1]


def _graphql_field(type_name: str, field_name: str):
    graphql_type = schema._schema.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    return graphql_type.fields[field_name]


SHORT = [
    ("TicketActions", "transitionTo"),
    ("Ticket", "title"), ("Ticket", "reference"), ("Ticket", "statusLabel"), ("Ticket", "isOverdue"),
    ("Ticket", "status"), ("NewsItem", "lead"), ("TicketCategory", "name"), ("Building", "code"),
]  # fmt: skip
LONG = [
    # an object, a list, a resolver that needs the request, arguments
    ("Ticket", "category"), ("Ticket", "photos"), ("Ticket", "actions"), ("NewsItem", "leadImage"),
]  # fmt: skip


OBJECTS = [("Ticket", "category"), ("Ticket", "building"), ("Ticket", "unit"), ("TicketEdge", "node")]
NOT_OBJECTS = [("Ticket", "photos"), ("Ticket", "actions"), ("Ticket", "title"), ("Query", "tickets")]


@pytest.mark.parametrize(("type_name", "field_name"), OBJECTS)
def test_objects_read_by_a_basic_resolver_take_the_short_path(type_name, field_name):
    assert _object_step(_graphql_field(type_name, field_name)) is not None


@pytest.mark.parametrize(("type_name", "field_name"), NOT_OBJECTS)
def test_lists_leaves_and_resolvers_taking_info_are_not_objects_of_the_short_path(type_name, field_name):
    assert _object_step(_graphql_field(type_name, field_name)) is None


LEAN = [
    ("Ticket", "photos"), ("Ticket", "comments"), ("Ticket", "actions"), ("TicketPhoto", "thumbnailUrl"),
    ("NewsItem", "leadImage"),
]  # fmt: skip
NOT_LEAN = [("Ticket", "title"), ("Ticket", "category"), ("Query", "tickets"), ("Query", "ticket")]


def _lean_step(type_name: str, field_name: str):
    context = HubExecutionContext.__new__(HubExecutionContext)
    context.schema = schema._schema
    return context._lean_step(_graphql_field(type_name, field_name))


@pytest.mark.parametrize(("type_name", "field_name"), LEAN)
def test_resolvers_taking_the_object_and_info_skip_strawberrys_wrapper(type_name, field_name):
    assert _lean_step(type_name, field_name) is not None


@pytest.mark.parametrize(("type_name", "field_name"), NOT_LEAN)
def test_other_fields_are_not_lean(type_name, field_name):
    assert _lean_step(type_name, field_name) is None


@pytest.mark.parametrize(("type_name", "field_name"), SHORT)
def test_the_projects_leaf_fields_take_the_short_path(type_name, field_name):
    # Fails if strawberry renames the resolver it gives basic fields: the short path
    # would otherwise be lost without a word.
    assert _leaf_answer(_graphql_field(type_name, field_name)) is not None


@pytest.mark.parametrize(("type_name", "field_name"), LONG)
def test_fields_that_are_not_plain_leaves_keep_graphql_cores_path(type_name, field_name):
    assert _leaf_answer(_graphql_field(type_name, field_name)) is None


def _infos_built(monkeypatch) -> list[str]:
    """The fields graphql-core built an `Info` for: those that took its own path."""
    built: list[str] = []
    real = HubExecutionContext.build_resolve_info

    def counting(self, field_def, field_nodes, parent_type, path):
        built.append(f"{parent_type.name}.{field_nodes[0].name.value}")
        return real(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(HubExecutionContext, "build_resolve_info", counting)
    return built


@pytest.mark.django_db
def test_the_endpoint_answers_plain_leaves_and_objects_on_the_short_path(gql, site_tree, monkeypatch):
    # Through the real view and schema: strawberry always passes a middleware manager,
    # and an empty one must not close the short path (it once did, unnoticed). The
    # emergency numbers are an object read by a basic resolver; `__typename` is
    # graphql-core's own.
    built = _infos_built(monkeypatch)
    data = gql.execute("{ site { name phone city emergencyNumbers { __typename } } }")
    assert data["data"]["site"]["name"], data
    assert built == ["Query.site", "EmergencyNumbers.__typename"]


def test_a_schema_with_middleware_keeps_graphql_cores_path(monkeypatch):
    class Shouting(strawberry.extensions.SchemaExtension):
        def resolve(self, _next, root, info, *args, **kwargs):
            result = _next(root, info, *args, **kwargs)
            return result.upper() if isinstance(result, str) else result

    built = _infos_built(monkeypatch)
    small = strawberry.Schema(query=Query, execution_context_class=HubExecutionContext, extensions=[Shouting])
    result = small.execute_sync("{ rows { name } }")
    assert result.data["rows"][0]["name"] == "WIERSZ 0"
    assert built.count("RowType.name") == 4
