"""The connection every list uses: strawberry-django's, with its arguments checked first.

A cursor is an opaque offset. Strawberry decodes it and slices the queryset with it; an
offset beyond what the database can hold (a forged cursor) would otherwise surface as a
server error instead of a client's mistake. Page sizes are checked here too, so that
every refusal is a typed GraphQL error with a message of ours.
"""

from __future__ import annotations

from typing import Any

import strawberry
from django.utils.translation import gettext as _
from strawberry import relay
from strawberry.relay.utils import from_base64
from strawberry_django.relay import DjangoListConnection

from cms.core.graphql.errors import bad_input

# Far beyond any list this hub holds, well inside every database's integer range.
MAX_CURSOR_OFFSET = 2**31 - 1


def _check_cursor(value: str | None, *, field: str) -> None:
    if value is None:
        return
    try:
        prefix, offset = from_base64(value)
        valid = prefix == relay.Edge.CURSOR_PREFIX and 0 <= int(offset) <= MAX_CURSOR_OFFSET
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise bad_input(_("This cursor is not valid for this list."), field=field)


def _check_page_size(value: int | None, *, field: str, maximum: int) -> None:
    if value is not None and not 0 <= value <= maximum:
        raise bad_input(
            _("“%(field)s” must be between 0 and %(maximum)d.") % {"field": field, "maximum": maximum}, field=field
        )


@strawberry.type(name="Connection", description="A page of a list, with cursors and the total count.")
class HubConnection(DjangoListConnection[relay.NodeType]):
    @classmethod
    def resolve_connection(cls, nodes, *, info, before=None, after=None, first=None, last=None, **kwargs: Any):
        maximum = kwargs.get("max_results") or info.schema.config.relay_max_results
        _check_page_size(first, field="first", maximum=maximum)
        _check_page_size(last, field="last", maximum=maximum)
        _check_cursor(before, field="before")
        _check_cursor(after, field="after")
        return super().resolve_connection(
            nodes, info=info, before=before, after=after, first=first, last=last, **kwargs
        )
