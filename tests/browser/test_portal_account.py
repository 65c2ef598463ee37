"""The resident portal's inbox, settings and account pages in a real browser, on the demo
data: reading and marking messages, notification preferences that stay, the sign-in
history, a password change refused next to its field, signing up, a forgotten password,
the pages of the e-mailed links, and asking to join a unit. Each test runs at 360 px and
1280 px and leaves screenshots in test-artifacts/portal/.

The hub is shared by the whole session, so each test leaves what it changed in a state
the next width (and the other test files) can start from: one message read per step,
a preference toggled whichever way it stood, requests for a different unit per width."""

from __future__ import annotations

import re
import time
import uuid

from tests.browser.conftest import no_serious_violations, no_sideways_scrolling, screenshot
from tests.browser.conftest import sign_in as _sign_in

UNREAD_COUNT = re.compile(r"Masz (\d+) nieprzeczytan")
MESSAGE_BUTTON = re.compile(r"^(Nieprzeczytana|Przeczytana)")  # the icons are hidden from the name
NEW_PASSWORD = "Zielony-dom-nad-rzeka-2026"


def sign_in(page, username: str) -> None:
    """conftest's sign_in, once the page has its CSRF cookie: api.js may otherwise keep the
    token of one of the first page's concurrent CsrfToken answers while the cookie holds
    another's, and the sign-in is refused (see the report on api.js)."""
    page.goto("/")
    page.wait_for_function("document.cookie.includes('csrftoken=')")
    _sign_in(page, username)


def _account_email_link(tmp_path_factory, address: str, kind: str) -> str:
    """The /konto/<kind>/<uid>/<token>/ path of the last e-mail to `address`, from the hub's
    log (the demo hub's console e-mail backend writes every e-mail there)."""
    logs = sorted(tmp_path_factory.getbasetemp().glob("hub*/hub.log"))
    assert logs, "the hub's log was not found beside the session's temporary files"
    pattern = re.compile(rf"/konto/{kind}/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)/")
    for _ in range(100):
        # Each e-mail ends with a line of dashes; the server's request lines may precede it.
        messages = [
            part[part.index(address) :]
            for part in logs[0].read_text(errors="replace").split("\n-------")
            if address in part
        ]
        found = [match.group(0) for message in messages for match in pattern.finditer(message)]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no e-mail with a /konto/{kind}/ link reached {address}")


def _unread(page) -> int:
    status = page.get_by_role("status").filter(has_text="nieprzeczytan")
    status.wait_for()
    return int(UNREAD_COUNT.search(status.inner_text()).group(1))


def _wait_for_unread(page, expected: int) -> None:
    page.get_by_role("status").filter(has_text=re.compile(rf"Masz {expected} nieprzeczytan")).wait_for()


def _form_error(page, field_id: str, text: str) -> None:
    """`text` next to the field (and in the summary at the form's top), the field marked."""
    page.get_by_role("alert").filter(has_text="Popraw, proszę").wait_for()
    assert text in page.locator(f"#{field_id}-error").inner_text()
    assert page.get_by_role("alert").filter(has_text="Popraw, proszę").filter(has_text=text).count() == 1
    assert page.locator(f"#{field_id}").get_attribute("aria-invalid") == "true"


# --- Inbox ------------------------------------------------------------------------------


def test_a_resident_reads_a_message_and_marks_one_read(page, width):
    sign_in(page, "resident.a")
    page.goto("/wiadomosci")
    page.get_by_role("heading", name="Wiadomości", level=1).wait_for()
    before = _unread(page)
    assert before >= 2
    # Unread is said in words, not only by colour.
    message = page.get_by_role("button", name=re.compile(r"^Nieprzeczytana")).first
    assert message.get_attribute("aria-expanded") == "false"
    message.click()
    # Opening it shows the message and marks it read: the unread count drops.
    _wait_for_unread(page, before - 1)
    opened = page.locator("button[aria-expanded='true']")
    assert "Przeczytana" in opened.inner_text()
    body = page.locator(f"#{opened.get_attribute('aria-controls')}")
    assert body.is_visible() and body.inner_text().strip()
    screenshot(page, "inbox-message", width)
    # One more, marked read without opening it.
    page.get_by_role("button", name=re.compile(r"^Oznacz jako przeczytaną wiadomość")).first.click()
    _wait_for_unread(page, before - 2)
    # The server kept it.
    page.reload()
    assert _unread(page) == before - 2
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "inbox", width)


