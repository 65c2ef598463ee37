"""Reads of the messaging app that depend on who asks: inboxes, preferences, which
channels a person receives a kind on, and whether someone may read the delivery log.

Who a broadcast reaches, and the admin's view of one, are the broadcasts app's selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .kinds import KIND_RULES, Channel, KindRules, MessageKind, rules_for
from .models import Message, NotificationPreference, NotificationSettings, PushDevice

# --- Inbox -----------------------------------------------------------------------------------


def inbox_of(user, *, unread_only: bool = False, kind: str | None = None) -> QuerySet[Message]:
    """The person's inbox: their messages except those sent without an inbox entry
    (`Message.in_inbox` off: account e-mails with sign-in links)."""
    if user is None or not user.is_authenticated:
        return Message.objects.none()
    messages = Message.objects.filter(recipient=user, in_inbox=True)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    if kind:
        messages = messages.filter(kind=kind)
    return messages.order_by("-created_at", "-id")


def unread_count_of(user) -> int:
    return inbox_of(user, unread_only=True).count()


# --- Preferences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelChoice:
    channel: Channel
    enabled: bool
    locked: bool


@dataclass(frozen=True)
class KindPreferences:
    rules: KindRules
    channels: list[ChannelChoice]


def settings_of(user) -> NotificationSettings:
    """The person's language and phone; defaults (not saved) when they never set them."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found if found is not None else NotificationSettings(user=user)


def push_devices_of(user) -> QuerySet[PushDevice]:
    return PushDevice.objects.filter(user=user).order_by("-created_at", "-pk")


def preferences_of(user) -> list[KindPreferences]:
    """Every kind with every channel: the person's choice where they made one, else the default."""
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    result = []
    for kind, rules in KIND_RULES.items():
        channels = []
        for channel in Channel:
            locked = rules.is_locked(channel)
            enabled = True if locked else chosen.get((kind.value, channel.value), rules.default_for(channel))
            channels.append(ChannelChoice(channel=channel, enabled=enabled, locked=locked))
        result.append(KindPreferences(rules=rules, channels=channels))
    return result


def channel_allowed_user_ids(*, kind: MessageKind | str, channel: Channel | str, user_ids) -> set[int]:
    """Of `user_ids` (at most a thousand or so), those who receive `kind` on `channel`:
    one query for their departures from the default."""
    rules = rules_for(kind)
    user_ids = set(user_ids)
    if rules.is_locked(channel):
        return user_ids
    departures = dict(
        NotificationPreference.objects.filter(
            kind=rules.kind.value, channel=Channel(channel).value, user_id__in=user_ids
        ).values_list("user_id", "enabled")
    )
    default = rules.default_for(channel)
    return {user_id for user_id in user_ids if departures.get(user_id, default)}


# Who got what at which address. `policy.may_read_delivery_log` answers it for the admin's
# views and buttons; it is spelt here because reads are scoped by it (the failures of a
# broadcast, in the broadcasts app's selectors).
DELIVERY_LOG_PERMISSION = "messaging.view_delivery"


def can_read_delivery_log(user) -> bool:
    return user.has_perm(DELIVERY_LOG_PERMISSION)
