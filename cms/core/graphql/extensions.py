"""Schema-wide behaviour: limits a public API needs and typed codes on every error.

Errors a client caused (validation, bad arguments, page size over the maximum, malformed
cursor) carry `extensions.code = BAD_USER_INPUT` or `GRAPHQL_VALIDATION_FAILED`;
anything else is masked as INTERNAL_SERVER_ERROR with no details leaked, and logged.
"""

from __future__ import annotations

import logging

from strawberry.extensions import MaskErrors

from cms.core.graphql.values import BAD_USER_INPUT
from graphql import GraphQLError

logger = logging.getLogger("cms.graphql")

# Exceptions strawberry and strawberry-django raise for arguments the client got wrong.
CLIENT_FAULTS = (ValueError, TypeError)


def _is_client_fault(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return True  # a parse or validation error: the query itself was wrong
    if isinstance(original, GraphQLError):
        return True
    return isinstance(original, CLIENT_FAULTS)


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