def test_the_inbox_shows_more_on_request(page, width):
    sign_in(page, "resident.a")
    page.goto("/wiadomosci")
    messages = page.get_by_role("button", name=MESSAGE_BUTTON)
    page.get_by_role("button", name="Pokaż więcej").wait_for()
    assert messages.count() == 10
    page.get_by_role("button", name="Pokaż więcej").click()
    page.wait_for_function("document.querySelectorAll('button[aria-controls^=\"message-\"]').length > 10")
    assert messages.count() > 10  # 13 in the demo


def test_marking_every_message_read(page, width):
    # Another resident per width: the first run leaves nothing unread.
    sign_in(page, "tenant.a" if width == 360 else "resident.b")
    page.goto("/wiadomosci")
    assert _unread(page) > 0
    page.get_by_role("button", name="Oznacz wszystkie jako przeczytane").click()
    _wait_for_unread(page, 0)
    assert page.get_by_role("button", name=re.compile(r"^Nieprzeczytana")).count() == 0
    page.reload()
    assert _unread(page) == 0
    assert page.get_by_role("button", name="Oznacz wszystkie jako przeczytane").count() == 0


# --- Settings ---------------------------------------------------------------------------


def test_a_changed_notification_preference_is_kept_after_reload(page, width):
    sign_in(page, "resident.a")
    page.goto("/ustawienia")
    page.get_by_role("heading", name="Ustawienia", level=1).wait_for()
    sms = page.get_by_role("group", name="Ogłoszenia", exact=True).get_by_label("SMS", exact=True)
    sms.wait_for()
    was = sms.is_checked()
    sms.set_checked(not was)
    page.get_by_role("button", name="Zapisz ustawienia powiadomień").click()
    page.get_by_role("status").filter(has_text="Zapisano").wait_for()
    page.reload()
    sms = page.get_by_role("group", name="Ogłoszenia", exact=True).get_by_label("SMS", exact=True)
    sms.wait_for()
    assert sms.is_checked() is (not was)
    # Account e-mails cannot be turned off, and the page says so in words.
    account = page.get_by_role("group", name="Konto i członkostwo", exact=True)
    locked = account.get_by_label("e-mail", exact=False)
    assert locked.is_checked() and locked.is_disabled()
    assert account.get_by_text("Zawsze włączone").is_visible()
    # Anna's phone with the app (demo data) is listed.
    page.get_by_text("Telefon Anny").wait_for()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "settings", width)


def test_a_resident_sees_their_sign_in_history(page, width):
    sign_in(page, "resident.a")
    page.goto("/ustawienia")
    history = page.get_by_role("list", name="Historia logowań")
    history.wait_for()
    latest = history.get_by_role("listitem").first
    text = latest.inner_text()
    assert "Udane logowanie" in text and "portal w przeglądarce" in text and "Chrome" in text, text


def test_a_wrong_current_password_is_explained_next_to_the_field(page, width):
    sign_in(page, "resident.a")
    page.goto("/ustawienia")
    page.get_by_label("Obecne hasło").fill("to-nie-jest-moje-haslo")
    page.get_by_label("Nowe hasło", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Powtórz nowe hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Zmień hasło").click()
    _form_error(page, "current-password", "To nie jest Twoje obecne hasło.")
    assert page.locator("#new-password-error").count() == 0
    no_serious_violations(page)
    screenshot(page, "settings-password-error", width)


# --- Account pages ----------------------------------------------------------------------


def test_the_register_form_answers_check_your_email(page, width):
    page.goto("/rejestracja")
    page.get_by_role("heading", name="Załóż konto", level=1).wait_for()
    page.get_by_role("button", name="Załóż konto").click()
    _form_error(page, "first-name", "Wpisz imię.")
    no_serious_violations(page)
    screenshot(page, "register-error", width)
    address = f"nowa.{width}.{uuid.uuid4().hex[:8]}@poczta.example"
    page.get_by_label("Imię").fill("Halina")
    page.get_by_label("Nazwisko").fill("Kamińska")
    page.get_by_label("Adres e-mail").fill(address)
    page.get_by_role("button", name="Załóż konto").click()
    page.get_by_role("heading", name="Sprawdź skrzynkę e-mail", level=1).wait_for()
    assert address in page.get_by_role("status").inner_text()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "register-sent", width)


