"""Tickets list of 100 tickets through GraphQL against a hand-written floor view, as a
dispatcher and as a contractor's worker.

Run on purpose: `PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_tickets_list.py`.
Every ticket is made through the services (report, assignment, a public and an internal
comment, one photo, for some a status change), so history, comments and photos are what
production holds. The floor builds the same JSON from `.values()` queries with the same
visibility rules (`selectors.tickets_visible_to`, `selectors.internal_notes_filter`,
`selectors.TicketViewer`). Timed with `kit.compare` (interleaved rounds, medians), warm
and cold (tickets are personal data: no shared cache ever serves them, "warm" is only
what the code keeps anyway); reports the median time of each, their ratio and SQL
queries per request; asserts that both return the same JSON and that the GraphQL query
count is the same for 20 and for 100 tickets (speed is reported, never asserted). Also
reports the execution bound (`kit.compare`): the least ratio any GraphQL execution in
Python could reach on this answer.

Two sets of cases, each with its own floor and table:
- `tickets, …`: `TICKETS_QUERY`, written for this benchmark (the list's fields with the
  comments and the worker's buttons), against `tickets_floor`;
- `portal operation, …`: the portal's own operation, `graphql/operations/Tickets.graphql`
  read when the test runs, with `{"first": 100}`, against `tickets_operation_floor`
  (the same ids, `pageInfo` cursor, enum names, photo URLs and sizes, and order).

`BENCHMARK_PROFILE=<requests>` (or the former `TICKETS_BENCHMARK_PROFILE`) also profiles
that many GraphQL requests per case, prints the top entries and leaves the profile in
/tmp (see `kit.py`).
"""

from __future__ import annotations

import io
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.http import JsonResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.utils import timezone
from PIL import Image
from strawberry.relay import to_base64

from operations.tickets import selectors, services, workflow
from operations.tickets.models import CLOSED_STATUSES, Category, Ticket, TicketComment, TicketPhoto
from tests.benchmarks import kit
from tests.factories import tickets as tf

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

TICKETS = 100
FIRST_BATCH = 20
PAGE = 100
if os.environ.get("TICKETS_BENCHMARK_PROFILE") and not kit.PROFILE_REQUESTS:
    kit.PROFILE_REQUESTS = int(os.environ["TICKETS_BENCHMARK_PROFILE"])

# The fields of the portal's tickets list page (graphql/operations/Tickets.graphql), with
# the comment count and the buttons a worker's list shows.
TICKETS_QUERY = """
query TicketsList($first: Int = 100) {
  tickets(first: $first) {
    totalCount
    edges { node {
      id reference title status statusLabel isOverdue createdAt dueAt
      category { name }
      building { code }
      unit { number }
      contractor { name }
      photos { thumbnailUrl }
      comments { id }
      actions { transitionTo }
    } }
  }
}
"""

# The portal's own operation (read from graphql/operations/Tickets.graphql when the test
# runs), asked as the portal's list asks it.
PORTAL_VARIABLES = {"first": PAGE}


# --- The floor -------------------------------------------------------------------------------------


def _by_ticket(rows) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for ticket_id, pk in rows:
        grouped[ticket_id].append(pk)
    return grouped


