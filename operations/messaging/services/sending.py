"""The outbox worker: claim due deliveries, send them at the provider's rate, record each.

A delivery recorded as sent is never claimed again; a delivery whose worker died (its
lease over, never recorded) goes back to the queue. Called by tasks.py only.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Min, Q
from django.utils import timezone

from cms.core.cache import counter_incr

from .. import policy, signals
from ..kinds import Channel, MessageKind
from ..models import Delivery, NotificationSettings, PushDevice
from ..providers import OutgoingMessage, PermanentFailure, TemporaryFailure, provider_for
from ..rendering import email_bodies
from .preferences import email_preferences_url

logger = logging.getLogger(__name__)


def deliveries_claim(*, channel: str, limit: int) -> tuple[uuid.UUID, list[Delivery]]:
    """Take up to `limit` due deliveries of `channel` for this worker (queued → sending).

    The claim is one conditional UPDATE: two workers racing for the same rows both run it,
    and the database lets only one of them change each row from queued, so no delivery is
    ever held by two workers.
    """
    now = timezone.now()
    claim = uuid.uuid4()
    # What its sender withdrew (a cancelled broadcast: services.messages_withdraw) is never
    # sent, whatever brought it back to the queue (a retry, a requeued lease).
    Delivery.objects.filter(channel=channel, state=Delivery.State.QUEUED, message__withdrawn_at__isnull=False).update(
        state=Delivery.State.FAILED, error="withdrawn by its sender", claim=None
    )
    due = list(
        Delivery.objects.filter(channel=channel, state=Delivery.State.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return claim, []
    Delivery.objects.filter(pk__in=due, state=Delivery.State.QUEUED).update(
        state=Delivery.State.SENDING,
        claim=claim,
        lease_expires_at=now + timedelta(seconds=settings.MESSAGING_LEASE_SECONDS),
    )
    return claim, list(Delivery.objects.filter(claim=claim).select_related("message").order_by("pk"))


def _outgoing(delivery: Delivery) -> OutgoingMessage:
    message = delivery.message
    key = delivery.idempotency_key
    if delivery.channel != Channel.EMAIL:
        return OutgoingMessage(
            address=delivery.address,
            subject=message.subject,
            text=message.body_text,
            sms_text=message.sms_text or message.subject,
            link=message.link,
            idempotency_key=key,
        )
    preferences_url = email_preferences_url(user_id=message.recipient_id)
    # An unsubscribe link only where the person may turn e-mail off for the kind.
    may_unsubscribe = policy.may_turn_off(message.kind, Channel.EMAIL)
    unsubscribe_url = email_preferences_url(user_id=message.recipient_id, kind=message.kind) if may_unsubscribe else ""
    text, html = email_bodies(message=message, unsubscribe_url=unsubscribe_url, preferences_url=preferences_url)
    headers = {}
    if unsubscribe_url:
        # RFC 8058 one-click unsubscribe: mail clients POST to the link without a page.
        headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return OutgoingMessage(
        address=delivery.address,
        subject=message.subject,
        text=text,
        html=html,
        link=message.link,
        idempotency_key=key,
        headers=headers,
    )


def _retry_delay(attempts: int) -> timedelta:
    seconds = settings.MESSAGING_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.MESSAGING_RETRY_MAX_SECONDS))


def delivery_record(
    *, delivery: Delivery, claim: uuid.UUID, outcome: str, provider_id: str = "", error: str = ""
) -> bool:
    """Record what became of one claimed delivery; False if the claim was lost meanwhile.

    `outcome` is "sent", "temporary", "failed" or "bounced". A temporary failure is retried
    after a growing delay until MESSAGING_MAX_ATTEMPTS attempts, then fails. A send that
    was already at the provider when its sender withdrew the message (which clears the
    claim and fails the delivery) is still recorded as sent: the log must say who got it.
    """
    now = timezone.now()
    attempts = delivery.attempts + 1
    changes: dict = {"attempts": attempts, "claim": None, "lease_expires_at": None, "error": error[:2000]}
    if outcome == "sent":
        changes.update(state=Delivery.State.SENT, sent_at=now, provider_id=provider_id[:200])
    elif outcome == "temporary" and attempts < settings.MESSAGING_MAX_ATTEMPTS:
        changes.update(state=Delivery.State.QUEUED, next_attempt_at=now + _retry_delay(attempts))
    elif outcome == "bounced":
        changes.update(state=Delivery.State.BOUNCED)
    else:
        changes.update(state=Delivery.State.FAILED)
    held = Q(claim=claim)
    if outcome == "sent":
        held |= Q(claim__isnull=True, state=Delivery.State.FAILED, message__withdrawn_at__isnull=False)
    return bool(Delivery.objects.filter(held, pk=delivery.pk).update(**changes))


class _RateLimiter:
    """At most `per_second` sends a second per channel and provider, across workers (cache)."""

    def __init__(self, key: str, per_second: float | None):
        self.key = key
        self.per_second = per_second

    def wait(self) -> None:
        if not self.per_second:
            return
        # Below one a second the window grows: 0.5/s is one send per two-second window.
        window = 1 if self.per_second >= 1 else math.ceil(1 / self.per_second)
        limit = max(int(self.per_second * window), 1)
        while True:
            slot = int(time.time() // window)
            used = counter_incr(f"messaging:rate:{self.key}:{window}:{slot}", timeout=window + 5)
            if used is None:
                # No shared count while the cache is down: keep this worker alone to the
                # rate (several workers may then exceed it together, for the outage).
                time.sleep(1 / self.per_second)
                return
            if used <= limit:
                return
            time.sleep(max((slot + 1) * window - time.time(), 0.01))


def deliveries_send(*, channel: str, time_budget: float | None = None, limit: int | None = None) -> dict[str, int]:
    """Send due deliveries of `channel` until none is left, the time budget is spent or
    `limit` deliveries were tried. Returns counts by outcome; "more" is 1 when due
    deliveries remain (the caller queues a continuation). Afterwards `signals.deliveries_sent`
    tells the apps that follow their messages' deliveries (broadcasts mark finished ones).
    """
    channel = Channel(channel).value
    provider = provider_for(channel)
    limiter = _RateLimiter(f"{channel}:{provider.name}", provider.rate_per_second)
    started = time.monotonic()
    counts = {"sent": 0, "temporary": 0, "failed": 0, "bounced": 0, "more": 0}
    tried = 0
    while True:
        batch_size = (
            settings.MESSAGING_BATCH_SIZE if limit is None else min(settings.MESSAGING_BATCH_SIZE, limit - tried)
        )
        claim, batch = deliveries_claim(channel=channel, limit=batch_size) if batch_size > 0 else (None, [])
        if not batch:
            break
        for index, delivery in enumerate(batch):
            out_of_time = time_budget is not None and time.monotonic() - started > time_budget
            if out_of_time:
                _release(batch[index:], claim)
                counts["more"] = 1
                return _announce(channel, counts)
            if not _still_claimed(delivery, claim):
                continue  # withdrawn (a cancelled broadcast), or taken over after this worker's lease ended
            moved = _address_moved(delivery)
            if moved:
                delivery_record(delivery=delivery, claim=claim, outcome="failed", error=moved)
                counts["failed"] += 1
                tried += 1
                continue
            limiter.wait()
            if not _still_claimed(delivery, claim):
                continue  # withdrawn (or taken over) while this worker waited for the provider's rate
            outcome, provider_id, error = _send_one(provider, delivery)
            delivery_record(delivery=delivery, claim=claim, outcome=outcome, provider_id=provider_id, error=error)
            counts[outcome] += 1
            tried += 1
        if limit is not None and tried >= limit:
            break
    counts["more"] = int(
        Delivery.objects.filter(
            channel=channel, state=Delivery.State.QUEUED, next_attempt_at__lte=timezone.now()
        ).exists()
    )
    return _announce(channel, counts)


def _announce(channel: str, counts: dict[str, int]) -> dict[str, int]:
    signals.deliveries_sent.send(sender=Delivery, channel=channel, counts=counts)
    return counts


def _still_claimed(delivery: Delivery, claim: uuid.UUID) -> bool:
    """Whether this worker still holds the delivery and its message was not withdrawn."""
    return Delivery.objects.filter(
        pk=delivery.pk, claim=claim, state=Delivery.State.SENDING, message__withdrawn_at__isnull=True
    ).exists()


def _address_moved(delivery: Delivery) -> str:
    """Why the delivery queued earlier may no longer go out ('' when it still may).

    A retry may come hours later: the account may have been disabled (a lost or sold
    phone is a reason to), the phone handed to someone else (its push token registered by
    them), the number or e-mail changed. Sending then would reach a disabled account or a
    stranger, so the delivery fails instead.
    """
    message = delivery.message
    recipient_id = message.recipient_id
    reachable = Q(is_active=True)
    if delivery.channel == Channel.EMAIL and message.kind == MessageKind.ACCOUNT and message.for_account_activation:
        # A registered account stays inactive until the link in its confirmation e-mail
        # is opened: that e-mail (recorded as such by message_send) must reach it while
        # it still awaits it, with no password yet (chosen when the link is opened).
        # Nothing else, on no channel, reaches an inactive account.
        reachable |= Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if not get_user_model().objects.filter(reachable, pk=recipient_id).exists():
        return "the recipient's account is not active"
    if delivery.channel == Channel.PUSH:
        still = PushDevice.objects.filter(token=delivery.address, user_id=recipient_id).exists()
    elif delivery.channel == Channel.SMS:
        still = NotificationSettings.objects.filter(user_id=recipient_id, phone=delivery.address).exists()
    else:
        still = get_user_model().objects.filter(pk=recipient_id, email=delivery.address).exists()
    return "" if still else "the address is no longer the recipient's"


def _send_one(provider, delivery: Delivery) -> tuple[str, str, str]:
    try:
        provider_id = provider.send(_outgoing(delivery))
    except PermanentFailure as failure:
        if failure.bounced and delivery.channel == Channel.PUSH:
            PushDevice.objects.filter(token=delivery.address).delete()  # the app was removed
        return ("bounced" if failure.bounced else "failed"), "", failure.reason
    except TemporaryFailure as failure:
        return "temporary", "", failure.reason
    except Exception as error:  # a provider's bug must not stop the batch; it is retried
        logger.exception("Provider %s failed on delivery %s", provider.name, delivery.pk)
        return "temporary", "", f"{type(error).__name__}: {error}"
    return "sent", provider_id or "", ""


def _release(deliveries: list[Delivery], claim: uuid.UUID) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries], claim=claim).update(
        state=Delivery.State.QUEUED, claim=None, lease_expires_at=None
    )


def deliveries_requeue_stalled() -> int:
    """Give deliveries whose worker died (lease over, never recorded) back to the queue.

    A worker sends its claim in pk order and records each delivery at once, so of a dead
    worker's claim the lowest pk still "sending" is the one it died on: that one is charged
    an attempt (and backs off, then fails), the untouched rest go back as they were.
    """
    now = timezone.now()
    stalled = Delivery.objects.filter(state=Delivery.State.SENDING, lease_expires_at__lt=now)
    in_flight = list(stalled.order_by().values("claim").annotate(first=Min("pk")).values_list("first", flat=True))
    for delivery in Delivery.objects.filter(pk__in=in_flight):
        attempts = delivery.attempts + 1
        changes = {
            "attempts": attempts,
            "claim": None,
            "lease_expires_at": None,
            "error": "the worker stopped while sending it",
        }
        if attempts >= settings.MESSAGING_MAX_ATTEMPTS:
            changes["state"] = Delivery.State.FAILED
        else:
            changes.update(state=Delivery.State.QUEUED, next_attempt_at=now + _retry_delay(attempts))
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENDING).update(**changes)
    return len(in_flight) + stalled.update(
        state=Delivery.State.QUEUED, claim=None, lease_expires_at=None, next_attempt_at=now
    )


def channels_with_due_deliveries() -> list[str]:
    return list(
        Delivery.objects.filter(state=Delivery.State.QUEUED, next_attempt_at__lte=timezone.now())
        .values_list("channel", flat=True)
        .distinct()
        .order_by()
    )
