"""The situation centre's outage alerts panel on the admin's first page (issue 13): alerts
in force now and coming up (never expired, draft or plain news), their validity in local
time, the buildings they concern and who may read them, who sees the panel, and a number
of queries that does not grow with the alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.news.models import NewsPage
from cms.news.selectors import ALERTS_SHOWN, outage_alert_board
from operations.residents import services as residents
from operations.residents.roles import StaffRole
from tests.factories import content as f
from tests.factories.admin import staff_client
from tests.factories.residents import SuperUserFactory

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")


def _panel(client, name="outage-alerts"):
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser").find(
        "section", attrs={"aria-labelledby": f"hub-dashboard-{name}"}
    )


def _tables(panel) -> list[tuple[str, list[dict]]]:
    """Each list of the panel: its heading and its rows (column header -> cell text and link)."""
    found = []
    for heading in panel.find_all("h3"):
        table = heading.find_next_sibling()
        rows = []
        if table is not None and table.name == "div":
            columns = [th.get_text(strip=True) for th in table.select("thead th")]
            for row in table.select("tbody tr"):
                cells = row.find_all(["th", "td"])
                rows.append(
                    {
                        column: (cell.get_text(" ", strip=True), cell.a["href"] if cell.a else "")
                        for column, cell in zip(columns, cells, strict=True)
                    }
                )
        found.append((heading.get_text(strip=True), rows))
    return found


def _titles(rows) -> list[str]:
    return [row["Komunikat"][0] for row in rows]


def _local(moment: datetime) -> str:
    return moment.astimezone(WARSAW).strftime("%d.%m.%Y %H:%M")


@pytest.fixture
def editor():
    return staff_client(StaffRole.EDITOR)


def test_alerts_in_force_and_coming_up_are_listed_apart(editor, site_tree):
    in_force = f.make_alert(site_tree.news, title="Brak wody", hours_from=-2, hours_until=6)
    open_ended = f.make_alert(site_tree.news, title="Winda nieczynna", hours_from=-48, hours_until=24 * 30)
    coming = f.make_alert(site_tree.news, title="Przerwa w dostawie prądu", hours_from=24, hours_until=30)
    f.make_alert(site_tree.news, title="Stara awaria", hours_from=-48, hours_until=-24)
    f.make_news(site_tree.news, title="Walne zgromadzenie")  # an announcement, not an alert
    now = timezone.now()
    f.make_news(
        site_tree.news,
        title="Szkic awarii",
        live=False,
        kind=NewsPage.Kind.OUTAGE,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=1),
    )

    (current_heading, current), (coming_heading, upcoming) = _tables(_panel(editor))

    # Ending soonest first; an alert still to come is not in force yet.
    assert _titles(current) == ["Brak wody", "Winda nieczynna"]
    assert _titles(upcoming) == ["Przerwa w dostawie prądu"]
    assert current_heading == "2 komunikaty obowiązują teraz"
    assert coming_heading == "1 nadchodzący komunikat"
    # Each title opens the alert in the editor.
    assert [row["Komunikat"][1] for row in current] == [
        f"/admin/pages/{in_force.pk}/edit/",
        f"/admin/pages/{open_ended.pk}/edit/",
    ]
    assert upcoming[0]["Komunikat"][1] == f"/admin/pages/{coming.pk}/edit/"


def test_nothing_in_force_or_coming_says_so(editor, site_tree):
    f.make_alert(site_tree.news, title="Stara awaria", hours_from=-48, hours_until=-24)

    panel = _panel(editor)

    assert panel.find("h2").get_text(strip=True) == "Komunikaty o awariach"
    assert [heading for heading, _rows in _tables(panel)] == ["Obowiązują teraz", "Nadchodzące"]
    texts = [p.get_text(strip=True) for p in panel.find_all("p")]
    assert "Żaden komunikat o awarii nie obowiązuje teraz." in texts
    assert "Nie ma nadchodzących komunikatów o awarii." in texts
    assert not panel.find("table")


def test_validity_is_shown_in_warsaw_time(editor, site_tree):
    # Winter (UTC+1) at the start; the end and the next alert are whatever the clock gives.
    start = datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
    end = timezone.now() + timedelta(days=30)
    page = NewsPage(
        title="Remont pionu", slug="remont-pionu", kind=NewsPage.Kind.OUTAGE, valid_from=start, valid_until=end
    )
    f.publish(site_tree.news, page)
    late_evening = (timezone.now() + timedelta(days=3)).replace(hour=23, minute=30, second=0, microsecond=0)
    coming = NewsPage(title="Dezynsekcja", slug="dezynsekcja", kind=NewsPage.Kind.OUTAGE, valid_from=late_evening)
    f.publish(site_tree.news, coming)
    until_only = NewsPage(title="Ślisko", slug="slisko", kind=NewsPage.Kind.OUTAGE, valid_until=end)
    f.publish(site_tree.news, until_only)
    forever = NewsPage(title="Bez terminu", slug="bez-terminu", kind=NewsPage.Kind.OUTAGE)
    f.publish(site_tree.news, forever)

    (_h1, current), (_h2, upcoming) = _tables(_panel(editor))
    valid = {row["Komunikat"][0]: row["Obowiązuje"][0] for row in current + upcoming}

    assert valid["Remont pionu"] == f"15.01.2026 08:00 – {_local(end)}"
    # 23:30 UTC is half past midnight of the next day in Warsaw, summer or winter.
    assert valid["Dezynsekcja"] == f"od {_local(late_evening)} do odwołania"
    assert _local(late_evening).split(" ")[1] in {"00:30", "01:30"}
    assert valid["Ślisko"] == f"do {_local(end)}"
    assert valid["Bez terminu"] == "do odwołania"


def test_each_alert_says_whom_it_concerns_and_who_may_read_it(editor, site_tree, building_a, building_b):
    group_a = residents.audience_group(building=building_a)
    group_b = residents.audience_group(building=building_b)
    for_a = f.make_alert(site_tree.news, title="Brak wody w A", buildings=[building_a])
    f.restrict_page(for_a, groups=[group_a])
    for_both = f.make_alert(site_tree.news, title="Brak ciepła", buildings=[building_a, building_b])
    f.restrict_page(for_both, groups=[group_b, group_a])
    residents_only = f.make_alert(site_tree.news, title="Kontrola gazu")
    f.restrict_page(residents_only, login=True)
    f.make_alert(site_tree.news, title="Dla wszystkich")

    (_heading, current), _upcoming = _tables(_panel(editor))
    rows = {row["Komunikat"][0]: row for row in current}

    assert rows["Brak wody w A"]["Widoczny dla"][0] == group_a.name
    assert rows["Brak wody w A"]["Dotyczy budynków"][0] == str(building_a)
    assert rows["Brak ciepła"]["Widoczny dla"][0] == ", ".join(sorted([group_a.name, group_b.name]))
    assert rows["Brak ciepła"]["Dotyczy budynków"][0] == f"{building_a}, {building_b}"
    assert rows["Kontrola gazu"]["Widoczny dla"][0] == "zalogowani mieszkańcy"
    assert rows["Dla wszystkich"]["Widoczny dla"][0] == "wszyscy"
    assert rows["Dla wszystkich"]["Dotyczy budynków"][0] == "—"


def test_a_restriction_on_the_news_section_covers_its_alerts(site_tree, building_a):
    group_a = residents.audience_group(building=building_a)
    alert = f.make_alert(site_tree.news, title="Brak wody")
    f.restrict_page(site_tree.news, groups=[group_a])
    f.restrict_page(alert, login=True)

    readers = outage_alert_board().readers[alert.pk]

    assert readers.groups == ((group_a.name,),)
    assert readers.login and not readers.everyone


def test_a_long_list_is_cut_and_counted(editor, site_tree):
    for n in range(ALERTS_SHOWN + 2):
        f.make_alert(site_tree.news, title=f"Awaria {n}", hours_until=n + 1)

    (heading, current), _upcoming = _tables(_panel(editor))

    assert len(current) == ALERTS_SHOWN
    assert heading == f"{ALERTS_SHOWN + 2} komunikatów obowiązuje teraz (pokazano pierwsze {ALERTS_SHOWN})"


@pytest.mark.parametrize(
    "count, heading",
    [(1, "1 komunikat obowiązuje teraz"), (3, "3 komunikaty obowiązują teraz"), (5, "5 komunikatów obowiązuje teraz")],
)
def test_the_count_agrees_with_its_noun_in_polish(editor, site_tree, count, heading):
    for _n in range(count):
        f.make_alert(site_tree.news)

    assert _tables(_panel(editor))[0][0] == heading


@pytest.mark.parametrize("role", list(StaffRole))
def test_every_member_of_staff_sees_the_panel(site_tree, role):
    alert = f.make_alert(site_tree.news, title="Brak wody")
    client = staff_client(role)

    (_heading, current), _upcoming = _tables(_panel(client))

    assert _titles(current) == ["Brak wody"]
    # Only those who may edit the alert get a link to its editor.
    link = current[0]["Komunikat"][1]
    assert link == (f"/admin/pages/{alert.pk}/edit/" if role == StaffRole.EDITOR else "")


def test_a_superuser_sees_the_panel(site_tree):
    f.make_alert(site_tree.news, title="Brak wody")
    client = Client()
    client.force_login(SuperUserFactory())

    assert _titles(_tables(_panel(client))[0][1]) == ["Brak wody"]


def test_a_resident_gets_no_admin_at_all(site_tree, unit_a1, resident):
    f.make_alert(site_tree.news, title="Brak wody")
    client = Client()
    client.force_login(resident(unit_a1))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "Brak wody" not in client.get("/admin/", follow=True).content.decode()


def _alerts_for_every_building(site_tree, buildings, groups, n):
    for index in range(n):
        building, group = buildings[index % 2], groups[index % 2]
        current = f.make_alert(site_tree.news, buildings=[building])
        f.restrict_page(current, groups=[group])
        coming = f.make_alert(site_tree.news, hours_from=24 + index, hours_until=48, buildings=[building])
        f.restrict_page(coming, login=True)


def test_the_panel_costs_the_same_queries_with_more_alerts(editor, site_tree, building_a, building_b):
    buildings = [building_a, building_b]
    groups = [residents.audience_group(building=building) for building in buildings]
    _alerts_for_every_building(site_tree, buildings, groups, 1)
    editor.get("/admin/")  # the session's and the site's first reads
    with CaptureQueriesContext(connection) as few:
        editor.get("/admin/")
    _alerts_for_every_building(site_tree, buildings, groups, 6)
    with CaptureQueriesContext(connection) as many:
        editor.get("/admin/")

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    restriction_queries = [q["sql"] for q in many.captured_queries if "wagtailcore_pageviewrestriction" in q["sql"]]
    assert len(restriction_queries) == 2, restriction_queries  # the restrictions, then their groups
