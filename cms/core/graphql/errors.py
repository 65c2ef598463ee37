"""The errors the API hands a client: arguments it got wrong, and what a mutation refused.

- `bad_input` is a query-level error (`extensions.code` BAD_USER_INPUT) for an argument a
  resolver cannot use: a malformed id, a cursor or page size out of range. The client's
  mistake, not a server fault, so it is not masked (see `extensions`).
- `typed_errors` turns a service's refusal into the payload's typed errors. Every mutation
  payload carries `errors: [<Domain>Error!]!` (empty on success) and the changed object
  (null on failure), each error next to the field a frontend should mark. Each domain
  declares its own code enum, so clients can switch on codes without parsing messages;
  `message` is translated for the viewer.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

from cms.core.exceptions import ServiceError, service_errors

BAD_USER_INPUT = "BAD_USER_INPUT"


def bad_input(message: str, *, field: str | None = None) -> GraphQLError:
    """A query-level error for arguments a client got wrong (not a server fault)."""
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, "field": field})


@strawberry.interface(description="A problem with the input that the user can fix.")
class UserError:
    field: str | None = strawberry.field(description="Input field the error belongs to; null for the whole form.")
    message: str = strawberry.field(description="Human-readable message in the viewer's language.")


def typed_errors(error_type, code_enum, error: ServiceError, field_names: dict[str, str] | None = None) -> list:
    """A ServiceError (or a list of them) as GraphQL error objects of `error_type`, with
    input names in the API's camelCase unless `field_names` says otherwise."""
    field_names = field_names or {}
    return [
        error_type(
            field=None if problem.field is None else field_names.get(problem.field, to_camel_case(problem.field)),
            message=problem.message,
            code=code_enum(str(problem.code)),
        )
        for problem in service_errors(error)
    ]
