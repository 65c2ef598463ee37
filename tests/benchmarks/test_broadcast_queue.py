"""A broadcast to 10,000 residents: queueing (resolve + render + write) against a bare
bulk insert of the same rows, and sending through the embedded backends.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks`.
Residents are made with bulk_create (users, units, verified memberships, audience group
rows), not through the per-user services. Reports recipients and deliveries per second of
`services.broadcast_queue` and of the floor (bulk_create of the same number of Message and
Delivery rows with fixed text), their ratio, SQL queries, and the sending throughput of
`sending.deliveries_send` for e-mail (locmem) and SMS (file backend) against calling the
provider directly. Speed is reported, never asserted; the counts are asserted.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.broadcasts import services
from operations.broadcasts.models import Broadcast
from operations.messaging.kinds import Channel, MessageKind
from operations.messaging.models import (
    Delivery,
    Message,
    NotificationPreference,
    NotificationSettings,
    PushDevice,
)
from operations.messaging.providers import OutgoingMessage, provider_for
from operations.messaging.services import sending
from operations.residents import services as residents
from operations.residents.models import Membership, Unit
from tests.factories.residents import EstateFactory

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

RESIDENTS = 10_000
BUILDINGS = 20
PEOPLE_PER_UNIT = 2
SEND_LIMIT = 2_000
User = get_user_model()


def _share(index: int, every: int) -> bool:
    return index % every == 0


def _build_cooperative() -> dict[str, int]:
    """10,000 verified residents in 20 buildings; some with phones, apps, opt-outs, English."""
    estate = EstateFactory(name="Osiedle Duże", slug="osiedle-duze")
    buildings = [
        residents.building_create(
            estate=estate, code=f"B{n}", street="ul. Długa", number=str(n + 1), postal_code="00-950", city="Warszawa"
        )
        for n in range(BUILDINGS)
    ]
    units_per_building = RESIDENTS // PEOPLE_PER_UNIT // BUILDINGS
    units = Unit.objects.bulk_create(
        Unit(building=building, number=str(n + 1), floor=n % 10, area=Decimal("48.50"), share=Decimal("0.000100"))
        for building in buildings
        for n in range(units_per_building)
    )
    users = User.objects.bulk_create(
        User(
            username=f"mieszkaniec{n:05d}",
            first_name=["Anna", "Jan", "Zofia", "Piotr"][n % 4],
            last_name=["Nowak", "Kowalski", "Wiśniewska", "Wójcik"][n % 4],
            email=f"mieszkaniec{n:05d}@example.pl",
            password="!",  # unusable; no hashing
        )
        for n in range(RESIDENTS)
    )
    now = timezone.now()
    roles = [Membership.Role.OWNER, Membership.Role.TENANT]
    Membership.objects.bulk_create(
        Membership(
            user=user,
            unit=units[n // PEOPLE_PER_UNIT],
            role=roles[n % 2],
            status=Membership.Status.VERIFIED,
            proof_kind=Membership.ProofKind.ACCESS_CODE,
            proof_value="KOD",
            decided_at=now,
        )
        for n, user in enumerate(users)
    )
    estate_group = residents.audience_group(estate=estate).pk
    building_groups = {building.pk: residents.audience_group(building=building).pk for building in buildings}
    role_groups = {
        Membership.Role.OWNER: residents.audience_group(role="owners").pk,
        Membership.Role.TENANT: residents.audience_group(role="tenants").pk,
    }
    Through = User.groups.through
    Through.objects.bulk_create(
        row
        for n, user in enumerate(users)
        for row in (
            Through(user_id=user.pk, group_id=estate_group),
            Through(user_id=user.pk, group_id=building_groups[units[n // PEOPLE_PER_UNIT].building_id]),
            Through(user_id=user.pk, group_id=role_groups[roles[n % 2]]),
        )
    )
    # 30 % gave a phone, half of them allowed SMS for announcements; 20 % have the app;
    # 5 % turned announcement e-mails off; 10 % read English.
    NotificationSettings.objects.bulk_create(
        NotificationSettings(
            user=user, phone=f"+48600{n:06d}" if _share(n, 3) else "", language="en" if _share(n, 10) else "pl"
        )
        for n, user in enumerate(users)
        if _share(n, 3) or _share(n, 10)
    )
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=user, kind=MessageKind.ANNOUNCEMENT, channel=Channel.SMS, enabled=True)
            for n, user in enumerate(users)
            if _share(n, 6)
        ]
        + [
            NotificationPreference(user=user, kind=MessageKind.ANNOUNCEMENT, channel=Channel.EMAIL, enabled=False)
            for n, user in enumerate(users)
            if _share(n, 20)
        ]
    )
    PushDevice.objects.bulk_create(
        PushDevice(user=user, token=f"ExponentPushToken[bench-{n:05d}]") for n, user in enumerate(users) if _share(n, 5)
    )
    expected = Counter()
    for n in range(RESIDENTS):
        expected["email"] += not _share(n, 20)
        expected["sms"] += _share(n, 6)  # every 6th also has a phone (every 3rd)
        expected["push"] += _share(n, 5)
    return dict(expected)


def _broadcast() -> Broadcast:
    broadcast = Broadcast.objects.create(
        title="Przegląd instalacji gazowej",
        kind=MessageKind.ANNOUNCEMENT,
        subject="Przegląd gazowy – {{ recipient.name }}",
        body=(
            "Dzień dobry {{ recipient.name }},\n\n"
            "w przyszłym tygodniu przegląd instalacji gazowej.\n\n{{ cooperative }}"
        ),
        sms_text="{{ cooperative }}: przeglad gazowy w przyszlym tygodniu.",
        subject_en="Gas inspection – {{ recipient.name }}",
        body_en="Hello {{ recipient.name }},\n\ngas installations are inspected next week.\n\n{{ cooperative }}",
        everyone=True,
        channels=[Channel.EMAIL.value, Channel.SMS.value, Channel.PUSH.value],
    )
    services.broadcast_schedule(broadcast=broadcast, user=None)
    return broadcast


def _floor(expected: dict[str, int]) -> float:
    """bulk_create of as many messages and deliveries, with fixed text: the least it can cost."""
    user_ids = list(User.objects.filter(username__startswith="mieszkaniec").values_list("pk", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        messages = Message.objects.bulk_create(
            (
                Message(
                    recipient_id=user_id,
                    kind=MessageKind.ANNOUNCEMENT,
                    dedupe_key="floor",
                    subject="Przegląd gazowy",
                    body_text="Dzień dobry, w przyszłym tygodniu przegląd instalacji gazowej.",
                    sms_text="Przeglad gazowy w przyszlym tygodniu.",
                    created_at=now,
                )
                for user_id in user_ids
            ),
            batch_size=1000,
        )
        deliveries = []
        for channel, count in expected.items():
            deliveries += [
                Delivery(message_id=message.pk, channel=channel, address=f"{channel}-{index}", created_at=now)
                for index, message in enumerate(messages[:count])
            ]
        Delivery.objects.bulk_create(deliveries, batch_size=1000)
    elapsed = time.perf_counter() - started
    Message.objects.filter(dedupe_key="floor").delete()
    return elapsed


def _send(channel: str) -> tuple[float, int]:
    started = time.perf_counter()
    counts = sending.deliveries_send(channel=channel, limit=SEND_LIMIT)
    return time.perf_counter() - started, counts["sent"]


def _provider_floor(channel: str, address_of) -> float:
    """The provider alone, SEND_LIMIT times, with no claiming or recording."""
    provider = provider_for(channel)
    outgoing = [
        OutgoingMessage(
            address=address_of(n),
            subject="Przegląd gazowy",
            text="Dzień dobry, w przyszłym tygodniu przegląd instalacji gazowej.",
            sms_text="Przeglad gazowy w przyszlym tygodniu.",
            idempotency_key=f"floor-{channel}-{n}",
        )
        for n in range(SEND_LIMIT)
    ]
    started = time.perf_counter()
    for message in outgoing:
        provider.send(message)
    return time.perf_counter() - started


def test_broadcast_to_ten_thousand_residents(settings):
    settings.MESSAGING_PROVIDERS = {
        **settings.MESSAGING_PROVIDERS,
        "email": {"BACKEND": "operations.messaging.providers.email.DjangoEmailProvider"},
        "sms": {"BACKEND": "operations.messaging.providers.sms.FileSmsProvider"},
    }
    expected = _build_cooperative()
    broadcast = _broadcast()
    deliveries_expected = sum(expected.values())

    floor_seconds = _floor(expected)

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        written = services.broadcast_queue(broadcast_id=broadcast.pk)
        queue_seconds = time.perf_counter() - started
    queue_queries = len(captured.captured_queries)

    assert written == RESIDENTS
    by_channel = dict(Counter(Delivery.objects.filter(broadcast=broadcast).values_list("channel", flat=True)))
    assert by_channel == expected
    english = Message.objects.filter(broadcast=broadcast, language="en").first()
    assert english.subject.startswith("Gas inspection – ")

    email_floor = _provider_floor("email", lambda n: f"floor{n}@example.pl")
    mail.outbox = []
    email_seconds, email_sent = _send("email")
    assert email_sent == SEND_LIMIT and len(mail.outbox) == SEND_LIMIT
    sms_floor = _provider_floor("sms", lambda n: f"+48700{n:06d}")
    sms_seconds, sms_sent = _send("sms")
    assert sms_sent == min(SEND_LIMIT, expected["sms"])

    rows = [
        (
            "floor: bulk_create messages + deliveries",
            RESIDENTS / floor_seconds,
            deliveries_expected / floor_seconds,
            1.0,
        ),
        (
            "services.broadcast_queue",
            RESIDENTS / queue_seconds,
            deliveries_expected / queue_seconds,
            queue_seconds / floor_seconds,
        ),
    ]
    sends = [
        ("e-mail provider alone (locmem)", SEND_LIMIT / email_floor, 1.0),
        ("deliveries_send e-mail (locmem)", email_sent / email_seconds, email_seconds / email_floor),
        ("SMS provider alone (file)", SEND_LIMIT / sms_floor, 1.0),
        ("deliveries_send SMS (file)", sms_sent / sms_seconds, sms_seconds / sms_floor),
    ]
    print(f"\nbroadcast to {RESIDENTS} residents on {connection.vendor}: deliveries {by_channel}")
    print(f"{'queueing':<42} {'recipients/s':>13} {'deliveries/s':>13} {'time ratio':>11}")
    for name, recipients_rate, deliveries_rate, ratio in rows:
        print(f"{name:<42} {recipients_rate:>13,.0f} {deliveries_rate:>13,.0f} {ratio:>11.2f}")
    print(f"broadcast_queue: {queue_queries} SQL queries, {queue_seconds:.2f} s; floor {floor_seconds:.2f} s")
    print(f"{'sending (' + str(SEND_LIMIT) + ' each)':<42} {'deliveries/s':>13} {'time ratio':>11}")
    for name, rate, ratio in sends:
        print(f"{name:<42} {rate:>13,.0f} {ratio:>11.2f}")
    report = {
        "database": connection.vendor,
        "residents": RESIDENTS,
        "deliveries": deliveries_expected,
        "queue_seconds": round(queue_seconds, 3),
        "floor_seconds": round(floor_seconds, 3),
        "queue_to_floor_time_ratio": round(queue_seconds / floor_seconds, 2),
        "queue_sql_queries": queue_queries,
        "email_deliveries_per_second": round(email_sent / email_seconds, 1),
        "sms_deliveries_per_second": round(sms_sent / sms_seconds, 1),
    }
    print("broadcast queue benchmark:", json.dumps(report))
