"""The resident portal in a real browser, on the demo data: what residents see first, how
they sign in (by mouse and by keyboard alone), and what they may not see. Each test runs
at a phone's width (360 px) and a desktop's (1280 px) and leaves a screenshot of each page
it visits in test-artifacts/portal/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_PASSWORD, no_serious_violations, no_sideways_scrolling, screenshot, sign_in

ALERT_TITLE = "Awaria wodociągowa – brak zimnej wody w budynkach A i B"
BUILDING_A_NEWS = "/aktualnosci/budynek-a-wymiana-domofonow/"
BUILDING_A_DOCUMENT = "Plan remontów budynku A"


def test_the_home_page_shows_current_alerts_before_anything_else(page, width):
    page.goto("/")
    alert = page.get_by_role("alert").filter(has_text=ALERT_TITLE)
    alert.wait_for()
    news = page.get_by_role("heading", name="Aktualności", level=2)
    assert alert.bounding_box()["y"] < news.bounding_box()["y"]
    # The emergency numbers are one tap away on every page.
    assert page.get_by_role("link", name="Telefony alarmowe").is_visible()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "home-anonymous", width)


def test_a_resident_signs_in_and_sees_their_home_page(page, width):
    sign_in(page, "resident.a")
    page.get_by_role("heading", name="Moje otwarte zgłoszenia").wait_for()
    page.get_by_text("nieprzeczytan").first.wait_for()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "home-resident", width)


def test_signing_in_needs_no_mouse(page, width):
    page.goto("/zaloguj")
    page.get_by_role("heading", name="Logowanie").wait_for()
    # From the top of the page: skip link, then the header's controls, then the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Przejdź do treści"
    page.get_by_label("Nazwa użytkownika lub adres e-mail").focus()
    page.keyboard.type("resident.a")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Dzień dobry", level=1).wait_for()


def test_a_sign_in_without_a_password_is_explained_next_to_the_field(page, width):
    page.goto("/zaloguj")
    page.get_by_label("Nazwa użytkownika lub adres e-mail").fill("resident.a")
    page.get_by_role("button", name="Zaloguj się").last.click()
    summary = page.get_by_role("alert").filter(has_text="Popraw, proszę")
    summary.wait_for()
    assert page.get_by_text("Wpisz hasło.").count() == 2  # in the summary and by the field
    no_serious_violations(page)
    screenshot(page, "sign-in-error", width)


def test_a_wrong_password_is_refused_with_the_apis_message(page, width):
    page.goto("/zaloguj")
    page.get_by_label("Nazwa użytkownika lub adres e-mail").fill("resident.a")
    page.get_by_label("Hasło").fill("zle-haslo")
    page.get_by_role("button", name="Zaloguj się").last.click()
    page.get_by_role("alert").filter(has_text="Popraw, proszę").wait_for()
    assert page.get_by_role("heading", name="Logowanie").is_visible()


def test_building_as_news_opens_for_a_resident_of_a(page, width):
    sign_in(page, "resident.a")
    page.goto(BUILDING_A_NEWS)
    page.get_by_role("heading", level=1).filter(has_text="domofon").wait_for()
    screenshot(page, "news-article", width)


@pytest.mark.parametrize("who", ["resident.b", None], ids=["resident of B", "anonymous"])
def test_building_as_news_is_not_available_to_others(page, width, who):
    if who:
        sign_in(page, who)
    page.goto(BUILDING_A_NEWS)
    page.get_by_role("heading", name="Ta strona nie jest dostępna").wait_for()
    assert "domofon" not in page.inner_text("body")  # (the address in the sign-in link may say it)
    if who is None:
        assert page.get_by_role("link", name="Zaloguj się").last.get_attribute("href").startswith("/zaloguj?next=")
    no_serious_violations(page)
    screenshot(page, f"not-available-{'resident' if who else 'anonymous'}", width)


def test_the_news_list_and_the_language_switch(page, width):
    page.goto("/aktualnosci/")
    page.get_by_role("heading", name="Aktualności", level=1).wait_for()
    page.get_by_role("link", name=ALERT_TITLE).wait_for()  # the list comes after the heading
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Skip to content").wait_for(state="attached")
    assert page.evaluate("document.documentElement.lang") == "en"
    no_sideways_scrolling(page)
    screenshot(page, "news-list-english", width)


def test_a_resident_of_a_reads_an_alert_and_downloads_building_as_document(page, width):
    sign_in(page, "resident.a")
    page.get_by_role("alert").filter(has_text=ALERT_TITLE).wait_for()
    page.goto("/dokumenty/")
    link = page.get_by_role("link", name=BUILDING_A_DOCUMENT)
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    no_serious_violations(page)
    screenshot(page, "documents-resident-a", width)


def test_a_resident_of_b_neither_sees_nor_opens_building_as_document(page, width, hub):
    sign_in(page, "resident.a")
    page.goto("/dokumenty/")
    page.get_by_role("link", name=BUILDING_A_DOCUMENT).wait_for()
    address = page.get_by_role("link", name=BUILDING_A_DOCUMENT).get_attribute("href")
    page.get_by_role("button", name="Wyloguj się").click()
    page.get_by_role("link", name="Zaloguj się").first.wait_for()
    sign_in(page, "resident.b")
    page.goto("/dokumenty/")
    page.get_by_role("status").filter(has_text="dokument").wait_for()
    assert page.get_by_role("link", name=BUILDING_A_DOCUMENT).count() == 0
    response = page.goto(address)  # by its address: the hub's plain "not available" page
    assert response.status == 403
    assert "Plan remontów" not in page.inner_text("body")
    assert "/admin" not in page.content()


def test_documents_filter_by_kind(page, width):
    page.goto("/dokumenty/")
    page.get_by_role("status").filter(has_text="dokument").wait_for()
    everything = page.get_by_role("status").filter(has_text="dokument").inner_text()
    page.get_by_label("Rodzaj dokumentu").select_option("STATUTE")
    page.get_by_role("button", name="Pokaż").click()
    page.wait_for_function(
        "text => { const s = document.querySelector('main [role=status]'); return s && s.textContent !== text; }",
        arg=everything,
    )
    kinds = page.locator("main .documents .meta").all_inner_texts()
    assert kinds and all("Statut" in kind for kind in kinds), kinds
    no_sideways_scrolling(page)
    screenshot(page, "documents-filtered", width)


@pytest.mark.parametrize(
    ("address", "heading"),
    [("/inwestycje/", "Inwestycje"), ("/wykonawcy/", "Znajdź wykonawcę"), ("/dokumenty/", "Dokumenty")],
)
def test_the_directories_read_well_at_every_width(page, width, address, heading):
    page.goto(address)
    page.get_by_role("heading", level=1).filter(has_text=heading).wait_for()
    page.locator("main li").first.wait_for()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, address.strip("/"), width)


def test_the_contractor_directory_by_trade(page, width):
    page.goto("/wykonawcy/")
    trades = page.get_by_label("Branża")
    trades.locator("option").nth(1).wait_for(state="attached")
    everyone = page.locator("main .list > li").count()
    trades.select_option(index=1)
    page.get_by_role("button", name="Pokaż").click()
    page.wait_for_function("count => document.querySelectorAll('main .list > li').length !== count", arg=everyone)
    assert 0 < page.locator("main .list > li").count() < everyone


def test_a_lost_connection_is_shown_and_retried(page, width):
    page.goto("/")
    page.get_by_role("heading", name="Aktualności", level=2).wait_for()
    page.route("**/graphql", lambda route: route.abort())
    page.get_by_role("link", name="Aktualności").first.click()
    page.get_by_role("status").filter(has_text="Brak połączenia").first.wait_for()
    page.unroute("**/graphql")
    page.get_by_role("link", name=ALERT_TITLE).wait_for(timeout=30_000)  # the retry gets through


def test_at_200_percent_zoom_nothing_needs_sideways_scrolling(browser, hub):
    # 200 % zoom of a 1280 px window is 640 CSS pixels at twice the density.
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2, base_url=hub)
    zoomed = context.new_page()
    try:
        for address in ("/", "/zaloguj", "/aktualnosci/", "/dokumenty/"):
            zoomed.goto(address)
            zoomed.get_by_role("heading", level=1).wait_for()
            no_sideways_scrolling(zoomed)
    finally:
        context.close()
