"""Every write of the messaging app: sending, broadcasts, the outbox worker, preferences, inbox.

How a message travels:
1. `message_send` (the hub's own messages) or `broadcast_queue` (staff's broadcasts)
   resolves the recipients and writes, in the caller's transaction, one `Message` per
   person and one `Delivery` per channel and address they allowed. Nothing is sent yet.
2. After commit, a Celery task is asked to send (`tasks.deliveries_send`). If the broker
   is down, nothing is lost: the beat sweep (`messaging_sweep`) finds queued deliveries.
3. `deliveries_send` claims a batch (queued → sending, with a lease), sends each through
   the channel's provider at the provider's rate, and records each outcome at once:
   sent, retried later with back-off, failed or bounced. A delivery recorded as sent is
   never claimed again; one whose worker died goes back to the queue when its lease ends.

This module writes the outbox and broadcasts; `sending.py` is the worker's side and
`preferences.py` a person's own settings, devices and read state. Every function is
keyword-only and refuses bad input with `ServiceError(code, message, field)`; codes are
`errors.MessagingErrorCode` values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError
from cms.core.queue import enqueue_after_commit

from . import selectors
from .errors import MessagingErrorCode
from .kinds import Channel, MessageKind, rules_for
from .models import Broadcast, Delivery, Message, MessageTemplate, NotificationSettings, PushDevice
from .rendering import CompiledTexts, recipient_context, validate_template_texts

logger = logging.getLogger(__name__)
User = get_user_model()

BULK_BATCH = 1000
EDITABLE_STATUSES = [Broadcast.Status.DRAFT, Broadcast.Status.SCHEDULED]
BROADCAST_CONTENT_FIELDS = [
    "title",
    "kind",
    "subject",
    "body",
    "sms_text",
    "subject_en",
    "body_en",
    "sms_text_en",
    "link",
    "everyone",
    "roles",
    "news_page",
    "channels",
    "send_at",
]


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
    broadcast: Broadcast | None = None,
    in_inbox: bool = True,
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
                    broadcast=broadcast,
                    dedupe_key=dedupe_key,
                    language=row["language"],
                    subject=rendered.subject,
                    body_text=rendered.body_text,
                    body_html=rendered.body_html,
                    sms_text=rendered.sms_text,
                    link=link,
                    in_inbox=in_inbox,
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
                            broadcast=broadcast,
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
    from .tasks import deliveries_send

    for channel in sorted(set(channels)):
        enqueue_after_commit(deliveries_send, channel, fallback="the messaging sweep will send it")


def template_texts(key: str) -> dict[str, CompiledTexts]:
    templates = list(MessageTemplate.objects.filter(key=key))
    if not templates:
        raise ServiceError(MessagingErrorCode.TEMPLATE_MISSING, f"No message template with key {key!r}.")
    return {
        template.language: CompiledTexts.compile(
            subject=template.subject,
            body_text=template.body_text,
            body_html=template.body_html,
            sms_text=template.sms_text,
        )
        for template in templates
    }


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
) -> int:
    """Send the hub's own message (a membership decision, a ticket update) to people.

    `context` holds plain values for the template; `dedupe_key` names the event, so that
    calling this again for the same event sends nothing twice. The message goes to every
    channel the person allows for `kind` (or only `channels`) and to their inbox, unless
    `inbox` is False: a message carrying a secret (a link that sets the password) must
    not be readable by whoever holds a session or token of the account, so it goes to its
    channels only (the row is still written, as the outbox and the delivery log need it).
    Returns how many people got a new message.
    """
    kind = MessageKind(kind)
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
    )
    _send_after_commit(queued)
    return written


# --- Broadcasts ------------------------------------------------------------------------------


@transaction.atomic
def broadcast_draft_save(*, broadcast: Broadcast, user=None, estates=None, buildings=None, units=None) -> Broadcast:
    """Save a broadcast that has not been sent yet, with its audience; texts are checked.

    `estates`, `buildings` and `units` replace the chosen places when given (None keeps them).
    """
    current = Broadcast.objects.select_for_update().filter(pk=broadcast.pk).first() if broadcast.pk else None
    if broadcast.pk and (current is None or current.status not in EDITABLE_STATUSES):
        raise ServiceError(
            MessagingErrorCode.BROADCAST_NOT_EDITABLE, gettext("This broadcast has already been sent or cancelled.")
        )
    try:
        validate_template_texts(subject=broadcast.subject, body_text=broadcast.body, sms_text=broadcast.sms_text)
        validate_template_texts(
            subject=broadcast.subject_en,
            body_text=broadcast.body_en,
            sms_text=broadcast.sms_text_en,
            field_names={"subject": "subject_en", "body_text": "body_en", "sms_text": "sms_text_en"},
        )
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise ServiceError(MessagingErrorCode.TEXT_INVALID, problems[0], field) from None
    unknown_channels = set(broadcast.channels or []) - set(Channel.values)
    unknown_roles = set(broadcast.roles or []) - set(Broadcast.Role.values)
    if unknown_channels or unknown_roles:
        field = "channels" if unknown_channels else "roles"
        raise ServiceError(MessagingErrorCode.CHANNEL_INVALID, gettext("Unknown channel or role."), field)
    broadcast.announces_news = bool(broadcast.announces_news or broadcast.news_page_id)
    if current is None:
        broadcast.created_by = broadcast.created_by or user
        broadcast.status = Broadcast.Status.DRAFT
        broadcast.save()
    else:
        # Only what staff edit: the queueing fields belong to the services, and the row is
        # locked so that a queue run cannot interleave with this edit. An edited scheduled
        # broadcast goes back to draft: whoever changed it must send it again, so editing
        # (change permission) can never re-target what someone with send permission sent.
        broadcast.status = Broadcast.Status.DRAFT
        broadcast.save(update_fields=[*BROADCAST_CONTENT_FIELDS, "announces_news", "status"])
    for relation, chosen in (("estates", estates), ("buildings", buildings), ("units", units)):
        if chosen is not None:
            getattr(broadcast, relation).set(chosen)
    return broadcast


def broadcast_problems(broadcast: Broadcast) -> list[ServiceError]:
    """Why a broadcast cannot be sent as it stands (empty when it can)."""
    problems = []
    if not broadcast.channels:
        problems.append(
            ServiceError(MessagingErrorCode.BROADCAST_NO_CHANNELS, gettext("Choose at least one channel."), "channels")
        )
    page = broadcast.news_page
    if (broadcast.announces_news and page is None) or (page is not None and not (page.live and not page.expired)):
        problems.append(
            ServiceError(
                MessagingErrorCode.BROADCAST_NEWS_NOT_LIVE,
                gettext("The news item is not published; publish it first."),
                "news_page",
            )
        )
    elif not selectors.broadcast_recipients(broadcast).exists():
        problems.append(
            ServiceError(MessagingErrorCode.BROADCAST_NO_AUDIENCE, gettext("Nobody is in the chosen audience."), None)
        )
    return problems


def broadcast_texts(broadcast: Broadcast) -> dict[str, CompiledTexts]:
    texts = {
        "pl": CompiledTexts.compile(subject=broadcast.subject, body_text=broadcast.body, sms_text=broadcast.sms_text)
    }
    if broadcast.subject_en.strip() and broadcast.body_en.strip():
        texts["en"] = CompiledTexts.compile(
            subject=broadcast.subject_en,
            body_text=broadcast.body_en,
            sms_text=broadcast.sms_text_en or broadcast.sms_text,
        )
    return texts


@transaction.atomic
def broadcast_schedule(*, broadcast: Broadcast, user, send_at=None) -> Broadcast:
    """Send a draft now or at `send_at`: it is queued by the next sweep after that time.

    Sending now also asks a worker to queue it at once after commit.
    """
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if not broadcast.is_editable:
        raise ServiceError(
            MessagingErrorCode.BROADCAST_NOT_EDITABLE, gettext("This broadcast has already been sent or cancelled.")
        )
    problems = broadcast_problems(broadcast)
    if problems:
        raise problems[0]
    now = timezone.now()
    broadcast.send_at = send_at if send_at and send_at > now else now
    broadcast.status = Broadcast.Status.SCHEDULED
    broadcast.save(update_fields=["send_at", "status"])
    logger.info("Broadcast %s scheduled by %s for %s", broadcast.pk, user, broadcast.send_at)
    if broadcast.send_at <= now:
        _queue_broadcast_after_commit(broadcast.pk)
    return broadcast


def _queue_broadcast_after_commit(broadcast_id: int) -> None:
    from .tasks import broadcast_queue_task

    enqueue_after_commit(broadcast_queue_task, broadcast_id, fallback="the messaging sweep queues due broadcasts")


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, user) -> Broadcast:
    """Stop a broadcast: a scheduled one is never sent; a sending one sends nothing more."""
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast.status not in {Broadcast.Status.SCHEDULED, Broadcast.Status.SENDING, Broadcast.Status.DRAFT}:
        raise ServiceError(
            MessagingErrorCode.BROADCAST_NOT_CANCELLABLE, gettext("This broadcast has already finished.")
        )
    # Claimed ones too: a worker checks its claim before each send, so it stops at once.
    Delivery.objects.filter(broadcast=broadcast, state__in=[Delivery.State.QUEUED, Delivery.State.SENDING]).update(
        state=Delivery.State.FAILED, error="cancelled by staff", claim=None
    )
    broadcast.status = Broadcast.Status.CANCELLED
    broadcast.finished_at = timezone.now()
    broadcast.save(update_fields=["status", "finished_at"])
    logger.info("Broadcast %s cancelled by %s", broadcast.pk, user)
    return broadcast


@transaction.atomic
def broadcast_queue(*, broadcast_id: int) -> int:
    """Resolve a due broadcast's recipients and write its outbox, in one transaction.

    Idempotent: only a scheduled, due broadcast is queued, and the status changes in the
    same transaction as the rows; a crash half-way rolls everything back and the next
    sweep starts again. Returns the number of recipients (0 when there was nothing to do).
    """
    broadcast = (
        Broadcast.objects.select_for_update()
        .filter(pk=broadcast_id, status=Broadcast.Status.SCHEDULED, send_at__lte=timezone.now())
        .first()
    )
    if broadcast is None:
        return 0
    problems = broadcast_problems(broadcast)
    if any(problem.code == MessagingErrorCode.BROADCAST_NEWS_NOT_LIVE for problem in problems):
        # Unpublished after scheduling: send nothing rather than announce what nobody can open.
        broadcast.status = Broadcast.Status.CANCELLED
        broadcast.finished_at = timezone.now()
        broadcast.save(update_fields=["status", "finished_at"])
        logger.warning("Broadcast %s cancelled: its news item is no longer published", broadcast.pk)
        return 0
    user_ids = list(selectors.broadcast_recipients(broadcast).values_list("pk", flat=True))
    written, queued = _write_outbox(
        kind=MessageKind(broadcast.kind),
        user_ids=user_ids,
        texts_by_language=broadcast_texts(broadcast),
        context={},
        channels=[Channel(channel) for channel in broadcast.channels],
        dedupe_key=f"broadcast:{broadcast.pk}",
        link=broadcast.link,
        broadcast=broadcast,
    )
    broadcast.status = Broadcast.Status.SENDING if queued else Broadcast.Status.SENT
    broadcast.recipient_count = written  # people who got the message (consent may narrow the audience)
    broadcast.queued_at = timezone.now()
    if not queued:
        broadcast.finished_at = broadcast.queued_at
    broadcast.save(update_fields=["status", "recipient_count", "queued_at", "finished_at"])
    _send_after_commit(queued)
    return written


def broadcasts_queue_due() -> int:
    """Queue every scheduled broadcast whose time has come (the sweep)."""
    due = Broadcast.objects.filter(status=Broadcast.Status.SCHEDULED, send_at__lte=timezone.now())
    queued = 0
    for pk in due.values_list("pk", flat=True):
        try:
            queued += broadcast_queue(broadcast_id=pk)
        except Exception:  # one broken broadcast must not stop the sweep
            logger.exception("Broadcast %s could not be queued", pk)
    return queued


def broadcasts_finish() -> int:
    """Mark sending broadcasts with nothing left to send as sent."""
    pending = Delivery.objects.filter(
        broadcast__isnull=False, state__in=[Delivery.State.QUEUED, Delivery.State.SENDING]
    ).values("broadcast_id")
    return (
        Broadcast.objects.filter(status=Broadcast.Status.SENDING)
        .exclude(pk__in=pending)
        .update(status=Broadcast.Status.SENT, finished_at=timezone.now())
    )


# --- Templates -------------------------------------------------------------------------------


def templates_ensure(templates: Iterable[dict] | None = None) -> int:
    """Create the default texts of the hub's own messages; never overwrites staff's edits.

    Other apps pass their own lists (tickets: `operations/tickets/message_templates.py`).
    """
    from .default_templates import DEFAULT_TEMPLATES

    created = 0
    for template in DEFAULT_TEMPLATES if templates is None else templates:
        _obj, was_created = MessageTemplate.objects.get_or_create(
            key=template["key"], language=template["language"], defaults=template
        )
        created += was_created
    return created
