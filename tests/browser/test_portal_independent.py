"""An independent tester's look at the resident portal's ticket, account, inbox, settings
and print screens, in a real browser on the demo data.

What the other portal tests leave out: where an error summary's links lead, the "not
available" page for people who may not see a ticket (signed out, a neighbour, a firm),
refusals of a rating or a reopening made stale by someone else, the home page's unread
count after reading, API refusals next to their fields, English without Polish or
missing-key leftovers, slow and lost connections, the keyboard alone, 200 % zoom, tap
targets and type size, long lists, empty states, the password change's effect on other
sessions and the print sheet of a news item.

Most tests run at one width (a context of their own); those about small screens at a
phone's. What staff do (finish a ticket) is done over the API, as the admin would."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    HubApi,
    done_ticket,
    no_sideways_scrolling,
    opened_page,
    operation_name,
    screenshot,
    tab_to,
)
from tests.browser.conftest import sign_in as _sign_in

NOT_AVAILABLE = "Ta strona nie jest dostępna"
SUMMARY = "Popraw, proszę"
ALERT_PATH = "/aktualnosci/awaria-wodociagowa-budynki-a-b/"
BUILDING_A_NEWS = "/aktualnosci/budynek-a-wymiana-domofonow/"
BUILDING_A_NEWS_TITLE = "Budynek A: wymiana domofonów na wideodomofony"
COOPERATIVE = "Spółdzielnia Mieszkaniowa „Zielone Wzgórze”"
UNREAD = re.compile(r"Masz (\d+) nieprzeczytan")
ENGLISH_STATUSES = {"new", "accepted", "handed to a contractor", "in progress", "on hold", "done", "closed", "rejected"}
# A catalogue key shown instead of its text (i18n.js's t() answers the key when it is missing).
CATALOGUE_KEY = re.compile(
    r"\b(?:app|common|contact|form|home|nav|news|notAvailable|signIn|filters|documents|investments|tickets|"
    r"account|inbox|settings|register|confirm|forgotten|reset|join|print|preview)\.[a-zA-Z][\w.]*"
)


# --- Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def desktop(browser, hub):
    with opened_page(browser, hub, 1280) as opened:
        yield opened


@pytest.fixture
def phone(browser, hub):
    with opened_page(browser, hub, 360) as opened:
        yield opened


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """conftest's sign-in, once the first page has set its CSRF cookie."""
    page.goto("/")
    page.wait_for_function("document.cookie.includes('csrftoken=')")
    if password == DEMO_PASSWORD:
        _sign_in(page, username)
        return
    page.goto("/zaloguj")
    page.get_by_label("Nazwa użytkownika lub adres e-mail").fill(username)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").last.click()
    page.get_by_role("heading", level=1).filter(has_text="Dzień dobry").wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Wyloguj się").click()
    page.get_by_role("link", name="Zaloguj się").first.wait_for()


def _tickets_of(hub: str, username: str) -> list[dict]:
    data = HubApi(hub, username).run("query { tickets(first: 100) { edges { node { id title unit { id } } } } }")
    return [edge["node"] for edge in data["tickets"]["edges"]]


def _focus_is_visible(page) -> bool:
    return page.evaluate(
        "(() => { const style = getComputedStyle(document.activeElement);"
        " return (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none'; })()"
    )


def _operation(route) -> str | None:
    return operation_name(route.request)


def _held(page, names: set[str]) -> list:
    """Holds the stored operations named `names` until the test lets them go
    (`route.continue_()`): a request as slow as the test wants."""
    held: list = []

    def handler(route):
        if _operation(route) in names:
            held.append(route)
        else:
            route.continue_()

    page.route("**/graphql", handler)
    return held


def _wait_until(page, condition, what: str, tries: int = 300) -> None:
    """Lets the page's events (and so the route handlers) run until `condition()` holds."""
    for _ in range(tries):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never happened: {what}")


def _field_error(page, field_id: str) -> str:
    """The message next to a field, without its hidden "Błąd:" prefix."""
    return re.sub(r"^Błąd:\s*", "", page.locator(f"#{field_id}-error").inner_text()).strip()


def _error_summary_is_focused(page) -> bool:
    """Whether the summary takes the focus: the portal moves it there once the summary is
    drawn (an effect after the render), so this waits a little for it rather than reading
    the focus in the same instant (a busy machine drew the summary first: a CI flake)."""
    try:
        page.wait_for_function("document.activeElement?.classList.contains('error-summary') === true", timeout=5_000)
    except PlaywrightTimeoutError:
        return False
    return True


