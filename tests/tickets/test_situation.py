"""The situation centre's tickets panel on the admin's first page (issue 13): who sees it,
that every number is exactly the length of the list it links to, and that it costs the
same number of queries whatever the number of tickets."""

from __future__ import annotations

from datetime import timedelta

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
from tests.tickets.admin_kit import LIST, S, listed, login, report

pytestmark = pytest.mark.django_db


def _panel(client):
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    return BeautifulSoup(html, "html.parser").find("section", attrs={"aria-labelledby": "hub-dashboard-tickets"})


def _cards(panel) -> dict[str, tuple[int, str]]:
    cards = {}
    for link in panel.select(".hub-dashboard__cards a"):
        count = int(link.select_one(".hub-dashboard__value").get_text(strip=True))
        cards[link.select_one(".hub-dashboard__label").get_text(strip=True)] = (count, link["href"])
    return cards


def _a_day_of_tickets(cast) -> dict[str, Ticket]:
    """One ticket in each state the panel counts."""
    now = timezone.now()
    tickets = {
        "new": report(cast, title="Nowe"),
        "late_response": report(cast, title="Bez odpowiedzi"),
        "assigned": report(cast, title="U wykonawcy"),
        "overdue": report(cast, title="Po terminie"),
        "due_soon": report(cast, title="Termin dziś"),
        "done": report(cast, title="Zrobione"),
        "old": tf.report_at(now - timedelta(days=3), cast.reporter, category=cast.category, unit=cast.unit),
    }
    Ticket.objects.filter(pk=tickets["late_response"].pk).update(response_due_at=now - timedelta(minutes=5))
    tf.put_in_status(tickets["assigned"], S.ASSIGNED, contractor=cast.firm)
    Ticket.objects.filter(pk=tickets["overdue"].pk).update(due_at=now - timedelta(hours=1))
    end_of_day = situation.local_day(now)[1]
    Ticket.objects.filter(pk=tickets["due_soon"].pk).update(
        due_at=min(now + timedelta(minutes=30), end_of_day - timedelta(seconds=1))
    )
    tf.put_in_status(tickets["done"], S.DONE, contractor=cast.firm)
    return tickets


@pytest.mark.parametrize("role", ["dispatcher", "administrator", "board"])
def test_those_who_read_tickets_see_the_panel(cast, role):
    assert _panel(login(getattr(cast, role))) is not None


def test_editors_and_residents_do_not(cast):
    assert _panel(staff_client(StaffRole.EDITOR)) is None
    assert login(cast.reporter).get("/admin/").status_code in (302, 403)


def test_every_number_is_the_length_of_the_list_it_opens(cast):
    _a_day_of_tickets(cast)
    client = login(cast.dispatcher)
    cards = _cards(_panel(client))
    assert set(cards) == {
        "Zgłoszone dziś", "Otwarte", "Czekają na przydział", "Bez odpowiedzi w terminie", "Po terminie",
        "Termin mija dziś",
    }  # fmt: skip
    for label, (count, href) in cards.items():
        assert href.startswith(LIST)
        assert len(listed(client.get(href))) == count, label
    figures = situation.ticket_situation()
    assert figures.past_response >= 1 and figures.overdue >= 1 and figures.due_today >= 1
    # Six reported today, one of them done; the one from three days ago still open.
    assert (figures.reported_today, figures.open) == (6, 6)
    board = {
        link.get_text(" ", strip=True).split(" ", 1)[1]: int(link.select_one(".hub-dashboard__value").text)
        for link in _panel(client).select(".hub-dashboard__counts a")
    }
    assert sum(board.values()) == figures.open
    for link in _panel(client).select(".hub-dashboard__counts a"):
        count = int(link.select_one(".hub-dashboard__value").text)
        assert len(listed(client.get(link["href"]))) == count


def test_the_panel_costs_the_same_queries_with_more_tickets(cast):
    client = login(cast.dispatcher)
    _a_day_of_tickets(cast)
    client.get("/admin/")  # the session's and the site's first reads
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/")
    for _ in range(3):
        _a_day_of_tickets(cast)
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/")
    assert len(many) == len(few)
    panel_queries = [q["sql"] for q in many.captured_queries if "tickets_ticket" in q["sql"]]
    # The figures of now, the week's clusters, the two months, the days and the categories
    # of the charts: one query each (test_dashboard_tickets.py counts them for the board).
    assert len(panel_queries) == 5, panel_queries


def test_the_figures_of_now_are_one_query(cast):
    _a_day_of_tickets(cast)
    with CaptureQueriesContext(connection) as queries:
        situation.ticket_situation()
    assert len(queries) == 1