def test_the_password_forgotten_form(page, width):
    page.goto("/nie-pamietam-hasla")
    page.get_by_role("heading", name="Nie pamiętam hasła", level=1).wait_for()
    no_serious_violations(page)
    screenshot(page, "password-forgotten", width)
    page.get_by_role("button", name="Wyślij link").click()
    _form_error(page, "email", "Wpisz adres e-mail.")
    # The same answer whether or not the address has an account.
    page.get_by_label("Adres e-mail").fill(f"nikt.{width}@poczta.example")
    page.get_by_role("button", name="Wyślij link").click()
    page.get_by_role("heading", name="Sprawdź skrzynkę e-mail", level=1).wait_for()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "password-forgotten-sent", width)


def test_an_account_link_that_is_not_valid_says_so_and_offers_a_new_one(page, width):
    page.goto("/konto/potwierdz/MQ/nieprawidlowy-token/")
    page.get_by_role("heading", name="Potwierdzenie konta", level=1).wait_for()
    page.get_by_label("Imię").fill("Halina")
    page.get_by_label("Nazwisko").fill("Kamińska")
    page.get_by_label("Nowe hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Potwierdź konto").click()
    page.get_by_role("alert").filter(has_text="Ten link jest nieważny").wait_for()
    assert page.get_by_role("link", name="Załóż konto jeszcze raz").is_visible()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "account-confirm", width)

    page.goto("/konto/nowe-haslo/MQ/nieprawidlowy-token/")
    page.get_by_role("heading", name="Nowe hasło", level=1).wait_for()
    page.get_by_label("Nowe hasło", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Powtórz nowe hasło").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Ustaw nowe hasło").click()
    _form_error(page, "new-password-again", "Hasła się różnią.")
    page.get_by_label("Powtórz nowe hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Ustaw nowe hasło").click()
    page.get_by_role("alert").filter(has_text="Ten link jest nieważny").wait_for()
    assert page.get_by_role("link", name="Poproś o nowy link").is_visible()
    no_serious_violations(page)
    screenshot(page, "password-reset", width)


def test_a_newcomer_signs_up_confirms_the_address_and_asks_to_join_a_unit(page, width, tmp_path_factory):
    page.goto("/dolacz-do-lokalu")
    page.get_by_role("link", name="Nie masz konta? Załóż je").click()  # anonymous: sign in or sign up first
    address = f"sasiad.{width}.{uuid.uuid4().hex[:8]}@poczta.example"
    page.get_by_label("Imię").fill("Ktoś")
    page.get_by_label("Nazwisko").fill("Inny")
    page.get_by_label("Adres e-mail").fill(address)
    page.get_by_role("button", name="Załóż konto").click()
    page.get_by_role("heading", name="Sprawdź skrzynkę e-mail", level=1).wait_for()

    # The link in the e-mail; whoever opens it gives the names again and a password.
    page.goto(_account_email_link(tmp_path_factory, address, "potwierdz"))
    page.get_by_role("heading", name="Potwierdzenie konta", level=1).wait_for()
    page.get_by_label("Imię").fill("Helena")
    page.get_by_label("Nazwisko").fill("Lewandowska")
    page.get_by_label("Nowe hasło").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Potwierdź konto").click()

    # Signed in, and asked for the next step: a unit, with a proof staff check.
    page.get_by_role("status").filter(has_text="Konto jest gotowe").wait_for()
    assert page.get_by_role("button", name="Wyloguj się").is_visible()
    screenshot(page, "join-unit-new-account", width)
    page.get_by_label("Budynek").fill("C")
    page.get_by_label("Numer lokalu").fill("999")
    page.get_by_label("najemca").check()
    page.get_by_role("radio", name="Kod dostępu").check()
    page.locator("#proof-value").fill("AB12-CD34")
    page.get_by_role("button", name="Wyślij prośbę").click()
    _form_error(page, "unit-number", "Nie ma takiego lokalu.")
    no_serious_violations(page)
    screenshot(page, "join-unit-error", width)
    page.get_by_label("Numer lokalu").fill("3")
    page.get_by_role("button", name="Wyślij prośbę").click()
    page.get_by_role("status").filter(has_text="Wysłaliśmy prośbę").wait_for()
    page.get_by_role("listitem").filter(has_text="Lokal C/3").filter(has_text="czeka na sprawdzenie").wait_for()
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, "join-unit", width)