# --- Error summaries ----------------------------------------------------------------------------


def test_an_error_summary_link_leads_to_its_field_and_keeps_the_form(desktop):
    """GOV.UK's pattern, as components.js says: each message in the summary leads to its
    field. The portal's index.html has <base href="/portal/">, so a bare "#field" link
    must not leave the form for /portal/."""
    page = desktop
    sign_in(page, "resident.a")
    page.goto("/zgloszenia/nowe")
    page.get_by_label("Czego dotyczy?").wait_for()
    page.get_by_label("Co się stało?").fill("Szkic zgłoszenia")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    summary = page.get_by_role("alert").filter(has_text=SUMMARY)
    summary.wait_for()
    assert _error_summary_is_focused(page)
    link = summary.get_by_role("link", name="Wybierz, czego dotyczy zgłoszenie.")
    link.click()
    expect(page.locator("#category")).to_be_focused(timeout=10_000)
    assert urlparse(page.url).path == "/zgloszenia/nowe", page.url
    assert page.get_by_label("Co się stało?").input_value() == "Szkic zgłoszenia"


def test_an_api_refusal_on_register_is_next_to_the_field_and_in_a_focused_summary(desktop):
    page = desktop
    page.goto("/rejestracja")
    page.get_by_role("heading", name="Załóż konto", level=1).wait_for()
    page.get_by_label("Imię").fill("Halina")
    page.get_by_label("Nazwisko").fill("Kamińska")
    page.get_by_label("Adres e-mail").fill("halina.kaminska@")  # the form does not check it; the API does
    page.get_by_role("button", name="Załóż konto").click()
    page.locator("#email-error").wait_for()
    assert page.get_by_label("Adres e-mail").get_attribute("aria-invalid") == "true"
    message = _field_error(page, "email")
    summary = page.get_by_role("alert").filter(has_text=SUMMARY)
    assert message and message in summary.inner_text()
    assert _error_summary_is_focused(page)
    assert page.get_by_role("heading", name="Sprawdź skrzynkę e-mail").count() == 0


def test_a_phone_number_the_api_refuses_is_explained_by_the_field_and_a_good_one_is_kept(desktop):
    page = desktop
    sign_in(page, "tenant.a")
    page.goto("/ustawienia")
    phone_field = page.get_by_label("Telefon komórkowy do SMS-ów")
    phone_field.wait_for()
    before = phone_field.input_value()
    try:
        phone_field.fill("12")
        page.get_by_role("button", name="Zapisz ustawienia powiadomień").click()
        page.locator("#phone-error").wait_for()
        assert phone_field.get_attribute("aria-invalid") == "true"
        message = _field_error(page, "phone")
        summary = page.get_by_role("alert").filter(has_text=SUMMARY)
        assert message in summary.inner_text()
        assert _error_summary_is_focused(page)
        assert page.get_by_role("status").filter(has_text="Zapisano").count() == 0

        phone_field.fill("+48 601 202 303")
        page.get_by_role("button", name="Zapisz ustawienia powiadomień").click()
        page.get_by_role("status").filter(has_text="Zapisano").wait_for()
        assert page.locator("#phone-error").count() == 0
        page.reload()
        phone_field = page.get_by_label("Telefon komórkowy do SMS-ów")
        phone_field.wait_for()
        expect(phone_field).to_have_value(re.compile(r"^\+?48 ?601 ?202 ?303$"))
    finally:
        if before != page.get_by_label("Telefon komórkowy do SMS-ów").input_value():
            page.get_by_label("Telefon komórkowy do SMS-ów").fill(before)
            page.get_by_role("button", name="Zapisz ustawienia powiadomień").click()
            page.get_by_role("status").filter(has_text="Zapisano").wait_for()


# --- Who may see a ticket -----------------------------------------------------------------------


def test_a_ticket_link_opened_signed_out_offers_sign_in_and_then_shows_the_ticket(desktop, hub):
    ticket = next(node for node in _tickets_of(hub, "resident.a") if node["unit"])
    page = desktop
    page.goto(f"/zgloszenia/{ticket['id']}")
    page.get_by_role("heading", name=NOT_AVAILABLE, level=1).wait_for()
    assert ticket["title"] not in page.inner_text("main")
    sign_in_link = page.locator("main").get_by_role("link", name="Zaloguj się")
    assert sign_in_link.get_attribute("href").startswith("/zaloguj?next=")
    page.wait_for_function("document.cookie.includes('csrftoken=')")
    sign_in_link.click()
    page.get_by_label("Nazwa użytkownika lub adres e-mail").fill("resident.a")
    page.get_by_label("Hasło").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").last.click()
    page.get_by_role("heading", name=ticket["title"], level=1).wait_for()
    assert urlparse(page.url).path == f"/zgloszenia/{ticket['id']}"


