"""Error codes of the messaging app; mutations expose them as the GraphQL enum MessagingErrorCode."""

from enum import StrEnum


class MessagingErrorCode(StrEnum):
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    KIND_INVALID = "KIND_INVALID"
    CHANNEL_INVALID = "CHANNEL_INVALID"
    CHANNEL_LOCKED = "CHANNEL_LOCKED"
    LANGUAGE_INVALID = "LANGUAGE_INVALID"
    PHONE_INVALID = "PHONE_INVALID"
    PUSH_TOKEN_INVALID = "PUSH_TOKEN_INVALID"
    MESSAGE_NOT_FOUND = "MESSAGE_NOT_FOUND"
    TOKEN_INVALID = "TOKEN_INVALID"
    # Published in the API's enum while broadcasts were part of messaging, and kept there so
    # that it loses no value; nothing in messaging raises them. The broadcasts app raises
    # them, with the same values, as `operations.broadcasts.errors.BroadcastErrorCode`.
    BROADCAST_NOT_EDITABLE = "BROADCAST_NOT_EDITABLE"
    BROADCAST_NO_CHANNELS = "BROADCAST_NO_CHANNELS"
    BROADCAST_NO_AUDIENCE = "BROADCAST_NO_AUDIENCE"
    BROADCAST_NEWS_NOT_LIVE = "BROADCAST_NEWS_NOT_LIVE"
    BROADCAST_NOT_CANCELLABLE = "BROADCAST_NOT_CANCELLABLE"
    TEMPLATE_MISSING = "TEMPLATE_MISSING"
    TEXT_INVALID = "TEXT_INVALID"
