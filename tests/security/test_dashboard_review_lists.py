"""Independent security review of the situation centre (issue 13), second part (the first
is `test_dashboard_review.py`): what it writes (escaping, numbers in the SVG), the lists
its numbers open (odd filter values, every number against its list for every role that
sees it), what the whole page costs, and time zones. Real requests to /admin/ and the
lists; the services' clock is set only to make tickets at a known moment.

Findings proven here:

- MEDIUM (fixed, operations/tickets/admin/forms.py): the tickets list read its
  "reported from/to" days in the viewer's own time zone (Wagtail's profile setting),
  while every figure of the situation centre counts whole days in the cooperative's
  zone (settings.TIME_ZONE); for a member of staff whose profile sets another zone, the
  per-day rows, the clusters and the month's cards linked to lists that were not what
  they counted (`test_a_number_and_its_list_agree_in_any_profile_time_zone`). The list
  now reads whole days in the cooperative's zone.
- LOW (fixed, same file): a date the database cannot store once made a moment (the
  tickets list's `created_at_from=0001-01-01` on SQLite; the statistics page's
  `date_to=9999-12-31` on both databases) was a 500; it is now a form error.
- LOW (fixed, operations/tickets/admin/views.py): the statistics page turned its dates
  into moments in the viewer's zone, so the month cards "share overdue" and "average
  resolution" opened a period shifted by the profile's offset for such a viewer; it now
  reads the cooperative's days (`test_the_statistics_period_is_the_cooperatives_days_in_any_profile_zone`).
- held: every text of the panels, the tables, the SVG's <title>, <desc> and <text> and
  the legends is escaped; coordinates are written with a dot in Polish; each number is
  the length of its list for every role that sees it; the page costs the same queries
  with few and many rows of every kind.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from wagtail.users.models import UserProfile

from cms.news.models import NewsPage
from operations.broadcasts.models import Broadcast
from operations.messaging.models import Delivery, Message
from operations.residents import services as residents
from operations.tickets.models import Ticket
from tests.factories import content as f
from tests.factories import tickets as tf
from tests.factories.broadcasts import make_broadcast
from tests.factories.residents import BuildingFactory, EstateFactory, MembershipFactory, SuperUserFactory, UnitFactory

pytestmark = pytest.mark.django_db

S = Ticket.Status
WARSAW = ZoneInfo("Europe/Warsaw")
LIST = "/admin/tickets/"
STATISTICS = "/admin/ticket-statistics/"
_serial = itertools.count(1)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def home(client) -> tuple[str, BeautifulSoup]:
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    html = response.content.decode()
    return html, BeautifulSoup(html, "html.parser")


def panels(page: BeautifulSoup) -> dict[str, object]:
    return {s["aria-labelledby"].removeprefix("hub-dashboard-"): s for s in page.select("section.hub-dashboard")}


def reported(moment: datetime, reporter, category, **stamps) -> Ticket:
    """A ticket reported at `moment` (the services' clock set to it), then given `stamps`."""
    ticket = tf.report_at(moment, reporter, category=category)
    if stamps:
        Ticket.objects.filter(pk=ticket.pk).update(**stamps)
    return ticket


def failed_broadcast(title: str, *states) -> Broadcast:
    made = make_broadcast(
        title=title,
        status=Broadcast.Status.SENT,
        queued_at=timezone.now(),
        finished_at=timezone.now() - timedelta(days=1),
    )
    for state in states:
        person = tf.UserFactory()
        message = Message.objects.create(
            recipient=person, kind=made.kind, broadcast=made, dedupe_key=f"b:{made.pk}", subject="x", body_text="x"
        )
        Delivery.objects.create(message=message, broadcast=made, channel="email", address=person.email, state=state)
    return made


# --- Escaping -----------------------------------------------------------------------------------

PAYLOADS = {
    "estate": 'Osiedle <script>alert("estate")</script>',
    "code": "<svg onload=x()>",
    "street": '"><svg onload=alert(1)>',
    "category": '</title><script>alert("cat")</script>',
    "alert": "<img src=x onerror=alert(3)> javascript:alert(4)",
    "group": "</desc><script>alert(5)</script>",
    "draft": "</text><script>alert(6)</script>",
}


@pytest.fixture
def hostile(cast, site_tree):
    """Names an administrator could type, each a payload, behind every panel and chart."""
    estate = EstateFactory(name=PAYLOADS["estate"], slug="wrogie")
    building = BuildingFactory(estate=estate, code=PAYLOADS["code"], street=PAYLOADS["street"], number="1")
    unit = UnitFactory(building=building, number="1")
    reporter = tf.resident(unit)
    category = tf.CategoryFactory(name=PAYLOADS["category"])
    now = timezone.now()
    for hours in (1, 2):
        reported(now - timedelta(hours=hours), reporter, category)
    reported(now - timedelta(days=2), reporter, category, status=S.DONE, done_at=now - timedelta(hours=3, minutes=30))
    alert = f.make_alert(site_tree.news, title=PAYLOADS["alert"], buildings=[building])
    f.restrict_page(alert, groups=[Group.objects.create(name=PAYLOADS["group"])])
    f.draft(site_tree.news, NewsPage(title=PAYLOADS["draft"], slug="wrogi-szkic"))
    return building


def test_every_name_is_escaped_in_cards_tables_and_charts(hostile):
    client = login(SuperUserFactory())
    html, page = home(client)
    shown = panels(page)
    for name, payload in PAYLOADS.items():
        assert payload not in html, name
    # Not vacuous: each was written, escaped, where it belongs (a name in a table, the
    # category in the SVG's <text>, <title> and <desc> too).
    for name in ("estate", "street", "category", "alert", "group"):
        assert escape(PAYLOADS[name]) in html, name
    # The category is text (never markup) in the SVG's <text>, a bar's <title>, the <desc>
    # and the table beside it.
    chart = shown["tickets-month"].find("figure", attrs={"data-chart": "tickets-resolution-by-category"})
    svg = chart.find("svg")
    assert PAYLOADS["category"] in [text.get_text() for text in svg.find_all("text")]
    assert PAYLOADS["category"] in svg.find("rect").title.get_text()
    assert PAYLOADS["category"] in svg.find("desc").get_text()
    assert PAYLOADS["category"] in chart.find("tbody").th.get_text()
    for section in shown.values():
        assert section.find("script") is None and section.find("img") is None
        assert not section.select("svg svg")
        for element in section.find_all(True):
            assert not [name for name in element.attrs if name.lower().startswith("on")], element.name
            for attribute in ("href", "src", "xlink:href"):
                assert not str(element.get(attribute, "")).strip().lower().startswith("javascript:")
    listed = client.get("/admin/editorial-pages/?state=unpublished").content.decode()
    assert PAYLOADS["draft"] not in listed and escape(PAYLOADS["draft"]) in listed


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def test_the_svg_coordinates_are_numbers_svg_reads_in_polish(cast):
    """Fractional bar lengths (a mean of 3 h 20 min against 50 h) and 30 days of columns,
    rendered in Polish, where Django would write 12,5."""
    now = timezone.now()
    for hours, done_after in ((5, timedelta(hours=3, minutes=20)), (30, timedelta(hours=50))):
        category = tf.CategoryFactory()
        ticket_at = now - timedelta(hours=hours) - done_after
        reported(ticket_at, cast.reporter, category, status=S.DONE, done_at=ticket_at + done_after)
    reported(now - timedelta(days=3), cast.reporter, cast.category)
    _html, page = home(login(SuperUserFactory()))
    svgs = panels(page)["tickets-month"].find_all("svg")
    assert len(svgs) == 2
    checked = 0
    for svg in svgs:
        assert re.fullmatch(r"0 0 \d+ \d+", svg["viewbox"])
        for element in svg.find_all(["rect", "line", "text"]):
            for name in ("x", "y", "x1", "x2", "y1", "y2", "width", "height"):
                if name in element.attrs:
                    assert NUMBER.match(element[name]), (element.name, name, element[name])
                    checked += 1
    assert checked > 40
    assert any("." in rect["width"] for rect in svgs[1].find_all("rect"))


# --- Odd filter values: a form error or an empty list, never a 500 --------------------------------

ODD = [
    f"{LIST}?created_at_from=0001-01-01",
    f"{LIST}?created_at_to=0001-01-01",
    f"{LIST}?created_at_from=9999-12-31&created_at_to=9999-12-31",
    f"{LIST}?created_at_from=99999-01-01",
    f"{LIST}?created_at_from=2026-02-30",
    f"{LIST}?created_at_from=2026-12-05&created_at_to=2026-01-01",
    f"{LIST}?rating=0",
    f"{LIST}?rating=6&rating=1",
    f"{LIST}?rating=1&rating=1",
    f"{LIST}?rating=" + "9" * 400,
    f"{LIST}?now=bogus",
    f"{LIST}?now=open&now=overdue",
    f"{LIST}?now=CONDITIONS",
    f"{LIST}?now=%00",
    f"{LIST}?building=99999999999999999999999999&category=-1",
    f"{LIST}?status=done&status=bogus",
    f"{STATISTICS}?date_from=0001-01-01&date_to=0001-01-02",
    f"{STATISTICS}?date_from=9999-12-30&date_to=9999-12-31",
    f"{STATISTICS}?date_to=9999-12-31",
    f"{STATISTICS}?date_from=2026-12-05&date_to=2026-01-01",
    "/admin/unit/?resident_account=bogus",
    "/admin/unit/?resident_account=with&resident_account=without",
    "/admin/unit/?resident_account=WITH",
    "/admin/unit/?building=99999999999999999999999999",
    "/admin/broadcasts/?now=bogus",
    "/admin/broadcasts/?now=sending&now=partly_failed",
    "/admin/broadcasts/?now=SITUATION",
    "/admin/editorial-pages/?state=bogus&ordering=-approved_go_live_at",
    "/admin/editorial-pages/?state=scheduled&state=unpublished&q=%3Cscript%3E",
    "/admin/verification/?status=bogus",
]


@pytest.mark.parametrize("url", ODD)
def test_an_odd_filter_value_is_a_form_error_or_an_empty_list(cast, url):
    client = login(SuperUserFactory())
    response = client.get(url)
    assert response.status_code == 200, url


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"{LIST}?created_at_from=0001-01-01", "created_at"),
        (f"{LIST}?created_at_to=9999-12-31", "created_at"),
        (f"{STATISTICS}?date_from=0001-01-01", "date_from"),
        (f"{STATISTICS}?date_to=9999-12-31", "date_to"),
    ],
)
def test_a_day_that_cannot_be_stored_is_said_to_be_wrong(cast, url, field):
    response = login(SuperUserFactory()).get(url)
    assert response.status_code == 200
    form = response.context["form"] if url.startswith(STATISTICS) else response.context["filters"].form
    assert field in form.errors


