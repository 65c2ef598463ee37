"""Reads of the messaging admin: who a broadcast reaches, what one of them reads, progress, CSV rows.

Each costs a fixed number of queries however many people a broadcast reaches: recipients
are resolved once as ids, and addresses and preferences are read for all of them at once.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from . import selectors, services
from .kinds import Channel, rules_for
from .models import Broadcast, Delivery, NotificationSettings, PushDevice
from .rendering import recipient_context, sms_length

# --- Reach and preview ------------------------------------------------------------------------


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

    Follows what `services._write_outbox` will do: a person gets a channel when they allow
    it for the kind and have an address there (an e-mail; a phone and an SMS text in their
    language; at least one device with the app).
    """
    recipients = selectors.broadcast_recipients(broadcast)
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
        has_sms = {
            language: texts.sms_text is not None for language, texts in services.broadcast_texts(broadcast).items()
        }
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
        channel: selectors.channel_allowed_user_ids(kind=broadcast.kind, channel=channel, user_ids=ids)
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
    for language, texts in services.broadcast_texts(broadcast).items():
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


def describe_progress(counts: dict[str, int] | None) -> str:
    counts = counts or {}
    total = sum(counts.values())
    if not total:
        return ""
    failed = counts.get(Delivery.State.FAILED, 0) + counts.get(Delivery.State.BOUNCED, 0)
    return gettext("%(sent)d sent, %(failed)d failed of %(total)d") % {
        "sent": counts.get(Delivery.State.SENT, 0),
        "failed": failed,
        "total": total,
    }


# --- CSV export -----------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    """A file that hands back what is written: csv.writer then returns each line."""

    def write(self, value):
        return value


def delivery_csv_lines(broadcast: Broadcast):
    """Every delivery of `broadcast` as CSV lines: semicolons and a BOM, as Polish spreadsheets expect.

    Headers and labels are translated now, in the request's language; the rows are read
    while the response streams, a chunk at a time.
    """
    writer = csv.writer(_Echo(), delimiter=";")
    header = [
        gettext("Recipient"),
        gettext("User name"),
        gettext("Address"),
        gettext("Channel"),
        gettext("State"),
        gettext("Attempts"),
        gettext("Sent at"),
        gettext("Reason"),
    ]
    zone = timezone.get_current_timezone()  # the viewer's, while the view runs
    channels = {value: str(label) for value, label in Channel.choices}
    states = {value: str(label) for value, label in Delivery.State.choices}

    def lines():
        yield "\ufeff" + writer.writerow([csv_cell(value) for value in header])
        for delivery in selectors.deliveries_of(broadcast).iterator(chunk_size=2000):
            person = delivery.message.recipient
            row = [
                person.get_full_name(),
                person.get_username(),
                delivery.shown_address,
                channels.get(delivery.channel, delivery.channel),
                states.get(delivery.state, delivery.state),
                delivery.attempts,
                timezone.localtime(delivery.sent_at, zone).strftime("%d.%m.%Y %H:%M:%S") if delivery.sent_at else "",
                delivery.error,
            ]
            yield writer.writerow([csv_cell(value) for value in row])

    return lines()
