"""GraphQL for messaging: the viewer's inbox and notification preferences, and the
mutations that mark messages read, change preferences and register phones for push.

Resolvers only translate: reads come from `selectors`, writes from `preferences` (the
person's own settings and read state), and every refusal a person can fix comes back as
a `MessagingError` in the payload, never as a GraphQL error.

The inbox and the preferences are fields of `Viewer`. Strawberry cannot add fields to a
type defined elsewhere, so this module defines them on `ViewerMessagingFields`, a base
class that `operations.residents.schema.Viewer` inherits: the code stays here, the
`Viewer` type stays one type. This module therefore must not import the residents schema.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import strawberry
import strawberry_django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.html import linebreaks
from django.utils.translation import gettext
from strawberry import Info, relay
from strawberry.extensions import FieldExtension

from cms.core.exceptions import ServiceError
from cms.core.graphql.context import signed_in_user
from cms.core.graphql.errors import UserError, typed_errors
from cms.core.graphql.pagination import HubConnection
from cms.core.graphql.values import bad_input, graphql_enum, parse_global_id

from . import errors, kinds, preferences, selectors
from .models import Message, PushDevice

User = get_user_model()


MessageKind = graphql_enum(
    kinds.MessageKind,
    "MessageKind",
    "What a message is about. People choose the channels they receive each kind on.",
)
Channel = graphql_enum(
    kinds.Channel,
    "Channel",
    "A way a message reaches a person besides the inbox, which receives every message except "
    "account e-mails with links that set the password.",
)
MessagingErrorCode = graphql_enum(
    errors.MessagingErrorCode, "MessagingErrorCode", "Why a messaging operation was refused."
)


# --- Inbox -------------------------------------------------------------------------------------


@strawberry_django.type(Message, name="InboxMessage", description="A message the viewer received.")
class InboxMessage(relay.Node):
    # Named, so strawberry finds the id attribute once instead of searching (and failing) per object.
    id: relay.NodeID[int]
    subject: str
    created_at: datetime.datetime = strawberry_django.field(description="When the message was sent.")
    read_at: datetime.datetime | None = strawberry_django.field(
        description="When the viewer marked it read; null while unread."
    )

    @strawberry_django.field(only=["kind"])
    def kind(self) -> MessageKind:
        return MessageKind(self.kind)

    @strawberry_django.field(only=["body_text"], description="The message as plain text.")
    def body(self) -> str:
        return self.body_text

    @strawberry_django.field(
        only=["body_html", "body_text"],
        description="The message as HTML: the HTML version when it has one, else the text in escaped paragraphs.",
    )
    def body_html(self) -> str:
        return self.body_html or linebreaks(self.body_text, autoescape=True)

    @strawberry_django.field(
        only=["link"], description="Where the message leads (a news item, a ticket); null if nowhere."
    )
    def link(self) -> str | None:
        return self.link or None

    @strawberry_django.field(only=["read_at"])
    def is_read(self) -> bool:
        return self.read_at is not None


@strawberry.type(name="InboxMessageConnection", description="A page of the viewer's inbox, newest first.")
class InboxConnection(HubConnection[InboxMessage]):
    # Whose inbox this is: set by `_InboxOwner` from the Viewer the field was asked on.
    owner: strawberry.Private[Any] = None

    @strawberry.field(description="Unread messages in the whole inbox, whatever the filters and the page.")
    def unread_count(self) -> int:
        return selectors.unread_count_of(self.owner)


class _InboxOwner(FieldExtension):
    """Hands the Viewer (the inbox's owner) to the connection, for counts beyond the page.

    It must wrap the connection extension (come after it in the field's extensions), so
    that what it gets from `next_` is the connection, not the resolver's queryset.
    """

    def resolve(self, next_, source, info: Info, **kwargs):
        connection = next_(source, info, **kwargs)
        if not isinstance(connection, InboxConnection):
            raise TypeError("_InboxOwner must wrap the inbox's connection extension")
        connection.owner = source
        return connection


# --- Preferences -------------------------------------------------------------------------------


@strawberry.type(name="ChannelPreference", description="Whether one kind of message reaches the viewer on one channel.")
class ChannelPreferenceType:
    channel: Channel
    label: str = strawberry.field(description="The channel's name in the viewer's language.")
    enabled: bool
    locked: bool = strawberry.field(description="The channel cannot be turned off for this kind (account e-mail).")


@strawberry.type(name="MessageKindPreference", description="The viewer's channels for one kind of message.")
class MessageKindPreferenceType:
    kind: MessageKind
    label: str = strawberry.field(description="The kind's name in the viewer's language.")
    description: str = strawberry.field(description="What messages of this kind are about, in the viewer's language.")
    needs_consent: bool = strawberry.field(
        description="Sent on no channel until the viewer turns one on (offers, newsletter)."
    )
    channels: list[ChannelPreferenceType] = strawberry.field(description="Every channel, in a fixed order.")


@strawberry_django.type(
    PushDevice, name="PushDevice", description="A phone with the mobile app that gets push notifications."
)
class PushDeviceType:
    # The token is never exposed: whoever holds an Expo token can push to that phone.
    name: str = strawberry_django.field(description="The name the app gave, e.g. the phone's model; may be empty.")
    created_at: datetime.datetime = strawberry_django.field(description="When the phone was first registered.")
    last_seen_at: datetime.datetime = strawberry_django.field(description="When the phone last registered.")


@strawberry.type(name="NotificationPreferences", description="How messages reach the viewer, besides the inbox.")
class NotificationPreferencesType:
    user: strawberry.Private[Any]

    @strawberry.field(description="Language of the messages: pl or en.")
    def language(self) -> str:
        return self._settings().language

    @strawberry.field(description="Mobile number for SMS, E.164 (+48600123456); null when none is set.")
    def phone(self) -> str | None:
        return self._settings().phone or None

    @strawberry.field(description="Every kind of message, with the viewer's channels for it.")
    def kinds(self) -> list[MessageKindPreferenceType]:
        return [
            MessageKindPreferenceType(
                kind=MessageKind(kind_preferences.rules.kind.value),
                label=str(kind_preferences.rules.label),
                description=str(kind_preferences.rules.description),
                needs_consent=kind_preferences.rules.needs_consent,
                channels=[
                    ChannelPreferenceType(
                        channel=Channel(choice.channel.value),
                        label=str(choice.channel.label),
                        enabled=choice.enabled,
                        locked=choice.locked,
                    )
                    for choice in kind_preferences.channels
                ],
            )
            for kind_preferences in selectors.preferences_of(self.user)
        ]

    @strawberry.field(description="Phones registered for push notifications, newest first.")
    def push_devices(self) -> list[PushDeviceType]:
        # The person's own devices through their own relation: nothing to scope beyond that.
        return list(selectors.push_devices_of(self.user))

    def _settings(self):
        # language and phone in one query, however many of the two are asked for
        if not hasattr(self, "_cached_settings"):
            self._cached_settings = selectors.settings_of(self.user)
        return self._cached_settings


# --- The Viewer's fields -----------------------------------------------------------------------


@strawberry_django.type(User, name="ViewerMessagingFields")
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

    @strawberry_django.field(description="Language, phone, channels per kind of message and push devices.")
    def notification_preferences(self) -> NotificationPreferencesType:
        return NotificationPreferencesType(user=self)


# --- Errors and payloads -------------------------------------------------------------------------


@strawberry.type
class MessagingError(UserError):
    code: MessagingErrorCode


def _errors(error: ServiceError) -> list[MessagingError]:
    return typed_errors(MessagingError, MessagingErrorCode, error)


def _not_signed_in() -> list[MessagingError]:
    return _errors(
        ServiceError(errors.MessagingErrorCode.NOT_AUTHENTICATED, gettext("Sign in to manage your messages."))
    )


@strawberry.type
class MessageMarkReadPayload:
    messages: list[InboxMessage] = strawberry.field(
        description="The messages named by ids, as they are now; empty when all were marked."
    )
    unread_count: int = strawberry.field(description="Unread messages left in the whole inbox.")
    errors: list[MessagingError]


@strawberry.type
class NotificationPreferencesUpdatePayload:
    preferences: NotificationPreferencesType | None
    errors: list[MessagingError]


@strawberry.type
class PushDeviceRegisterPayload:
    device: PushDeviceType | None
    errors: list[MessagingError]


@strawberry.type
class PushDeviceUnregisterPayload:
    removed: bool = strawberry.field(description="Whether the token was registered to the viewer and is now gone.")
    errors: list[MessagingError]


@strawberry.input(description="One kind of message on one channel, turned on or off.")
class NotificationChoiceInput:
    kind: MessageKind
    channel: Channel
    enabled: bool


@strawberry.input(description="What to change; fields left out (null) stay as they are.")
class NotificationPreferencesInput:
    language: str | None = strawberry.field(default=None, description="pl or en.")
    phone: str | None = strawberry.field(
        default=None, description="Mobile number; Polish numbers may omit +48. An empty string removes it."
    )
    choices: list[NotificationChoiceInput] | None = strawberry.field(
        default=None, description="Channels to turn on or off; the others keep their current state."
    )


def _message_ids(ids: list[strawberry.ID]) -> list[int]:
    """Primary keys of InboxMessage global ids; anything else is the client's mistake."""
    maximum = settings.GRAPHQL_MAX_PAGE_SIZE
    if len(ids) > maximum:
        raise bad_input(gettext("Name at most %(max)d messages at a time.") % {"max": maximum}, field="ids")
    return [
        parse_global_id(
            value,
            type_name="InboxMessage",
            field="ids",
            message=gettext("“%(value)s” is not a message id.") % {"value": value},
        )
        for value in ids
    ]


# --- Root fields -----------------------------------------------------------------------------------


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Mark messages of the viewer's inbox read: those named by ids (from the inbox), or all of them. "
            "An id that is not in the viewer's inbox refuses the whole request (MESSAGE_NOT_FOUND)."
        )
    )
    def message_mark_read(
        self, info: Info, ids: list[strawberry.ID] | None = None, all: bool = False
    ) -> MessageMarkReadPayload:
        user = signed_in_user(info)
        if user is None:
            return MessageMarkReadPayload(messages=[], unread_count=0, errors=_not_signed_in())
        if all and ids:
            raise bad_input(gettext("Give ids or all, not both."), field="ids")
        pks = [] if all else _message_ids(ids or [])
        try:
            preferences.messages_mark_read(user=user, message_ids=pks, everything=all)
        except ServiceError as error:
            return MessageMarkReadPayload(
                messages=[], unread_count=selectors.unread_count_of(user), errors=_errors(error)
            )
        messages = list(selectors.inbox_of(user).filter(pk__in=pks)) if pks else []
        return MessageMarkReadPayload(messages=messages, unread_count=selectors.unread_count_of(user), errors=[])

    @strawberry.mutation(
        description=(
            "Change the viewer's language, phone and channels per kind of message. All or nothing: "
            "when anything is refused, nothing is saved and every problem is returned."
        )
    )
    def notification_preferences_update(
        self, info: Info, input: NotificationPreferencesInput
    ) -> NotificationPreferencesUpdatePayload:
        user = signed_in_user(info)
        if user is None:
            return NotificationPreferencesUpdatePayload(preferences=None, errors=_not_signed_in())
        choices = [(choice.kind.value, choice.channel.value, choice.enabled) for choice in input.choices or []]
        try:
            preferences.notification_preferences_save(
                user=user, language=input.language, phone=input.phone, choices=choices
            )
        except ServiceError as error:
            return NotificationPreferencesUpdatePayload(preferences=None, errors=_errors(error))
        return NotificationPreferencesUpdatePayload(preferences=NotificationPreferencesType(user=user), errors=[])

    @strawberry.mutation(
        description=(
            "Register this phone's push token (Expo: ExponentPushToken[…]) so that notifications reach it. "
            "Call it at every start of the app; a token registered by someone else moves to the viewer."
        )
    )
    def push_device_register(self, info: Info, token: str, name: str | None = None) -> PushDeviceRegisterPayload:
        user = signed_in_user(info)
        if user is None:
            return PushDeviceRegisterPayload(device=None, errors=_not_signed_in())
        try:
            device = preferences.push_device_register(user=user, token=token, name=(name or "").strip())
        except ServiceError as error:
            return PushDeviceRegisterPayload(device=None, errors=_errors(error))
        return PushDeviceRegisterPayload(device=device, errors=[])

    @strawberry.mutation(description="Stop push notifications to this phone (call it before signing out).")
    def push_device_unregister(self, info: Info, token: str) -> PushDeviceUnregisterPayload:
        user = signed_in_user(info)
        if user is None:
            return PushDeviceUnregisterPayload(removed=False, errors=_not_signed_in())
        removed = preferences.push_device_unregister(user=user, token=token)
        return PushDeviceUnregisterPayload(removed=removed, errors=[])


__all__ = ["InboxMessage", "Mutation", "ViewerMessagingFields"]
