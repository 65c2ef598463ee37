"""Messaging's read fields: the inbox and the preferences, as fields of `Viewer`.

Strawberry cannot add fields to a type defined elsewhere, so they are defined here on
`ViewerMessagingFields`, a base class that the residents app's `Viewer` inherits: the
code stays here, the `Viewer` type stays one type. This module therefore must not import
the residents API. Messaging has no root query fields of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

import strawberry_django
from django.conf import settings
from django.contrib.auth import get_user_model

from cms.core.graphql.fields import instance_field, model_type

from .. import selectors
from ..models import Message
from .types import InboxConnection, MessageKind, NotificationPreferencesType, _InboxOwner

User = get_user_model()


# --- The Viewer's fields -----------------------------------------------------------------------


@model_type(User, name="ViewerMessagingFields")
class ViewerMessagingFields:
    """Messaging's fields of `Viewer` (which inherits them); never a type of its own in the schema.

    Every object the API returns as a `Viewer` is the person who asked, or who just proved
    to be them (sign-in, registration), so these fields read `self`'s own messages.
    """

    @strawberry_django.connection(
        InboxConnection,
        max_results=settings.GRAPHQL_MAX_PAGE_SIZE,
        description="Messages the viewer received, newest first.",
    )
    def inbox(
        self,
        unread_only: bool = False,
        kind: MessageKind | None = None,
    ) -> Iterable[Message]:
        return selectors.inbox_of(self, unread_only=unread_only, kind=kind.value if kind else None)

    # Outermost, after the connection extension `connection()` added: it sees the connection.
    inbox.extensions.append(_InboxOwner())

    @instance_field(description="Language, phone, channels per kind of message and push devices.")
    def notification_preferences(self) -> NotificationPreferencesType:
        return NotificationPreferencesType(user=self)
