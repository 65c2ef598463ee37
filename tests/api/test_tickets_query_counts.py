"""SQL query counts of the tickets API: the list, one ticket and every mutation cost the
same whatever the tickets hold (comments, photos, history) and whatever the page size.

The world is built once per module (`world` in conftest.py, from `tickets_world.py`); each test runs in a savepoint.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.tickets import services
from operations.tickets.models import Ticket
from tests.api.tickets_world import (
    ACTIONS,
    CREATE,
    FULL,
    TICKET,
    TICKET_IDS,
    TICKETS,
    S,
    create_input,
    error_codes,
    gid,
    payload_of,
    photo,
    rolled_back,
    tid,
)

pytestmark = pytest.mark.django_db


# --- Query counts --------------------------------------------------------------------------------


def busy_ticket(world, n: int) -> Ticket:
    """A ticket of the reporter's unit, assigned to the firm, with public and internal comments
    and photos, and a history of several entries."""
    cast = world.cast
    ticket = services.ticket_create(
        reporter=cast.reporter,
        category=world.cast.category,
        unit=cast.unit,
        title=f"Usterka {n}",
        description="Opis usterki.",
        photos=[photo()],
    )
    services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body="Publiczny", photos=[photo()])
    services.ticket_comment_add(
        ticket=ticket, author=cast.firm_worker, body="Wewnętrzny", internal=True, photos=[photo()]
    )
    return ticket


def measure(gql, query: str, variables: dict | None = None) -> tuple[int, dict]:
    gql.execute(query, variables)  # warm-up: sessions, content types, caches
    return gql.count_queries(query, variables)


def report_counts(name: str, few: int, many: int) -> None:
    """What a counting test measured (shown with pytest -s)."""
    print(f"queries {name}: {few} -> {many}")


def test_the_list_costs_the_same_for_2_and_12_busy_tickets(world, as_):
    viewers = ("reporter", "firm_worker", "dispatcher", "board")
    for n in range(2):
        busy_ticket(world, n)
    few = {}
    for viewer in viewers:
        few[viewer], data = measure(as_(viewer), TICKETS)
        assert data["tickets"]["totalCount"] >= 2
    for n in range(2, 12):
        busy_ticket(world, n)
    for viewer in viewers:
        many, data = measure(as_(viewer), TICKETS)
        counts = [len(edge["node"]["comments"]) for edge in data["tickets"]["edges"]]
        assert data["tickets"]["totalCount"] >= 12 and sum(counts) >= 12
        report_counts(f"tickets/{viewer}", few[viewer], many)
        assert many == few[viewer], (viewer, few[viewer], many)


def test_a_page_holds_at_most_the_maximum_and_costs_the_same_as_a_short_one(world, as_):
    cast = world.cast
    maximum = django_settings.GRAPHQL_MAX_PAGE_SIZE
    gql = as_("reporter")
    few, data = measure(gql, TICKETS, {"first": maximum})
    assert data["tickets"]["totalCount"] == 2
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            category=cast.category,
            title=f"Zgłoszenie {n}",
            description="Opis.",
            building=cast.building,
            unit=cast.unit,
            reporter=cast.co_resident,
            created_at=now - timedelta(minutes=n),
            response_due_at=now + timedelta(hours=4),
            due_at=now + timedelta(hours=48),
        )
        for n in range(maximum + 5)
    )
    many, data = measure(gql, TICKETS, {"first": maximum})
    assert data["tickets"]["totalCount"] == maximum + 7
    assert len(data["tickets"]["edges"]) == maximum
    report_counts("tickets/reporter, 2 vs a full page", few, many)
    assert many == few
    # Asking for more than the maximum is the client's mistake; asking for nothing gives at most a page.
    assert error_codes(gql.execute(TICKET_IDS.replace("first: 100", "first: 1000"))) == ["BAD_USER_INPUT"]
    unbounded = gql.data("{ tickets { edges { node { id } } } }")["tickets"]["edges"]
    assert 0 < len(unbounded) <= maximum


def test_one_ticket_costs_the_same_with_1_and_10_comments_and_photos(world, as_):
    cast = world.cast
    ticket = busy_ticket(world, 0)
    viewers = ("reporter", "firm_worker", "dispatcher")
    few = {viewer: measure(as_(viewer), TICKET, {"id": tid(ticket)})[0] for viewer in viewers}
    for n in range(9):
        services.ticket_comment_add(ticket=ticket, author=cast.reporter, body=f"Jeszcze {n}", photos=[photo()])
        services.ticket_comment_add(
            ticket=ticket, author=cast.firm_worker, body=f"Notatka {n}", internal=True, photos=[photo()][: n % 2]
        )
        services.ticket_deadline_change(
            ticket=ticket, actor=cast.dispatcher, due_at=timezone.now() + timedelta(days=n + 3), reason=f"Powód {n}"
        )
    for viewer in viewers:
        many, data = measure(as_(viewer), TICKET, {"id": tid(ticket)})
        assert len(data["ticket"]["comments"]) >= 10 and len(data["ticket"]["photos"]) >= 10
        report_counts(f"ticket/{viewer}", few[viewer], many)
        assert many == few[viewer], (viewer, few[viewer], many)


MUTATION_CASES = [
    # (name, viewer, status to start from, extra variables)
    ("comment", "reporter", S.ASSIGNED, {}),
    ("comment", "firm_worker", S.ASSIGNED, {}),
    ("transition", "firm_worker", S.ASSIGNED, {}),
    ("assign", "dispatcher", S.ASSIGNED, {"contractorId": "other_firm"}),
    ("accept", "firm_worker", S.ASSIGNED, {}),
    ("deadline", "dispatcher", S.ASSIGNED, {"dueAt": "later"}),
    ("rate", "reporter", S.DONE, {}),
    ("reopen", "reporter", S.DONE, {}),
]


def test_mutations_cost_the_same_whatever_the_ticket_already_holds(world, as_):
    cast = world.cast
    ticket = busy_ticket(world, 0)
    resolve = {
        "other_firm": gid("Contractor", cast.other_firm.pk),
        "later": (timezone.now() + timedelta(days=9)).isoformat(),
    }

    def run_all() -> dict[str, int]:
        counts = {}
        for name, viewer, status, extra in MUTATION_CASES:
            variables = {"id": tid(ticket), **{key: resolve[value] for key, value in extra.items()}}
            gql = as_(viewer)
            gql.execute(ACTIONS, {"id": tid(ticket)})  # warm-up: sessions, content types
            with rolled_back():
                Ticket.objects.filter(pk=ticket.pk).update(
                    status=status, done_at=timezone.now() if status == S.DONE else None
                )
                with CaptureQueriesContext(connection) as captured:
                    payload = payload_of(gql.execute(FULL[name], variables))
                assert payload["errors"] == [], (name, payload)
            counts[f"{name}/{viewer}"] = len(captured.captured_queries)
        return counts

    run_all()  # warm-up
    few = run_all()
    for n in range(10):
        services.ticket_comment_add(ticket=ticket, author=cast.reporter, body=f"Jeszcze {n}", photos=[photo()])
        services.ticket_comment_add(ticket=ticket, author=cast.dispatcher, body=f"Notatka {n}", internal=True)
    many = run_all()
    for key in few:
        report_counts(f"mutation {key}", few[key], many[key])
    assert many == few


def test_creating_costs_the_same_whatever_the_reporter_already_reported(world, as_):
    gql = as_("reporter")

    def create_count() -> int:
        with rolled_back():
            with CaptureQueriesContext(connection) as captured:
                payload = payload_of(gql.execute(CREATE, {"input": create_input(world)}))
            assert payload["errors"] == []
        return len(captured.captured_queries)

    create_count()  # warm-up
    few = create_count()
    for n in range(6):
        busy_ticket(world, n)
    many = create_count()
    report_counts("mutation create/reporter", few, many)
    assert many == few
