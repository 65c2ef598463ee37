"""The situation centre, the admin's first page (issue 13), in a real browser on the demo
data, for every staff role of the demo: at 1440x900 and 390x844 (and 360x780 for the
superuser, who sees every panel) each person meets the panels their role should see and
none of the others; nothing sticks out sideways (a table wider than the screen sits in a
box of its own that scrolls to its last column, the page itself never scrolls
sideways); every request the page makes goes to the hub (no Gravatar, CDN or fonts from
elsewhere); the charts are inline SVG named by a title; a figure opens the list of
exactly what it counts (the number on the card is the number of rows); axe finds no
serious violation. A resident or a firm's worker who tries the admin gets none of it.

Axe runs on the whole page (Wagtail's own markup included): it had nothing serious to say
when this was written, so it is not narrowed to our panels.

One browser context per person: signed in once, the page is looked at on a desk, then on
a phone (the viewport changes, the session stays). Screenshots land in
test-artifacts/admin/ (`dashboard-<person>-<width>.png`).

Who sees what is the panels' own rule (their modules' docstrings): tickets now and this
month for those who read tickets and their statistics (dispatchers, administrators, the
board), outage alerts and adoption for all staff, editors' work for those who edit pages,
verifications for those who decide them (administrators), broadcasts for those who send
them (editors, dispatchers, administrators). The demo's "admin" is a superuser.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from tests.browser.admin_layout import CUT_OFF
from tests.browser.conftest import DEMO_PASSWORD, ROOT, no_serious_violations, sign_in, staff_page

SCREENSHOTS = ROOT / "test-artifacts" / "admin"
DESK, PHONE, SMALL_PHONE = (1440, 900), (390, 844), (360, 780)

# The panels by their headings (the section's `hub-dashboard-<name>`), in Polish.
TITLES = {
    "verification": "Mieszkańcy czekający na weryfikację",
    "tickets": "Zgłoszenia teraz",
    "tickets-month": "Zgłoszenia w tym miesiącu",
    "outage-alerts": "Komunikaty o awariach",
    "broadcasts": "Rozsyłki",
    "editorial": "Praca redakcji",
    "adoption": "Korzystanie z portalu i aplikacji",
    "billing": "Rozliczenia",
    "surveys": "Ankiety i głosowania",
}
EVERY_PANEL = set(TITLES)
SEES = {
    "admin": EVERY_PANEL,
    "editor": {"outage-alerts", "broadcasts", "editorial", "adoption"},
    "dispatcher": {"tickets", "tickets-month", "outage-alerts", "broadcasts", "adoption"},
    "administrator": EVERY_PANEL - {"editorial", "billing"},
    "accountant": {"outage-alerts", "adoption", "billing"},
    "board": {"tickets", "tickets-month", "outage-alerts", "adoption", "billing", "surveys"},
}
# Who may open the units list (residents.view_unit): the adoption table links to it.
READS_UNITS = {"admin", "dispatcher", "administrator", "accountant", "board"}

CHART_TABLES = "() => document.querySelectorAll('section.hub-dashboard details').forEach((d) => {{ d.open = {}; }})"
OPEN_CHART_TABLES, CLOSE_CHART_TABLES = CHART_TABLES.format("true"), CHART_TABLES.format("false")


def screenshot(page, name: str) -> None:
    """The whole page: Wagtail scrolls <main>, not the document, so the viewport is
    stretched to <main>'s height for the picture."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("Math.max(document.querySelector('main').scrollHeight, window.innerHeight)")
    page.set_viewport_size({"width": viewport["width"], "height": min(height, 12000)})
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport['width']}.png"))
    finally:
        page.set_viewport_size(viewport)


def panel(page, name: str):
    return page.locator(f"section.hub-dashboard[aria-labelledby='hub-dashboard-{name}']")


# --- What each person sees ----------------------------------------------------------------------


def assert_panels(page, username: str) -> None:
    seen = SEES[username]
    for name, title in TITLES.items():
        heading = page.get_by_role("heading", level=2, name=title, exact=True)
        if name in seen:
            expect(heading).to_have_count(1)
            expect(heading).to_be_visible()
            expect(panel(page, name)).to_have_count(1)
        else:
            expect(heading).to_have_count(0)
            expect(panel(page, name)).to_have_count(0)
    assert page.locator("section.hub-dashboard").count() == len(seen)


