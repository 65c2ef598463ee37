"""The admin's "Search index" screen (search/admin/views.py) in a real browser on the demo
data, as the demo's "admin" (a superuser): it is in the Settings menu, shows the demo's
index (entries of every kind, a vocabulary), the rebuild button rebuilds it (the demo's
Celery is eager: the run is done when the page comes back) and the run is in the list;
nothing is cut off at 1440 px or on a 360 px phone, and axe finds nothing serious.
Screenshots land in test-artifacts/admin/ (`search-index-<width>.png`)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.admin_layout import CUT_OFF
from tests.browser.conftest import ROOT, no_serious_violations, staff_page

SCREENSHOTS = ROOT / "test-artifacts" / "admin"
INDEX = "/admin/directory-search-index/"


def _screenshot(page, width: int) -> None:
    """The whole page: Wagtail scrolls <main>, so the viewport is stretched to its height."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("Math.max(document.querySelector('main').scrollHeight, window.innerHeight)")
    page.set_viewport_size({"width": viewport["width"], "height": min(height, 12000)})
    try:
        page.screenshot(path=str(SCREENSHOTS / f"search-index-{width}.png"))
    finally:
        page.set_viewport_size(viewport)


@pytest.mark.parametrize("width, height", [(1440, 900), (360, 780)], ids=["desk", "phone"])
def test_the_admin_rebuilds_the_search_index_from_its_screen(browser, hub, width, height):
    with staff_page(browser, hub, "admin", width, height) as page:
        if width > 800:  # the Settings menu of the sidebar (on a phone it is folded away)
            page.get_by_role("button", name="Ustawienia").click()
            page.get_by_role("link", name="Wyszukiwarka").click()
            page.wait_for_url(re.compile(re.escape(INDEX) + "$"))
        else:
            page.goto(INDEX)
        expect(page.get_by_role("heading", level=1)).to_have_text("Wyszukiwarka")
        for kind in ("contractor", "document", "news", "investment", "vocabulary"):
            count = page.locator(f'[data-figures] tr[data-kind="{kind}"] [data-count]').inner_text()
            assert int(count) > 0, kind

        page.get_by_role("button", name="Przebuduj indeks").click()
        page.wait_for_url(re.compile(re.escape(INDEX) + "$"))
        expect(page.get_by_text("Indeks wyszukiwarki jest przebudowany")).to_be_visible()
        newest = page.locator("[data-runs] tbody tr").first
        expect(newest).to_have_attribute("data-state", "done")
        expect(newest).to_contain_text("przebudowa")
        expect(newest).to_contain_text("baza danych:")

        page.wait_for_load_state("networkidle")
        problems = page.evaluate(CUT_OFF)
        assert problems == [], (width, problems)
        _screenshot(page, width)
        no_serious_violations(page)
