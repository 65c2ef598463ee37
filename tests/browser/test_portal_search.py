"""The portal's search in a real browser, on the demo data (demo_cooperative/data.py),
indexed as the demo loader indexes it:

- the header's box (every page) finds a firm typed without Polish letters and with a
  typo; the matched words come back marked (<mark>), the results are counted by kind
  ("Wykonawcy (4)") and narrowed to one kind by its link;
- nothing found offers the nearest spelling as a link that searches it;
- suggestions as one types, with the keyboard alone (the ARIA combobox: arrows,
  Escape, Enter opens the chosen item);
- "Znajdź wykonawcę": a search with trade and area facets that narrow the list, the
  whole directory again without a query; the documents' list searched by a word;
- in English.

Every screen at 360 px (and the main ones at 1280 px too): axe-core finds no serious
violation, nothing scrolls sideways; screenshots land in test-artifacts/portal/.
What must be found is taken from the demo's own data, not from the API's answers.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from demo_cooperative import data
from tests.browser.conftest import no_serious_violations, no_sideways_scrolling, opened_page, screenshot

FIRMS = {firm.slug: firm for firm in data.FIRMS}
TRADES = dict(data.TRADES)
PLUMBERS = [firm for firm in data.FIRMS if firm.trade == "hydraulik"]
ELECTRO_MONT = FIRMS["elektro-mont-grabowski"]  # "Elektro-Mont Łukasz Grabowski"
CONTRACTORS_PATH = f"/{data.SECTIONS['contractors'][1]}/"
DOCUMENTS_PATH = f"/{data.SECTIONS['documents'][1]}/"
FORM_DOCUMENT = next(spec for spec in data.DOCUMENTS if spec.key == "form_certificate")
PUBLIC_DOCUMENTS = [spec for spec in data.DOCUMENTS if spec.collection == "public"]

HEADER_BOX = "Szukaj w portalu"
TYPO = "hydraulk"  # "hydraulik" with a letter missing: within the typo budget
FAR_TYPO = "hdraulk"  # two letters missing: nothing found, "hydraulik" suggested


def _search_box(page):
    return page.get_by_role("banner").get_by_role("combobox", name=HEADER_BOX)


def _search_from_header(page, text: str) -> None:
    box = _search_box(page)
    box.fill(text)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/szukaj\?"))
    assert parse_qs(urlparse(page.url).query)["q"] == [text]


def _results(page):
    return page.locator("main ol.results > li")


def _checked(page, name: str, width: int) -> None:
    screenshot(page, name, width)
    no_sideways_scrolling(page)
    no_serious_violations(page)


def _folded(text: str) -> str:
    return data.ascii_fold(text).lower()


def test_the_header_search_finds_a_firm_typed_without_polish_letters(page, width):
    page.goto("/")
    page.get_by_role("heading", level=1).wait_for()
    _search_from_header(page, "lukasz grabowski")
    page.get_by_role("heading", level=1, name="Wyniki wyszukiwania: „lukasz grabowski”").wait_for()
    link = page.locator("main").get_by_role("link", name=ELECTRO_MONT.name, exact=True)
    link.wait_for()
    # The words matched as written in the content, Polish letters and all, marked.
    marked = link.locator("mark").all_inner_texts()
    assert {_folded(text) for text in marked} >= {"lukasz", "grabowski"}, marked
    assert "Łukasz" in marked, marked
    assert "<mark>" not in page.locator("main").inner_text()  # parts are text, never HTML
    _checked(page, "search-results", width)
    link.click()
    page.get_by_role("heading", level=1, name=ELECTRO_MONT.name, exact=True).wait_for()
    assert urlparse(page.url).path == f"{CONTRACTORS_PATH}{ELECTRO_MONT.slug}/"


def test_a_typo_still_finds_the_plumbers_counted_by_kind_and_narrowed_to_them(browser, hub):
    with opened_page(browser, hub, 360) as page:
        page.goto("/")
        _search_from_header(page, TYPO)
        kinds = page.get_by_role("navigation", name="Rodzaj wyników")
        contractors = kinds.get_by_role("link", name=f"Wykonawcy ({len(PLUMBERS)})", exact=True)
        contractors.wait_for()
        links = kinds.get_by_role("link").all_inner_texts()
        counts = {
            label: int(count) for label, count in (re.fullmatch(r"(.+) \((\d+)\)", text).groups() for text in links)
        }
        assert links[0].startswith("Wszystko"), links
        assert counts["Wszystko"] == sum(count for label, count in counts.items() if label != "Wszystko"), counts
        assert page.get_by_text(f"Znaleziono {counts['Wszystko']} wynik").count() == 1
        titles = page.locator("main ol.results h2").all_inner_texts()
        assert {firm.name for firm in PLUMBERS} <= set(titles), titles
        # The trade's name is marked where it matched: "Hydraulik" for "hydraulk".
        assert "Hydraulik" in page.locator("main ol.results mark").all_inner_texts()

        contractors.click()
        page.wait_for_url(re.compile(r"rodzaj=wykonawcy"))
        kinds.get_by_role("link", name=f"Wykonawcy ({len(PLUMBERS)})").and_(
            page.locator("[aria-current=page]")
        ).wait_for()
        page.get_by_text(f"Znaleziono {len(PLUMBERS)} wyniki").wait_for()
        assert _results(page).count() == len(PLUMBERS)
        assert set(page.locator("main ol.results .result__kind").all_inner_texts()) == {"Wykonawca"}
        # Narrowed to one kind, the other kinds keep their counts, to go back to them.
        assert kinds.get_by_role("link").all_inner_texts() == links
        _checked(page, "search-results-one-kind", 360)


def test_nothing_found_offers_the_nearest_spelling_as_a_link(browser, hub):
    with opened_page(browser, hub, 360) as page:
        page.goto("/")
        _search_from_header(page, FAR_TYPO)
        page.get_by_text(f"Nie znaleźliśmy niczego dla „{FAR_TYPO}”.").wait_for()
        offer = page.locator("main .did-you-mean")
        assert offer.inner_text().startswith("Czy chodziło Ci o:")
        _checked(page, "search-no-results", 360)
        offer.get_by_role("link", name="hydraulik").click()
        page.wait_for_url(re.compile(r"q=hydraulik"))
        page.get_by_role("heading", level=1, name="Wyniki wyszukiwania: „hydraulik”").wait_for()
        page.locator("main").get_by_role("link", name=PLUMBERS[0].name, exact=True).wait_for()
        assert _search_box(page).input_value() == "hydraulik"


def test_a_search_the_api_refuses_is_explained_by_the_field(browser, hub):
    """Longer than the API takes (an address typed or pasted by hand): the API's own
    message next to the field, not "could not load"."""
    with opened_page(browser, hub, 360) as page:
        page.goto(f"/szukaj?q={'a' * 201}")
        field = page.locator("main").get_by_label("Czego szukasz?")
        field.wait_for()
        page.locator("main .field__error").wait_for()
        assert field.get_attribute("aria-invalid") == "true"
        assert page.locator("#search-again-error").inner_text().strip()
        assert not page.get_by_text("Nie udało się wczytać").count()
        assert field.evaluate("(input) => input.maxLength") == 200  # typing stops at the limit


def test_suggestions_as_one_types_with_the_keyboard_alone(page, width):
    page.goto("/")
    page.get_by_role("heading", level=1).wait_for()
    box = _search_box(page)
    box.focus()
    assert box.get_attribute("aria-expanded") == "false"
    page.keyboard.type("hydro", delay=30)
    listbox = page.get_by_role("listbox", name="Podpowiedzi")
    listbox.wait_for()
    options = listbox.get_by_role("option")
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") is None  # the focus stays in the field
    names = options.all_inner_texts()
    assert any(name.startswith(FIRMS["hydro-tech-instalacje"].name) for name in names), names
    # Announced: how many suggestions there are.
    page.locator("#header-search-status[aria-live=polite]").filter(has_text=f"{options.count()} podpowied").wait_for()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    first = options.first
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    assert options.nth(1).get_attribute("aria-selected") == "false"
    assert page.evaluate("document.activeElement.id") == "header-search"
    _checked(page, "search-suggestions", width)

    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert not listbox.is_visible()
    assert box.input_value() == "hydro"  # Escape closes the suggestions, keeps the words

    page.keyboard.type("-tech", delay=30)
    options.first.wait_for()
    chosen = options.first.locator(".combobox__title").inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name=chosen, exact=True).wait_for()
    assert chosen == FIRMS["hydro-tech-instalacje"].name
    assert urlparse(page.url).path == f"{CONTRACTORS_PATH}hydro-tech-instalacje/"


def test_the_contractor_search_is_narrowed_by_trade_and_area(page, width):
    page.goto(CONTRACTORS_PATH)
    main = page.locator("main")
    main.get_by_role("heading", level=1, name=data.SECTIONS["contractors"][0]).wait_for()
    main.get_by_text(data.FIRMS[0].name, exact=True).wait_for()  # the whole directory first
    field = main.get_by_label("Czego szukasz?")
    # Every state the screen passes through: a count of results is never shown without
    # the facets of the same answer (they once followed a render later).
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          window.countsWithoutFacets = [];
          new MutationObserver(() => {
            const statuses = [...main.querySelectorAll("[role=status]")];
            const count = statuses.find((status) => status.textContent.includes("Znaleziono"));
            if (count && !main.querySelector("fieldset.facet")) window.countsWithoutFacets.push(count.textContent);
          }).observe(main, { childList: true, subtree: true, characterData: true });
        }"""
    )
    field.fill("mokotow")
    field.press("Enter")
    page.wait_for_url(re.compile(r"q=mokotow"))
    in_mokotow = [firm for firm in data.FIRMS if "Mokotów" in firm.area_served]
    status = main.get_by_role("status").filter(has_text="Znaleziono")
    status.wait_for()
    main.get_by_role("group", name="Branża").wait_for()
    assert page.evaluate("window.countsWithoutFacets") == []
    titles = main.locator("ul.results h2").all_inner_texts()
    assert {firm.name for firm in in_mokotow} <= set(titles), titles
    assert "Mokotów" in main.locator("ul.results mark").all_inner_texts()

    trades = main.get_by_role("group", name="Branża")
    plumbers = [firm for firm in in_mokotow if firm.trade == "hydraulik"]
    # Each choice's count is the firms it would show; it changes as the other facet narrows.
    plumbing = trades.get_by_role("checkbox", name=re.compile(rf"^{TRADES['hydraulik']} \(\d+\)$"))
    assert trades.get_by_role("checkbox", name=f"{TRADES['hydraulik']} ({len(plumbers)})").count() == 1
    plumbing.check()
    status.filter(has_text=f"Znaleziono {len(plumbers)} wykonawc").wait_for()
    assert sorted(main.locator("ul.results h2").all_inner_texts()) == sorted(firm.name for firm in plumbers)
    assert plumbing.is_checked()

    areas = main.get_by_role("group", name="Obszar działania")
    both = [firm for firm in plumbers if "Ursynów" in firm.area_served]
    assert 0 < len(both) < len(plumbers)
    areas.get_by_role("checkbox", name=f"Ursynów ({len(both)})").check()
    status.filter(has_text=f"Znaleziono {len(both)} wykonawc").wait_for()
    assert sorted(main.locator("ul.results h2").all_inner_texts()) == sorted(firm.name for firm in both)
    _checked(page, "search-contractors", width)

    plumbing.uncheck()
    status.filter(has_text=re.compile(r"Znaleziono \d+")).filter(has_not_text=f"Znaleziono {len(both)} ").wait_for()
    assert set(main.locator("ul.results h2").all_inner_texts()) >= {firm.name for firm in both}

    main.get_by_role("link", name="Pokaż wszystkich wykonawców").click()
    main.get_by_label("Branża").wait_for()  # the directory's own filter again
    main.get_by_text(data.FIRMS[-1].name, exact=True).wait_for()
    assert main.get_by_label("Czego szukasz?").input_value() == ""


