"""Writing the outbox: the hub's own messages, one row per person and channel.

How a message travels:
1. `message_send` (the hub's own messages, from templates) or `composed_message_send`
   (texts someone composed: the broadcasts app's) writes, in the caller's transaction,
   one `Message` per person and one `Delivery` per channel and address they allowed.
   Nothing is sent yet.
2. After commit, a Celery task is asked to send (`tasks.deliveries_send`). If the broker
   is down, nothing is lost: the beat sweep (`outbox_sweep`) finds queued deliveries.
3. `deliveries_send` claims a batch (queued → sending, with a lease), sends each through
   the channel's provider at the provider's rate, and records each outcome at once:
   sent, retried later with back-off, failed or bounced. A delivery recorded as sent is
   never claimed again; one whose worker died goes back to the queue when its lease ends.

This module writes the outbox (and withdraws from it: `messages_withdraw`); `sending.py`
the worker's side, `delivery_reports.py` what providers report afterwards, `templates.py`
the texts and `preferences.py` a person's own settings, devices and read state. Refusals
are `ServiceError(code, message, field)` with `errors.MessagingErrorCode` codes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from cms.core.queue import enqueue_after_commit

from .. import selectors
from ..kinds import ACCOUNT_ACTIVATION_TEMPLATES, Channel, MessageKind, rules_for
from ..models import Delivery, Message, NotificationSettings, PushDevice
from ..rendering import CompiledTexts, recipient_context
from .templates import template_texts

logger = logging.getLogger(__name__)
User = get_user_model()

BULK_BATCH = 1000
# --- Sending: writing the outbox -------------------------------------------------------------


def _recipient_rows(user_ids: Iterable[int]) -> list[dict]:
    """What rendering and addressing need of each person, as plain values, in two queries."""
    user_ids = list(user_ids)
    settings_by_user = {
        row["user_id"]: row
        for row in NotificationSettings.objects.filter(user_id__in=user_ids).values("user_id", "language", "phone")
    }
    rows = []
    for user in User.objects.filter(pk__in=user_ids).values("pk", "username", "first_name", "last_name", "email"):
        extra = settings_by_user.get(user["pk"], {})
        rows.append(
            {**user, "language": extra.get("language") or settings.LANGUAGE_CODE, "phone": extra.get("phone", "")}
        )
    return rows


def _push_tokens_by_user(user_ids: Iterable[int]) -> dict[int, list[str]]:
    tokens: dict[int, list[str]] = {}
    for user_id, token in PushDevice.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "token"):
        tokens.setdefault(user_id, []).append(token)
    return tokens


def _write_outbox(
    *,
    kind: MessageKind,
    user_ids: list[int],
    texts_by_language: dict[str, CompiledTexts],
    context: dict,
    channels: Iterable[Channel],
    dedupe_key: str,
    link: str = "",
    broadcast_id: int | None = None,
    in_inbox: bool = True,
    for_account_activation: bool = False,
) -> tuple[int, set[str]]:
    """Messages and deliveries for `user_ids`, skipping people who already have this one.

    Returns (messages written, channels with queued deliveries). Rendering happens here, in
    each person's language, so what was sent is what the log and the inbox show.
    """
    channels = [Channel(channel) for channel in channels]
    rules = rules_for(kind)
    fallback = texts_by_language.get(settings.LANGUAGE_CODE) or next(iter(texts_by_language.values()))
    now = timezone.now()
    written = 0
    queued_channels: set[str] = set()
    # In chunks, so that no query carries more ids than a database accepts in one IN list.
    for start in range(0, len(user_ids), BULK_BATCH):
        chunk = user_ids[start : start + BULK_BATCH]
        already = set(
            Message.objects.filter(dedupe_key=dedupe_key, recipient_id__in=chunk).values_list("recipient_id", flat=True)
        )
        candidates = [uid for uid in chunk if uid not in already]
        if rules.needs_consent:
            # Without a "yes" on some channel a person gets nothing of this kind, not even
            # an inbox entry: marketing-like messages are never sent without consent.
            consenting = set().union(
                *(selectors.channel_allowed_user_ids(kind=kind, channel=c, user_ids=candidates) for c in Channel)
            )
            candidates = [uid for uid in candidates if uid in consenting]
        people = _recipient_rows(candidates)
        if not people:
            continue
        ids = [row["pk"] for row in people]
        allowed = {
            channel: selectors.channel_allowed_user_ids(kind=kind, channel=channel, user_ids=ids)
            for channel in channels
        }
        push_tokens = _push_tokens_by_user(ids) if Channel.PUSH in channels else {}
        messages = []
        for row in people:
            texts = texts_by_language.get(row["language"], fallback)
            rendered = texts.render(
                {
                    **recipient_context(
                        first_name=row["first_name"],
                        last_name=row["last_name"],
                        email=row["email"],
                        username=row["username"],
                    ),
                    **context,
                }
            )
            messages.append(
                Message(
                    recipient_id=row["pk"],
                    kind=kind,
                    broadcast_id=broadcast_id,
                    dedupe_key=dedupe_key,
                    language=row["language"],
                    subject=rendered.subject,
                    body_text=rendered.body_text,
                    body_html=rendered.body_html,
                    sms_text=rendered.sms_text,
                    link=link,
                    in_inbox=in_inbox,
                    for_account_activation=for_account_activation,
                    created_at=now,
                )
            )
        created = Message.objects.bulk_create(messages)
        if any(message.pk is None for message in created):  # a backend without RETURNING
            by_user = dict(
                Message.objects.filter(dedupe_key=dedupe_key, recipient_id__in=ids).values_list("recipient_id", "pk")
            )
            for message in created:
                message.pk = by_user[message.recipient_id]
        deliveries = []
        for row, message in zip(people, created, strict=True):
            addresses = {
                Channel.EMAIL: [row["email"]] if row["email"] else [],
                Channel.SMS: [row["phone"]] if row["phone"] and message.sms_text else [],
                Channel.PUSH: push_tokens.get(row["pk"], []),
            }
            for channel in channels:
                if row["pk"] not in allowed[channel]:
                    continue
                for address in addresses[channel]:
                    deliveries.append(
                        Delivery(
                            message_id=message.pk,
                            broadcast_id=broadcast_id,
                            channel=channel,
                            address=address,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
                    queued_channels.add(channel.value)
        Delivery.objects.bulk_create(deliveries)
        written += len(created)
    return written, queued_channels


def _send_after_commit(channels: Iterable[str]) -> None:
    """Ask the workers to send once the outbox rows are committed; the sweep covers a dead broker."""
    from ..tasks import deliveries_send

    for channel in sorted(set(channels)):
        enqueue_after_commit(deliveries_send, channel, fallback="the messaging sweep will send it")


PLAIN_TYPES = (str, int, float, bool, type(None), Decimal, date, datetime, Promise)


def _require_plain(value, path="context") -> None:
    """Templates see plain values only: a model would hand them everything reachable from it."""
    if isinstance(value, dict):
        for key, item in value.items():
            _require_plain(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _require_plain(item, f"{path}[{index}]")
    elif not isinstance(value, PLAIN_TYPES):
        raise TypeError(f"{path} is a {type(value).__name__}; pass plain values to message templates")


@transaction.atomic
def message_send(
    *,
    kind: MessageKind | str,
    template_key: str,
    recipients: Iterable,
    context: dict,
    dedupe_key: str,
    link: str = "",
    channels: Iterable[Channel] | None = None,
    inbox: bool = True,
    for_account_activation: bool = False,
) -> int:
    """Send the hub's own message (a membership decision, a ticket update) to people.

    `context` holds plain values for the template; `dedupe_key` names the event, so that
    calling this again for the same event sends nothing twice. The message goes to every
    channel the person allows for `kind` (or only `channels`) and to their inbox, unless
    `inbox` is False: a message carrying a secret (a link that sets the password) must
    not be readable by whoever holds a session or token of the account, so it goes to its
    channels only (the row is still written, as the outbox and the delivery log need it).

    Nothing reaches an account that is not active, on any channel, except an account
    e-mail sent `for_account_activation`: the e-mail whose link activates the account
    (one of ACCOUNT_ACTIVATION_TEMPLATES, which the residents app sends to an account
    awaiting its confirmation). Sending checks the flag again, and that the account still
    has no password (it is chosen when the link is opened); once the account is confirmed
    its sender withdraws what is still queued (`account_activation_messages_withdraw`).
    Returns how many people got a new message.
    """
    kind = MessageKind(kind)
    if for_account_activation and (kind != MessageKind.ACCOUNT or template_key not in ACCOUNT_ACTIVATION_TEMPLATES):
        raise ValueError("Only an account's activation e-mail may be sent for an account's activation.")
    _require_plain(context)
    user_ids = [getattr(person, "pk", person) for person in recipients]
    written, queued = _write_outbox(
        kind=kind,
        user_ids=user_ids,
        texts_by_language=template_texts(template_key),
        context=context,
        channels=list(channels) if channels is not None else list(Channel),
        dedupe_key=dedupe_key,
        link=link,
        in_inbox=inbox,
        for_account_activation=for_account_activation,
    )
    _send_after_commit(queued)
    return written


@transaction.atomic
def composed_message_send(
    *,
    kind: MessageKind | str,
    recipients: Iterable,
    texts_by_language: dict[str, CompiledTexts],
    channels: Iterable[Channel],
    dedupe_key: str,
    link: str = "",
    broadcast_id: int | None = None,
) -> tuple[int, set[str]]:
    """Send texts someone composed (a staff broadcast) to people, as `message_send` does.

    `texts_by_language` are the compiled texts per language (the Polish ones, or the
    first, for everyone else); `broadcast_id` names the broadcast the messages and their
    deliveries belong to (its progress and its withdrawal). Returns (people who got a new
    message, channels with deliveries queued); sending starts after commit.
    """
    written, queued = _write_outbox(
        kind=MessageKind(kind),
        user_ids=[getattr(person, "pk", person) for person in recipients],
        texts_by_language=texts_by_language,
        context={},
        channels=list(channels),
        dedupe_key=dedupe_key,
        link=link,
        broadcast_id=broadcast_id,
    )
    _send_after_commit(queued)
    return written, queued


def _withdraw(messages, deliveries, *, reason: str) -> int:
    messages.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    return deliveries.filter(state__in=[Delivery.State.QUEUED, Delivery.State.SENDING]).update(
        state=Delivery.State.FAILED, error=reason[:2000], claim=None
    )


@transaction.atomic
def messages_withdraw(*, broadcast_id: int, reason: str) -> int:
    """Withdraw a broadcast's messages: nothing more of them is sent, whatever is in flight.

    Their queued deliveries fail, and so do those a worker holds (it checks its claim
    before each send, after waiting for the provider's rate, so it stops at once; only a
    send already at the provider goes out, and is logged as sent). The messages are
    marked withdrawn, so a delivery that anything brings back to the queue later fails
    instead of going out (`sending.deliveries_claim`). The inbox entries stay.
    Returns how many deliveries were stopped.
    """
    if broadcast_id is None:
        raise ValueError("messages_withdraw needs the broadcast whose messages it withdraws.")
    return _withdraw(
        Message.objects.filter(broadcast_id=broadcast_id),
        Delivery.objects.filter(broadcast_id=broadcast_id),
        reason=reason,
    )


@transaction.atomic
def account_activation_messages_withdraw(*, user_id: int, reason: str) -> int:
    """Withdraw the activation e-mails still queued for an account (sent
    `for_account_activation`): once it is confirmed they have done their work, and a
    retry must not reach the account later, when it may have been disabled. Returns how
    many deliveries were stopped."""
    if user_id is None:
        raise ValueError("account_activation_messages_withdraw needs the account.")
    return _withdraw(
        Message.objects.filter(recipient_id=user_id, for_account_activation=True),
        Delivery.objects.filter(message__recipient_id=user_id, message__for_account_activation=True),
        reason=reason,
    )
