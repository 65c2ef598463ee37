"""What GraphQL tests share whatever the app: global ids as the API gives them."""

from __future__ import annotations

from strawberry import relay


def gid(type_name: str, pk) -> str:
    """The relay global id of `type_name` number `pk`, as the API gives and takes it."""
    return str(relay.GlobalID(type_name, str(pk)))
