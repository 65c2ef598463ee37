"""Strawberry's execution context, with what the schema checks of the variables as a whole
before graphql-core coerces them (an error here is answered like any invalid variable).

- Text must be valid Unicode. JSON's `\\ud800` escapes can carry a lone surrogate, which
  no database can store or compare (encoding it for SQLite or PostgreSQL fails), so any
  string argument anywhere would be a server error. Like NUL (refused by the view), it
  is refused once here rather than in every resolver.
- No "Did you mean …?" in the errors of variable values when the schema is not disclosed
  (see `disclosure`).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from graphql import GraphQLError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from cms.core.graphql.disclosure import schema_is_disclosed
from cms.core.graphql.errors import bad_input


def json_strings(value) -> Iterator[str]:
    """Every string in decoded JSON, keys included. Walked with a list, not recursion:
    JSON may nest hundreds of levels deep."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_valid_text(value) -> bool:
    return all(_is_encodable(text) for text in json_strings(value))


def invalid_text_errors(variables: dict | None) -> list[GraphQLError]:
    return [
        bad_input(_("The value of $%(name)s is not valid text.") % {"name": name})
        for name, value in (variables or {}).items()
        if not _is_valid_text(value)
    ]


class HubExecutionContext(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(cls, schema, document, root_value=None, context_value=None, raw_variable_values=None, *args, **kwargs):
        errors = invalid_text_errors(raw_variable_values)
        if errors:
            return errors
        if not schema_is_disclosed():
            kwargs["hide_suggestions"] = True
        return super().build(schema, document, root_value, context_value, raw_variable_values, *args, **kwargs)
