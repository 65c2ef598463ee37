"""Small helpers for the broadcasts tests: a draft broadcast with its audience, made as the
admin would (with or without the service), and sending it at once."""

from __future__ import annotations

from collections.abc import Iterable

from operations.broadcasts import services
from operations.broadcasts.models import Broadcast
from operations.messaging.kinds import Channel, MessageKind


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


def draft(building, *, user=None, **fields) -> Broadcast:
    """A draft to `building` on every channel, saved through `services.broadcast_draft_save`."""
    values = {
        "title": "Przegląd gazowy",
        "kind": "announcement",
        "subject": "Przegląd instalacji gazowej",
        "body": "Dzień dobry {{ recipient.first_name }},\nw czwartek przegląd gazowy.",
        "sms_text": "Przeglad gazowy w czwartek 8-16. {{ cooperative }}",
        "channels": ["email", "sms", "push"],
        **fields,
    }
    return services.broadcast_draft_save(broadcast=Broadcast(**values), user=user, buildings=[building])


def broadcast_now(broadcast: Broadcast, *, user=None) -> int:
    """Schedule for now and queue at once, as the worker would after the admin's commit;
    returns the number of messages written."""
    services.broadcast_schedule(broadcast=broadcast, user=user)
    return services.broadcast_queue(broadcast_id=broadcast.pk)
