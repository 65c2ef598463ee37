"""Error codes of the broadcasts app (raised by its services and shown in the admin).

The values are those the API's `MessagingErrorCode` published while broadcasts were part
of messaging; broadcasts have no API of their own.
"""

from enum import StrEnum


class BroadcastErrorCode(StrEnum):
    CHANNEL_INVALID = "CHANNEL_INVALID"
    TEXT_INVALID = "TEXT_INVALID"
    BROADCAST_NOT_EDITABLE = "BROADCAST_NOT_EDITABLE"
    BROADCAST_NO_CHANNELS = "BROADCAST_NO_CHANNELS"
    BROADCAST_NO_AUDIENCE = "BROADCAST_NO_AUDIENCE"
    BROADCAST_NEWS_NOT_LIVE = "BROADCAST_NEWS_NOT_LIVE"
    BROADCAST_NOT_CANCELLABLE = "BROADCAST_NOT_CANCELLABLE"
