"""The world the tickets API tests share (`test_tickets_list`, `test_tickets_mutations`,
`test_tickets_access`, `test_tickets_query_counts`): the GraphQL operations they send,
tickets in every place that matters with public and internal comments and photos, the
kinds of viewer and what each may see, and helpers to undo a change (`rolled_back`) and
to read payloads.

The fixtures are in tests/api/conftest.py: `world` (built by `build_world`) is
module-scoped, so each test module that asks for it builds its own world once and each
test runs in a savepoint inside it; `as_(viewer)` signs the GraphQL client in.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from strawberry import relay

from operations.messaging.models import Delivery, Message
from operations.tickets import services
from operations.tickets.errors import TicketErrorCode
from operations.tickets.models import Category, Ticket, TicketComment, TicketEvent, TicketPhoto
from operations.tickets.photos import process_photo
from tests.factories import tickets as tf
from tests.factories.graphql import gid
from tests.factories.pictures import jpeg

S = Ticket.Status
ERROR_CODES = {code.value for code in TicketErrorCode}

# --- Operations ------------------------------------------------------------------------------

TICKET_FIELDS = """
  id reference title description status statusLabel source isOverdue location createdAt dueAt
  reopenableUntil workerName rating reopenedCount
  category { id name urgency }
  building { code address estate { name } }
  unit { number building { code } }
  contractor { id name phone }
  contact { name phone email }
  comments { id body isInternal authorName isMine photos { id url thumbnailUrl isInternal } }
  photos { id url thumbnailUrl width height thumbnailWidth thumbnailHeight isInternal }
  history { kind fromStatus toStatus note actorName }
  actions { transitionTo comment commentInternal assign changeDeadline contractorAccept rate reopen }