def test_a_neighbour_and_another_firm_cannot_open_a_flats_ticket(desktop, hub):
    done = done_ticket(hub, f"Przeciek przy pralce {uuid.uuid4().hex[:6]}")  # resident.a's flat, Hydro-Tech
    page = desktop
    for who in ("tenant.a", "contractor.electrician"):  # same building, another flat; another firm
        sign_in(page, who)
        page.goto(f"/zgloszenia/{done}")
        page.get_by_role("heading", name=NOT_AVAILABLE, level=1).wait_for()
        assert "Przeciek przy pralce" not in page.inner_text("main")
        assert page.get_by_role("link", name="Wróć na stronę główną").is_visible()
        sign_out(page)


def test_a_mistyped_ticket_address_shows_a_page_not_a_blank_one(desktop):
    page = desktop
    sign_in(page, "resident.a")
    for address in ("/zgloszenia/12345", "/zgloszenia/%E0%A4%A", "/zgloszenia/nowe/cos"):
        page.goto(address)
        try:
            page.locator("main h1").wait_for(timeout=10_000)
        except Exception as error:  # noqa: BLE001 (said with the address)
            raise AssertionError(f"{address}: no page, only {page.inner_text('body')!r}") from error
        assert page.locator("main").inner_text().strip(), address


# --- Rating and reopening -----------------------------------------------------------------------


def test_a_rating_or_reopening_made_stale_elsewhere_is_refused_with_a_message(desktop, hub):
    ticket = done_ticket(hub, f"Nie spływa woda z wanny {uuid.uuid4().hex[:6]}")
    page = desktop
    sign_in(page, "resident.a")
    page.goto(f"/zgloszenia/{ticket}")
    rate = page.get_by_role("region", name="Potwierdź wykonanie i oceń")
    reopen = page.get_by_role("region", name="Usterka nadal występuje?")
    rate.wait_for()
    reopen.wait_for()

    # Meanwhile, on the resident's phone: confirmed and rated, so the ticket is closed.
    rated = HubApi(hub, "resident.a").run(
        "mutation($t: ID!) { ticketRate(ticketId: $t, rating: 5) { ticket { status } errors { message } } }",
        t=ticket,
    )["ticketRate"]
    assert not rated["errors"] and rated["ticket"]["status"] == "CLOSED", rated

    rate.get_by_role("radio", name="3 – średnio").check()
    rate.get_by_role("button", name="Potwierdzam wykonanie").click()
    refusal = rate.get_by_role("alert")
    refusal.wait_for()
    assert refusal.inner_text().replace(SUMMARY, "").replace(":", "").strip()
    assert _error_summary_is_focused(page)
    assert page.get_by_text("Dziękujemy za ocenę").count() == 0

    reopen.get_by_label("Co nadal nie działa?").fill("Nadal nie spływa.")
    reopen.get_by_role("button", name="Zgłoś, że usterka nadal występuje").click()
    refusal = reopen.get_by_role("alert")
    refusal.wait_for()
    assert refusal.inner_text().replace(SUMMARY, "").replace(":", "").strip()
    assert page.get_by_text("otwarte ponownie").count() == 0
    assert reopen.get_by_label("Co nadal nie działa?").input_value() == "Nadal nie spływa."
    status = HubApi(hub, "resident.a").run("query($id: ID!) { ticket(id: $id) { status rating } }", id=ticket)
    assert status["ticket"] == {"status": "CLOSED", "rating": 5}


def test_a_closed_ticket_offers_neither_rating_nor_reopening(desktop, hub):
    page = desktop
    sign_in(page, "resident.a")
    page.goto("/zgloszenia?wszystkie=1")
    page.get_by_role("link", name="Cofa się woda w zlewie – zapchany pion").click()
    page.get_by_role("heading", name="Cofa się woda w zlewie – zapchany pion", level=1).wait_for()
    page.get_by_text("Twoja ocena: 5 z 5").wait_for()
    assert "zamknięte" in page.get_by_text("Stan:").first.inner_text()
    assert page.get_by_role("heading", name="Potwierdź wykonanie i oceń").count() == 0
    assert page.get_by_role("heading", name="Usterka nadal występuje?").count() == 0
    assert page.get_by_role("radio").count() == 0


# --- Inbox and home -----------------------------------------------------------------------------


