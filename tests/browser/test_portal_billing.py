"""The resident portal's "Moje opłaty" in a real browser, on the demo data and the billing
account tests/browser/conftest.py opens for resident.a (BILLING_SEED: her parking space,
beside whatever account the demo's books give her flat): the balance at a glance on the
home page; the screen with the balance in residents' words, what is overdue, the account
number copied (the Clipboard API, and the fallback when there is none), the payment
calendar, the ledger month by month with a correction shown as one; a viewer without
accounts; signed out; English; the keyboard alone. The screens run at 360 px and 1280 px
with axe-core and leave screenshots in test-artifacts/portal/.

The expected figures are read from the API as resident.a, so the tests hold whatever day
they run on."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import (
    BILLING_PAYER,
    HubApi,
    no_serious_violations,
    no_sideways_scrolling,
    opened_page,
    screenshot,
    tab_to,
)
from tests.browser.conftest import sign_in as _sign_in

POLISH_MONTHS = [
    "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec",
    "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień",
]  # fmt: skip
ACCOUNT = """query { viewer { billingAccounts(first: 10) { edges { node {
  id payerName balance overdue number { formatted electronic } paymentCalendar { dueDate payBy amount }
  paymentQr { amount recipient title }
} } } } }"""
DOCUMENTS = """query { viewer { billingAccounts(first: 10) { edges { node {
  payerName documents(first: 10) { edges { node { number downloadUrl } } }
} } } } }"""


def sign_in(page, username: str) -> None:
    """conftest's sign-in, once the first page has set its CSRF cookie (as the account tests do)."""
    page.goto("/")
    page.wait_for_function("document.cookie.includes('csrftoken=')")
    _sign_in(page, username)


def _checked(page, name: str, width: int) -> None:
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, name, width)


def _plain(text: str) -> str:
    """Intl's no-break spaces as plain ones."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


def _escaped(text: str) -> str:
    """`text` in a regular expression Playwright passes to the browser (a "/" ends it there)."""
    return re.escape(text).replace("/", r"\/")


def _money(value: str | Decimal) -> str:
    """As Intl formats złoty in Polish: 850,00 zł, 1234,50 zł, 12 345,00 zł (plain spaces)."""
    amount = abs(Decimal(value))
    whole, grosze = f"{amount:.2f}".split(".")
    if len(whole) >= 5:
        whole = f"{int(whole):,}".replace(",", " ")
    return f"{whole},{grosze} zł"


def _polish_date(day: str) -> str:
    """As Intl's long Polish date: 15 grudnia 2026."""
    genitive = [
        "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
        "lipca", "sierpnia", "września", "października", "listopada", "grudnia",
    ]  # fmt: skip
    date = datetime.date.fromisoformat(day)
    return f"{date.day} {genitive[date.month - 1]} {date.year}"


def _month(back: int) -> datetime.date:
    today = datetime.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    year, number = divmod(today.year * 12 + today.month - 1 - back, 12)
    return datetime.date(year, number + 1, 1)


@pytest.fixture(scope="module")
def account(hub) -> dict:
    edges = HubApi(hub, "resident.a").run(ACCOUNT)["viewer"]["billingAccounts"]["edges"]
    seeded = [edge["node"] for edge in edges if edge["node"]["payerName"] == BILLING_PAYER]
    assert len(seeded) == 1, "conftest's BILLING_SEED opens this account for resident.a"
    return seeded[0]


def _section(page):
    """The seeded account's part of the screen (resident.a may have the demo's account too)."""
    return page.locator("section.billing-account").filter(has_text=BILLING_PAYER)


def _open_billing(page):
    page.goto("/oplaty")
    page.get_by_role("heading", name="Moje opłaty", level=1).wait_for()
    section = _section(page)
    section.locator(".billing-ledger").wait_for()
    return section


# --- The balance ------------------------------------------------------------------------------