# --- Every number is the length of its list, for every role that sees it ----------------------------

PART_OF = re.compile(r"(\d+) z (\d+)")


def _count(client, href) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    paginator = response.context.get("paginator")
    return paginator.count if paginator is not None else len(response.context["object_list"])


def numbers_and_lists(section) -> list[tuple[int, str]]:
    """Each number the panel shows with the list it links to (not the statistics page,
    which is not a list)."""
    pairs = []
    for link in section.select(".hub-dashboard__cards a, .hub-dashboard__counts a"):
        value = link.select_one(".hub-dashboard__value").get_text(strip=True)
        if value.isdigit():
            pairs.append((int(value), link["href"]))
    for table in section.select("table"):
        in_chart = table.find_parent("figure") is not None
        for row in table.select("tbody tr"):
            cells = row.find_all(["th", "td"])
            texts = [cell.get_text(" ", strip=True) for cell in cells]
            for index, cell in enumerate(cells):
                if cell.a is None:
                    continue
                href, text = cell.a["href"], texts[index]
                if in_chart:  # the row's label links; its count is the last column
                    pairs.append((int(texts[-1].replace("\xa0", "").replace(" ", "")), href))
                elif text.isdigit():
                    pairs.append((int(text), href))
                elif match := PART_OF.search(text):  # "30% (3 z 10 lokali)": the units with an account
                    pairs.append((int(match.group(1)), href))
                else:  # a building's name (or the total) opens all its units: "z N lokali"
                    whole = [PART_OF.search(t) for t in texts if PART_OF.search(t) and "lokal" in t]
                    pairs.append((int(whole[0].group(2)), href))
    return [(value, href) for value, href in pairs if not href.startswith(STATISTICS)]


