"""The staff admin on a phone (issue 13), in a real browser on the demo data: at 390x844 and
360x780 nothing of our lists and tables is cut off (each table fits the screen or sits in
a box that scrolls sideways to its last column), a ticket's quick actions are on the first
screen for a dispatcher and work without JavaScript, and the admin asks nothing of any
host but the hub (no Gravatar, no CDN, no fonts). At 1440 px the same pages need no
sideways scrolling and the ticket's actions stand beside its facts.

Screenshots of every page at every width land in test-artifacts/admin/.

Wagtail's <main> hides what sticks out sideways, so the page itself never scrolls
sideways: "nothing cut off" is asked of each element instead (`CUT_OFF`)."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from tests.browser.admin_layout import CUT_OFF
from tests.browser.conftest import ROOT, HubApi, done_ticket, no_serious_violations, staff_page

SCREENSHOTS = ROOT / "test-artifacts" / "admin"
PHONES = [(390, 844), (360, 780)]

# Our lists and tables, as a dispatcher reaches them (`{broadcast}` and `{ticket}` are
# filled in by the test: a sent broadcast's report, a finished ticket with its history).
DISPATCHER_PAGES = {
    "tickets": "/admin/tickets/",
    "ticket": "/admin/tickets/inspect/{ticket}/",
    "statistics": "/admin/ticket-statistics/",
    "categories": "/admin/ticket-categories/",
    "memberships": "/admin/verification/",
    "estates": "/admin/estate/",
    "buildings": "/admin/building/",
    "units": "/admin/unit/",
    "broadcasts": "/admin/broadcasts/",
    "broadcast-report": "/admin/broadcasts/report/{broadcast}/",
    "deliveries": "/admin/deliveries/",
}
# What only administrators see.
ADMIN_PAGES = {
    "sign-in-attempts": "/admin/signinattempt/",
    "message-templates": "/admin/message-templates/",
    "broadcast-preview": "/admin/broadcasts/preview/{draft}/",
    "trades": "/admin/snippets/contractors/trade/",
}


def _pk(global_id: str) -> int:
    """A model's primary key from the API's global id."""
    return int(base64.b64decode(global_id).decode().rsplit(":", 1)[1])


def admin_screenshot(page, name: str, width: int) -> None:
    """The whole page: Wagtail scrolls <main>, not the document, so a "full page" screenshot
    would stop at the screen's bottom; the viewport is stretched to <main>'s height."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("Math.max(document.querySelector('main').scrollHeight, window.innerHeight)")
    page.set_viewport_size({"width": viewport["width"], "height": min(height, 12000)})
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
    finally:
        page.set_viewport_size(viewport)


@pytest.fixture(scope="module")
def addresses(hub):
    """A finished ticket with a history of notes, for the ticket page's address."""
    ticket = done_ticket(hub, "Kapiący kran w łazience (telefon)", note="Wymieniono głowicę baterii, kran szczelny.")
    return {"ticket": _pk(ticket)}


def _broadcast_ids(page) -> dict:
    """A sent broadcast (its report) and a draft (its preview), from the broadcasts list."""
    page.goto("/admin/broadcasts/")
    reports = page.locator("table a[href*='/admin/broadcasts/report/']")
    edits = page.locator("table a[href*='/admin/broadcasts/edit/']")
    ids = {}
    if reports.count():
        ids["broadcast"] = re.search(r"/report/(\d+)/", reports.first.get_attribute("href")).group(1)
    if edits.count():
        ids["draft"] = re.search(r"/edit/(\d+)/", edits.first.get_attribute("href")).group(1)
    return ids


def _visit_all(page, pages: dict, values: dict, width: int) -> list[str]:
    problems = []
    for name, pattern in pages.items():
        path = pattern.format(**values)
        response = page.goto(path)
        assert response.ok and page.url.endswith(path), (path, page.url)
        page.wait_for_load_state("networkidle")
        problems += [f"{path} at {width} px: {problem}" for problem in page.evaluate(CUT_OFF)]
        admin_screenshot(page, name, width)
    return problems