def assert_nothing_cut_off(page, where: str) -> None:
    """As the page is, then with every chart's table unfolded (they scroll too)."""
    problems = page.evaluate(CUT_OFF, {"main": True})
    page.evaluate(OPEN_CHART_TABLES)
    problems += [f"(tables unfolded) {problem}" for problem in page.evaluate(CUT_OFF, {"main": True})]
    page.evaluate(CLOSE_CHART_TABLES)
    assert not problems, f"{where}: " + "\n".join(problems)


def assert_charts(page, username: str, width: int) -> None:
    """The month's two charts are inline SVG (nothing fetched, no canvas, no image), each
    an image named by its own <title> (the heading above it) and described by its <desc>,
    as wide as their box and no wider than the screen."""
    embedded = page.locator(
        "section.hub-dashboard :is(img, object, iframe, embed, canvas), section.hub-dashboard svg image"
    )
    expect(embedded).to_have_count(0)
    charts = page.locator("section.hub-dashboard figure.hub-chart > svg")
    if "tickets-month" not in SEES[username]:
        expect(charts).to_have_count(0)
        return
    expect(charts).to_have_count(2)
    for chart in charts.all():
        facts = chart.evaluate(
            """(svg) => {
                const title = svg.querySelector(':scope > title');
                const desc = svg.querySelector(':scope > desc');
                const heading = document.getElementById(svg.closest('figure').dataset.chart
                    ? 'hub-chart-' + svg.closest('figure').dataset.chart + '-heading' : '');
                const box = svg.getBoundingClientRect();
                return {
                    inline: svg.namespaceURI === 'http://www.w3.org/2000/svg' && !svg.hasAttribute('src'),
                    role: svg.getAttribute('role'),
                    labelledby: svg.getAttribute('aria-labelledby'),
                    describedby: svg.getAttribute('aria-describedby'),
                    titleId: title && title.id, title: title && title.textContent.trim(),
                    descId: desc && desc.id, desc: desc && desc.textContent.trim(),
                    heading: heading && heading.textContent.trim(),
                    marks: svg.querySelectorAll('rect').length,
                    width: box.width, height: box.height, right: box.right,
                    boxWidth: svg.parentElement.getBoundingClientRect().width,
                };
            }"""
        )
        assert facts["inline"] and facts["role"] == "img", facts
        assert facts["title"] and facts["labelledby"] == facts["titleId"], facts
        assert facts["title"] == facts["heading"], facts
        assert facts["desc"] and facts["describedby"] == facts["descId"], facts
        assert facts["marks"] > 0, facts  # the demo has tickets in these 30 days, some done
        assert facts["height"] > 50 and 100 < facts["width"] <= facts["boxWidth"] + 1, facts
        assert facts["right"] <= width + 1, facts


# --- A number and its list ---------------------------------------------------------------------

# Every number of the page that links somewhere, with what it claims the list holds, read
# from the page in one go: (panel, what it is, href, the number). A card's value, a count
# by status, a cluster, a day of the chart's table, the number of ratings under the mean,
# the units with an account and all units of the adoption's total row. Shares, means and
# durations link to the statistics, not to a list: they are left out.
NUMBERS = r"""() => {
    const whole = (text) => {
        const digits = (text || '').replace(/[\s\u00a0]/g, '');
        return /^\d+$/.test(digits) ? Number(digits) : null;
    };
    const found = [];
    const add = (panel, what, link, value) => {
        const href = link && link.getAttribute('href');
        if (href && value !== null) found.push([panel, what, href, value]);
    };
    for (const section of document.querySelectorAll('section.hub-dashboard')) {
        const panel = section.getAttribute('aria-labelledby').replace('hub-dashboard-', '');
        for (const card of section.querySelectorAll('.hub-dashboard__cards a')) {
            const label = card.querySelector('.hub-dashboard__label').textContent.trim();
            add(panel, 'card ' + label, card, whole(card.querySelector('.hub-dashboard__value').textContent));
            const ratings = label.match(/\((\d+) ocen/);
            if (ratings) add(panel, 'ratings ' + label, card, Number(ratings[1]));
        }
        for (const count of section.querySelectorAll('.hub-dashboard__counts a')) {
            const value = whole(count.querySelector('.hub-dashboard__value').textContent);
            add(panel, 'count ' + count.textContent.trim(), count, value);
        }
        for (const cell of section.querySelectorAll(':scope > .hub-scroll td.hub-dashboard__number a')) {
            const row = cell.closest('tr').textContent.trim().replace(/\s+/g, ' ');
            add(panel, 'cell ' + row, cell, whole(cell.textContent));
        }
        for (const row of section.querySelectorAll("figure[data-chart='tickets-per-day'] tbody tr")) {
            add(panel, 'day ' + row.querySelector('th').textContent.trim(), row.querySelector('th a'),
                whole(row.querySelector('td:last-child').textContent));
        }
        if (panel === 'adoption') {
            const total = [...section.querySelectorAll('tbody tr')].pop();
            const share = total && total.querySelectorAll('td')[1];
            const counted = share && share.textContent.match(/\((\d+) z (\d+)/);
            if (counted) {
                add(panel, 'units with an account', share.querySelector('a'), Number(counted[1]));
                add(panel, 'all units', total.querySelector('th a'), Number(counted[2]));
            }
        }
    }
    return found;
}"""