def test_a_resident_sees_the_balance_at_a_glance_and_on_the_screen(page, width, account):
    assert Decimal(account["balance"]) < 0 < Decimal(account["overdue"])  # conftest's seed: a debt, part overdue
    due = f"Do zapłaty {_money(account['balance'])}"
    overdue = f"Po terminie: {_money(account['overdue'])}"
    calendar = sorted(account["paymentCalendar"], key=lambda item: item["payBy"])
    assert calendar, "the seed's charges of this month are due in ten days"
    next_due = f"Najbliższy termin: {_polish_date(calendar[0]['payBy'])}, {_money(calendar[0]['amount'])}"

    sign_in(page, "resident.a")
    glance = page.get_by_role("region", name="Moje opłaty")
    glance.get_by_text("Do zapłaty").wait_for()
    line = glance.get_by_role("listitem").filter(has_text=BILLING_PAYER)
    text = _plain(line.inner_text())
    assert "Lokal A/12" in text and due in text and overdue in text and next_due in text, text
    _checked(page, "billing-home", width)

    glance.get_by_role("link", name="Zobacz szczegóły opłat").click()
    page.get_by_role("heading", name="Moje opłaty", level=1).wait_for()
    section = page.get_by_role("region", name=re.compile(rf"^Lokal A\/12 – {_escaped(BILLING_PAYER)}"))
    section.get_by_text("Do zapłaty").first.wait_for()
    text = _plain(section.inner_text())
    assert due in text and overdue in text and next_due in text, text
    assert account["number"]["formatted"] in text
    assert f"Płatnik: {BILLING_PAYER}" in text

    # What is overdue, by days past due, and the coming due dates: tables with captions.
    aged = section.get_by_role("table", name="Kwoty po terminie według liczby dni od terminu płatności")
    assert _money(account["overdue"]) in _plain(aged.inner_text())
    coming = section.get_by_role("table", name="Najbliższe terminy płatności i kwoty do zapłaty")
    coming_text = _plain(coming.inner_text())
    for item in calendar:
        assert _polish_date(item["payBy"]) in coming_text and _money(item["amount"]) in coming_text, coming_text
    section.locator(".billing-ledger").wait_for()
    _checked(page, "billing", width)


def test_the_account_number_is_copied_to_the_clipboard(page, width, hub, account):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hub)
    sign_in(page, "resident.a")
    section = _open_billing(page)
    button = section.get_by_role("button", name="Kopiuj numer konta")
    button.click()
    section.get_by_role("status").filter(has_text="Skopiowano").wait_for()
    digits = account["number"]["electronic"].removeprefix("PL")
    assert page.evaluate("navigator.clipboard.readText()") == digits
    # The button says which number it copies.
    assert account["number"]["formatted"] in button.evaluate(
        "(b) => document.getElementById(b.getAttribute('aria-describedby')).textContent"
    )


def test_without_the_clipboard_api_the_number_is_copied_the_old_way(browser, hub, account):
    with opened_page(browser, hub, 360) as page:
        page.add_init_script(
            """
            Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true });
            const copy = document.execCommand.bind(document);
            document.execCommand = (command, ...rest) => {
              if (command === "copy") window.__copied = document.querySelector("textarea[readonly]")?.value ?? null;
              return copy(command, ...rest);
            };
            """
        )
        sign_in(page, "resident.a")
        section = _open_billing(page)
        section.get_by_role("button", name="Kopiuj numer konta").click()
        status = section.locator(".billing-copy-status")
        status.filter(has_text=re.compile("Skopiowano|Nie udało się skopiować")).wait_for()
        if "Skopiowano" in status.inner_text():
            assert page.evaluate("window.__copied") == account["number"]["electronic"].removeprefix("PL")
        else:  # the browser refused the old command too: the number is selected to copy by hand
            assert _plain(page.evaluate("String(getSelection())")) == account["number"]["formatted"]
        # Nothing of the helper field is left behind.
        assert page.locator("textarea[readonly]").count() == 0


# --- Paying by QR code, documents, consents --------------------------------------------------


def test_the_payment_code_and_the_documents(page, width, hub, account):
    qr = account["paymentQr"]
    assert qr and Decimal(qr["amount"]) > 0, "what is overdue and due within a month"
    sign_in(page, "resident.a")
    section = _open_billing(page)
    code = section.get_by_role("img", name=f"Kod QR przelewu na kwotę {_money(qr['amount'])}", exact=False)
    code.wait_for()
    assert code.evaluate("(img) => img.complete && img.naturalWidth > 0"), "the code is drawn"
    details = _plain(section.locator(".billing-qr__details").inner_text())
    assert qr["recipient"] in details and qr["title"] in details and _money(qr["amount"]) in details, details

    # Every document the API lists for resident.a's accounts is linked where its account is,
    # and the link gives its PDF; an account without any says so.
    accounts = HubApi(hub, "resident.a").run(DOCUMENTS)["viewer"]["billingAccounts"]["edges"]
    seeded = next(edge["node"] for edge in accounts if edge["node"]["payerName"] == BILLING_PAYER)
    assert seeded["documents"]["edges"], "BILLING_SEED issues a payment demand (the hub's log says why not)"
    for edge in accounts:
        part = page.locator("section.billing-account").filter(
            has=page.get_by_role("heading", level=2, name=re.compile(rf"– {_escaped(edge['node']['payerName'])},"))
        )
        documents = [item["node"] for item in edge["node"]["documents"]["edges"]]
        if not documents:
            part.get_by_text("Nie ma jeszcze dokumentów dla tego konta.").wait_for()
            continue
        for document in documents:
            link = part.get_by_role("link", name=re.compile(rf"^Pobierz PDF: .* nr {_escaped(document['number'])}$"))
            link.wait_for()
            assert link.get_attribute("href") == document["downloadUrl"]
        response = page.request.get(documents[0]["downloadUrl"])
        assert response.status == 200 and response.headers["content-type"].startswith("application/pdf")
        assert response.body().startswith(b"%PDF")
    _checked(page, "billing-documents", width)


