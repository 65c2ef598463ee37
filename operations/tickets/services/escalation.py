"""Periodic work (Celery beat, `tasks.py`): closing done tickets nobody confirmed, and
warning about and escalating deadlines. Idempotent: each ticket is claimed by a
conditional UPDATE in its own transaction, so two runs never tell anyone twice."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from operations.residents.roles import StaffRole

from .. import policy, selectors
from ..models import CLOSED_STATUSES, Ticket, TicketEvent
from ._common import (
    S,
    _event,
    _firm_people,
    _if_staff,
    _notify,
    _reporter_of,
    _set_status,
)


def tickets_close_unconfirmed(*, now: datetime | None = None) -> int:
    """Close done tickets nobody confirmed or reopened within the reopening window."""
    now = now or timezone.now()
    closed = 0
    for pk in Ticket.objects.filter(status=S.DONE, done_at__lt=now - policy.reopen_window()).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk, status=S.DONE).first()
            if ticket is None:
                continue
            event = _set_status(ticket, S.CLOSED, None, gettext("Closed automatically: not reopened in time."))
            _notify("ticket-status", [_reporter_of(ticket)], ticket, f"event:{event.pk}", note=event.note)
            closed += 1
    return closed


def tickets_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Warn when a ticket nears its deadline, and mark it overdue when it passes it; tell
    the dispatchers (and the firm's managers) when nobody reacted within the response time.

    Each warning is claimed by one conditional UPDATE (warned_at / overdue_at from null to
    now) before anything is sent, in the transaction that writes the messages: two workers
    running this at once cannot both claim the same ticket, and a second run finds nothing.
    """
    now = now or timezone.now()
    share = getattr(settings, "TICKET_WARNING_SHARE", 0.8)
    open_tickets = Ticket.objects.exclude(status__in=CLOSED_STATUSES)
    counts = {"warned": 0, "overdue": 0, "unanswered": 0}
    for ticket in open_tickets.filter(overdue_at__isnull=True, due_at__lte=now).select_related(
        "building", "unit", "category"
    ):
        with transaction.atomic():
            # The claim re-checks what made it a candidate: a ticket finished or given a new
            # deadline since the list was read is left alone.
            claimed = open_tickets.filter(pk=ticket.pk, overdue_at__isnull=True, due_at__lte=now).update(overdue_at=now)
            if not claimed:
                continue
            event = _event(ticket, TicketEvent.Kind.ESCALATED, None, note=gettext("Past its deadline."))
            # Keyed by the claimed escalation: each claim is told once, and only a claim tells.
            _notify(
                "ticket-overdue",
                selectors.staff_in_role(StaffRole.ADMINISTRATOR) + [_if_staff(ticket.responsible)],
                ticket,
                f"overdue:event:{event.pk}",
            )
            counts["overdue"] += 1
    for ticket in open_tickets.filter(
        first_response_at__isnull=True, response_overdue_at__isnull=True, response_due_at__lte=now
    ).select_related("building", "unit", "category"):
        with transaction.atomic():
            claimed = open_tickets.filter(
                pk=ticket.pk, first_response_at__isnull=True, response_overdue_at__isnull=True
            ).update(response_overdue_at=now)
            if not claimed:
                continue
            event = _event(ticket, TicketEvent.Kind.ESCALATED, None, note=gettext("No response in time."))
            people = (
                selectors.staff_in_role(StaffRole.DISPATCHER)
                + _firm_people(ticket, managers_only=True)
                + [_if_staff(ticket.responsible)]
            )
            _notify("ticket-response-overdue", people, ticket, f"response:event:{event.pk}")
            counts["unanswered"] += 1
    candidates = open_tickets.filter(warned_at__isnull=True, overdue_at__isnull=True, due_at__gt=now)
    for ticket in candidates.select_related("building", "unit", "category"):
        total = (ticket.due_at - ticket.clock_started_at).total_seconds()
        if (now - ticket.clock_started_at).total_seconds() < share * total:
            continue
        with transaction.atomic():
            claimed = open_tickets.filter(
                pk=ticket.pk,
                warned_at__isnull=True,
                overdue_at__isnull=True,
                due_at=ticket.due_at,
                clock_started_at=ticket.clock_started_at,
            ).update(warned_at=now)
            if not claimed:
                continue
            event = _event(ticket, TicketEvent.Kind.ESCALATED, None, note=gettext("Nearing its deadline."))
            people = _firm_people(ticket, managers_only=True) + selectors.staff_in_role(StaffRole.DISPATCHER)
            _notify("ticket-deadline-warning", people, ticket, f"warning:event:{event.pk}")
            counts["warned"] += 1
    return counts
