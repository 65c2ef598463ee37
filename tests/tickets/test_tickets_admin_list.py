"""The tickets admin's list, driven through the test client as real role holders: its
filters, search and sorting, the CSV of the filtered list, the statistics that link back
to it, and query counts that do not grow with the number of tickets."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.text import capfirst

from operations.tickets import services
from operations.tickets.admin.forms import person_label
from operations.tickets.admin.views import ticket_url
from operations.tickets.models import Ticket
from tests.factories import tickets as tf
from tests.factories.residents import BuildingFactory, UnitFactory
from tests.tickets.admin_kit import (
    LIST,
    STATISTICS,
    S,
    in_polish,
    listed,
    login,
    report,
)

pytestmark = pytest.mark.django_db


# --- The list: filters, search, sorting -------------------------------------------------------------


@pytest.fixture
def tickets(cast):
    """Five tickets that each filter tells apart."""
    klonowa = BuildingFactory(estate=cast.building.estate, code="K1", street="ul. Klonowa", number="7")
    klonowa_resident = tf.resident(UnitFactory(building=klonowa, number="5"))
    plumbing = tf.CategoryFactory(name="Przecieki (test)")
    lift = tf.CategoryFactory(name="Windy (test)")
    long_ago = timezone.now() - timedelta(days=20)
    made = {
        # Reported 20 days ago with a 48-hour deadline: overdue.
        "old_leak": tf.report_at(long_ago, cast.reporter, unit=cast.unit, category=plumbing, title="Stary wyciek"),
        "phone": tf.report(
            cast.reporter,
            unit=cast.unit,
            category=lift,
            title="Winda stoi",
            source=Ticket.Source.PHONE,
            recorded_by=cast.dispatcher,
        ),
        "stairs": tf.report(
            cast.reporter, building=cast.building, category=lift, title="Lampa na klatce", description="Ciemno."
        ),
        "other_building": tf.report(cast.stranger, category=plumbing, title="Kapie w B"),
        "klonowa": tf.report(klonowa_resident, category=plumbing, title="Zimne kaloryfery"),
    }
    services.ticket_assign(ticket=made["phone"], actor=cast.dispatcher, contractor=cast.firm, worker=cast.firm_worker)
    services.ticket_assign(ticket=made["other_building"], actor=cast.dispatcher, contractor=cast.other_firm)
    services.ticket_transition(ticket=made["stairs"], actor=cast.dispatcher, to_status=S.ACCEPTED)
    made.update(plumbing=plumbing, lift=lift, klonowa_building=klonowa)
    return made


def test_the_list_is_newest_first_with_its_columns(cast, tickets):
    response = login(cast.dispatcher).get(LIST)
    assert response.status_code == 200
    newest_first = [tickets[name].pk for name in ("klonowa", "other_building", "stairs", "phone", "old_leak")]
    assert listed(response) == newest_first
    soup = BeautifulSoup(response.content.decode(), "html.parser")

    def row(name: str) -> list[str]:
        link = soup.find("a", href=ticket_url("inspect", tickets[name]))
        return [cell.get_text(" ", strip=True) for cell in link.find_parent("tr").find_all("td")]

    phone = tickets["phone"]
    reference, title, category, place, status, contractor, worker, reported, deadline, overdue = row("phone")
    assert phone.reference in reference
    assert (title, category, place) == ("Winda stoi", "Windy (test)", f"{cast.building.code}/{cast.unit.number}")
    assert (contractor, worker) == (cast.firm.title, person_label(cast.firm_worker))
    assert status == str(S.ASSIGNED.label) or status == in_polish(S.ASSIGNED.label)
    assert reported == timezone.localtime(phone.created_at).strftime("%d.%m.%Y %H:%M")
    assert deadline == timezone.localtime(phone.due_at).strftime("%d.%m.%Y %H:%M")
    assert overdue == ""
    assert row("stairs")[3] == f"{cast.building.code}, część wspólna"  # Polish is the default language
    assert row("old_leak")[9] == "po terminie"  # Polish is the default language


FILTERS = [
    ({"status": [S.ASSIGNED]}, {"phone", "other_building"}),
    ({"status": [S.NEW, S.ACCEPTED]}, {"old_leak", "stairs", "klonowa"}),
    ({"category": "@lift"}, {"phone", "stairs"}),
    ({"building": "@klonowa_building"}, {"klonowa"}),
    ({"street": "ul. Klonowa"}, {"klonowa"}),
    ({"street": "ul. Lipowa"}, {"old_leak", "phone", "stairs", "other_building"}),
    ({"contractor": "@firm"}, {"phone"}),
    ({"contractor": "@other_firm"}, {"other_building"}),
    ({"worker": "@firm_worker"}, {"phone"}),
    ({"overdue": "yes"}, {"old_leak"}),
    ({"overdue": "no"}, {"phone", "stairs", "other_building", "klonowa"}),
    ({"source": Ticket.Source.PHONE}, {"phone"}),
    ({"source": Ticket.Source.PORTAL}, {"old_leak", "stairs", "other_building", "klonowa"}),
    ({"created_at_to": "days_ago:10"}, {"old_leak"}),
    ({"created_at_from": "days_ago:10"}, {"phone", "stairs", "other_building", "klonowa"}),
    ({"created_at_from": "days_ago:21", "created_at_to": "days_ago:19"}, {"old_leak"}),
    ({"status": [S.ASSIGNED], "category": "@plumbing"}, {"other_building"}),
]


def _filter_value(value, cast, tickets):
    if isinstance(value, list):
        return value
    if value.startswith("days_ago:"):
        return (timezone.localdate() - timedelta(days=int(value.split(":")[1]))).isoformat()
    if value.startswith("@"):  # a ticket, category, building, firm or person by name
        name = value[1:]
        return (tickets[name] if name in tickets else getattr(cast, name)).pk
    return value


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[str(query) for query, _ in FILTERS])
def test_each_filter_narrows_the_list(cast, tickets, query, expected):
    params = {name: _filter_value(value, cast, tickets) for name, value in query.items()}
    response = login(cast.dispatcher).get(LIST, params)
    assert response.status_code == 200
    assert set(listed(response)) == {tickets[name].pk for name in expected}


def test_search_by_words_and_by_the_reference_residents_quote(cast, tickets):
    client = login(cast.dispatcher)
    assert set(listed(client.get(LIST, {"q": "winda"}))) == {tickets["phone"].pk}
    assert set(listed(client.get(LIST, {"q": "ciemno"}))) == {tickets["stairs"].pk}  # the description
    klonowa = tickets["klonowa"]
    for query in (klonowa.reference, klonowa.reference.lower(), f"  {klonowa.pk} "):
        assert klonowa.pk in listed(client.get(LIST, {"q": query})), query
    assert listed(client.get(LIST, {"q": klonowa.reference})) == [klonowa.pk]
    # The results view the filters refresh in the browser answers the same way.
    results = client.get(f"{LIST}results/", {"q": "winda"})
    assert results.status_code == 200 and set(listed(results)) == {tickets["phone"].pk}


def test_sorting_by_deadline(cast, tickets):
    client = login(cast.dispatcher)
    Ticket.objects.filter(pk=tickets["klonowa"].pk).update(due_at=timezone.now() + timedelta(days=30))
    by_deadline = listed(client.get(LIST, {"ordering": "due_at"}))
    deadlines = list(Ticket.objects.filter(pk__in=by_deadline).order_by("due_at", "-pk").values_list("pk", flat=True))
    assert by_deadline == deadlines
    assert by_deadline[0] == tickets["old_leak"].pk and by_deadline[-1] == tickets["klonowa"].pk
    latest_first = listed(client.get(LIST, {"ordering": "-due_at"}))
    assert latest_first[0] == tickets["klonowa"].pk and latest_first[-1] == tickets["old_leak"].pk


def test_list_queries_do_not_grow_with_the_number_of_tickets(cast):
    client = login(cast.dispatcher)
    firm_worker = cast.firm_worker

    def make(n):
        for i in range(n):
            ticket = report(cast, title=f"Usterka {i}")
            if i % 2:
                services.ticket_assign(ticket=ticket, actor=cast.dispatcher, contractor=cast.firm, worker=firm_worker)

    make(3)
    client.get(LIST)  # warm caches (site, permissions)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get(LIST))) == 3
    with CaptureQueriesContext(connection) as few_csv:
        b"".join(client.get(LIST, {"export": "csv"}).streaming_content)
    make(27)
    with CaptureQueriesContext(connection) as many:
        assert len(listed(client.get(LIST))) == 30
    with CaptureQueriesContext(connection) as many_csv:
        b"".join(client.get(LIST, {"export": "csv"}).streaming_content)
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
    assert len(many_csv.captured_queries) == len(few_csv.captured_queries)
    print(f"ticket list: {len(few.captured_queries)} queries; CSV: {len(few_csv.captured_queries)} queries")


# --- CSV ---------------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_the_filtered_list_with_local_dates_and_no_formulas(cast, tickets):
    evil = tf.report(
        cast.reporter,
        unit=cast.unit,
        category=tickets["plumbing"],
        title='=HYPERLINK("http://zly.example","Kliknij")',
        location="+48 600 100 200",
    )
    response = login(cast.dispatcher).get(LIST, {"export": "csv", "category": tickets["plumbing"].pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    header, *body = csv_rows(response)
    assert len(header) == 16
    with translation.override("pl"):  # headers in the viewer's language, though the rows stream later
        assert header[1] == str(capfirst(Ticket._meta.get_field("title").verbose_name))
    by_reference = {row[0]: row for row in body}
    expected = {evil, tickets["old_leak"], tickets["other_building"], tickets["klonowa"]}
    assert set(by_reference) == {ticket.reference for ticket in expected}
    evil_row = by_reference[evil.reference]
    assert evil_row[1] == '\'=HYPERLINK("http://zly.example","Kliknij")'
    assert evil_row[6] == "'+48 600 100 200"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)
    old = tickets["old_leak"]
    old_row = by_reference[old.reference]
    assert old_row[11] == timezone.localtime(old.created_at).strftime("%d.%m.%Y %H:%M")
    assert old_row[12] == timezone.localtime(old.due_at).strftime("%d.%m.%Y %H:%M")
    assert old_row[5] == f"{cast.building.code}/{cast.unit.number}"
    assert old_row[13] and not evil_row[13]  # overdue
    assigned = by_reference[tickets["other_building"].reference]
    assert assigned[9] == cast.other_firm.title
    # No contact details leave the system in the file.
    text = "\n".join(";".join(row) for row in body)
    assert cast.reporter.email not in text


def test_csv_follows_the_search_and_status_filter(cast, tickets):
    client = login(cast.dispatcher)
    _header, *rows = csv_rows(client.get(LIST, {"export": "csv", "q": "winda"}))
    assert [row[0] for row in rows] == [tickets["phone"].reference]
    _header, *rows = csv_rows(client.get(LIST, {"export": "csv", "status": [S.ASSIGNED]}))
    assert {row[0] for row in rows} == {tickets["phone"].reference, tickets["other_building"].reference}
    # The list offers the download of what it shows; no other format.
    page = client.get(LIST, {"status": [S.ASSIGNED], "q": "winda"})
    assert f"{LIST}?status=assigned&amp;q=winda&amp;export=csv" in page.content.decode()
    xlsx = client.get(LIST, {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("text/html")


# --- Statistics ---------------------------------------------------------------------------------------


def test_statistics_count_the_period_and_link_to_the_list(cast, tickets):
    response = login(cast.board).get(STATISTICS)
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.period.reported == 5 and stats.period.handed_to_contractors == 2
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    categories = {row.find("th").get_text(strip=True) for row in soup.select("[data-breakdown=category] tbody tr")}
    assert categories == {"Przecieki (test)", "Windy (test)"}
    links = [a["href"] for a in soup.select("[data-breakdown=category] tbody a")]
    assert all(link.startswith(LIST + "?") for link in links)
    clusters = [
        [cell.get_text(strip=True) for cell in row.find_all("td")] for row in soup.select("[data-clusters] tbody tr")
    ]
    assert clusters == [[str(cast.building), "Windy (test)", "2"]]  # the lift and the stairwell lamp

    last_week = {
        "date_from": (timezone.localdate() - timedelta(days=7)).isoformat(),
        "date_to": timezone.localdate().isoformat(),
    }
    assert login(cast.dispatcher).get(STATISTICS, last_week).context["stats"].period.reported == 4
    everything = login(cast.dispatcher).get(STATISTICS, {"date_from": "", "date_to": ""})
    assert everything.context["stats"].period.reported == 5
    backwards = login(cast.dispatcher).get(STATISTICS, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert backwards.status_code == 200 and "stats" not in backwards.context and backwards.context["form"].errors
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = login(cast.dispatcher).get(STATISTICS, {"date_from": tomorrow, "date_to": ""})
    assert future.status_code == 200 and future.context["form"].errors