@pytest.mark.parametrize(("width", "height"), PHONES, ids=["390", "360"])
def test_nothing_of_our_lists_and_tables_is_cut_off_on_a_phone(browser, hub, addresses, width, height):
    with staff_page(browser, hub, "dispatcher", width, height, landing="/admin/tickets/") as page:
        values = {**addresses, **_broadcast_ids(page)}
        problems = _visit_all(page, DISPATCHER_PAGES, values, width)
    with staff_page(browser, hub, "admin", width, height, landing="/admin/signinattempt/") as page:
        values = {**addresses, **_broadcast_ids(page)}
        problems += _visit_all(page, ADMIN_PAGES, values, width)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("width", "height"), PHONES, ids=["390", "360"])
def test_a_wide_list_scrolls_in_its_own_box_and_keeps_each_rows_reference(browser, hub, width, height):
    """The tickets list: ten columns in a box that scrolls sideways; the reference stays in
    view while the rest scrolls under it, and the last column comes into view."""
    with staff_page(browser, hub, "dispatcher", width, height, landing="/admin/tickets/") as page:
        box = page.locator("#listing-results")
        reference = page.locator("#listing-results tbody tr").first.locator("td").first
        last = page.locator("#listing-results tbody tr").first.locator("td").last
        assert box.evaluate("box => box.scrollWidth > box.clientWidth")  # wider than the phone
        assert last.bounding_box()["x"] > width  # past the edge at first
        box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        moved = last.bounding_box()
        assert moved["x"] + moved["width"] <= width + 1  # the last column reached
        still = reference.bounding_box()
        assert still["x"] >= -1 and still["x"] + still["width"] <= width / 2  # the reference stays
        assert re.fullmatch(r"ZG/\d{4}/\d+", reference.inner_text().strip())
        no_serious_violations(page)


@pytest.mark.parametrize(("width", "height"), PHONES, ids=["390", "360"])
def test_the_ticket_page_shows_a_stacked_history_and_figures_that_scroll(browser, hub, addresses, width, height):
    """A ticket's history on a phone: one event under another, each value under its label;
    the statistics' breakdowns scroll sideways with each row's name in view."""
    with staff_page(browser, hub, "dispatcher", width, height, landing="/admin/tickets/") as page:
        page.goto(f"/admin/tickets/inspect/{addresses['ticket']}/")
        history = page.locator("[data-history]")
        assert history.bounding_box()["width"] <= width
        note = history.locator("td", has_text="Wymieniono głowicę baterii")
        expect(note).to_be_visible()
        label = note.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert "Notatka" in label
        assert page.locator("[data-history] thead").evaluate("head => head.getBoundingClientRect().height") <= 1
        no_serious_violations(page)

        page.goto("/admin/ticket-statistics/")
        box = page.locator(".hub-scroll:has([data-breakdown=category])")
        expect(box).to_have_attribute("tabindex", "0")
        name = box.locator("tbody th").first
        box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        last = box.locator("tbody tr").first.locator("td").last.bounding_box()
        assert last["x"] + last["width"] <= width + 1
        assert name.bounding_box()["x"] >= 0  # the category's name stays in view
        no_serious_violations(page)


def _reported_ticket(hub: str, title: str) -> int:
    return _pk(HubApi(hub, "resident.a").report(title))


@pytest.mark.parametrize(("width", "height"), PHONES, ids=["390", "360"])
def test_a_dispatcher_finds_the_quick_actions_on_the_first_screen(browser, hub, width, height):
    ticket = _reported_ticket(hub, f"Cieknie spłuczka ({width} px)")
    with staff_page(browser, hub, "dispatcher", width, height, landing=f"/admin/tickets/inspect/{ticket}/") as page:
        actions = page.locator("[data-actions] summary")
        names = [text.strip() for text in actions.all_inner_texts()]
        assert names == ["Zmień status", "Przekaż wykonawcy", "Dodaj komentarz", "Zmień termin"]
        for action in actions.all():
            box = action.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (action.inner_text(), box)
            assert box["height"] >= 44  # a finger's width
        # The summary: the reference, the status and the deadline, above the actions.
        summary = page.locator("[data-summary]")
        expect(summary.locator("h2")).to_contain_text(re.compile(r"ZG/\d{4}/\d+"))
        expect(summary.locator("[data-summary-fact=due_at]")).to_have_text(re.compile(r"\d\d\.\d\d\.\d{4} \d\d:\d\d"))
        expect(summary.locator(".w-status")).to_have_text(re.compile("nowe", re.IGNORECASE))
        # Unfolded, the status form's button is still on the first screen.
        actions.first.click()
        button = page.locator("#ticket-transition button[type=submit]")
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["y"] + box["height"] <= height
        admin_screenshot(page, "ticket-actions", width)
        no_serious_violations(page)