def test_marking_a_message_read_lowers_the_unread_count_on_home(desktop):
    page = desktop
    sign_in(page, "resident.a")
    home_count = page.get_by_text(UNREAD)
    home_count.wait_for()
    before = int(UNREAD.search(home_count.inner_text()).group(1))
    assert before >= 1
    page.get_by_role("link", name="Wiadomości", exact=True).click()
    page.get_by_role("heading", name="Wiadomości", level=1).wait_for()
    page.get_by_role("status").filter(has_text=f"Masz {before} ").wait_for()
    page.get_by_role("button", name=re.compile(r"^Oznacz jako przeczytaną wiadomość")).first.click()
    page.get_by_role("status").filter(has_text=f"Masz {before - 1} ").wait_for()
    page.get_by_role("link", name="Start", exact=True).click()
    page.get_by_role("heading", name="Dzień dobry", level=1).wait_for()
    page.get_by_text(re.compile(rf"Masz {before - 1} nieprzeczytan")).wait_for()


def test_a_user_without_a_unit_sees_clear_empty_states(desktop):
    page = desktop
    sign_in(page, "editor")
    page.goto("/zgloszenia")
    page.get_by_role("heading", name="Zgłoszenia", level=1).wait_for()
    page.get_by_text("Nie masz otwartych zgłoszeń.").wait_for()
    assert page.locator("main .tickets > li").count() == 0
    page.get_by_role("radio", name="Wszystkie").check()
    page.get_by_text("Nie masz jeszcze żadnych zgłoszeń.").wait_for()
    page.get_by_role("link", name="Zgłoś usterkę").click()
    page.get_by_text("Twoje konto nie jest jeszcze przypisane do lokalu").wait_for()
    assert page.get_by_role("button", name="Wyślij zgłoszenie").count() == 0
    assert page.get_by_role("link", name="Zgłoś usterkę bez logowania").is_visible()
    page.goto("/wiadomosci")
    page.get_by_role("heading", name="Wiadomości", level=1).wait_for()
    page.get_by_text(re.compile(r"Nie masz jeszcze żadnych wiadomości|Masz \d+ nieprzeczytan")).first.wait_for()
    no_sideways_scrolling(page)


# --- Long lists ---------------------------------------------------------------------------------


def test_the_ticket_list_shows_more_on_request_without_repeating_any(desktop, hub):
    """The household's list (what the portal shows) past its first page of 20."""
    resident = HubApi(hub, "resident.b")
    count = "query { tickets(first: 1, filter: {household: true}) { totalCount } }"
    total = resident.run(count)["tickets"]["totalCount"]
    for index in range(max(0, 23 - total)):  # a second page for resident.b's household
        resident.report(f"Usterka do listy nr {index + 1}", common=True, slug="inne")
    total = resident.run(count)["tickets"]["totalCount"]
    assert total > 20

    page = desktop
    sign_in(page, "resident.b")
    page.goto("/zgloszenia?wszystkie=1")
    page.get_by_role("status").filter(has_text=re.compile(rf"^\s*{total} zgłosze")).wait_for()
    items = page.locator("main ul.tickets > li")
    expect(items).to_have_count(20)
    page.get_by_role("button", name="Pokaż więcej").click()
    expect(items).to_have_count(min(total, 40), timeout=15_000)
    hrefs = items.locator("h2 a").evaluate_all("links => links.map((link) => link.getAttribute('href'))")
    assert len(set(hrefs)) == len(hrefs), "a ticket is listed twice"
    if total <= 40:
        assert page.get_by_role("button", name="Pokaż więcej").count() == 0


# --- Language -----------------------------------------------------------------------------------


def _english_leftovers(page) -> list[str]:
    text = page.locator("main").inner_text()
    return CATALOGUE_KEY.findall(text) + re.findall(r"\{\w+\}", text)