def numbers(page) -> list[tuple[str, str, str, int]]:
    return [tuple(found) for found in page.evaluate(NUMBERS)]


def rows_listed(page) -> int:
    """The rows of the list on the page, over all its pages (following "next")."""
    expect(page.locator("#listing-results")).to_have_count(1)
    total = 0
    while True:
        total += page.locator("#listing-results table tbody tr").count()
        following = page.locator("nav.pagination li.next a[href]")
        if not following.count():
            return total
        following.first.click()
        page.wait_for_load_state()


def listed(page, href: str) -> tuple[int, int | None]:
    """The rows of the list at `href` over all its pages, fetched with the page's session
    (no rendering), and the number the list says it found ("Jest 9 dopasowań"), if it says."""
    url, total, said = href, 0, None
    while url:
        response = page.request.get(url)
        assert response.ok, (href, response.status)
        soup = BeautifulSoup(response.text(), "html.parser")
        results = soup.select_one("#listing-results")
        assert results is not None, f"{href} is not a list"
        total += len(results.select("table tbody tr"))
        match = re.search(r"(?:Jest|Są) (\d+) dopasowa", results.get_text(" "))
        said = said if said is not None else (int(match.group(1)) if match else None)
        following = soup.select_one("nav.pagination li.next a[href]")
        url = urljoin(response.url, following["href"]) if following else None
    return total, said


def click_to_list(page, what: str, href: str, value: int) -> None:
    """Click the link on the first page and count the rows of the list it opens."""
    page.goto("/admin/")
    page.evaluate(OPEN_CHART_TABLES)  # a day's link sits in the chart's table
    link = page.locator(f"section.hub-dashboard a[href='{href}']").first
    with page.expect_navigation():
        link.click()
    assert page.url.split("?")[0].endswith(href.split("?")[0]), (what, href, page.url)
    assert rows_listed(page) == value, f"{what}: the page says {value}, the list it opens has another length"


def chosen_numbers(found: list, *, every: bool) -> list:
    """All the numbers (`every`), or the first of each kind (card, count, cell, day,
    ratings, units) of each panel, the first that is not zero if there is one. Of the
    chart's thirty days, three busy ones at most."""
    chosen: dict = {}
    days = 0
    for name, what, href, value in found:
        kind = (name, what.split(" ", 1)[0])
        if kind == ("tickets-month", "day"):
            if not value or days == 3:
                continue
            days += 1
        key = (kind, what, href) if every else kind
        if key not in chosen or (not chosen[key][3] and value):
            chosen[key] = (name, what, href, value)
    return list(chosen.values())


def check_numbers(page, username: str) -> None:
    """On the first page as it is: each number that links to a list is the length of that list. The superuser (who sees
    every panel) clicks the first number of each panel and has every other one fetched;
    everyone else has the first number of each kind (card, count, cluster, day, units) of
    each of their panels fetched with their own session, on lists their role may open."""
    found = numbers(page)
    if username not in READS_UNITS:  # the adoption table links nowhere for those who may not read units
        expect(panel(page, "adoption").locator("table a")).to_have_count(0)
    panels_with_lists = {name for name, *_ in found}
    expected = SEES[username] - {"outage-alerts"} - ({"adoption"} if username not in READS_UNITS else set())
    assert panels_with_lists == expected, (panels_with_lists, expected)
    chosen = chosen_numbers(found, every=username == "admin")
    page.set_viewport_size({"width": DESK[0], "height": DESK[1]})
    first_of_panel = set()
    problems = []
    for name, what, href, value in chosen:
        if username == "admin" and name not in first_of_panel:
            first_of_panel.add(name)
            click_to_list(page, f"{name}: {what}", href, value)
            continue
        rows, said = listed(page, href)
        if rows != value or said not in (None, value):
            problems.append(f"{name}: {what} is {value}; {href} lists {rows} rows and says {said}")
    assert not problems, "\n".join(problems)


