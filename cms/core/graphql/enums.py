"""GraphQL enums made from the domain's Python enums (model choices, error codes)."""

from __future__ import annotations

from enum import Enum

import strawberry


def graphql_enum(source, name: str, description: str):
    """A GraphQL enum with the member names and values of `source` (choices, error codes).

    A copy, so the model's choices class is not turned into a strawberry type itself.
    """
    return strawberry.enum(Enum(name, {member.name: member.value for member in source}), description=description)