@pytest.fixture
def busy(cast, site_tree):
    """Tickets of this week and month in every state the panels count, two categories in
    both buildings (clusters), ratings, pending and verified requests, broadcasts that
    failed and partly failed, drafts and scheduled pages."""
    now = timezone.now()
    water, power = tf.CategoryFactory(name="Woda"), tf.CategoryFactory(name="Prąd")
    for hours in (1, 3, 30, 100):
        reported(now - timedelta(hours=hours), cast.reporter, water)
    for hours in (2, 50):
        reported(now - timedelta(hours=hours), cast.stranger, power)
    reported(now - timedelta(days=3), cast.reporter, water, status=S.CLOSED, done_at=now, closed_at=now, rating=5)
    reported(now - timedelta(days=4), cast.stranger, power, status=S.CLOSED, done_at=now, closed_at=now, rating=2)
    reported(now - timedelta(days=5), cast.reporter, power, status=S.REJECTED, closed_at=now)
    reported(now - timedelta(days=6), cast.reporter, water, overdue_at=now - timedelta(hours=1))
    reported(now - timedelta(days=20), cast.stranger, water, status=S.DONE, done_at=now)
    MembershipFactory(unit=cast.other_unit)
    MembershipFactory(unit=cast.unit)
    failed_broadcast("Nieudana", Delivery.State.FAILED)
    failed_broadcast("Częściowo", Delivery.State.FAILED, Delivery.State.SENT)
    f.draft(site_tree.news, NewsPage(title="Szkic", slug=f"szkic-{next(_serial)}"))
    f.schedule(site_tree.news, NewsPage(title="Jutro", slug=f"jutro-{next(_serial)}"), now + timedelta(days=1))


