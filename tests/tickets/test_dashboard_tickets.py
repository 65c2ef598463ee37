"""The tickets' part of the situation centre beyond the figures of now (test_situation.py):
who sees the panels, where faults cluster this week and that each cluster's link lists
exactly its tickets, and that the whole tickets part of the page costs the same number of
queries with 3 tickets and with 40 across buildings, categories, days and statuses.

The month's figures are test_dashboard_month.py, the charts test_dashboard_charts.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.residents.roles import StaffRole
from operations.tickets.models import Ticket
from operations.tickets.selectors import situation
from tests.factories import tickets as tf
from tests.factories.admin import staff_client
from tests.tickets.admin_kit import LIST, S, listed, login
from tests.tickets.statistics_kit import WARSAW, D, H, make

pytestmark = pytest.mark.django_db

PANELS = ("tickets", "tickets-month")


def _page(client) -> BeautifulSoup:
    return BeautifulSoup(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl").content.decode(), "html.parser")


def _panel(page: BeautifulSoup, name: str):
    return page.find("section", attrs={"aria-labelledby": f"hub-dashboard-{name}"})


def _clusters(page: BeautifulSoup) -> list[tuple[str, str, int, str]]:
    panel = _panel(page, "tickets")
    heading = panel.find("h3", string=lambda text: text and text.startswith("Gdzie skupiają się usterki"))
    table = heading.find_next("table")
    rows = []
    for row in table.select("tbody tr"):
        building, category, count = (cell.get_text(strip=True) for cell in row.find_all(["th", "td"]))
        rows.append((building, category, int(count), row.find("a")["href"]))
    return rows


# --- Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["dispatcher", "administrator", "board"])
def test_those_who_read_tickets_and_statistics_see_both_panels(cast, role):
    page = _page(login(getattr(cast, role)))
    assert all(_panel(page, name) is not None for name in PANELS)


def test_an_editor_sees_none_of_the_ticket_panels(cast, water):
    make(timezone.now() - H, cast.reporter, water)
    client = staff_client(StaffRole.EDITOR)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    assert all(_panel(page, name) is None for name in PANELS)
    html = response.content.decode()
    assert "hub-chart" not in html and "Gdzie skupiają się usterki" not in html


def test_an_accountant_sees_none_either(cast):
    page = _page(staff_client(StaffRole.ACCOUNTANT))
    assert all(_panel(page, name) is None for name in PANELS)


# --- Where faults cluster this week -----------------------------------------------------------------


@pytest.fixture
def week(cast, water, power):
    """Three water faults in building A and two in B this week, one power fault in A (no
    cluster), and two water faults in A eight days ago (outside the week)."""
    now = timezone.now()
    tickets = {
        "a_water": [make(now - n * D - H, cast.reporter, water) for n in range(3)],
        "b_water": [make(now - n * D - H, cast.stranger, water) for n in (1, 5)],
        "a_power": [make(now - H, cast.reporter, power)],
        "old": [make(now - 8 * D, cast.reporter, water) for _ in range(2)],
    }
    # What becomes of a ticket does not matter: a done one still clusters.
    Ticket.objects.filter(pk=tickets["a_water"][0].pk).update(status=S.DONE, done_at=now)
    return tickets


def test_clusters_are_the_buildings_and_categories_with_most_tickets_this_week(cast, week, water):
    rows = _clusters(_page(login(cast.dispatcher)))
    assert [(building.split(" ")[0], category, count) for building, category, count, _url in rows] == [
        (cast.building.code, water.name, 3),
        (cast.other_building.code, water.name, 2),
    ]


def test_each_cluster_lists_exactly_its_tickets(cast, week):
    client = login(cast.dispatcher)
    rows = _clusters(_page(client))
    expected = [week["a_water"], week["b_water"]]
    for (_building, _category, count, url), tickets in zip(rows, expected, strict=True):
        assert url.startswith(LIST)
        assert sorted(listed(client.get(url))) == sorted(ticket.pk for ticket in tickets)
        assert len(tickets) == count


def test_the_week_is_today_and_the_six_days_before_in_local_days(cast, water):
    now = datetime(2026, 1, 15, 10, 0, tzinfo=WARSAW)
    first = datetime(2026, 1, 9, 0, 0, tzinfo=WARSAW)  # 8 January 23:00 UTC
    make(first, cast.reporter, water)
    make(first + timedelta(minutes=1), cast.reporter, water)
    make(first - timedelta(seconds=1), cast.reporter, water)
    week = situation.clusters_this_week(now)
    assert (week.days.first.isoformat(), week.days.last.isoformat()) == ("2026-01-09", "2026-01-15")
    assert [cluster.count for cluster in week.clusters] == [2]


def test_without_clusters_the_panel_says_so(cast, water):
    make(timezone.now() - H, cast.reporter, water)
    panel = _panel(_page(login(cast.dispatcher)), "tickets")
    assert "W tych dniach żaden budynek nie miał dwóch lub więcej zgłoszeń jednej kategorii." in panel.get_text()
    assert "Gdzie skupiają się usterki (ostatnie 7 dni)" in panel.get_text()


# --- A fixed number of queries ------------------------------------------------------------------------


def _tickets(cast, categories, count: int) -> None:
    """`count` tickets over the last 30 days, in both buildings and every category, in
    every state the panels count (open, overdue, done and rated, rejected)."""
    now = timezone.now()
    states = [
        {},
        {"overdue_at": now - H},
        {"status": S.DONE, "done_at": now - H, "first_response_at": now - 2 * H},
        {"status": S.CLOSED, "done_at": now - 2 * H, "closed_at": now - H, "rating": 4},
        {"status": S.REJECTED, "closed_at": now - H},
    ]
    for n in range(count):
        reporter = cast.reporter if n % 2 else cast.stranger
        make(now - (n % 30) * D - H, reporter, categories[n % len(categories)], **states[n % len(states)])


def _ticket_queries(client) -> tuple[int, list[str]]:
    client.get("/admin/")  # the session's and the site's first reads
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/")
    assert response.status_code == 200
    return len(queries), [query["sql"] for query in queries.captured_queries if "tickets_ticket" in query["sql"]]


@pytest.mark.parametrize("role", ["dispatcher", "board"])
def test_the_tickets_part_costs_the_same_queries_with_few_and_many_tickets(cast, water, power, role):
    categories = [water, power, tf.CategoryFactory(name="Windy", resolution_hours=24)]
    client = login(getattr(cast, role))
    _tickets(cast, categories, 3)
    few, few_tickets = _ticket_queries(client)
    _tickets(cast, categories, 37)
    many, many_tickets = _ticket_queries(client)
    assert many == few
    # Now, the clusters, the two months, the days and the categories: one query each.
    assert len(few_tickets) == len(many_tickets) == 5, many_tickets
