"""Small helpers for the messaging tests: a person's settings, preferences and devices,
residents reachable in different ways, the hub's own message templates, and a stand-in
for an external provider. Broadcasts have their own (tests/factories/broadcasts.py).

`ScriptedProvider` is a real `Provider` subclass configured through
`settings.MESSAGING_PROVIDERS` (`scripted_providers`, behind the `fake_provider` fixture
of tests/conftest.py): it plays the outside service (SMSAPI, Expo, an
SMTP server), records what it was handed and fails the way a test scripts. Nothing of the
hub's own code is replaced.
"""

from __future__ import annotations

import itertools
import smtplib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from operations.messaging.kinds import MessageKind
from operations.messaging.models import MessageTemplate, NotificationPreference, NotificationSettings, PushDevice
from operations.messaging.providers import OutgoingMessage, Provider
from operations.messaging.services import preferences
from operations.residents import services as residents
from operations.residents.models import Membership
from tests.factories.residents import BuildingFactory, EstateFactory, MembershipFactory, UnitFactory, UserFactory

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


SMS_ON = [("announcement", "sms", True)]


def reachable_resident(
    building, username, *, first_name="Jan", last_name="Nowak", email=None, phone="", push=False, sms=False
):
    """An owner of a new unit in `building`, with a phone (SMS when `sms`: announcements by
    SMS allowed) and the app on a phone (`push`) as asked; the e-mail is the username's."""
    user = UserFactory(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.pl" if email is None else email,
    )
    MembershipFactory(user=user, unit=UnitFactory(building=building), role=Membership.Role.OWNER, verified=True)
    if phone:
        preferences.notification_settings_update(user=user, phone=phone)
    if push:
        preferences.push_device_register(user=user, token=f"ExponentPushToken[{username}-phone]", name="Telefon")
    if sms:
        preferences.notification_preferences_update(user=user, choices=SMS_ON)
    return user


def reachable_people(building_a, building_b) -> dict:
    """Four residents of building A and one of B, each reachable differently: Anna by
    e-mail, SMS and the app; Jan by e-mail (a phone, no SMS consent); Ewa by the app only
    (no e-mail); Piotr turned announcement e-mails off; Zofia (B) like Anna."""
    anna = reachable_resident(
        building_a, "anna", first_name="Anna", last_name="Lis", phone="+48600100200", push=True, sms=True
    )
    jan = reachable_resident(building_a, "jan", first_name="Jan", last_name="Kos", phone="+48600100300")
    ewa = reachable_resident(building_a, "ewa", first_name="Ewa", last_name="Sowa", email="", push=True)
    piotr = reachable_resident(building_a, "piotr", first_name="Piotr", last_name="Wrona")
    preferences.notification_preferences_update(user=piotr, choices=[("announcement", "email", False)])
    zofia = reachable_resident(
        building_b, "zofia", first_name="Zofia", last_name="Mewa", phone="+48600100400", push=True, sms=True
    )
    return {"anna": anna, "jan": jan, "ewa": ewa, "piotr": piotr, "zofia": zofia}


def people_by_language() -> tuple:
    """Zofia (pl) and John (en), who chose their language, and Jan, who never chose one."""
    pl = UserFactory(username="pl", first_name="Zofia", last_name="Wójcik")
    en = UserFactory(username="en", first_name="John", last_name="Smith")
    unset = UserFactory(username="unset", first_name="Jan", last_name="Nowak")  # never chose a language
    notification_settings(pl, language="pl")
    notification_settings(en, language="en")
    return pl, en, unset


def owners_in_two_buildings() -> dict:
    """A new estate with buildings A and B and a verified owner in each (owner.a, owner.b,
    e-mails a@ and b@example.pl): a, b, owner_a, owner_b and group_a (A's audience group)."""
    estate = EstateFactory(name="E", slug="e")
    a = BuildingFactory(estate=estate, code="A", street="x", number="1")
    b = BuildingFactory(estate=estate, code="B", street="x", number="2")
    ua, ub = UnitFactory(building=a, number="1"), UnitFactory(building=b, number="1")
    owner_a = UserFactory(username="owner.a", email="a@example.pl")
    MembershipFactory(user=owner_a, unit=ua, role=Membership.Role.OWNER, verified=True)
    owner_b = UserFactory(username="owner.b", email="b@example.pl")
    MembershipFactory(user=owner_b, unit=ub, role=Membership.Role.OWNER, verified=True)
    return dict(a=a, b=b, owner_a=owner_a, owner_b=owner_b, group_a=residents.audience_group(building=a))


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


@contextmanager
def scripted_providers(settings) -> Iterator[Callable[..., ProviderScript]]:
    """What the `fake_provider` fixture gives: install(channel, behaviour=...,
    rate_per_second=...) sends `channel` through a ScriptedProvider for the rest of the
    test and returns its script (what it saw); the scripts are forgotten afterwards."""
    installed = []

    def install(channel: str, **script_fields) -> ProviderScript:
        script = ProviderScript(**script_fields)
        settings.MESSAGING_PROVIDERS = provider_settings(settings.MESSAGING_PROVIDERS, channel, script)
        installed.append(script)
        return script

    yield install
    for key in [key for key, script in SCRIPTS.items() if any(script is s for s in installed)]:
        del SCRIPTS[key]


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