def check_alerts(page) -> None:
    """On the first page as it is: each "N alerts in force / coming up" heading counts the
    rows of its table (the alerts are listed on the page itself, each title a link to its
    editor)."""
    alerts = panel(page, "outage-alerts")
    for heading in alerts.locator("h3").all():
        text = heading.inner_text()
        counted = re.match(r"(\d+) ", text)
        table = heading.locator("xpath=following-sibling::*[1]")
        if counted:
            shown = re.search(r"pierwsze (\d+)", text)
            expected = int(shown.group(1)) if shown else int(counted.group(1))
            assert table.locator("tbody tr").count() == expected, text
        else:
            expect(table.locator("tbody tr")).to_have_count(0)


# --- The tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", list(SEES))
def test_each_role_meets_its_panels_whole_on_a_desk_and_a_phone(browser, hub, username):
    with staff_page(browser, hub, username, *DESK) as page:
        page.wait_for_load_state("networkidle")
        expect(page.locator("#wagtail-sidebar")).to_have_count(1)  # the admin, which others do not get
        assert_panels(page, username)
        assert_charts(page, username, DESK[0])
        assert_nothing_cut_off(page, f"{username} at {DESK[0]} px")
        screenshot(page, f"dashboard-{username}")
        no_serious_violations(page)

        widths = [PHONE, SMALL_PHONE] if username == "admin" else [PHONE]
        for width, height in widths:
            page.set_viewport_size({"width": width, "height": height})
            page.goto("/admin/")
            assert_panels(page, username)
            assert_charts(page, username, width)
            assert_nothing_cut_off(page, f"{username} at {width} px")
            screenshot(page, f"dashboard-{username}")
            if width == PHONE[0]:
                no_serious_violations(page)

        check_alerts(page)
        check_numbers(page, username)  # the links followed on a desk
        assert page.requests, "no request was recorded"


@pytest.mark.parametrize("username", ["resident.a", "contractor.plumber"])
def test_a_resident_or_a_firms_worker_gets_no_admin(browser, hub, username):
    """Neither through the admin's sign-in nor with the portal's session: the sign-in page
    again, with no panel, no figure and no menu of the admin."""
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, base_url=hub, locale="pl-PL")
    context.route(lambda url: not url.startswith(f"{hub}/"), lambda route: route.abort())
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        page.goto("/admin/login/?next=/admin/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_load_state()
        assert "/admin/login/" in page.url
        expect(page.locator("section.hub-dashboard")).to_have_count(0)
        expect(page.locator("#wagtail-sidebar")).to_have_count(0)

        sign_in(page, username)  # the portal's own sign-in
        response = page.goto("/admin/")
        assert response.ok
        assert "/admin/login/" in page.url
        expect(page.locator("section.hub-dashboard")).to_have_count(0)
        expect(page.locator("#wagtail-sidebar")).to_have_count(0)
        expect(page.locator("#id_username")).to_be_visible()
        screenshot(page, f"dashboard-refused-{username}")
    finally:
        context.close()
    outside = sorted({url for url in requests if not url.startswith(f"{hub}/")})
    assert not outside, outside


def test_the_refusal_speaks_polish(browser, hub):
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, base_url=hub, locale="pl-PL")
    context.route(lambda url: not url.startswith(f"{hub}/"), lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto("/admin/login/?next=/admin/")
        page.locator("#id_username").fill("resident.a")
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_load_state()
        text = page.locator("main, body").first.inner_text()
        assert "You do not have permission" not in text
        expect(page.locator("label[for=id_password]")).not_to_contain_text("Password")
    finally:
        context.close()


def _polish(count: int, one: str, few: str, many: str) -> str:
    if count == 1:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


def test_the_lists_the_cards_open_count_in_polish(browser, hub):
    problems = []
    with staff_page(browser, hub, "dispatcher", *DESK) as page:
        for name, what, href, value in numbers(page):
            if name != "tickets" or not what.startswith("card "):
                continue
            soup = BeautifulSoup(page.request.get(href).text(), "html.parser")
            text = soup.select_one("main").get_text(" ", strip=True)
            if "match your query" in text:
                problems.append(f"{what}: English on an empty list")
            end = soup.select_one("nav.pagination .pagination__end")
            if end is not None:
                said = end.get_text(strip=True)
                # Named first, counted after: the plural name needs no other form
                # (cms/core/admin/listing_counts.py).
                wanted = f"Zgłoszenia: {value}"
                if said != wanted:
                    problems.append(f"{what}: {said!r}, not {wanted!r}")
            if _polish(value, "", "few", "") == "few" and f"Jest {value} dopasowań" in text:
                problems.append(f"{what}: 'Jest {value} dopasowań'")
    assert not problems, problems