"""

TICKETS = f"""
query($filter: TicketFilter, $order: TicketOrder! = NEWEST, $first: Int = 100) {{
  tickets(filter: $filter, order: $order, first: $first) {{
    totalCount
    edges {{ node {{ {TICKET_FIELDS} }} }}
  }}
}}
"""

TICKET_IDS = """
query($filter: TicketFilter, $order: TicketOrder! = NEWEST) {
  tickets(filter: $filter, order: $order, first: 100) { totalCount edges { node { id } } }
}
"""

TICKET = f"query($id: ID!) {{ ticket(id: $id) {{ {TICKET_FIELDS} }} }}"

ACTIONS = """
query($id: ID!) {
  ticket(id: $id) {
    id status
    actions { transitionTo comment commentInternal assign changeDeadline contractorAccept rate reopen }
  }
}
"""

CATEGORIES = "{ ticketCategories { id name slug description responseHours resolutionHours urgency } }"

ERRORS = "errors { field message code }"

CREATE = f"""
mutation($input: TicketCreateInput!) {{
  ticketCreate(input: $input) {{ ticket {{ {TICKET_FIELDS} }} {ERRORS} }}
}}
"""

ANONYMOUS_CREATE = f"""
mutation($input: TicketAnonymousCreateInput!) {{
  ticketAnonymousCreate(input: $input) {{ reference {ERRORS} }}
}}
"""

COMMENT = f"""
mutation($id: ID!, $body: String! = "", $internal: Boolean! = false) {{
  ticketCommentAdd(ticketId: $id, body: $body, internal: $internal) {{
    comment {{ id body isInternal isMine photos {{ id }} }}
    ticket {{ id comments {{ body isInternal }} photos {{ id isInternal }} contact {{ phone }} }}
    {ERRORS}
  }}
}}
"""

TRANSITION = f"""
mutation($id: ID!, $status: TicketStatus!, $note: String! = "") {{
  ticketTransition(ticketId: $id, status: $status, note: $note) {{ ticket {{ id status }} {ERRORS} }}
}}
"""

ASSIGN = f"""
mutation($id: ID!, $contractorId: ID!, $workerId: ID, $note: String! = "") {{
  ticketAssign(ticketId: $id, contractorId: $contractorId, workerId: $workerId, note: $note) {{
    ticket {{ id status contractor {{ id }} workerName }} {ERRORS}
  }}
}}
"""

ACCEPT = f"""
mutation($id: ID!) {{ ticketContractorAccept(ticketId: $id) {{ ticket {{ id status }} {ERRORS} }} }}
"""

DEADLINE = f"""
mutation($id: ID!, $dueAt: DateTime!, $reason: String!) {{
  ticketDeadlineChange(ticketId: $id, dueAt: $dueAt, reason: $reason) {{ ticket {{ id dueAt }} {ERRORS} }}
}}
"""

RATE = f"""
mutation($id: ID!, $rating: Int!, $comment: String! = "") {{
  ticketRate(ticketId: $id, rating: $rating, comment: $comment) {{ ticket {{ id status rating }} {ERRORS} }}
}}
"""

REOPEN = f"""
mutation($id: ID!, $reason: String!) {{
  ticketReopen(ticketId: $id, reason: $reason) {{ ticket {{ id status }} {ERRORS} }}
}}
"""

# The same mutations returning every field of the ticket, for the query counts.
FULL = {
    "comment": f"""mutation($id: ID!) {{ ticketCommentAdd(ticketId: $id, body: "Dzień dobry") {{
        comment {{ id body photos {{ id }} }} ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "transition": f"""mutation($id: ID!) {{ ticketTransition(ticketId: $id, status: IN_PROGRESS) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "assign": f"""mutation($id: ID!, $contractorId: ID!) {{ ticketAssign(ticketId: $id, contractorId: $contractorId) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "accept": f"""mutation($id: ID!) {{ ticketContractorAccept(ticketId: $id) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "deadline": f"""mutation($id: ID!, $dueAt: DateTime!) {{
        ticketDeadlineChange(ticketId: $id, dueAt: $dueAt, reason: "Czekamy na część") {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "rate": f"""mutation($id: ID!) {{ ticketRate(ticketId: $id, rating: 5) {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
    "reopen": f"""mutation($id: ID!) {{ ticketReopen(ticketId: $id, reason: "Nadal cieknie") {{
        ticket {{ {TICKET_FIELDS} }} {ERRORS} }} }}""",
}


def tid(ticket) -> str:
    return gid("Ticket", ticket.pk)


_PHOTO = []


def photo():
    """A processed photo, ready for the services (processed once: Pillow is slow)."""
    if not _PHOTO:
        _PHOTO.append(process_photo(jpeg()))
    return _PHOTO[0]


# --- The world ---------------------------------------------------------------------------------

VIEWERS = [
    "anonymous",
    "reporter",
    "co_resident",
    "neighbour",
    "stranger",
    "firm_worker",
    "firm_manager",
    "other_worker",
    "dispatcher",
    "administrator",
    "board",
]
STAFF = {"dispatcher", "administrator", "board"}
ALL_TICKETS = {"own", "by_co_resident", "neighbours", "common", "other_building", "anonymous"}
VISIBLE = {
    "anonymous": set(),
    "reporter": {"own", "by_co_resident"},
    "co_resident": {"own", "by_co_resident"},
    "neighbour": {"neighbours", "common"},
    "stranger": {"other_building"},
    "firm_worker": {"own"},
    "firm_manager": {"own"},
    "other_worker": {"other_building"},
    "dispatcher": ALL_TICKETS,
    "administrator": ALL_TICKETS,
    "board": ALL_TICKETS,
}
OWN_PHONE = "600100200"  # the reporter's call-back phone on the own ticket
ANONYMOUS_PHONE = "+48600999888"


def sees_internal(viewer: str, name: str) -> bool:
    if viewer in STAFF:
        return True
    if viewer in {"firm_worker", "firm_manager"}:
        return name == "own"
    if viewer == "other_worker":
        return name == "other_building"
    return False


@dataclass
class World:
    cast: tf.Cast
    tickets: dict[str, Ticket]
    fast: Category
    inactive: Category

    def user(self, viewer: str):
        return None if viewer == "anonymous" else getattr(self.cast, viewer)

    def name_of(self, global_id: str) -> str:
        pk = int(relay.GlobalID.from_id(global_id).node_id)
        return next(name for name, ticket in self.tickets.items() if ticket.pk == pk)


def anonymous_photos() -> dict:
    """One photo for services.ticket_anonymous_create, which takes the raw uploads (or, in
    older versions, processed photos)."""
    if "uploads" in inspect.signature(services.ticket_anonymous_create).parameters:
        return {"uploads": [jpeg()]}
    return {"photos": [photo()]}


def build_world(cast) -> World:
    slow = cast.category
    fast = tf.CategoryFactory(response_hours=2, resolution_hours=10)
    inactive = tf.CategoryFactory(is_active=False)
    own = services.ticket_create(
        reporter=cast.reporter,
        category=slow,
        unit=cast.unit,
        title="Cieknie kran",
        description="Kapie od wczoraj.",
        contact_phone=OWN_PHONE,
        photos=[photo()],
    )
    services.ticket_assign(ticket=own, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_comment_add(ticket=own, author=cast.dispatcher, body="PUBLIC note from the dispatcher")
    services.ticket_comment_add(
        ticket=own, author=cast.firm_worker, body="INTERNAL note from the firm", internal=True, photos=[photo()]
    )
    services.ticket_comment_add(
        ticket=own, author=cast.dispatcher, body="INTERNAL note from the dispatcher", internal=True
    )
    services.ticket_comment_add(ticket=own, author=cast.reporter, body="PUBLIC reply of the reporter", photos=[photo()])
    by_co_resident = services.ticket_create(
        reporter=cast.co_resident, category=fast, unit=cast.unit, title="Domofon", description="Nie działa."
    )
    neighbours = services.ticket_create(
        reporter=cast.neighbour, category=slow, unit=cast.other_unit, title="Okno", description="Nie domyka się."
    )
    Ticket.objects.filter(pk=neighbours.pk).update(overdue_at=timezone.now())
    common = services.ticket_create(
        reporter=cast.neighbour, category=fast, building=cast.building, title="Lampa", description="Na klatce."
    )
    other_building = tf.report(cast.stranger, category=slow, title="Winda", description="Stoi między piętrami.")
    services.ticket_assign(ticket=other_building, actor=cast.dispatcher, contractor=cast.other_firm)
    services.ticket_comment_add(
        ticket=other_building,
        author=cast.other_worker,
        body="INTERNAL note of the other firm",
        internal=True,
        photos=[photo()],
    )
    services.ticket_comment_add(ticket=other_building, author=cast.other_worker, body="PUBLIC note of the other firm")
    anonymous = services.ticket_anonymous_create(
        category=slow,
        building=cast.building,
        title="Drzwi",
        description="Drzwi wejściowe się nie zamykają.",
        contact_phone="600 999 888",
        ip_address="10.9.8.7",
        **anonymous_photos(),
    )
    tickets = {
        "own": own,
        "by_co_resident": by_co_resident,
        "neighbours": neighbours,
        "common": common,
        "other_building": other_building,
        "anonymous": anonymous,
    }
    for ticket in tickets.values():
        ticket.refresh_from_db()
    return World(cast=cast, tickets=tickets, fast=fast, inactive=inactive)


@contextmanager
def rolled_back():
    """Whatever happens inside is undone (a savepoint rolled back)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def photo_files() -> list[str]:
    folder = Path(django_settings.MEDIA_ROOT) / "ticket-photos"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def snapshot() -> dict:
    """Everything a refused mutation must leave as it was."""
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "events": list(TicketEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "comments": list(TicketComment.objects.order_by("pk").values_list("pk", flat=True)),
        "photos": list(TicketPhoto.objects.order_by("pk").values_list("pk", flat=True)),
        "messages": Message.objects.count(),
        "deliveries": Delivery.objects.count(),
        "files": photo_files(),
    }


def payload_of(result: dict) -> dict:
    assert not result.get("errors"), result["errors"]
    (payload,) = result["data"].values()
    return payload


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def error_codes(result: dict) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in result.get("errors") or []]


def ids_of(data: dict) -> list[str]:
    return [edge["node"]["id"] for edge in data["tickets"]["edges"]]


def expected_comments(ticket: Ticket, internal: bool) -> list[str]:
    comments = TicketComment.objects.filter(ticket=ticket).order_by("created_at", "id")
    if not internal:
        comments = comments.filter(is_internal=False)
    return [str(pk) for pk in comments.values_list("pk", flat=True)]


def expected_photos(ticket: Ticket, internal: bool) -> set[str]:
    photos = TicketPhoto.objects.filter(ticket=ticket)
    if not internal:
        photos = photos.filter(is_internal=False)
    return {str(pk) for pk in photos.values_list("pk", flat=True)}


def create_input(world, **extra) -> dict:
    return {
        "categoryId": str(world.cast.category.pk),
        "unitId": str(world.cast.unit.pk),
        "title": "Nie grzeje kaloryfer",
        "description": "W pokoju od ulicy.",
        **extra,
    }


def mutation_calls(world, ticket_id: str) -> list[tuple[str, dict]]:
    """Every mutation on an existing ticket, with arguments that would be accepted."""
    later = (timezone.now() + timedelta(days=20)).isoformat()
    return [
        (COMMENT, {"id": ticket_id, "body": "Dzień dobry"}),
        (COMMENT, {"id": ticket_id, "body": "Notatka", "internal": True}),
        (TRANSITION, {"id": ticket_id, "status": "IN_PROGRESS", "note": "Już jadę"}),
        (TRANSITION, {"id": ticket_id, "status": "REJECTED", "note": "Nie nasze"}),
        (ASSIGN, {"id": ticket_id, "contractorId": gid("Contractor", world.cast.firm.pk)}),
        (ACCEPT, {"id": ticket_id}),
        (DEADLINE, {"id": ticket_id, "dueAt": later, "reason": "Czekamy"}),
        (RATE, {"id": ticket_id, "rating": 5}),
        (REOPEN, {"id": ticket_id, "reason": "Nadal cieknie"}),
    ]