def test_in_english_the_ticket_inbox_and_settings_screens_show_no_polish_labels_or_keys(desktop, hub):
    """Switched to English, the screens say everything in English: the words of the API
    (statuses, kinds of message, channels) as well as the catalogue's. (Content written by
    the cooperative, such as titles and category names, stays as written.)"""
    page = desktop
    found: list[str] = []
    sign_in(page, "resident.a")
    page.goto("/zgloszenia?wszystkie=1")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Tickets", level=1).wait_for()
    page.get_by_text(re.compile(r"^\d+ tickets?$")).wait_for()
    page.locator("main ul.tickets > li").first.wait_for()
    statuses = set(page.locator("main ul.tickets .status").all_inner_texts())
    found += [f"list: status {status!r}" for status in sorted(statuses - ENGLISH_STATUSES)]
    found += [f"list: {key}" for key in _english_leftovers(page)]

    page.get_by_role("link", name="Cofa się woda w zlewie – zapchany pion").click()
    page.get_by_role("heading", name="Cofa się woda w zlewie – zapchany pion", level=1).wait_for()
    page.get_by_text("Status:").first.wait_for()
    status = page.locator("main .status").first.inner_text()
    if status != "closed":
        found.append(f"ticket: status {status!r}")
    found += [f"ticket: {key}" for key in _english_leftovers(page)]

    page.get_by_role("link", name="Messages", exact=True).click()
    page.get_by_role("heading", name="Messages", level=1).wait_for()
    page.get_by_text(re.compile(r"You have \d+ unread")).wait_for()
    found += [f"inbox: {key}" for key in _english_leftovers(page)]

    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("heading", name="Settings", level=1).wait_for()
    page.get_by_role("list", name="Sign-in history").wait_for()
    page.get_by_role("button", name="Save notification settings").wait_for()
    found += [f"settings: {key}" for key in _english_leftovers(page)]
    legends = page.locator("main fieldset legend").all_inner_texts()
    found += [f"settings: group {legend!r}" for legend in legends if re.search(r"[ąćęłńóśźż]|Ogłoszenia|Konto", legend)]
    screenshot(page, "independent-settings-english", 1280)
    assert not found, "\n".join(found)


# --- Slow and lost connections ------------------------------------------------------------------


def test_a_slow_ticket_and_a_slow_report_show_progress(desktop, hub):
    page = desktop
    sign_in(page, "resident.a")
    ticket = next(node for node in _tickets_of(hub, "resident.a") if node["unit"])
    names = {"Ticket", "TicketCreate"}
    held = _held(page, names)
    page.goto(f"/zgloszenia/{ticket['id']}")
    page.get_by_role("status").filter(has_text="Wczytywanie").wait_for()
    _wait_until(page, lambda: held, "the Ticket request")
    names.discard("Ticket")
    held.pop().continue_()
    page.get_by_role("heading", name=ticket["title"], level=1).wait_for()

    page.goto("/zgloszenia/nowe")
    page.get_by_label("Czego dotyczy?").select_option(label="Inne")
    title = f"Skrzypią drzwi do piwnicy {uuid.uuid4().hex[:6]}"
    page.get_by_label("Co się stało?").fill(title)
    page.get_by_label("Opis").fill("Drzwi skrzypią przy każdym otwarciu.")
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    busy = page.locator("main button[type=submit]")
    expect(busy).to_have_text("Proszę czekać…")
    expect(busy).to_be_disabled()
    assert busy.get_attribute("aria-busy") == "true"
    page.get_by_role("status").filter(has_text="Wysyłanie zgłoszenia").wait_for()
    _wait_until(page, lambda: held, "the TicketCreate request")
    assert len(held) == 1  # sent once, however slow
    held.pop().continue_()
    page.get_by_role("heading", name=title, level=1).wait_for()


def test_a_lost_connection_on_a_ticket_shows_an_error_and_a_retry(desktop, hub):
    page = desktop
    sign_in(page, "resident.a")
    ticket = next(node for node in _tickets_of(hub, "resident.a") if node["unit"])

    def cut(route):
        if _operation(route) in {"Ticket", "TicketCommentAdd"}:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/graphql", cut)
    page.goto(f"/zgloszenia/{ticket['id']}")
    page.get_by_role("status").filter(has_text="ponawiamy").wait_for()
    error = page.get_by_role("alert").filter(has_text="Brak połączenia z serwerem")
    error.wait_for(timeout=30_000)
    page.unroute("**/graphql")
    error.get_by_role("button", name="Spróbuj ponownie").click()
    page.get_by_role("heading", name=ticket["title"], level=1).wait_for()
    expect(page.get_by_role("status").filter(has_text="ponawiamy")).to_have_count(0)

    # A comment sent while the connection is lost: said so, and what was written stays.
    page.route("**/graphql", cut)
    page.get_by_label("Dodaj komentarz").fill("Czy ktoś przyjdzie jutro?")
    page.get_by_role("button", name="Wyślij komentarz").click()
    page.get_by_role("alert").filter(has_text="Brak połączenia z serwerem").wait_for(timeout=30_000)
    assert page.get_by_label("Dodaj komentarz").input_value() == "Czy ktoś przyjdzie jutro?"
    assert page.get_by_role("button", name="Wyślij komentarz").is_enabled()
    page.unroute("**/graphql")


