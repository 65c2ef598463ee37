"""GraphQL for the headless preview: `pagePreview(token:)`."""

from __future__ import annotations

import strawberry
from strawberry import Info

from cms.core.graphql.content import PageInterface
from cms.core.graphql.context import viewer_of
from cms.preview import selectors


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "A page as an editor previews it in the admin, unsaved changes included, by the "
            "token the admin's preview hands the portal (`/podglad?token=`). Only for the "
            "editor who opened the preview, while they may edit the page, for a few minutes; "
            "null otherwise. Never cached (`Cache-Control: no-store`)."
        )
    )
    def page_preview(self, info: Info, token: str) -> PageInterface | None:
        # A draft is for one person's eyes: no cache anywhere may keep the answer.
        info.context.response["Cache-Control"] = "no-store"
        return selectors.page_preview_for(token=token, viewer=viewer_of(info))
