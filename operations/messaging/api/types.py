"""The messaging API's types: the inbox, its messages and a person's notification preferences.

Fields read through `selectors` only; the enums are the domain's own (`kinds`, `errors`)
exposed under their GraphQL names.
"""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from django.contrib.auth import get_user_model
from django.utils.html import linebreaks
from strawberry import Info, relay
from strawberry.extensions import FieldExtension

from cms.core.graphql.enums import graphql_enum
from cms.core.graphql.fields import instance_field, model_type
from cms.core.graphql.pagination import HubConnection
from cms.core.html import clean_html

from .. import errors, kinds, selectors
from ..models import Message, PushDevice

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


@model_type(Message, name="InboxMessage", description="A message the viewer received.")
class InboxMessage(relay.Node):
    # Named, so strawberry finds the id attribute once instead of searching (and failing) per object.
    id: relay.NodeID[int]
    subject: str
    created_at: datetime.datetime = instance_field(description="When the message was sent.")
    read_at: datetime.datetime | None = instance_field(description="When the viewer marked it read; null while unread.")

    @instance_field(name="id", description="The Globally Unique ID of this object")
    def _id(self) -> relay.GlobalID:
        # `relay.Node`'s own id resolver takes `info` to find the type of each object;
        # answered from the instance, the id takes strawberry's short path.
        return relay.GlobalID("InboxMessage", str(self.pk))

    @instance_field(only=["kind"])
    def kind(self) -> MessageKind:
        return MessageKind(self.kind)

    @instance_field(only=["body_text"], description="The message as plain text.")
    def body(self) -> str:
        return self.body_text

    @instance_field(
        only=["body_html", "body_text"],
        description="The message as HTML: the HTML version when it has one, else the text in escaped paragraphs.",
    )
    def body_html(self) -> str:
        # Cleaned: frontends insert it as HTML, and templates are written by staff, not the reader.
        return clean_html(self.body_html) if self.body_html else linebreaks(self.body_text, autoescape=True)

    @instance_field(only=["link"], description="Where the message leads (a news item, a ticket); null if nowhere.")
    def link(self) -> str | None:
        return self.link or None

    @instance_field(only=["read_at"])
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


@model_type(PushDevice, name="PushDevice", description="A phone with the mobile app that gets push notifications.")
class PushDeviceType:
    # The token is never exposed: whoever holds an Expo token can push to that phone.
    name: str = instance_field(description="The name the app gave, e.g. the phone's model; may be empty.")
    created_at: datetime.datetime = instance_field(description="When the phone was first registered.")
    last_seen_at: datetime.datetime = instance_field(description="When the phone last registered.")


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
