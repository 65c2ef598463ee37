"""The executor's short path for leaf fields (`cms.core.graphql.execution`): which fields
take it, and that every answer, errors included, is what graphql-core's own path gives.

The comparison uses a small schema of its own, run twice: with `HubExecutionContext`
and with strawberry's stock execution context. It holds every case the short path has
to hand back (a null for a non-null field, an error raised while reading, a value the
scalar refuses, an enum value that is not a member), so that a change in strawberry or
graphql-core that the short path does not follow shows here."""

from __future__ import annotations

import enum

import pytest
import strawberry
from graphql import GraphQLObjectType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from cms.core.graphql.execution import HubExecutionContext, _leaf_answer
from cms.schema import schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Broken(Exception):
    pass


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

    @property
    def raising(self) -> str:
        raise Broken(f"nie da się odczytać wiersza {self.index}")


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


def _graphql_field(type_name: str, field_name: str):
    graphql_type = schema._schema.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    return graphql_type.fields[field_name]


SHORT = [
    ("Ticket", "title"), ("Ticket", "reference"), ("Ticket", "statusLabel"), ("Ticket", "isOverdue"),
    ("Ticket", "status"), ("NewsItem", "lead"), ("TicketCategory", "name"), ("Building", "code"),
]  # fmt: skip
LONG = [
    # an object, a list, a resolver that needs the request, arguments
    ("Ticket", "category"), ("Ticket", "photos"), ("Ticket", "actions"), ("NewsItem", "leadImage"),
]  # fmt: skip


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
def test_the_endpoint_answers_plain_leaves_on_the_short_path(gql, site_tree, monkeypatch):
    # Through the real view and schema: strawberry always passes a middleware manager,
    # and an empty one must not close the short path (it once did, unnoticed).
    built = _infos_built(monkeypatch)
    data = gql.execute("{ site { name phone city emergencyNumbers { __typename } } }")
    assert data["data"]["site"]["name"], data
    assert built == ["Query.site", "Site.emergencyNumbers", "EmergencyNumbers.__typename"]


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
