"""Reads of the broadcasts app that depend on who asks: who a broadcast reaches, and the
admin's view of one (reach per channel, a sample of what a person reads, progress, the
deliveries and their failures).

Who a broadcast reaches is decided here, once, from the same facts every other path uses:
verified memberships (which the audience groups mirror) for residents, audience groups
for staff and contractors, and Wagtail's view restrictions for a broadcast that carries a
news item, so a message never reaches anyone who could not open the item it announces.
What a broadcast wrote is read from messaging's rows, which name it. The situation
centre's figures (broadcasts sending now, and those that failed) are at the end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from cms.core import visibility
from operations.messaging.kinds import Channel, rules_for
from operations.messaging.models import Delivery, NotificationSettings, PushDevice
from operations.messaging.rendering import recipient_context, sms_length
from operations.messaging.selectors import can_read_delivery_log, channel_allowed_user_ids
from operations.residents.models import Audience, Membership

from .models import Broadcast

User = get_user_model()

RESIDENT_ROLES = {
    Broadcast.Role.OWNERS: Membership.Role.OWNER,
    Broadcast.Role.TENANTS: Membership.Role.TENANT,
    Broadcast.Role.BOARD: Membership.Role.BOARD,
}
GROUP_ROLES = {Broadcast.Role.STAFF: Audience.Role.STAFF, Broadcast.Role.CONTRACTORS: Audience.Role.CONTRACTORS}


# --- Audiences -------------------------------------------------------------------------------


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
        memberships = Membership.objects.live()
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
        # Who may read the item is the API's own rule, asked in reverse, so that a message
        # never reaches anyone the item itself would be refused to.
        recipients = recipients.filter(visibility.page_readers(page))
    return recipients.order_by("pk")


# --- The admin's view of a broadcast: reach, preview, progress -------------------------------


@dataclass(frozen=True)
class ChannelReach:
    channel: Channel
    reached: int  # allow the channel and have an address on it
    declined: int  # turned this channel off for the kind (or never allowed it)
    no_address: int  # allow it but have no e-mail, phone (or SMS text) or app


@dataclass(frozen=True)
class Reach:
    total: int
    channels: list[ChannelReach]
    inbox_only: int  # reached by no chosen channel: they find it in their inbox only
    sample_id: int | None
    without_consent: int = 0  # a kind that needs consent: never said yes on any channel, get nothing


def broadcast_reach(broadcast: Broadcast) -> Reach:
    """How many people a broadcast reaches, per chosen channel, in a fixed number of queries.

    Follows what messaging's outbox will write (`composed_message_send`): a person gets a channel when they allow
    it for the kind and have an address there (an e-mail; a phone and an SMS text in their
    language; at least one device with the app).
    """
    recipients = broadcast_recipients(broadcast)
    rows = list(recipients.values_list("pk", "email"))
    ids = [pk for pk, _email in rows]
    chosen = [Channel(channel) for channel in broadcast.channels if channel in Channel.values]
    if not ids:
        return Reach(0, [ChannelReach(channel, 0, 0, 0) for channel in chosen], 0, None)
    people = recipients.values("pk")
    addressed: dict[Channel, set[int]] = {}
    if Channel.EMAIL in chosen:
        addressed[Channel.EMAIL] = {pk for pk, email in rows if email}
    if Channel.SMS in chosen:
        has_sms = {language: texts.sms_text is not None for language, texts in broadcast.compiled_texts().items()}
        fallback = has_sms.get(settings.LANGUAGE_CODE, False)
        phones = (
            NotificationSettings.objects.filter(user__in=people).exclude(phone="").values_list("user_id", "language")
        )
        addressed[Channel.SMS] = {
            user_id for user_id, language in phones if has_sms.get(language or settings.LANGUAGE_CODE, fallback)
        }
    if Channel.PUSH in chosen:
        addressed[Channel.PUSH] = set(PushDevice.objects.filter(user__in=people).values_list("user_id", flat=True))
    needs_consent = rules_for(broadcast.kind).needs_consent
    allowed = {
        channel: channel_allowed_user_ids(kind=broadcast.kind, channel=channel, user_ids=ids)
        for channel in (Channel if needs_consent else chosen)
    }
    # Marketing-like kinds reach only people who said yes on some channel, inbox included.
    receivers = set().union(*allowed.values()) if needs_consent else set(ids)
    reached_anywhere: set[int] = set()
    channels = []
    for channel in chosen:
        reached = allowed[channel] & addressed[channel]
        reached_anywhere |= reached
        channels.append(
            ChannelReach(channel, len(reached), len(ids) - len(allowed[channel]), len(allowed[channel] - reached))
        )
    return Reach(len(ids), channels, len(receivers - reached_anywhere), ids[0], len(ids) - len(receivers))


@dataclass(frozen=True)
class SampleMessage:
    language: str
    language_label: str
    subject: str
    body_text: str
    sms_text: str
    sms_length: str


def sample_messages(broadcast: Broadcast, sample) -> list[SampleMessage]:
    """The broadcast as `sample` (a user) reads it, in Polish and, when written, English."""
    context = recipient_context(
        first_name=sample.first_name, last_name=sample.last_name, email=sample.email, username=sample.get_username()
    )
    labels = {"pl": gettext("Polish"), "en": gettext("English")}
    samples = []
    for language, texts in broadcast.compiled_texts().items():
        rendered = texts.render(context)
        samples.append(
            SampleMessage(
                language=language,
                language_label=labels.get(language, language),
                subject=rendered.subject,
                body_text=rendered.body_text,
                sms_text=rendered.sms_text,
                sms_length=sms_length(rendered.sms_text).describe() if rendered.sms_text else "",
            )
        )
    return samples


def progress_by_broadcast(broadcast_ids) -> dict[int, dict[str, int]]:
    """Deliveries per state of several broadcasts in one query: {id: {"sent": 3, ...}}."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {state.value: 0 for state in Delivery.State})
    rows = (
        Delivery.objects.filter(broadcast_id__in=list(broadcast_ids))
        .values("broadcast_id", "state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["broadcast_id"]][row["state"]] = row["count"]
    return counts


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


def broadcast_failures_visible_to(user, broadcast: Broadcast) -> QuerySet[Delivery]:
    """The broadcast's failed and bounced deliveries, with who and which address, for `user`.

    Who failed is the delivery log's to show: only someone who may read the log gets
    them; a broadcast's counts (`broadcast_progress`) are for everyone who sees the report.
    """
    if not can_read_delivery_log(user):
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(broadcast=broadcast, state__in=[Delivery.State.FAILED, Delivery.State.BOUNCED])
        .select_related("message__recipient")
        .order_by("message__recipient__last_name", "message__recipient__first_name", "pk")
    )


# --- The situation centre (the admin's first page) --------------------------------------------

# A finished broadcast's failures stay on the situation centre this long after it finished:
# nothing else takes them off (a failed delivery is not retried by hand).
FAILURES_SHOWN_FOR = timedelta(days=7)

FAILED_STATES = (Delivery.State.FAILED, Delivery.State.BOUNCED)


def _deliveries(*states) -> Exists:
    return Exists(Delivery.objects.filter(broadcast=OuterRef("pk"), state__in=states))


def _conditions(now: datetime) -> dict[str, Q]:
    finished_lately = Q(status=Broadcast.Status.SENT, finished_at__gte=now - FAILURES_SHOWN_FOR)
    failures = Q(_deliveries(*FAILED_STATES))
    delivered = Q(_deliveries(Delivery.State.SENT))
    return {
        "sending": Q(status=Broadcast.Status.SENDING),
        "failed": finished_lately & failures & ~delivered,
        "partly_failed": finished_lately & failures & delivered,
    }


SITUATION = ("sending", "failed", "partly_failed")


def broadcast_situation_condition(name: str, now: datetime | None = None) -> Q:
    """The condition of one figure (one of `SITUATION`), for the list it links to
    (`admin.forms.BroadcastFilterSet.now`)."""
    return _conditions(now or timezone.now())[name]


@dataclass(frozen=True)
class BroadcastSituation:
    sending: int
    failed: int
    partly_failed: int


def broadcast_situation(now: datetime | None = None) -> BroadcastSituation:
    """Broadcasts that need a look now, counted in one query whatever their number.

    A broadcast has no "failed" status: it is sent, and each delivery (one per person,
    channel and address) is sent, or fails for good (`failed`: refused, or out of
    retries; `bounced`: the address does not exist). Temporary failures go back to the
    queue and keep the broadcast `sending`. So:

    - sending: queued and not finished (`Broadcast.Status.SENDING`);
    - failed: finished (`sent`) in the last `FAILURES_SHOWN_FOR`, with failed or bounced
      deliveries and none delivered: nobody got it on any channel (only in their inbox);
    - partly failed: finished in that time, with failed or bounced deliveries and some
      delivered.

    A cancelled broadcast is neither: its queued deliveries fail on purpose (withdrawn by
    staff). A broadcast whose recipients get it in their inbox only has no deliveries and
    no failures.
    """
    conditions = _conditions(now or timezone.now())
    row = Broadcast.objects.aggregate(**{name: Count("pk", filter=conditions[name]) for name in SITUATION})
    return BroadcastSituation(**row)
