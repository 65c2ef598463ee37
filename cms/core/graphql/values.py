"""Small shared values: references to buildings, and argument parsing with typed errors."""

from __future__ import annotations

from enum import Enum

import strawberry
from django.utils.translation import gettext as _
from graphql import GraphQLError
from strawberry import relay

BAD_USER_INPUT = "BAD_USER_INPUT"
# The largest primary key any supported database stores (signed 64-bit).
MAX_ID = 2**63 - 1


def bad_input(message: str, *, field: str | None = None) -> GraphQLError:
    """A query-level error for arguments a client got wrong (not a server fault)."""
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, "field": field})


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


@strawberry.type(name="BuildingRef", description="A building, as content refers to it.")
class BuildingRef:
    id: strawberry.ID
    code: str
    address: str


def building_ref(building) -> BuildingRef:
    return BuildingRef(id=strawberry.ID(str(building.pk)), code=building.code, address=building.address)


def graphql_enum(source, name: str, description: str):
    """A GraphQL enum with the member names and values of `source` (choices, error codes).

    A copy, so the model's choices class is not turned into a strawberry type itself.
    """
    return strawberry.enum(Enum(name, {member.name: member.value for member in source}), description=description)
