"""The whole situation centre (the admin's first page, issue 13) at a fixed number of
queries, whatever the size of the cooperative: every panel together, for a superuser
(who sees them all) and for each staff role, with a small world and with a large one.

The large world grows everything a panel counts or lists: tickets over 60 days in several
buildings and categories in every state (open, overdue, done, closed and rated,
rejected), buildings with units and memberships (pending ones too) and residents active
in the portal or the app, broadcasts sending, failed, partly failed and cancelled with
their deliveries, outage alerts in force and coming up with view restrictions, drafts,
pages with unpublished changes, scheduled pages, pages in moderation and sent back.
Everything is made by someone other than the viewers, as in a cooperative: what Wagtail's
own panels show a viewer of *their* work (their recent edits, their locked pages) is
not what the issue's figures count.

Each panel's own query budget is tested with its app (tests/tickets/test_dashboard_*.py,
tests/residents/test_dashboard_residents.py, tests/broadcasts/test_dashboard_broadcasts.py,
tests/news/test_dashboard_alerts.py, tests/core/test_editors_dashboard.py); this file
holds the page as staff meet it, every panel at once, and an empty cooperative's first
day (no tickets, no buildings), where the page must answer too.

The world is built once for the module (in a transaction rolled back at its end, as
tests.factories.tickets.shared_cast does) and measured for every viewer before and after
it grows; each test then reads its viewer's two measurements.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

from cms.news.models import NewsPage
from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery, Message
from operations.residents import services as residents
from operations.residents.models import Membership, SignInAttempt
from operations.residents.roles import StaffRole
from operations.tickets.models import Ticket
from tests.factories import content as f
from tests.factories import tickets as tf
from tests.factories.admin import staff_client
from tests.factories.broadcasts import make_broadcast
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    SuperUserFactory,
    UnitFactory,
    UserFactory,
)
from tests.tickets.statistics_kit import make

S = Ticket.Status
B = Broadcast.Status
D = Delivery.State
H = timedelta(hours=1)
DAY = timedelta(days=1)

SUPERUSER = "superuser"
# An editor who is also a moderator of the pages' workflow (Wagtail's "Awaiting your
# review" lists what such a person may approve).
MODERATOR = "editor-moderator"
MODERATORS = "Moderatorzy pulpitu"
VIEWERS = [SUPERUSER, *(role.value for role in StaffRole), MODERATOR]

# Which panels (the section's `hub-dashboard-<name>`) each viewer meets, as the issue and
# the panels' docstrings say: tickets for whoever reads tickets, the month for whoever
# reads statistics, outage alerts and adoption for all staff, editors' work for those
# who edit pages, verifications for those who decide them, broadcasts for their senders,
# billing for those who read accounts, surveys and votes for those who see surveys.
EVERY_PANEL = {
    "verification",
    "tickets",
    "tickets-month",
    "outage-alerts",
    "broadcasts",
    "editorial",
    "adoption",
    "billing",
    "surveys",
}
PANELS = {
    SUPERUSER: EVERY_PANEL,
    StaffRole.EDITOR.value: {"outage-alerts", "broadcasts", "editorial", "adoption"},
    StaffRole.DISPATCHER.value: {"tickets", "tickets-month", "outage-alerts", "broadcasts", "adoption"},
    StaffRole.ADMINISTRATOR.value: EVERY_PANEL - {"editorial", "billing"},
    StaffRole.ACCOUNTANT.value: {"outage-alerts", "adoption", "billing"},
    StaffRole.BOARD.value: {"tickets", "tickets-month", "outage-alerts", "adoption", "billing", "surveys"},
    MODERATOR: {"outage-alerts", "broadcasts", "editorial", "adoption"},
}

_serial = itertools.count(1)


def _client(viewer: str) -> Client:
    if viewer == SUPERUSER:
        client = Client()
        client.force_login(SuperUserFactory(username=f"prezes.it.{next(_serial)}"))
        return client
    if viewer == MODERATOR:
        client = staff_client(StaffRole.EDITOR, username=f"pulpit.{viewer}.{next(_serial)}")
        client.user.groups.add(Group.objects.get_or_create(name=MODERATORS)[0])
        return client
    return staff_client(StaffRole(viewer), username=f"pulpit.{viewer}.{next(_serial)}")


def _panels(response) -> set[str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return {
        section["aria-labelledby"].removeprefix("hub-dashboard-")
        for section in soup.select("section.hub-dashboard[aria-labelledby]")
    }


def _forget_what_processes_remember() -> None:
    from django.core.cache import cache

    from cms.core.graphql import response_cache
    from cms.core.sites import forget_site_roots
    from cms.core.visibility import forget_denials

    response_cache.forget_everything()
    forget_site_roots()
    forget_denials()
    cache.clear()


@dataclass
class Measured:
    queries: int
    sql: list[str]
    panels: set[str]


def _measure(client: Client) -> Measured:
    """The page's queries, once the session's and the site's first reads are behind it
    (a first request after content changed re-reads what a process keeps by content
    version: a fixed cost, not one that grows with the data)."""
    assert client.get("/admin/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    return Measured(len(captured), [query["sql"] for query in captured.captured_queries], _panels(response))


# --- The world -------------------------------------------------------------------------------------


@dataclass
class World:
    site_tree: f.SiteTree
    workflow: Workflow
    author: object  # who writes and submits the pages: none of the viewers
    sender: object
    estate: object
    categories: list
    reporters: list  # residents who report, one or more per building
    buildings: list


def _workflow() -> Workflow:
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    task = GroupApprovalTask.objects.create(name="Akceptacja pulpitu")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Moderacja pulpitu")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def _world() -> World:
    author = UserFactory(username="autorka.tekstow")
    sender = UserFactory(username="nadawca.komunikatow")
    return World(
        site_tree=f.build_site_tree(),
        workflow=_workflow(),
        author=author,
        sender=sender,
        estate=EstateFactory(),
        categories=[],
        reporters=[],
        buildings=[],
    )


def _places(world: World, *, buildings: int, units: int, people: int, categories: int) -> None:
    """More buildings of `units` units, `people` residents in each building (every third
    one pending; some active in the portal, some in the app, some not at all), one more
    reporter per building, a building without units, and more ticket categories."""
    now = timezone.now()
    for _ in range(buildings):
        building = BuildingFactory(estate=world.estate)
        world.buildings.append(building)
        made = [UnitFactory(building=building) for _ in range(units)]
        for n in range(people):
            person = UserFactory()
            MembershipFactory(user=person, unit=made[n % units], verified=n % 3 != 2)
            if n % 3 == 0:
                SignInAttempt.objects.create(
                    user=person,
                    username=person.username,
                    channel=SignInAttempt.Channel.SESSION,
                    outcome=SignInAttempt.Outcome.SUCCESS,
                    created_at=now - (n % 40) * DAY,
                )
            elif n % 3 == 1:
                residents.api_token_issue(user=person, client_name="Telefon")
        world.reporters.append(tf.resident(made[0], username=f"zglasza.{next(_serial)}"))
    BuildingFactory(estate=world.estate)  # no units yet
    for _ in range(categories):
        world.categories.append(tf.CategoryFactory(name=f"Usterki rodzaju {next(_serial)}"))


# Every state the ticket panels count, in turn.
def _ticket_states(now):
    return [
        {},
        {"overdue_at": now - H},
        {"status": S.ACCEPTED, "first_response_at": now - 2 * H},
        {"status": S.DONE, "done_at": now - H, "first_response_at": now - 2 * H},
        {"status": S.CLOSED, "done_at": now - 2 * H, "closed_at": now - H, "rating": 4},
        {"status": S.REJECTED, "closed_at": now - H},
        {"status": S.WAITING, "response_due_at": now - 2 * H, "response_overdue_at": now - H},
        {"status": S.CLOSED, "done_at": now - 3 * H, "closed_at": now - 2 * H, "rating": 2},
    ]


def _tickets(world: World, count: int) -> None:
    """`count` tickets over the last 60 days, across the reporters' buildings and every
    category, in every state in turn (each created through the service at its moment)."""
    now = timezone.now()
    states = _ticket_states(now)
    for n in range(count):
        reporter = world.reporters[n % len(world.reporters)]
        category = world.categories[n % len(world.categories)]
        reported = now - (n % 60) * DAY - H
        stamps = {
            key: max(value, reported + timedelta(minutes=5)) if hasattr(value, "tzinfo") else value
            for key, value in states[n % len(states)].items()
        }
        make(reported, reporter, category, **stamps)


def _broadcast(world: World, status: str, *states: str, finished_days_ago: float | None = None) -> None:
    now = timezone.now()
    finished = None if finished_days_ago is None else now - timedelta(days=finished_days_ago)
    made = make_broadcast(
        title=f"Rozsyłka {next(_serial)}",
        status=status,
        finished_at=finished,
        queued_at=now,
        buildings=world.buildings[:1],
        created_by=world.sender,
    )
    for state in states:
        person = UserFactory()
        message = Message.objects.create(
            recipient=person,
            kind=made.kind,
            broadcast=made,
            dedupe_key=f"broadcast:{made.pk}",
            subject=made.subject,
            body_text=made.body,
        )
        Delivery.objects.create(message=message, broadcast=made, channel="email", address=person.email, state=state)


def _broadcasts(world: World, rounds: int) -> None:
    for n in range(rounds):
        _broadcast(world, B.SENDING, D.QUEUED, D.SENT, D.FAILED)
        _broadcast(world, B.SENT, D.FAILED, D.BOUNCED, finished_days_ago=n % 6 + 0.5)
        _broadcast(world, B.SENT, D.SENT, D.SENT, D.FAILED, finished_days_ago=n % 6 + 0.5)
        _broadcast(world, B.SENT, D.SENT, finished_days_ago=n % 6 + 0.5)
        _broadcast(world, B.CANCELLED, D.FAILED, finished_days_ago=n % 6 + 0.5)
        _broadcast(world, B.DRAFT)


def _alerts(world: World, count: int) -> None:
    """Alerts in force and coming up, each for some buildings, restricted to a building's
    audience, to signed-in residents, or both (on the news section's level)."""
    groups = [residents.audience_group(building=building) for building in world.buildings]
    for n in range(count):
        building = world.buildings[n % len(world.buildings)]
        current = f.make_alert(world.site_tree.news, buildings=[building], owner=world.author)
        f.restrict_page(current, groups=[groups[n % len(groups)]])
        coming = f.make_alert(
            world.site_tree.news, hours_from=24 + n, hours_until=72, buildings=world.buildings[:2], owner=world.author
        )
        f.restrict_page(coming, login=True)


def _page(title: str) -> NewsPage:
    n = next(_serial)
    return NewsPage(title=f"{title} {n}", slug=f"pulpit-{n}")


def _editing(world: World, count: int) -> None:
    """`count` pages in each state the editors' panel counts, by the author."""
    news, now, author = world.site_tree.news, timezone.now(), world.author
    for n in range(count):
        f.draft(news, _page("Szkic"))
        changed = f.publish(news, _page("Zmieniana"))
        changed.title += ", nowa wersja"
        changed.save_revision(user=author)
        f.schedule(news, _page("Zaplanowana"), now + timedelta(days=2 + n))
        moderated = f.draft(news, _page("Do akceptacji"))
        world.workflow.start(moderated, author)
        sent_back = f.draft(news, _page("Do poprawy"))
        state = world.workflow.start(sent_back, author)
        state.current_task_state.reject(user=None)


def _grow(world: World, *, scale: int) -> None:
    _places(world, buildings=scale, units=3 * scale, people=4 * scale, categories=scale)
    _tickets(world, 12 * scale)
    _broadcasts(world, scale)
    _alerts(world, scale)
    _editing(world, scale)


SMALL, LARGE = 1, 4  # the large world grows by four times the small one's rows, and more


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, tuple[Measured, Measured]]:
    """Each viewer's page with the small world, then with the large one."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            _forget_what_processes_remember()
            world = _world()
            _grow(world, scale=SMALL)
            clients = {viewer: _client(viewer) for viewer in VIEWERS}
            few = {viewer: _measure(client) for viewer, client in clients.items()}
            _grow(world, scale=LARGE)
            assert Ticket.objects.count() >= 60 and Membership.objects.filter(status="pending").count() >= 20
            many = {viewer: _measure(client) for viewer, client in clients.items()}
            return {viewer: (few[viewer], many[viewer]) for viewer in VIEWERS}
        finally:
            transaction.set_rollback(True)
            _forget_what_processes_remember()


def _shape(query: str) -> str:
    """A query with its numbers and the length of its lists left out: the same read of
    other rows, or of more of them at once, has the same shape."""
    shape = re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "N", query))
    shape = re.sub(r"\((?:N, )+N\)", "(N)", shape)
    shape = re.sub(r"(\S+ = N)(?: OR \1)+", r"\1", shape)
    return re.sub(r"\((\S+ = N)\)", r"\1", shape)


def _outer_table(query: str) -> str:
    """The table a query reads first, its subqueries left out."""
    flat = query
    while "(" in flat:
        flattened = re.sub(r"\([^()]*\)", "", flat)
        if flattened == flat:
            break
        flat = flattened
    return flat.split(" FROM ", 1)[1].split(" ", 1)[0] if " FROM " in flat else flat[:40]


def _extra(few: Measured, many: Measured) -> Counter:
    """The queries of the large world's page that the small world's did not make, by shape."""
    return Counter(_shape(query) for query in many.sql) - Counter(_shape(query) for query in few.sql)


def _assert_fixed(viewer: str, measured) -> None:
    few, many = measured[viewer]
    assert few.panels == many.panels == PANELS[viewer]
    extra = Counter(_outer_table(query) for query in _extra(few, many).elements())
    assert many.queries == few.queries, (
        f"{viewer}: {few.queries} queries with a small world, {many.queries} with a large one; "
        f"the extra ones read {dict(extra)}"
    )


# Marked for the database, though the fixture measured everything: pytest-django runs
# tests without the mark last, after tests that empty the database (HomePage included).
@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_whole_page_costs_the_same_queries_with_a_small_and_a_large_world(measured, viewer):
    _assert_fixed(viewer, measured)


# --- An empty cooperative's first day ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_page_answers_on_an_empty_cooperatives_first_day(viewer):
    """No tickets, categories, buildings, memberships, broadcasts, alerts or news: every
    panel the viewer should see is there, and says so calmly."""
    assert not Ticket.objects.exists() and not Membership.objects.exists()
    client = _client(viewer)

    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")

    assert response.status_code == 200
    assert _panels(response) == PANELS[viewer]
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    for section in soup.select("section.hub-dashboard"):
        text = section.get_text(" ", strip=True)
        assert "None" not in text and "nan" not in text.split(), text
        for value in section.select(".hub-dashboard__value"):
            assert value.get_text(strip=True) in {"0", "–", "0,00\xa0zł"}, (section["aria-labelledby"], value)
    if "adoption" in PANELS[viewer]:
        assert (
            "Nie ma jeszcze budynków."
            in soup.find("section", attrs={"aria-labelledby": "hub-dashboard-adoption"}).get_text()
        )