# --- Keyboard, zoom, targets and type -----------------------------------------------------------


def test_the_inbox_and_settings_need_no_mouse(desktop):
    page = desktop
    sign_in(page, "resident.a")
    page.goto("/wiadomosci")
    page.get_by_role("heading", name="Wiadomości", level=1).wait_for()
    page.get_by_role("button", name=re.compile(r"^(Nieprzeczytana|Przeczytana)")).first.wait_for()
    tab_to(page, "element.getAttribute('aria-controls') === 'message-0'")
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("[aria-controls='message-0']")).to_have_attribute("aria-expanded", "true")
    assert page.locator("#message-0").inner_text().strip()
    expect(page.locator("[aria-controls='message-0']")).to_be_focused()

    page.goto("/ustawienia")
    page.get_by_role("heading", name="Ustawienia", level=1).wait_for()
    page.get_by_role("button", name="Zapisz ustawienia powiadomień").wait_for()
    tab_to(page, "element.type === 'checkbox' && !element.disabled")
    assert _focus_is_visible(page)
    was = page.evaluate("document.activeElement.checked")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked") is (not was)
    tab_to(page, "element.type === 'submit'")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Zapisano").wait_for()


def test_the_report_form_and_a_done_ticket_need_no_mouse(desktop, hub):
    ticket = done_ticket(hub, f"Hałasuje pion {uuid.uuid4().hex[:6]}")
    page = desktop
    sign_in(page, "resident.a")
    page.goto(f"/zgloszenia/{ticket}")
    page.get_by_role("heading", name="Potwierdź wykonanie i oceń").wait_for()
    page.locator("main h1").focus()
    tab_to(page, "element.name === 'rating'")
    assert _focus_is_visible(page)
    page.keyboard.press("Space")  # the first of the group: 5
    tab_to(page, "element.id === 'rate-comment'")
    page.keyboard.type("Szybko i sprawnie.")
    tab_to(page, "element.type === 'submit'")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Dziękujemy za ocenę").wait_for()
    page.get_by_text("Twoja ocena: 5 z 5").wait_for()


ZOOM_PAGES = [
    "/zgloszenia?wszystkie=1",
    "/zgloszenia/nowe",
    "/zglos-usterke",
    "/wiadomosci",
    "/ustawienia",
    f"/druk{ALERT_PATH}",
    f"/druk{BUILDING_A_NEWS}",
    "/dolacz-do-lokalu",
]


def test_at_200_percent_zoom_the_signed_in_screens_need_no_sideways_scrolling(browser, hub):
    ticket = done_ticket(hub, f"Bardzo_długi_opis_bez_spacji_{'x' * 60}")
    # 200 % zoom of a 1280 px window: 640 CSS pixels at twice the density.
    with opened_page(browser, hub, 640, 450, device_scale_factor=2) as page:
        sign_in(page, "resident.a")
        too_wide = []
        for address in [*ZOOM_PAGES, f"/zgloszenia/{ticket}"]:
            page.goto(address)
            page.locator("main h1").wait_for()
            page.locator("main form, main li, main .print-sheet, main dl").first.wait_for()
            if page.locator("button[aria-controls='message-0']").count():
                page.locator("button[aria-controls='message-0']").click()
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
                too_wide.append(address)
        assert not too_wide, too_wide


_SMALL_TARGETS = """() => {
  const visible = (el) => { const box = el.getBoundingClientRect(); return box.width > 0 && box.height > 0
    && getComputedStyle(el).visibility !== 'hidden' && !el.closest('.visually-hidden'); };
  const words = (el) => el.textContent.replace(/\\s+/g, ' ').trim();
  // A link in a sentence is exempt (WCAG 2.5.5); one standing on its own is not.
  const inSentence = (el) => {
    const block = el.closest('p, li, dd, td, h2, h3');
    return block && words(block) !== words(el);
  };
  const small = [];
  for (const el of document.querySelectorAll('main a[href], main button, main input, main select, main textarea')) {
    if (el.type === 'hidden' || !visible(el)) continue;
    if (el.tagName === 'A' && inSentence(el)) continue;
    let target = el;
    if (el.type === 'radio' || el.type === 'checkbox')
      target = el.closest('label') || document.querySelector(`label[for="${el.id}"]`) || el;
    const box = target.getBoundingClientRect();
    if (box.height < 43.5 || box.width < 43.5)
      small.push(`${el.tagName.toLowerCase()} "${words(target).slice(0, 40)}"`
        + ` ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return small;
}"""

