"""The demo does not depend on the time of day it is built at.

Its open tickets' moments are fixed offsets from the build's `now`, so that the periodic
escalation the build ends with marks the same tickets overdue or nearing their deadline
whether the demo is loaded at 03:00 or at 15:00 (it once depended on it: two loads a
minute apart could straddle a deadline and leave a different number of ticket events).
The finished tickets of the history are on the calendar (local days and hours before the
day of the build), the same moments whatever the hour of a build that day.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from demo_cooperative import data
from demo_cooperative.builder import DemoBuilder
from operations.tickets.models import Ticket

# Deadlines and warning points keep at least this far from the moment the demo is built,
# so that the seconds a build takes can never carry a ticket across one.
MARGIN = timedelta(minutes=30)


def minutes(delta: timedelta | None) -> int | None:
    return None if delta is None else round(delta.total_seconds() / 60)


def moment(at: datetime | None, since: datetime) -> int | None:
    return None if at is None else minutes(at - since)


def build_at(hour: int) -> dict:
    """Build the demo as if it were `hour` o'clock yesterday; what it made, rolled back."""
    now = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1), time(hour)))
    with transaction.atomic():
        DemoBuilder(now=now).build()
        # Wagtail's reference index is left out: it counts differently for the first and the
        # second build in one process (whichever is built first), at any time of day.
        rows = {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.label != "wagtailcore.ReferenceIndex"
        }
        tickets = {}
        share = getattr(settings, "TICKET_WARNING_SHARE", 0.8)
        calendar = {spec.title for spec in data.TICKETS if spec.calendar}
        midnight = timezone.make_aware(datetime.combine(timezone.localdate(now), time(0)))
        for ticket in Ticket.objects.filter(building__estate__slug=data.ESTATE_SLUG):
            # The history's moments are the calendar's (from the build day's midnight); the
            # rest are offsets from `now`.
            since = midnight if ticket.title in calendar else now
            tickets[ticket.title] = {
                "status": ticket.status,
                "overdue": ticket.overdue_at is not None,
                "warned": ticket.warned_at is not None,
                "unanswered": ticket.response_overdue_at is not None,
                "created": moment(ticket.created_at, since),
                "due": moment(ticket.due_at, since),
                "events": [(e.kind, e.from_status, e.to_status) for e in ticket.events.order_by("at", "pk")],
            }
            if ticket.status in ("done", "closed", "rejected"):
                continue
            points = [ticket.due_at, ticket.clock_started_at + share * (ticket.due_at - ticket.clock_started_at)]
            if ticket.first_response_at is None:
                points.append(ticket.response_due_at)
            for point in points:
                assert abs(point - now) > MARGIN, (ticket.title, point, now)
        transaction.set_rollback(True)
    return {"rows": rows, "tickets": tickets}


@pytest.mark.django_db
def test_built_at_night_and_in_the_afternoon_the_demo_is_the_same():
    night, afternoon = build_at(3), build_at(15)
    assert night["rows"] == afternoon["rows"]
    assert night["tickets"] == afternoon["tickets"]
    assert len(night["tickets"]) == len(data.TICKETS)
    assert {t for t, made in night["tickets"].items() if made["overdue"]} == {
        spec.title for spec in data.TICKETS if spec.key.startswith("overdue")
    }
