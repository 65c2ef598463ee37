"""The residents API's root fields: `viewer` and `csrfToken`."""

from __future__ import annotations

import strawberry
from django.middleware.csrf import get_token
from strawberry.types import Info

from cms.core.graphql.context import signed_in_user

from .types import Viewer


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in person; null when anonymous.")
    def viewer(self, info: Info) -> Viewer | None:
        return signed_in_user(info)

    @strawberry.field(
        description=(
            "A CSRF token for the web portal; also sets the csrftoken cookie. Send it as the "
            "X-CSRFToken header with sessionSignIn and with every request that carries the session cookie."
        )
    )
    def csrf_token(self, info: Info) -> str:
        return get_token(info.context.request)