def tickets_floor(request):
    """The same JSON as TICKETS_QUERY, from `.values()`, with the selectors' visibility."""
    user = request.user
    visible = selectors.tickets_visible_to(user)
    total = visible.count()
    rows = list(
        visible.order_by("-created_at", "-id")[:PAGE].values(
            "id", "title", "status", "overdue_at", "created_at", "due_at",
            "category__name", "building__code", "unit__number", "contractor__title",
            "contractor_id", "reporter_id", "unit_id",
        )
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    notes = selectors.internal_notes_filter(user)
    photos = _by_ticket(
        TicketPhoto.objects.filter(notes, ticket_id__in=ids).order_by("created_at", "id").values_list("ticket_id", "id")
    )
    comments = _by_ticket(
        TicketComment.objects.filter(notes, ticket_id__in=ids)
        .order_by("created_at", "id")
        .values_list("ticket_id", "id")
    )
    viewer = selectors.TicketViewer.of(user)
    labels = {value: str(label) for value, label in Ticket.Status.choices}
    names = {member.value: member.name for member in Ticket.Status}
    thumbnail = request.build_absolute_uri(reverse("tickets:photo_thumbnail", args=[0])).replace("/0/", "/{}/")
    edges = []
    for row in rows:
        status = row["status"]
        roles = viewer.roles_for(SimpleNamespace(**row))
        targets = [
            names[target]
            for target in workflow.next_statuses(status, roles)
            if target in workflow.DIRECT_TARGETS and (status != Ticket.Status.DONE or target == Ticket.Status.CLOSED)
        ]
        edges.append(
            {
                "node": {
                    "id": to_base64("Ticket", row["id"]),
                    "reference": f"ZG/{timezone.localtime(row['created_at']):%Y}/{row['id']}",
                    "title": row["title"],
                    "status": names[status],
                    "statusLabel": labels[status],
                    "isOverdue": row["overdue_at"] is not None and status not in CLOSED_STATUSES,
                    "createdAt": row["created_at"].isoformat(),
                    "dueAt": row["due_at"].isoformat(),
                    "category": {"name": row["category__name"]},
                    "building": {"code": row["building__code"]},
                    "unit": None if row["unit_id"] is None else {"number": row["unit__number"]},
                    "contractor": None if row["contractor_id"] is None else {"name": row["contractor__title"]},
                    "photos": [{"thumbnailUrl": thumbnail.format(pk)} for pk in photos[row["id"]]],
                    "comments": [{"id": str(pk)} for pk in comments[row["id"]]],
                    "actions": {"transitionTo": targets},
                }
            }
        )
    return JsonResponse({"data": {"tickets": {"totalCount": total, "edges": edges}}})


def _page_info(total: int, returned: int) -> dict:
    """`pageInfo` of the first page as the connection answers it: the cursor is the
    offset of the last edge, `arrayconnection:<offset>` in base64."""
    return {
        "hasNextPage": returned < total,
        "endCursor": to_base64("arrayconnection", returned - 1) if returned else None,
    }


def tickets_operation_floor(request):
    """The same JSON as `graphql/operations/Tickets.graphql` with `first: 100` (newest
    first, no filter), from `.values()`, with the selectors' visibility and order."""
    user = request.user
    visible = selectors.tickets_list(user)
    total = visible.count()
    rows = list(
        visible[:PAGE].values(
            "id", "title", "status", "overdue_at", "created_at", "due_at",
            "category_id", "category__name", "category__urgency",
            "building_id", "building__code", "building__street", "building__number",
            "building__postal_code", "building__city",
            "unit_id", "unit__number", "contractor_id", "contractor__title",
        )
    )  # fmt: skip
    ids = [row["id"] for row in rows]
    photos: dict[int, list[dict]] = defaultdict(list)
    thumbnail = request.build_absolute_uri(reverse("tickets:photo_thumbnail", args=[0])).replace("/0/", "/{}/")
    for ticket_id, pk, width, height in (
        TicketPhoto.objects.filter(selectors.internal_notes_filter(user), ticket_id__in=ids)
        .order_by("created_at", "id")
        .values_list("ticket_id", "id", "thumbnail_width", "thumbnail_height")
    ):
        photos[ticket_id].append(
            {"id": str(pk), "thumbnailUrl": thumbnail.format(pk), "thumbnailWidth": width, "thumbnailHeight": height}
        )
    labels = {value: str(label) for value, label in Ticket.Status.choices}
    names = {member.value: member.name for member in Ticket.Status}
    urgencies = {member.value: member.name for member in Category.Urgency}
    now = timezone.now()
    edges = []
    for row in rows:
        status = row["status"]
        edges.append(
            {
                "node": {
                    "id": to_base64("Ticket", row["id"]),
                    "reference": f"ZG/{timezone.localtime(row['created_at']):%Y}/{row['id']}",
                    "title": row["title"],
                    "status": names[status],
                    "statusLabel": labels[status],
                    "isOverdue": (
                        status not in CLOSED_STATUSES and (row["overdue_at"] is not None or row["due_at"] <= now)
                    ),
                    "createdAt": row["created_at"].isoformat(),
                    "dueAt": row["due_at"].isoformat(),
                    "category": {
                        "id": str(row["category_id"]),
                        "name": row["category__name"],
                        "urgency": urgencies[row["category__urgency"]],
                    },
                    "building": {
                        "id": str(row["building_id"]),
                        "code": row["building__code"],
                        "address": (
                            f"{row['building__street']} {row['building__number']}, "
                            f"{row['building__postal_code']} {row['building__city']}"
                        ),
                    },
                    "unit": (
                        None if row["unit_id"] is None else {"id": str(row["unit_id"]), "number": row["unit__number"]}
                    ),
                    "contractor": None if row["contractor_id"] is None else {"name": row["contractor__title"]},
                    "photos": photos[row["id"]],
                }
            }
        )
    return JsonResponse(
        {"data": {"tickets": {"totalCount": total, "pageInfo": _page_info(total, len(rows)), "edges": edges}}}
    )


urlpatterns = [
    path("floor/tickets", tickets_floor),
    path("floor/tickets-operation", tickets_operation_floor),
    path("", include("cms.urls")),
]


# --- The data --------------------------------------------------------------------------------------


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 60, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def _make_tickets(cast: tf.Cast, categories: list, photo: list, start: int, count: int) -> None:
    """`count` tickets in building A: by three residents, every tenth in a common area;
    four in five assigned to the worker's firm, the rest to the other firm; some in
    progress, some waiting, some overdue. Each has a public comment by the reporter, an
    internal note by the dispatcher and one photo (on the report, or on the note)."""
    reporters = [(cast.reporter, cast.unit), (cast.neighbour, cast.other_unit), (cast.co_resident, cast.unit)]
    for n in range(start, start + count):
        reporter, unit = reporters[n % len(reporters)]
        common = n % 10 == 9
        ticket = tf.report(
            reporter,
            category=categories[n % len(categories)],
            unit=None if common else unit,
            building=cast.building if common else None,
            title=f"Usterka nr {n + 1}: cieknie kran w kuchni",
            photos=photo if n % 2 == 0 else (),
        )
        ours = n % 5 != 4
        services.ticket_assign(
            ticket=ticket,
            actor=cast.dispatcher,
            contractor=cast.firm if ours else cast.other_firm,
            worker=cast.firm_worker if ours else None,
        )
        services.ticket_comment_add(ticket=ticket, author=reporter, body="Kiedy ktoś przyjdzie?")
        services.ticket_comment_add(
            ticket=ticket,
            author=cast.dispatcher,
            body="Klucze do piwnicy u administratora.",
            internal=True,
            photos=photo if n % 2 == 1 else (),
        )
        if n % 4 in (1, 2):
            services.ticket_transition(ticket=ticket, actor=cast.dispatcher, to_status=Ticket.Status.IN_PROGRESS)
        if n % 4 == 2:
            services.ticket_transition(
                ticket=ticket, actor=cast.dispatcher, to_status=Ticket.Status.WAITING, note="Czekamy na część."
            )
        if n % 7 == 0:
            Ticket.objects.filter(pk=ticket.pk).update(overdue_at=timezone.now())


# --- Measuring -------------------------------------------------------------------------------------


def _graphql(client: Client):
    return client.post("/graphql", data=json.dumps({"query": TICKETS_QUERY}), content_type="application/json")


def _floor(client: Client):
    return client.get("/floor/tickets")


def _queries(call, client) -> int:
    return kit.queries(lambda: call(client))


def _build(queries_of: Callable[[Client], int]) -> tuple[dict[str, Client], dict[str, int], float]:
    """The cast, the tickets and a signed-in client for each viewer; `queries_of(client)`
    is counted for each viewer when the first 20 of the 100 tickets exist."""
    started = time.perf_counter()
    cast = tf.build_cast()
    categories = [
        cast.category,
        tf.CategoryFactory(response_hours=8, resolution_hours=72),
        tf.CategoryFactory(response_hours=2, resolution_hours=24),
    ]
    photo = services.photos_process([_jpeg()])
    clients = {"dispatcher": Client(), "firm worker": Client()}
    clients["dispatcher"].force_login(cast.dispatcher)
    clients["firm worker"].force_login(cast.firm_worker)

    _make_tickets(cast, categories, photo, 0, FIRST_BATCH)
    queries_at_20 = {viewer: queries_of(client) for viewer, client in clients.items()}
    _make_tickets(cast, categories, photo, FIRST_BATCH, TICKETS - FIRST_BATCH)
    return clients, queries_at_20, time.perf_counter() - started


def _expected(viewer: str) -> int:
    """Tickets the viewer sees: all of them, or the four in five assigned to the worker's firm."""
    return TICKETS if viewer == "dispatcher" else TICKETS * 4 // 5


@override_settings(ROOT_URLCONF=__name__)
def test_tickets_list_graphql_against_floor():
    clients, queries_at_20, build_seconds = _build(lambda client: _queries(_graphql, client))

    rows = {}
    for viewer, client in clients.items():
        graphql_json = _graphql(client).json()
        floor_json = _floor(client).json()
        assert not graphql_json.get("errors"), graphql_json["errors"]
        expected = _expected(viewer)
        assert graphql_json["data"]["tickets"]["totalCount"] == expected
        assert len(graphql_json["data"]["tickets"]["edges"]) == expected
        assert graphql_json == floor_json
        assert _queries(_graphql, client) == queries_at_20[viewer], "the GraphQL query count grows with the tickets"

    for cold in (False, True):
        for viewer, client in clients.items():
            label = f"tickets, {viewer}, {'cold' if cold else 'warm'}"
            rows[label] = kit.compare(
                label, lambda c=client: _graphql(c), lambda c=client: _floor(c), cold=cold, bound_query=TICKETS_QUERY
            )
    kit.report("tickets list", rows, tickets=TICKETS, build_seconds=round(build_seconds, 1))


@override_settings(ROOT_URLCONF=__name__)
def test_tickets_portal_operation_graphql_against_floor():
    operation = kit.operation("Tickets")  # the portal's own text, as it stands now

    def portal(client: Client) -> Callable:
        return kit.graphql(client, operation, PORTAL_VARIABLES)

    clients, queries_at_20, build_seconds = _build(lambda client: kit.queries(portal(client)))

    cases = {}
    for viewer, client in clients.items():
        graphql_call, floor_call = portal(client), kit.get(client, "/floor/tickets-operation")
        graphql_json = kit.answer(graphql_call)
        tickets = graphql_json["data"]["tickets"]
        expected = _expected(viewer)
        assert tickets["totalCount"] == expected
        assert len(tickets["edges"]) == expected
        assert tickets["pageInfo"] == {"hasNextPage": False, "endCursor": to_base64("arrayconnection", expected - 1)}
        nodes = [edge["node"] for edge in tickets["edges"]]
        assert all(node["photos"] for node in nodes) and any(node["isOverdue"] for node in nodes)
        if viewer == "dispatcher":  # the common areas' tickets are all the other firm's
            assert any(node["unit"] is None for node in nodes)
        assert graphql_json == kit.answer(floor_call), viewer
        assert kit.queries(graphql_call) == queries_at_20[viewer], "the GraphQL query count grows with the tickets"
        cases[viewer] = (graphql_call, floor_call)

    rows = {}
    for cold in (False, True):
        for viewer, (graphql_call, floor_call) in cases.items():
            label = f"portal operation, {viewer}, {'cold' if cold else 'warm'}"
            rows[label] = kit.compare(
                label,
                graphql_call,
                floor_call,
                cold=cold,
                bound_query=operation,
                bound_variables=PORTAL_VARIABLES,
            )
    kit.report(
        "tickets list, portal operation (graphql/operations/Tickets.graphql)",
        rows,
        tickets=TICKETS,
        variables=json.dumps(PORTAL_VARIABLES),
        build_seconds=round(build_seconds, 1),
    )
