"""Reads of the messaging app that depend on who asks: inboxes, preferences, audiences.

Who a broadcast reaches is decided here, once, from the same facts every other path uses:
verified memberships (which the audience groups mirror) for residents, audience groups
for staff and contractors, and Wagtail's view restrictions for a broadcast that carries a
news item, so a message never reaches anyone who could not open the item it announces.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from wagtail.models import PageViewRestriction

from cms.core import visibility
from operations.residents.models import Audience, Membership

from .kinds import KIND_RULES, Channel, KindRules, MessageKind, rules_for
from .models import Broadcast, Delivery, Message, NotificationPreference, NotificationSettings, PushDevice

User = get_user_model()

RESIDENT_ROLES = {
    Broadcast.Role.OWNERS: Membership.Role.OWNER,
    Broadcast.Role.TENANTS: Membership.Role.TENANT,
    Broadcast.Role.BOARD: Membership.Role.BOARD,
}
GROUP_ROLES = {Broadcast.Role.STAFF: Audience.Role.STAFF, Broadcast.Role.CONTRACTORS: Audience.Role.CONTRACTORS}


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


# --- Audiences -------------------------------------------------------------------------------


def _news_readers_filter(page) -> Q | None:
    """Who may read `page` under the restrictions that apply to it, as a Q on users.

    Mirrors cms.core.visibility: `groups` admits members of a listed group (superusers
    always), `login` admits recognised people (members of any audience group), `password`
    admits nobody here, since a message cannot carry the password. None: no restriction.
    """
    # The same pages as the API's rule: the page's ancestors and, through any alias among
    # them (the page itself, or a section it was published under), the source's ancestors.
    # Checking only the page's own path and its `alias_of` missed a page under an alias.
    restrictions = visibility.page_restrictions(page).prefetch_related("groups")
    condition = None
    for restriction in restrictions:
        if restriction.restriction_type == PageViewRestriction.PASSWORD:
            return Q(pk__in=[])
        if restriction.restriction_type == PageViewRestriction.GROUPS:
            admitted = Q(groups__in=list(restriction.groups.all())) | Q(is_superuser=True)
        elif restriction.restriction_type == PageViewRestriction.LOGIN:
            admitted = Q(groups__audience__isnull=False) | Q(is_superuser=True)
        else:
            continue
        readers = Q(pk__in=User.objects.filter(admitted).values("pk"))
        condition = readers if condition is None else condition & readers
    return condition


def broadcast_recipients(broadcast: Broadcast) -> QuerySet:
    """The active people a broadcast reaches: the chosen audience, within a news item's readers.

    Residents come from verified memberships in the chosen places (everyone: all units),
    narrowed to the chosen resident roles; staff and contractors come from their groups and
    are added to them. A broadcast carrying a news item reaches only those who may read it;
    with no audience chosen it reaches the item's affected buildings, or all residents.
    """
    roles = set(broadcast.roles or [])
    resident_roles = [RESIDENT_ROLES[role] for role in roles if role in RESIDENT_ROLES]
    group_roles = [GROUP_ROLES[role] for role in roles if role in GROUP_ROLES]

    estates = list(broadcast.estates.values_list("pk", flat=True)) if broadcast.pk else []
    buildings = list(broadcast.buildings.values_list("pk", flat=True)) if broadcast.pk else []
    units = list(broadcast.units.values_list("pk", flat=True)) if broadcast.pk else []
    everyone = broadcast.everyone
    page = broadcast.news_page
    if page is not None and not (everyone or estates or buildings or units or roles):
        buildings = list(page.affected_buildings.values_list("pk", flat=True))
        everyone = not buildings

    has_places = everyone or estates or buildings or units
    people = Q(pk__in=[])
    if has_places or resident_roles:
        memberships = Membership.objects.filter(status=Membership.Status.VERIFIED)
        if not everyone and has_places:
            memberships = memberships.filter(
                Q(unit__building__estate__in=estates) | Q(unit__building__in=buildings) | Q(unit__in=units)
            )
        if resident_roles:
            memberships = memberships.filter(role__in=resident_roles)
        people |= Q(pk__in=memberships.values("user_id"))
    if group_roles:
        people |= Q(pk__in=User.objects.filter(groups__audience__role__in=group_roles).values("pk"))

    recipients = User.objects.filter(people, is_active=True)
    if page is not None:
        readers = _news_readers_filter(page)
        if readers is not None:
            recipients = recipients.filter(readers)
    return recipients.order_by("pk")


# --- Progress --------------------------------------------------------------------------------


def broadcast_progress(broadcast: Broadcast) -> dict[str, dict[str, int]]:
    """Deliveries per channel and state, in one query: {"email": {"sent": 120, ...}, ...}."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {state.value: 0 for state in Delivery.State})
    rows = (
        Delivery.objects.filter(broadcast=broadcast).values("channel", "state").annotate(count=Count("pk")).order_by()
    )
    for row in rows:
        counts[row["channel"]][row["state"]] = row["count"]
    return dict(counts)


def deliveries_of(broadcast: Broadcast) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(broadcast=broadcast)
        .select_related("message__recipient")
        .order_by("message__recipient__last_name", "message__recipient__first_name", "channel", "pk")
    )