def test_the_documents_are_searched_by_a_word_without_polish_letters(browser, hub):
    with opened_page(browser, hub, 360) as page:
        page.goto(DOCUMENTS_PATH)
        main = page.locator("main")
        main.get_by_text(f"{len(PUBLIC_DOCUMENTS)} dokument").wait_for()
        main.get_by_label("Szukaj w dokumentach").fill("zaswiadczenie")
        main.get_by_role("button", name="Pokaż").click()
        main.get_by_text("1 dokument", exact=True).wait_for()
        assert main.locator("ul.documents > li a").all_inner_texts() == [FORM_DOCUMENT.title]
        _checked(page, "search-documents", 360)


def test_in_english_the_search_speaks_english(browser, hub):
    with opened_page(browser, hub, 1280) as page:
        page.goto("/")
        page.get_by_role("button", name="English").click()
        box = page.get_by_role("banner").get_by_role("combobox", name="Search the portal")
        box.fill(TYPO)
        box.press("Enter")
        page.get_by_role("heading", level=1, name=f"Search results: “{TYPO}”").wait_for()
        kinds = page.get_by_role("navigation", name="Kind of result")
        kinds.get_by_role("link", name=f"Contractors ({len(PLUMBERS)})").wait_for()
        page.get_by_text(re.compile(r"^\d+ results found\.$")).wait_for()
        assert set(page.locator("main ol.results .result__kind").all_inner_texts()) <= {
            "Contractor",
            "Document",
            "News",
            "Investment",
        }
        text = page.locator("main").inner_text()
        assert not re.search(r"\bsearch\.\w+|\{\w+\}|Wyniki|Znaleziono|Wykonawc", text), text[:500]
        _checked(page, "search-results-english", 1280)

        box.fill(FAR_TYPO)
        box.press("Enter")
        page.get_by_text(f"We found nothing for “{FAR_TYPO}”.").wait_for()
        assert page.locator("main .did-you-mean").inner_text().startswith("Did you mean:")