def test_consents_are_saved_and_an_installment_request_withdrawn(page, width):
    sign_in(page, "resident.a")
    section = _open_billing(page)
    documents = section.get_by_role("checkbox", name="Dokumenty elektronicznie")
    reminders = section.get_by_role("checkbox", name="Przypomnienia o terminach płatności")
    installment = section.get_by_role("checkbox", name="Proszę o rozłożenie zaległości na raty")
    electronic = not documents.is_checked()  # whichever way the other width left it
    documents.set_checked(electronic)
    reminders.check()
    installment.check()
    note = section.get_by_label("Wiadomość do biura (nieobowiązkowa)")
    note.fill(f"Mogę płacić 300 zł miesięcznie ({width} px).")
    section.get_by_role("button", name="Zapisz wybory").click()
    section.get_by_role("status").filter(has_text="wniosek o raty czeka na odpowiedź biura").wait_for()
    _checked(page, "billing-consents", width)

    # Kept by the hub.
    page.reload()
    section = _open_billing(page)
    assert documents.is_checked() == electronic and reminders.is_checked() and installment.is_checked()
    section.get_by_text("Wniosek o raty wysłano").wait_for()
    assert note.input_value() == f"Mogę płacić 300 zł miesięcznie ({width} px)."

    # A note too long: the summary at the top, the message by the field.
    note.fill("x" * 2001)
    section.get_by_role("button", name="Zapisz wybory").click()
    section.get_by_role("alert").filter(has_text="Popraw, proszę").wait_for()
    assert section.get_by_text("Napisz najwyżej 2000 znaków.").count() == 2
    assert note.get_attribute("aria-invalid") == "true"

    # Withdrawn, and the note goes with it.
    installment.uncheck()
    section.get_by_role("button", name="Zapisz wybory").click()
    section.get_by_role("status").filter(has_text="Twoje wybory dla tego konta zostały zapisane.").wait_for()
    page.reload()
    section = _open_billing(page)
    assert not installment.is_checked()
    assert section.get_by_label("Wiadomość do biura (nieobowiązkowa)").count() == 0


def test_a_refusal_is_shown_next_to_its_field(page, width):
    """The API's typed error (here one the form itself would catch first) lands by its field."""

    def refuse(route):
        if (route.request.post_data_json or {}).get("operationName") != "BillingConsentsUpdate":
            route.continue_()
            return
        route.fulfill(
            json={
                "data": {
                    "billingConsentsUpdate": {
                        "consents": None,
                        "errors": [
                            {"field": "installmentNote", "code": "NOTE_TOO_LONG", "message": "Za długa wiadomość."}
                        ],
                    }
                }
            }
        )

    sign_in(page, "resident.a")
    section = _open_billing(page)
    page.route("**/graphql", refuse)
    section.get_by_role("checkbox", name="Proszę o rozłożenie zaległości na raty").check()
    section.get_by_role("button", name="Zapisz wybory").click()
    section.get_by_role("alert").filter(has_text="Za długa wiadomość.").wait_for()
    field = section.get_by_label("Wiadomość do biura (nieobowiązkowa)")
    assert field.get_attribute("aria-invalid") == "true"
    assert "Za długa wiadomość." in section.locator(f"#{field.get_attribute('id')}-error").inner_text()


# --- The ledger -------------------------------------------------------------------------------


