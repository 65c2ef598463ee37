"""Identifiers a client sends, parsed into primary keys: plain ids ("12") and relay global
ids ("Ticket:12", base64-encoded). Anything that is not one, or is beyond what a database
can store, is the client's mistake (`errors.bad_input`), never a server error.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from strawberry import relay

from cms.core.graphql.errors import bad_input

# The largest primary key any supported database stores (signed 64-bit).
MAX_ID = 2**63 - 1


def parse_id(value: str | None, *, field: str) -> int | None:
    if value is None:
        return None
    try:
        parsed = int(str(value))
    except ValueError:
        raise bad_input(_("“%(value)s” is not a valid identifier.") % {"value": value}, field=field) from None
    if not 1 <= parsed <= MAX_ID:
        raise bad_input(_("“%(value)s” is not a valid identifier.") % {"value": value}, field=field)
    return parsed


def parse_global_id(value: str, *, type_name: str, field: str, message: str | None = None) -> int:
    """The primary key in a relay global id of `type_name` ("Ticket:12", base64-encoded);
    anything else is the client's mistake."""
    try:
        global_id = relay.GlobalID.from_id(value)
    except relay.GlobalIDValueError:
        global_id = None
    if global_id is None or global_id.type_name != type_name:
        raise bad_input(message or _("“%(value)s” is not a valid identifier.") % {"value": value}, field=field)
    return parse_id(global_id.node_id, field=field)