_SMALL_TEXT = """() => {
  const small = [];
  for (const el of document.querySelectorAll('main *')) {
    const own = [...el.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
    if (!own || el.closest('.visually-hidden')) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) small.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" ${size}px`);
  }
  return small;
}"""


def test_on_a_phone_targets_are_44_px_and_text_16_px(phone, hub):
    ticket = done_ticket(hub, f"Kapie z kaloryfera {uuid.uuid4().hex[:6]}")
    page = phone
    sign_in(page, "resident.a")
    findings = {}
    for address in ["/zgloszenia", f"/zgloszenia/{ticket}", "/zgloszenia/nowe", "/wiadomosci", "/ustawienia"]:
        page.goto(address)
        page.locator("main h1").wait_for()
        page.locator("main form, main li").first.wait_for()
        if page.locator("button[aria-controls='message-0']").count():
            page.locator("button[aria-controls='message-0']").click()
            page.locator("#message-0 .rich-text").wait_for()
        no_sideways_scrolling(page)
        small = page.evaluate(_SMALL_TARGETS) + page.evaluate(_SMALL_TEXT)
        if small:
            findings[address] = small
    assert not findings, findings


def test_every_screen_has_its_own_title(desktop, hub):
    """A browser tab, the history list and a screen reader name the page by its <title>
    (WCAG 2.4.2): each screen its own, not "Portal mieszkańca" everywhere."""
    page = desktop
    sign_in(page, "resident.a")
    titles = {}
    for address in ["/zgloszenia", "/zgloszenia/nowe", "/wiadomosci", "/ustawienia", f"/druk{ALERT_PATH}"]:
        page.goto(address)
        heading = page.locator("main h1")
        heading.wait_for()
        # The title follows the heading (the layout watches it from an effect, so a screen
        # drawn with its heading at once has the title a frame later).
        expect(page).to_have_title(re.compile(re.escape(heading.inner_text().strip())))
        titles[address] = page.title()
    assert len(set(titles.values())) == len(titles), titles


# --- Account ------------------------------------------------------------------------------------


def test_a_late_answer_from_before_the_sign_in_does_not_sign_the_page_out(desktop):
    """The page asks who is signed in when it opens; on a slow line that answer (anonymous)
    can arrive after the sign-in's own. The latest question's answer counts."""
    page = desktop
    page.goto("/")
    page.wait_for_function("document.cookie.includes('csrftoken=')")
    questions = _held(page, {"Viewer"})
    page.goto("/zaloguj")
    _wait_until(page, lambda: questions, "the page asked who is signed in")
    page.get_by_label("Nazwa użytkownika lub adres e-mail").fill("resident.a")
    page.get_by_label("Hasło").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Zaloguj się").last.click()
    _wait_until(page, lambda: len(questions) == 2, "the sign-in asked who is signed in")
    questions[1].continue_()
    page.get_by_role("heading", level=1).filter(has_text="Dzień dobry").wait_for()

    # The answer the hub gave the page before the sign-in, arriving only now.
    questions[0].fulfill(json={"data": {"viewer": None}})
    page.wait_for_timeout(500)  # time for the page to read it
    assert page.get_by_role("button", name="Wyloguj się").is_visible()
    assert page.get_by_role("heading", level=1).filter(has_text="Dzień dobry").is_visible()


def test_a_failed_sign_in_appears_in_the_sign_in_history(desktop):
    page = desktop
    page.goto("/")
    page.wait_for_function("document.cookie.includes('csrftoken=')")
    page.goto("/zaloguj")
    page.get_by_label("Nazwa użytkownika lub adres e-mail").fill("resident.b")
    page.get_by_label("Hasło").fill("to-nie-jest-haslo")
    page.get_by_role("button", name="Zaloguj się").last.click()
    page.get_by_role("alert").filter(has_text=SUMMARY).wait_for()
    sign_in(page, "resident.b")
    page.goto("/ustawienia")
    history = page.get_by_role("list", name="Historia logowań")
    history.wait_for()
    attempts = history.get_by_role("listitem").all_inner_texts()
    assert attempts[0].lstrip("✓ ").startswith("Udane logowanie"), attempts[:2]
    assert attempts[1].lstrip("✗ ").startswith("Nieudane logowanie (złe hasło)"), attempts[:2]
    assert "portal w przeglądarce" in attempts[1]


