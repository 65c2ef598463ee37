"""Messaging's mutations: mark messages read, change preferences, register phones for push.

Resolvers only translate: writes go to `services`, and every refusal a person can fix
comes back as a `MessagingError` in the payload, never as a GraphQL error.
"""

from __future__ import annotations

import strawberry
from django.conf import settings
from django.utils.translation import gettext
from strawberry import Info

from cms.core.exceptions import ServiceError
from cms.core.graphql.context import signed_in_user
from cms.core.graphql.errors import UserError, bad_input, typed_errors
from cms.core.graphql.ids import parse_global_id

from .. import policy, selectors, services
from .types import Channel, InboxMessage, MessageKind, MessagingErrorCode, NotificationPreferencesType, PushDeviceType

# --- Errors and payloads -------------------------------------------------------------------------


@strawberry.type
class MessagingError(UserError):
    code: MessagingErrorCode


def _errors(error: ServiceError) -> list[MessagingError]:
    return typed_errors(MessagingError, MessagingErrorCode, error)


def _refused(user) -> list[MessagingError]:
    """The errors of a mutation of the person's own messages, preferences or devices that
    `policy.personal_refusal` refuses (empty when allowed)."""
    refusal = policy.personal_refusal(user)
    return _errors(refusal) if refusal else []


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
        if refused := _refused(user):
            return MessageMarkReadPayload(messages=[], unread_count=0, errors=refused)
        if all and ids:
            raise bad_input(gettext("Give ids or all, not both."), field="ids")
        pks = [] if all else _message_ids(ids or [])
        try:
            services.messages_mark_read(user=user, message_ids=pks, everything=all)
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
        if refused := _refused(user):
            return NotificationPreferencesUpdatePayload(preferences=None, errors=refused)
        choices = [(choice.kind.value, choice.channel.value, choice.enabled) for choice in input.choices or []]
        try:
            services.notification_preferences_save(
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
        if refused := _refused(user):
            return PushDeviceRegisterPayload(device=None, errors=refused)
        try:
            device = services.push_device_register(user=user, token=token, name=(name or "").strip())
        except ServiceError as error:
            return PushDeviceRegisterPayload(device=None, errors=_errors(error))
        return PushDeviceRegisterPayload(device=device, errors=[])

    @strawberry.mutation(description="Stop push notifications to this phone (call it before signing out).")
    def push_device_unregister(self, info: Info, token: str) -> PushDeviceUnregisterPayload:
        user = signed_in_user(info)
        if refused := _refused(user):
            return PushDeviceUnregisterPayload(removed=False, errors=refused)
        removed = services.push_device_unregister(user=user, token=token)
        return PushDeviceUnregisterPayload(removed=removed, errors=[])