def test_the_quick_actions_work_without_javascript_on_a_phone(browser, hub):
    """Server-rendered: the disclosure opens and the form posts with scripts off. (With
    scripts off Wagtail says it needs them, and on a phone the placeholder of its sidebar
    lies over the page and takes the taps: the keyboard does it here.)"""
    ticket = _reported_ticket(hub, "Nie działa domofon (bez skryptów)")
    landing = f"/admin/tickets/inspect/{ticket}/"
    with staff_page(browser, hub, "dispatcher", 390, 844, landing=landing, javascript=False) as page:
        page.locator("[data-action=ticket-transition] summary").press("Enter")
        expect(page.locator("[data-action=ticket-transition]")).to_have_attribute("open", "")
        page.locator("#ticket-transition select").select_option(label="przyjęte")
        page.locator("#ticket-transition button[type=submit]").press("Enter")
        page.wait_for_url(re.compile(re.escape(landing) + "$"))
        expect(page.locator("[data-summary] .w-status")).to_have_text(re.compile("przyjęte", re.IGNORECASE))
        # A refused action comes back unfolded, with the reason next to it.
        page.locator("[data-action=ticket-deadline] summary").press("Enter")
        page.locator("#ticket-deadline button[type=submit]").press("Enter")
        page.wait_for_load_state()
        expect(page.locator("[data-action=ticket-deadline]")).to_have_attribute("open", "")
        expect(page.locator("#ticket-deadline .error-message").first).to_be_visible()


def test_the_firms_of_every_trade_are_one_tap_away_and_stay_unfolded(browser, hub):
    ticket = _reported_ticket(hub, "Kapie z kaloryfera (wszystkie firmy)")
    landing = f"/admin/tickets/inspect/{ticket}/"
    with staff_page(browser, hub, "dispatcher", 390, 844, landing=landing) as page:
        assign = page.locator("[data-action=ticket-assign]")
        assign.locator("summary").click()
        link = assign.locator("[data-link]")
        if not link.count():
            pytest.skip("the category has no trade: every firm is offered already")
        link.click()
        page.wait_for_url(re.compile(r"\?firms=all"))
        expect(page.locator("[data-action=ticket-assign]")).to_have_attribute("open", "")
        expect(page.locator("#ticket-assign select").first).to_be_visible()


def test_at_1440_px_the_ticket_page_and_the_lists_need_no_sideways_scrolling(browser, hub, addresses):
    with staff_page(browser, hub, "dispatcher", 1440, 900, landing="/admin/tickets/") as page:
        values = {**addresses, **_broadcast_ids(page)}
        for name in ("tickets", "ticket", "statistics", "memberships", "broadcasts", "deliveries"):
            path = DISPATCHER_PAGES[name].format(**values)
            page.goto(path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate(CUT_OFF) == [], path
            # Every table fits where it stands: nothing to scroll sideways on a desk.
            wider = page.evaluate(
                "() => [...document.querySelectorAll('main table')].filter((t) => t.checkVisibility())"
                ".filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length"
            )
            assert wider == 0, path
            admin_screenshot(page, name, 1440)

        # The ticket: the actions stand beside the summary and the facts, at the top.
        page.goto(DISPATCHER_PAGES["ticket"].format(**values))
        summary = page.locator("[data-summary]").bounding_box()
        facts = page.locator("[data-facts]").bounding_box()
        actions = page.locator("[data-actions]").bounding_box()
        assert actions["x"] >= summary["x"] + summary["width"] and actions["x"] >= facts["x"] + facts["width"]
        assert actions["y"] < 300


@pytest.mark.parametrize("username", ["dispatcher", "admin"])
def test_the_admin_home_asks_no_other_host(browser, hub, username):
    """The first page after signing in (`staff_page` fails the test on any other host)."""
    with staff_page(browser, hub, username, 390, 844, landing="/admin/") as page:
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)  # the version check runs once the page has loaded
