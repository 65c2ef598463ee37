"""Schema-wide behaviour: limits a public API needs and typed codes on every error.

Errors a client caused carry `extensions.code`: GRAPHQL_VALIDATION_FAILED for a query
that does not fit the schema, BAD_USER_INPUT for arguments our resolvers refuse (they
raise `errors.bad_input`). Any other exception is a server fault: masked as
INTERNAL_SERVER_ERROR with no details leaked, and logged. Treating only our own
GraphQLErrors as the client's fault keeps Python's messages from reaching clients.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import lru_cache

import strawberry
from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import MaskErrors, SchemaExtension

from cms.core.graphql.errors import BAD_USER_INPUT

logger = logging.getLogger("cms.graphql")


def _is_client_fault(error: GraphQLError) -> bool:
    original = error.original_error
    # No original error: a parse or validation error, the query itself was wrong.
    return original is None or isinstance(original, GraphQLError)


def _with_code(error: GraphQLError) -> GraphQLError:
    extensions = dict(error.extensions or {})
    if "code" not in extensions:
        original = error.original_error
        if original is None:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
        elif isinstance(original, GraphQLError) and original.extensions and "code" in original.extensions:
            extensions.update(original.extensions)
        else:
            extensions["code"] = BAD_USER_INPUT
    error.extensions = extensions
    return error


class TypedErrors(MaskErrors):
    """Code every error; hide the internals of server faults."""

    def __init__(self):
        super().__init__(should_mask_error=lambda error: not _is_client_fault(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        logger.error("GraphQL resolver failed", exc_info=error.original_error)
        return GraphQLError(
            "Internal server error.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self.anonymise_error(e) if self.should_mask_error(e) else _with_code(e) for e in errors]


class Schema(strawberry.Schema):
    """Strawberry's schema without its log entry (with traceback) for every error: a
    client's mistake is answered with a typed error, not logged; a server fault is logged
    once, with its traceback, by TypedErrors."""

    def process_errors(self, errors, execution_context=None) -> None:
        return None


@lru_cache(maxsize=256)
def _parsed(query: str, options: tuple) -> DocumentNode:
    return parse(query, **dict(options))


class ParsedDocuments(SchemaExtension):
    """Each document parsed once (by its text and the parse options: the token limit), not
    on every request: the portal sends the same few operations all day, and parsing was
    about 4 % of a tickets list. A document that does not parse is left to strawberry,
    which parses it again and reports the error as always (errors are never kept)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            try:
                context.graphql_document = _parsed(context.query, tuple(sorted(context.parse_options.items())))
            except GraphQLError:
                pass
        yield
