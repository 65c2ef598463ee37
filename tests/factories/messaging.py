"""Small helpers for the messaging tests: a person's settings, preferences and devices,
broadcasts, the hub's own message templates, and a stand-in for an external provider.

`ScriptedProvider` is a real `Provider` subclass configured through
`settings.MESSAGING_PROVIDERS` (see the `fake_provider` fixture in tests/messaging): it
plays the outside service (SMSAPI, Expo, an SMTP server), records what it was handed and
fails the way a test scripts. Nothing of the hub's own code is replaced.
"""

from __future__ import annotations

import itertools
import smtplib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from operations.messaging import services
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import (
    Broadcast,
    MessageTemplate,
    NotificationPreference,
    NotificationSettings,
    PushDevice,
)
from operations.messaging.providers import OutgoingMessage, Provider

_tokens = itertools.count(1)


def notification_settings(user, *, language: str = "pl", phone: str = "") -> NotificationSettings:
    found, _created = NotificationSettings.objects.update_or_create(
        user=user, defaults={"language": language, "phone": phone}
    )
    return found


def preference(user, kind: str, channel: str, enabled: bool) -> NotificationPreference:
    found, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
    )
    return found


def push_token() -> str:
    return f"ExponentPushToken[test-{next(_tokens):06d}-abcdefghij]"


def push_device(user, *, token: str | None = None, name: str = "telefon") -> PushDevice:
    return PushDevice.objects.create(user=user, token=token or push_token(), name=name)


def make_broadcast(
    *,
    estates: Iterable = (),
    buildings: Iterable = (),
    units: Iterable = (),
    **fields,
) -> Broadcast:
    """A draft broadcast with its audience (saved as the admin would, without the form)."""
    fields.setdefault("title", "Komunikat testowy")
    fields.setdefault("subject", "Przerwa w dostawie wody")
    fields.setdefault("body", "Dzień dobry {{ recipient.name }}, jutro nie będzie wody.")
    fields.setdefault("sms_text", "Jutro nie będzie wody.")
    fields.setdefault("channels", [Channel.EMAIL.value])
    fields.setdefault("kind", MessageKind.ANNOUNCEMENT.value)
    fields.setdefault("announces_news", fields.get("news_page") is not None)  # as broadcast_draft_save sets it
    broadcast = Broadcast.objects.create(**fields)
    broadcast.estates.set(list(estates))
    broadcast.buildings.set(list(buildings))
    broadcast.units.set(list(units))
    return broadcast


def broadcast_now(broadcast: Broadcast, *, user=None) -> int:
    """Schedule for now and queue at once, as the worker would after the admin's commit;
    returns the number of messages written."""
    services.broadcast_schedule(broadcast=broadcast, user=user)
    return services.broadcast_queue(broadcast_id=broadcast.pk)


def message_template(
    key: str = "test-message",
    *,
    kind: str = MessageKind.ANNOUNCEMENT.value,
    language: str = "pl",
    subject: str = "Wiadomość dla {{ recipient.name }}",
    body_text: str = "Dzień dobry {{ recipient.name }}, {{ what }}.",
    sms_text: str = "{{ cooperative }}: {{ what }}",
    body_html: str = "",
) -> MessageTemplate:
    template, _created = MessageTemplate.objects.update_or_create(
        key=key,
        language=language,
        defaults={
            "kind": kind,
            "name": key,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
            "sms_text": sms_text,
        },
    )
    return template


# --- A stand-in for the outside service -------------------------------------------------------


class WorkerKilled(BaseException):
    """What a dying worker looks like from inside: not an Exception, so nothing catches it."""


@dataclass
class ProviderScript:
    """What the fake provider does and what it saw.

    `behaviour(message, call_number)` runs before a send is accepted: raise a provider
    failure (or `WorkerKilled`) to refuse it, return to accept it. `accepted` holds the
    messages the "provider" took, `times` the time.time() of every call, accepted or not.
    """

    behaviour: Callable[[OutgoingMessage, int], None] | None = None
    rate_per_second: float | None = None
    accepted: list[OutgoingMessage] = field(default_factory=list)
    calls: list[OutgoingMessage] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        return [message.address for message in self.accepted]


SCRIPTS: dict[str, ProviderScript] = {}


class ScriptedProvider(Provider):
    name = "scripted"

    def __init__(self, *, script: str, **options):
        super().__init__(**options)
        self.script = SCRIPTS[script]
        self.rate_per_second = self.script.rate_per_second

    def send(self, message: OutgoingMessage) -> str:
        script = self.script
        script.times.append(time.time())
        script.calls.append(message)
        if script.behaviour is not None:
            script.behaviour(message, len(script.calls))
        script.accepted.append(message)
        return f"fake-{len(script.accepted)}"


def provider_settings(current: dict, channel: str, script: ProviderScript) -> dict:
    """MESSAGING_PROVIDERS with `channel` sent through a ScriptedProvider playing `script`."""
    key = f"{channel}-{id(script)}"
    SCRIPTS[key] = script
    return {
        **current,
        channel: {"BACKEND": f"{__name__}.ScriptedProvider", "OPTIONS": {"script": key}},
    }


class RefusingMailBackend(BaseEmailBackend):
    """A mail server that refuses every recipient (550 user unknown)."""

    def send_messages(self, email_messages):
        for email in email_messages:
            raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 User unknown") for address in email.to})
        return 0


def now():
    return timezone.now()


def fresh_broker_connections() -> None:
    """Forget every broker connection and pool, as Celery does after a fork, so the next
    publish connects to the broker the configuration names now (a closed or stale pool
    would otherwise be reused: even an eager `delay` borrows a producer in Celery 5.7)."""
    from kombu import pools as kombu_pools

    from cms.celery import app as celery_app

    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
