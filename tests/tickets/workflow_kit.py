"""What the ticket workflow tests share (`test_workflow*.py`): the kinds of people and
what the workflow table calls them, tickets put in a status, and checking that a refused
call is a typed `ServiceError` that changed nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.forms.models import model_to_dict

from cms.core.exceptions import ServiceError
from operations.messaging.models import Message
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Ticket, TicketComment, TicketEvent
from operations.tickets.workflow import Actor
from tests.factories import tickets as tf

S = Ticket.Status
NOTE = "Brak części, czekamy na dostawę."


# Kinds of people and what the workflow table calls them (None: nothing, on any ticket).
ACTOR_KINDS = {
    "dispatcher": Actor.STAFF,
    "administrator": Actor.STAFF,
    "firm_worker": Actor.CONTRACTOR,
    "reporter": Actor.REPORTER,
    "co_resident": Actor.REPORTER,  # a verified resident of the ticket's unit
    "board": None,  # sees every ticket, dispatches none
    "neighbour": None,  # resident of another unit of the same building
    "other_worker": None,  # worker of another firm
    "anonymous": None,
}


def person(cast, kind: str):
    return AnonymousUser() if kind == "anonymous" else getattr(cast, kind)


def state(ticket: Ticket) -> dict:
    """Everything a refused call must leave untouched."""
    row = model_to_dict(Ticket.objects.get(pk=ticket.pk))
    return {
        "ticket": row,
        "events": list(TicketEvent.objects.filter(ticket=ticket).values_list("pk", flat=True)),
        "comments": TicketComment.objects.filter(ticket=ticket).count(),
        "messages": Message.objects.count(),
    }


def refused(call, code: TicketErrorCode | set | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    assert TicketErrorCode(caught.value.code) in TicketErrorCode  # a typed code, not a bare message
    if code is not None:
        codes = code if isinstance(code, set) else {code}
        assert caught.value.code in codes, caught.value.code
    return caught.value


def assert_refused_and_unchanged(ticket, call, code=None) -> ServiceError:
    before = state(ticket)
    error = refused(call, code)
    assert state(ticket) == before
    return error


def new_ticket(cast, **fields) -> Ticket:
    fields.setdefault("category", cast.category)
    fields.setdefault("unit", cast.unit)
    return tf.report(cast.reporter, **fields)


def ticket_in(cast, status: str, *, contractor="firm", done_days_ago: float = 1) -> Ticket:
    firm = cast.firm if contractor == "firm" else contractor
    return tf.put_in_status(new_ticket(cast), status, contractor=firm, done_days_ago=done_days_ago)