def test_a_password_change_signs_out_other_sessions_and_the_new_password_works(browser, hub):
    username, new_password = "jan.kowalski", "Cicha-noc-nad-osiedlem-2026"
    changed = False
    try:
        with opened_page(browser, hub) as elsewhere, opened_page(browser, hub) as here:
            sign_in(elsewhere, username)
            sign_in(here, username)
            here.goto("/ustawienia")
            here.get_by_label("Obecne hasło").fill(DEMO_PASSWORD)
            here.get_by_label("Nowe hasło", exact=True).fill(new_password)
            here.get_by_label("Powtórz nowe hasło").fill(new_password)
            here.get_by_role("button", name="Zmień hasło").click()
            here.get_by_role("status").filter(has_text="Hasło zmienione").wait_for()
            changed = True
            assert here.get_by_label("Obecne hasło").input_value() == ""
            # Still signed in here, as the message says …
            here.reload()
            here.get_by_role("heading", name="Ustawienia", level=1).wait_for()
            here.get_by_role("button", name="Wyloguj się").wait_for()
            # … and signed out on the other device.
            elsewhere.goto("/ustawienia")
            elsewhere.get_by_role("heading", name=NOT_AVAILABLE, level=1).wait_for()
            # The new password signs in; the old one no longer does.
            sign_out(here)
            here.goto("/zaloguj")
            here.get_by_label("Nazwa użytkownika lub adres e-mail").fill(username)
            here.get_by_label("Hasło").fill(DEMO_PASSWORD)
            here.get_by_role("button", name="Zaloguj się").last.click()
            here.get_by_role("alert").filter(has_text=SUMMARY).wait_for()
            here.get_by_label("Hasło").fill(new_password)
            here.get_by_role("button", name="Zaloguj się").last.click()
            here.get_by_role("heading", level=1).filter(has_text="Dzień dobry").wait_for()
    finally:
        if changed:  # the demo password back, for the rest of the session
            restored = HubApi(hub, username, new_password).run(
                "mutation($c: String!, $n: String!) { passwordChange(currentPassword: $c, newPassword: $n)"
                " { errors { message } } }",
                c=new_password,
                n=DEMO_PASSWORD,
            )
            assert not restored["passwordChange"]["errors"], restored


# --- Print ----------------------------------------------------------------------------------------


def test_the_print_view_of_a_building_news_item(desktop, hub):
    page = desktop
    sign_in(page, "resident.a")
    page.goto(f"/druk{BUILDING_A_NEWS}")
    sheet = page.locator(".print-sheet")
    sheet.get_by_role("heading", level=1, name=BUILDING_A_NEWS_TITLE).wait_for()
    text = sheet.text_content()
    assert COOPERATIVE in text
    assert "Ogłoszenie" in text
    buildings = sheet.locator("dt", has_text="Dotyczy budynków").locator("xpath=following-sibling::dd[1]")
    assert "budynek A" in buildings.inner_text() and "budynek B" not in buildings.inner_text()
    published = sheet.locator("dt", has_text="Data ogłoszenia").locator("xpath=following-sibling::dd[1]")
    assert re.search(r"\d{1,2} \w+ \d{4}", published.inner_text()), published.inner_text()
    qr = sheet.get_by_role("img", name=re.compile("Kod QR"))
    assert f"{hub}{BUILDING_A_NEWS}" in qr.get_attribute("aria-label")
    assert int(qr.get_attribute("viewBox").split()[2]) >= 29
    assert qr.locator("path").get_attribute("d").count("M") > 100  # modules drawn, not an empty square
    page.get_by_role("link", name="Wróć do komunikatu").click()
    page.get_by_role("heading", level=1, name=BUILDING_A_NEWS_TITLE).wait_for()
    assert urlparse(page.url).path == BUILDING_A_NEWS


def test_the_print_view_in_english_and_of_a_missing_item(desktop, hub):
    page = desktop
    page.goto(f"/druk{ALERT_PATH}")
    sheet = page.locator(".print-sheet")
    sheet.locator("h1").wait_for()
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Print").wait_for()
    valid = sheet.locator("dt", has_text="Valid").locator("xpath=following-sibling::dd[1]").inner_text()
    assert re.fullmatch(r"from .*[A-Z][a-z]+.* until .*[A-Z][a-z]+.*", valid), valid
    assert "building A" in sheet.text_content() and "Urgent – outage" in sheet.text_content()
    assert not _english_leftovers(page)

    page.goto("/druk/aktualnosci/nie-ma-takiego-ogloszenia/")
    page.get_by_role("heading", name="This page is not available", level=1).wait_for(timeout=15_000)
    assert page.locator(".qr").count() == 0