def test_choosing_another_month_reloads_the_ledger(page, width):
    this_month, last_month, two_back = _month(0), _month(1), _month(2)
    sign_in(page, "resident.a")
    section = _open_billing(page)
    ledger = section.locator(".billing-ledger")
    month = section.get_by_label("Miesiąc")
    # This month first: its charges, due in ten days.
    ledger.get_by_text(f"Eksploatacja {this_month:%m/%Y}").wait_for()
    assert month.input_value() == this_month.isoformat()
    assert f"{POLISH_MONTHS[this_month.month - 1]} {this_month.year}" in ledger.locator("caption").inner_text()

    # Last month: a cold-water charge and its correction, shown as a correction.
    month.select_option(last_month.isoformat())
    section.get_by_role("button", name="Pokaż").click()
    ledger.get_by_text(f"Woda zimna {last_month:%m/%Y}").first.wait_for()
    assert ledger.get_by_text(f"Eksploatacja {this_month:%m/%Y}").count() == 0
    caption = ledger.locator("caption").inner_text()
    assert f"{POLISH_MONTHS[last_month.month - 1]} {last_month.year}" in caption, caption
    correction = ledger.locator("tr").filter(has_text="Korekta rozliczenia wody")
    text = _plain(correction.inner_text())
    assert "Korekta: zimna woda i ścieki" in text, text
    assert f"Korekta pozycji „Woda zimna {last_month:%m/%Y}”" in text, text
    assert "15,00 zł" in text
    section.get_by_role("status").filter(has_text=re.compile(r": 4 operacje\.")).wait_for()
    _checked(page, "billing-ledger-correction", width)

    # Two months back: the payment, in the "paid" column.
    month.select_option(two_back.isoformat())
    section.get_by_role("button", name="Pokaż").click()
    payment = ledger.locator("tr").filter(has_text=f"Opłaty {two_back:%m/%Y}")
    payment.wait_for()
    assert "Wpłata" in payment.inner_text()
    cells = payment.locator("td")
    assert _plain(cells.nth(4).inner_text()).endswith("412,50 zł") and not cells.nth(3).inner_text().strip()
    summary = _plain(section.locator(".billing-summary").inner_text())
    assert "Wpłacono i uznano w miesiącu\n412,50 zł" in summary, summary


def test_the_screen_reads_in_english(page, width, account):
    sign_in(page, "resident.a")
    _open_billing(page)
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My payments", level=1).wait_for()
    section = _section(page)
    section.get_by_role("heading", name="Account history").wait_for()
    section.locator(".billing-ledger").wait_for()
    text = _plain(section.inner_text())
    amount = f"{abs(Decimal(account['balance'])):,.2f}"
    assert f"To pay PLN {amount}" in text, text
    assert "Copy the account number" in text and "Payment calendar" in text
    assert "Charge: maintenance" in text
    main = page.locator("main").inner_text()
    assert not re.search(r"\bbilling\.[a-zA-Z]", main), "a catalogue key instead of its text"
    _checked(page, "billing-english", width)
    page.get_by_role("button", name="Polski").click()
    page.get_by_role("heading", name="Moje opłaty", level=1).wait_for()


# --- Nobody's accounts ------------------------------------------------------------------------


def test_a_tenant_without_accounts_sees_the_empty_state_and_nothing_on_the_home_page(page, width):
    sign_in(page, "tenant.a")
    page.get_by_role("heading", name="Moje otwarte zgłoszenia").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Moje opłaty").count() == 0
    page.get_by_role("link", name="Moje opłaty").click()
    page.get_by_role("heading", name="Moje opłaty", level=1).wait_for()
    page.get_by_text("Nie masz jeszcze konta rozliczeniowego").wait_for()
    assert page.get_by_role("button", name="Kopiuj numer konta").count() == 0
    _checked(page, "billing-empty", width)


def test_signed_out_the_screen_is_not_available(page, width):
    page.goto("/oplaty")
    page.get_by_role("heading", name="Ta strona nie jest dostępna").wait_for()
    assert page.get_by_role("link", name="Moje opłaty").count() == 0  # not in the menu either
    assert "next=%2Foplaty" in page.get_by_role("link", name="Zaloguj się").last.get_attribute("href")


# --- Keyboard only ----------------------------------------------------------------------------

IN_SEEDED = f"element.closest('section.billing-account')?.textContent.includes({BILLING_PAYER!r})"


def test_the_screen_needs_no_mouse(browser, hub, account):
    with opened_page(browser, hub, 360) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=hub)
        sign_in(page, "resident.a")
        tab_to(page, "element.textContent.trim() === 'Moje opłaty' && element.closest('nav') !== null")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Moje opłaty", level=1).wait_for()
        section = _section(page)
        section.locator(".billing-ledger").wait_for()
        tab_to(page, f"element.textContent.trim() === 'Kopiuj numer konta' && {IN_SEEDED}")
        page.keyboard.press("Enter")
        section.get_by_role("status").filter(has_text="Skopiowano").wait_for()
        # The month: chosen with the arrow keys, shown with the button.
        tab_to(page, f"element.tagName === 'SELECT' && {IN_SEEDED}")
        page.keyboard.press("ArrowDown")
        assert section.get_by_label("Miesiąc").input_value() == _month(1).isoformat()
        tab_to(page, f"element.textContent.trim() === 'Pokaż' && {IN_SEEDED}")
        page.keyboard.press("Enter")
        section.locator(".billing-ledger").get_by_text(f"Woda zimna {_month(1):%m/%Y}").first.wait_for()
        no_sideways_scrolling(page)