@pytest.mark.parametrize("name", ["dispatcher", "administrator", "board", "editor", "accountant", "superuser"])
def test_each_number_is_the_length_of_its_list_for_each_role(cast, busy, name):
    if name in {"dispatcher", "administrator", "board"}:
        user = tf.fresh(getattr(cast, name))
    elif name == "superuser":
        user = SuperUserFactory()
    else:
        user = tf.staff(name, username=f"{name}{next(_serial)}")
    client = login(user)
    _html, page = home(client)
    checked = 0
    for panel, section in panels(page).items():
        for value, href in numbers_and_lists(section):
            assert _count(client, href) == value, (name, panel, href)
            checked += 1
    assert checked >= {"editor": 7, "accountant": 6}.get(name, 50)


# --- The whole page costs the same with few and many rows ----------------------------------------


def _more_of_everything(cast, site_tree, n: int) -> None:
    """`n` more of every kind of row a panel reads."""
    now = timezone.now()
    estate = EstateFactory()
    for _ in range(n):
        building = BuildingFactory(estate=estate)
        units = [UnitFactory(building=building) for _ in range(2)]
        person = tf.resident(units[0])
        MembershipFactory(unit=units[1])  # pending
        category = tf.CategoryFactory()
        for hours in (1, 2):
            reported(now - timedelta(hours=hours), person, category)
        reported(now - timedelta(days=2), person, category, status=S.CLOSED, done_at=now, closed_at=now, rating=3)
        failed_broadcast(f"Rozsyłka {next(_serial)}", Delivery.State.FAILED, Delivery.State.SENT)
        make_broadcast(title="W trakcie", status=Broadcast.Status.SENDING)
        for hours_from in (-1, 24):
            alert = f.make_alert(site_tree.news, hours_from=hours_from, buildings=[building])
            f.restrict_page(alert, groups=[residents.audience_group(building=building)])
        f.draft(site_tree.news, NewsPage(title="Szkic", slug=f"szkic-{next(_serial)}"))
        f.schedule(site_tree.news, NewsPage(title="Jutro", slug=f"jutro-{next(_serial)}"), now + timedelta(days=1))


