"""Every write of the broadcasts app: drafts, scheduling, cancelling and queueing them
into messaging's outbox, and marking them sent.

Who a broadcast reaches is `selectors.broadcast_recipients` (the audience, within the
readers of the news item it announces); this module writes what follows from it. The
messages go through messaging's services (`composed_message_send`, and
`messages_withdraw` when staff cancel), in the same transaction as the broadcast's own
change. Every function is keyword-only (the read `broadcast_problems` aside), refuses
with `ServiceError` (`errors.BroadcastErrorCode`), and is one transaction, except
`broadcasts_queue_due` (one broken broadcast must not undo the others).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import ServiceError
from cms.core.portal_links import resident_link
from cms.core.queue import enqueue_after_commit
from operations.messaging import services as messaging
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import Delivery
from operations.messaging.rendering import validate_template_texts
from operations.residents.models import Building, Estate, Unit

from . import policy, selectors
from .errors import BroadcastErrorCode
from .models import Broadcast

logger = logging.getLogger(__name__)

# What staff write, in the admin form's order: the texts in both languages and the link.
BROADCAST_TEXT_FIELDS = [
    "title",
    "kind",
    "subject",
    "body",
    "sms_text",
    "subject_en",
    "body_en",
    "sms_text_en",
    "link",
]
# The chosen places, many-to-many: `broadcast_draft_save` sets them apart from the row.
BROADCAST_PLACE_FIELDS = ["estates", "buildings", "units"]
# The row's fields an edit of a draft or scheduled broadcast saves.
BROADCAST_CONTENT_FIELDS = [*BROADCAST_TEXT_FIELDS, "everyone", "roles", "news_page", "channels", "send_at"]


@transaction.atomic
def broadcast_draft_save(
    *,
    broadcast: Broadcast,
    user: AbstractBaseUser | None = None,
    estates: Iterable[Estate] | None = None,
    buildings: Iterable[Building] | None = None,
    units: Iterable[Unit] | None = None,
) -> Broadcast:
    """Save a broadcast that has not been sent yet, with its audience; texts are checked.

    `estates`, `buildings` and `units` replace the chosen places when given (None keeps them).
    """
    current = Broadcast.objects.select_for_update().filter(pk=broadcast.pk).first() if broadcast.pk else None
    if broadcast.pk and (refusal := policy.broadcast_edit_refusal(current)):
        raise refusal
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
        raise ServiceError(BroadcastErrorCode.TEXT_INVALID, problems[0], field) from None
    unknown_channels = set(broadcast.channels or []) - set(Channel.values)
    unknown_roles = set(broadcast.roles or []) - set(Broadcast.Role.values)
    if unknown_channels or unknown_roles:
        field = "channels" if unknown_channels else "roles"
        raise ServiceError(BroadcastErrorCode.CHANNEL_INVALID, gettext("Unknown channel or role."), field)
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
            ServiceError(BroadcastErrorCode.BROADCAST_NO_CHANNELS, gettext("Choose at least one channel."), "channels")
        )
    page = broadcast.news_page
    if (broadcast.announces_news and page is None) or (page is not None and not (page.live and not page.expired)):
        problems.append(
            ServiceError(
                BroadcastErrorCode.BROADCAST_NEWS_NOT_LIVE,
                gettext("The news item is not published; publish it first."),
                "news_page",
            )
        )
    elif not selectors.broadcast_recipients(broadcast).exists():
        problems.append(
            ServiceError(BroadcastErrorCode.BROADCAST_NO_AUDIENCE, gettext("Nobody is in the chosen audience."), None)
        )
    return problems


@transaction.atomic
def broadcast_schedule(*, broadcast: Broadcast, user: AbstractBaseUser, send_at: datetime | None = None) -> Broadcast:
    """Send a draft now or at `send_at`: it is queued by the next sweep after that time.

    Sending now also asks a worker to queue it at once after commit.
    """
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if refusal := policy.broadcast_edit_refusal(broadcast):
        raise refusal
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
    from .tasks import broadcast_queue  # tasks import the services

    enqueue_after_commit(broadcast_queue, broadcast_id, fallback="the broadcasts sweep queues due broadcasts")


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, user: AbstractBaseUser) -> Broadcast:
    """Stop a broadcast: a scheduled one is never sent; a sending one sends nothing more."""
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if refusal := policy.broadcast_cancel_refusal(broadcast):
        raise refusal
    # Its queued deliveries and those a worker holds fail now, and nothing of it is sent
    # later, whatever comes back to the queue: messaging keeps that once it is withdrawn.
    messaging.messages_withdraw(broadcast_id=broadcast.pk, reason="cancelled by staff")
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
    if any(problem.code == BroadcastErrorCode.BROADCAST_NEWS_NOT_LIVE for problem in problems):
        # Unpublished after scheduling: send nothing rather than announce what nobody can open.
        broadcast.status = Broadcast.Status.CANCELLED
        broadcast.finished_at = timezone.now()
        broadcast.save(update_fields=["status", "finished_at"])
        logger.warning("Broadcast %s cancelled: its news item is no longer published", broadcast.pk)
        return 0
    user_ids = list(selectors.broadcast_recipients(broadcast).values_list("pk", flat=True))
    written, queued = messaging.composed_message_send(
        kind=MessageKind(broadcast.kind),
        recipients=user_ids,
        texts_by_language=broadcast.compiled_texts(),
        channels=[Channel(channel) for channel in broadcast.channels],
        dedupe_key=f"broadcast:{broadcast.pk}",
        # A link into the hub's pages (a news item's, as the draft from an item holds it)
        # leads to the page in the portal, a document's to its download on BASE_URL.
        link=resident_link(broadcast.link),
        broadcast_id=broadcast.pk,
    )
    broadcast.status = Broadcast.Status.SENDING if queued else Broadcast.Status.SENT
    broadcast.recipient_count = written  # people who got the message (consent may narrow the audience)
    broadcast.queued_at = timezone.now()
    if not queued:
        broadcast.finished_at = broadcast.queued_at
    broadcast.save(update_fields=["status", "recipient_count", "queued_at", "finished_at"])
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
    """Mark sending broadcasts with nothing left to send as sent (after each sending run,
    signals.py, and in the sweep)."""
    pending = Delivery.objects.filter(
        broadcast__isnull=False, state__in=[Delivery.State.QUEUED, Delivery.State.SENDING]
    ).values("broadcast_id")
    return (
        Broadcast.objects.filter(status=Broadcast.Status.SENDING)
        .exclude(pk__in=pending)
        .update(status=Broadcast.Status.SENT, finished_at=timezone.now())
    )