@pytest.mark.parametrize("name", ["superuser", "administrator", "editor"])
def test_the_first_page_costs_the_same_queries_with_few_and_many_rows(cast, site_tree, name):
    if name == "superuser":
        user = SuperUserFactory()
    elif name == "administrator":
        user = tf.fresh(cast.administrator)
    else:
        user = tf.staff("editor", username=f"editor{next(_serial)}")
    client = login(user)
    _more_of_everything(cast, site_tree, 1)
    client.get("/admin/")  # Wagtail's own first visit (the user's profile) is not the panels'
    few = _queries(client)
    _more_of_everything(cast, site_tree, 6)
    many = _queries(client)
    assert many == few, (name, few, many)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert "outage-alerts" in panels(BeautifulSoup(response.content, "html.parser"))
    return len(captured.captured_queries)


# --- Time zones: a number and its list agree whatever the viewer's profile says ----------------------


def _in_zone(user, zone: str):
    profile = UserProfile.get_for_user(user)
    profile.current_time_zone = zone
    profile.save()
    return user


def _warsaw_midnight(days_ago: int) -> datetime:
    today = timezone.localtime(timezone.now(), WARSAW).date()
    return datetime.combine(today - timedelta(days=days_ago), time.min, tzinfo=WARSAW)


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo", "Europe/Warsaw"])
def test_a_number_and_its_list_agree_in_any_profile_time_zone(cast, zone):
    """Tickets just after and just before a Warsaw midnight, four and six days ago: in New
    York that is the evening before, in Tokyo the morning after. The dashboard counts
    Warsaw days; the lists it links to must list those same tickets."""
    water = tf.CategoryFactory(name="Woda")
    for days_ago in (4, 6):
        midnight = _warsaw_midnight(days_ago)
        for moment in (midnight + timedelta(minutes=30), midnight - timedelta(minutes=30)):
            for _ in range(2):  # two each: a cluster of the week too
                reported(moment, cast.reporter, water)
    client = login(_in_zone(tf.fresh(cast.dispatcher), zone))
    _html, page = home(client)
    shown = panels(page)
    checked = 0
    for panel in ("tickets", "tickets-month"):
        for value, href in numbers_and_lists(shown[panel]):
            if "created_at" in href:
                assert _count(client, href) == value, (zone, href)
                checked += 1
    assert checked >= 30  # 30 days, the month's cards, the cluster


def test_the_statistics_period_is_the_cooperatives_days_in_any_profile_zone(cast):
    water = tf.CategoryFactory(name="Woda")
    midnight = _warsaw_midnight(4)
    reported(midnight + timedelta(minutes=30), cast.reporter, water)
    day = (midnight + timedelta(hours=12)).date().isoformat()
    client = login(_in_zone(tf.fresh(cast.dispatcher), "America/New_York"))
    response = client.get(f"{STATISTICS}?date_from={day}&date_to={day}")
    assert response.status_code == 200
    assert response.context["stats"].period.reported == _count(
        client, f"{LIST}?created_at_from={day}&created_at_to={day}"
    )
