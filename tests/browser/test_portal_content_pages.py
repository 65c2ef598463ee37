"""The site's pages as the portal renders them by their address (`page(urlPath:)` in
pages/content.js), what staff see when they sign in to the portal, and links in rich text.

- Every kind of page the demo has (a news item, an outage alert, the news, documents,
  investments and contractors sections, an investment with its gallery and progress, a
  contractor's page), at 360 px and 1280 px: its heading and main facts, no serious axe
  violation, nothing to scroll sideways, a screenshot in test-artifacts/portal/. A news
  item's picture offers a valid `srcset`.
- Staff (dispatcher, editor, admin) signed in to the portal see what a resident sees and
  nothing of the staff's own tools or of other households (see the staff test's comment).
- Links an editor puts in rich text lead to the portal's addresses and open there.

What a page must show is taken from the demo's own data (demo_cooperative/data.py).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Error

from demo_cooperative import data
from tests.browser.conftest import (
    DEMO_PASSWORD,
    no_serious_violations,
    no_sideways_scrolling,
    opened_page,
    screenshot,
    sign_in,
)

NEWS = {spec.key: spec for spec in data.NEWS}
INVESTMENTS = {spec.slug: spec for spec in data.INVESTMENTS}
FIRMS = {firm.slug: firm for firm in data.FIRMS}
TRADES = dict(data.TRADES)
PUBLIC_NEWS = [spec for spec in data.NEWS if spec.audience == "public" and spec.scheduled_in_days is None]
PUBLIC_DOCUMENTS = [spec for spec in data.DOCUMENTS if spec.collection == "public"]

ARTICLE = NEWS["public_waste"]  # a public announcement with a picture
OUTAGE = NEWS["outage_current"]  # the current water outage in buildings A and B
INVESTMENT = INVESTMENTS["wymiana-dzwigow-budynek-a"]  # ongoing, three photos
FIRM = FIRMS["hydro-tech-instalacje"]
SCHEDULED = NEWS["scheduled"]  # publishing scheduled a week ahead: not live yet


def _path(section: str, slug: str = "") -> str:
    return f"/{data.SECTIONS[section][1]}/{slug + '/' if slug else ''}"


def _money(amount: str) -> str:
    """A pattern for an amount as the portal writes it in Polish: 780 000,00 zł."""
    whole, _, cents = amount.partition(".")
    groups = []
    while whole:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return r"\s?".join(groups) + rf",{cents}\s*zł"


def _shown(fact: str | re.Pattern, text: str) -> bool:
    return bool(fact.search(text)) if isinstance(fact, re.Pattern) else fact in text


MONTHS = "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
A_DATE = re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}\b")  # when a news item was published, in Polish


# --- Every kind of page, at both widths -----------------------------------------------------

# (kind, address, what to wait for once the page's own list has come, patterns the main
# area must show). Each kind shows at least what its card elsewhere in the portal says:
# the home page's alert (buildings, until when), the investment's card in the list
# (status, budget, progress), the firm's entry in the directory (trade, area, services,
# phone, hours).
CONTENT_PAGES = [
    (
        "news-article",
        _path("news", ARTICLE.slug),
        None,
        [A_DATE, ARTICLE.lead, "Od przyszłego miesiąca odpady wielkogabarytowe", "Drukuj"],
    ),
    (
        "outage-alert",
        _path("news", OUTAGE.slug),
        None,
        [
            A_DATE,
            OUTAGE.lead,
            "Ekipa Hydro-Tech Instalacje pracuje na miejscu",
            re.compile(r"Dotyczy budynków:?\s*A,\s*B"),
            "Obowiązuje",
        ],
    ),
    (
        "news-index",
        _path("news"),
        PUBLIC_NEWS[0].title,
        ["Ogłoszenia spółdzielni i komunikaty o awariach", *(spec.title for spec in PUBLIC_NEWS)],
    ),
    (
        "document-index",
        _path("documents"),
        PUBLIC_DOCUMENTS[0].title,
        [f"{len(PUBLIC_DOCUMENTS)} dokument", "Rodzaj dokumentu", *(spec.title for spec in PUBLIC_DOCUMENTS)],
    ),
    (
        "investment-index",
        _path("investments"),
        data.INVESTMENTS[0].title,
        ["Stan", *(spec.title for spec in data.INVESTMENTS), re.compile(rf"Budżet: {_money(INVESTMENT.budget)}")],
    ),
    (
        "investment",
        _path("investments", INVESTMENT.slug),
        None,
        [
            "W trakcie",
            INVESTMENT.summary,
            re.compile(rf"Postęp prac: {INVESTMENT.progress}\s?%"),
            "Stare dźwigi z 1984 r.",
            "Zdjęcia",
            *(caption for _key, caption in INVESTMENT.gallery),
            re.compile(rf"Budżet:? {_money(INVESTMENT.budget)}"),
        ],
    ),
    (
        "contractor-index",
        _path("contractors"),
        data.FIRMS[0].name,
        ["Branża", *(firm.name for firm in data.FIRMS), FIRM.phone],
    ),
    (
        "contractor",
        _path("contractors", FIRM.slug),
        None,
        [
            TRADES[FIRM.trade],
            FIRM.area_served,
            *FIRM.services.splitlines(),
            FIRM.phone,
            FIRM.opening_hours,
        ],
    ),
]

HEADINGS = {
    "news-article": ARTICLE.title,
    "outage-alert": OUTAGE.title,
    "news-index": data.SECTIONS["news"][0],
    "document-index": data.SECTIONS["documents"][0],
    "investment-index": data.SECTIONS["investments"][0],
    "investment": INVESTMENT.title,
    "contractor-index": data.SECTIONS["contractors"][0],
    "contractor": FIRM.name,
}


def _checked(problems: list[str], check, *args) -> None:
    """Runs a check that asserts, keeping its failure, so that one page reports all of its
    problems (and still leaves its screenshot) instead of the first one only."""
    try:
        check(*args)
    except AssertionError as error:
        problems.append(f"{check.__name__}: {error}")


@pytest.mark.parametrize(
    ("kind", "address", "list_item", "facts"), CONTENT_PAGES, ids=[entry[0] for entry in CONTENT_PAGES]
)
def test_a_content_page_shows_its_heading_and_main_facts(page, width, kind, address, list_item, facts):
    phones = [FIRM.phone] if kind.startswith("contractor") else []
    page.goto(address)
    main = page.locator("main")
    main.get_by_role("heading", level=1, name=HEADINGS[kind], exact=True).wait_for()
    if list_item:  # a section's items come with a request of their own, after the heading
        main.get_by_text(list_item, exact=True).first.wait_for()
    screenshot(page, f"content-{kind}", width)
    text = main.inner_text()
    problems = [f"not shown: {getattr(fact, 'pattern', fact)}" for fact in facts if not _shown(fact, text)]
    # A firm's phone number is a link to call it.
    problems += [
        f"{number} is not a tel: link" for number in phones if not main.locator(f'a[href="tel:{number}"]').count()
    ]
    _checked(problems, no_sideways_scrolling, page)
    _checked(problems, no_serious_violations, page)
    assert not problems, problems


def _srcset_problems(page, image) -> list[str]:
    """What is wrong with an <img>'s srcset: none, candidates without a width, two with
    the same width (the HTML standard forbids it), a width that is not the file's, a
    candidate that is not an image, no `sizes`, or the browser using none of them."""
    srcset = image.get_attribute("srcset") or ""
    candidates = [candidate.split() for candidate in srcset.split(",") if candidate.strip()]
    if not candidates:
        return [f"no srcset on {image.get_attribute('src')}"]
    problems = []
    if not image.get_attribute("sizes"):
        problems.append("srcset without sizes")
    widths = [descriptor for _url, *descriptor in candidates]
    if any(len(descriptor) != 1 or not re.fullmatch(r"\d+w", descriptor[0]) for descriptor in widths):
        problems.append(f"a candidate without a width descriptor: {srcset}")
    flat = [descriptor[0] for descriptor in widths if descriptor]
    if len(set(flat)) != len(flat):
        problems.append(f"two candidates with the same width: {srcset}")
    for url, *descriptor in candidates:
        actual = page.evaluate(
            """async url => { const img = new Image(); img.src = url; await img.decode(); return img.naturalWidth; }""",
            url,
        )
        if descriptor and f"{actual}w" != descriptor[0]:
            problems.append(f"{url} is {actual} px wide, said {descriptor[0]}")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.currentSrc !== ''", arg=image.element_handle())
    current = image.evaluate("img => new URL(img.currentSrc).pathname")
    if current not in [url for url, *_ in candidates]:
        problems.append(f"the browser shows {current}, none of the srcset")
    return problems


def test_news_pictures_offer_a_valid_srcset(page, width):
    page.goto(_path("news", ARTICLE.slug))
    picture = page.locator("main article").get_by_role("img", name=data.IMAGES[ARTICLE.image][0])
    problems = _srcset_problems(page, picture)
    page.goto(_path("news"))
    cards = page.locator("main .cards img")
    cards.first.wait_for()
    for index in range(cards.count()):
        problems += _srcset_problems(page, cards.nth(index))
    assert not problems, problems


@pytest.mark.parametrize("width", [1280])  # the layout at both widths: the test above
def test_an_investments_gallery_shows_every_photo_and_its_progress(page, width):
    page.goto(_path("investments", INVESTMENT.slug))
    page.get_by_role("heading", level=1, name=INVESTMENT.title).wait_for()
    progress = page.get_by_role("progressbar")
    assert progress.get_attribute("value") == str(INVESTMENT.progress)
    gallery = page.locator("main .gallery figure")
    assert gallery.count() == len(INVESTMENT.gallery)
    for index, (key, caption) in enumerate(INVESTMENT.gallery):
        figure = gallery.nth(index)
        assert figure.locator("figcaption").inner_text() == caption
        photo = figure.get_by_role("img", name=data.IMAGES[key][0])
        photo.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())


# --- Staff in the portal ------------------------------------------------------------------
#
# What is reasonable: the portal is the residents' window on the hub; staff do their work
# in the admin. Signed in to the portal, staff are one more reader:
# - the same navigation and the same sections on the home page as a resident, and no
#   link to the admin (or to Wagtail's own /strony/ pages);
# - content published for them is theirs to read as for anyone its restriction admits
#   (the news item and documents for staff, every building's documents for the admin);
#   drafts and pages scheduled for later are not, in the portal, even for their editor;
# - their own messages (the hub addressed them to them; their e-mail has the same) and
#   their own account;
# - nothing about other households: no ticket of someone else's flat or report, no count
#   of them, no resident's name, address or e-mail in any answer the portal gets. None
#   of the demo's staff reported a ticket or holds a flat, so their ticket list is empty.

RESIDENTS = sorted(
    {f"{person.first_name} {person.last_name}" for person in data.NAMED_RESIDENTS}
    | {f"{first} {last}" for first, last in data.RESIDENT_NAMES}
    | {f"{first} {last}" for _b, _u, first, last in data.CO_OWNERS + data.TENANTS}
    | {f"{first} {last}" for _b, _u, first, last, *_ in data.PENDING_REQUESTS}
    | {f"{data.BOARD_MEMBER[0]} {data.BOARD_MEMBER[1]}"}
)
OTHERS_DATA = [
    *RESIDENTS,
    f"@{data.RESIDENT_EMAIL_DOMAIN}",
    *(ticket.title for ticket in data.TICKETS),
    *(ticket.contact_phone for ticket in data.TICKETS if ticket.contact_phone),
    SCHEDULED.title,
]
OWN_DATA_OPERATIONS = {"Inbox"}  # messages addressed to the viewer: theirs, whoever they are about


def _header(page) -> list[tuple[str, str]]:
    links = page.locator("header").get_by_role("link")
    return [(link.inner_text().strip(), link.get_attribute("href")) for link in links.all()]


def _home_sections(page) -> list[str]:
    return [heading.strip() for heading in page.locator("main h2").all_inner_texts()]


def _home_loaded(page) -> None:
    """The signed-in home page with every section's answer in (the alerts' heading, for
    one, comes only with theirs)."""
    page.get_by_role("heading", name="Moje otwarte zgłoszenia").wait_for()
    page.locator("main .cards li").first.wait_for()
    page.wait_for_load_state("networkidle")


@pytest.fixture(scope="module")
def what_a_resident_sees(browser, hub):
    with opened_page(browser, hub) as resident:
        sign_in(resident, "resident.a")
        _home_loaded(resident)
        resident.get_by_role("heading", name="Moje opłaty").wait_for()  # her balances: staff have no account
        sections = [name for name in _home_sections(resident) if name != "Moje opłaty"]
        return {"header": _header(resident), "sections": sections}


def _no_admin_links(page) -> list[str]:
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    return [f"{page.url}: a link to {href}" for href in hrefs if re.search(r"/(admin|django-admin|strony)(/|$)", href)]


@pytest.mark.parametrize("width", [1280])
@pytest.mark.parametrize("who", ["dispatcher", "editor", "admin"])
def test_staff_see_nothing_extra_in_the_portal(page, width, who, what_a_resident_sees):
    answers: list[tuple[str, str]] = []

    def keep(response):
        if response.url.endswith("/graphql") and response.request.method == "POST":
            operation = (response.request.post_data_json or {}).get("operationName", "")
            try:
                answers.append((operation, json.dumps(json.loads(response.text()), ensure_ascii=False)))
            except Error:  # gone with a page left meanwhile: the operations that matter are checked below
                pass

    page.on("response", keep)
    sign_in(page, who)
    _home_loaded(page)
    problems = []
    if _header(page) != what_a_resident_sees["header"]:
        problems.append(f"header {_header(page)} is not a resident's {what_a_resident_sees['header']}")
    if _home_sections(page) != what_a_resident_sees["sections"]:
        problems.append(f"home sections {_home_sections(page)} are not a resident's")
    problems += _no_admin_links(page)
    mine = page.locator("main section[aria-labelledby=my-tickets]")
    if mine.locator("li").count():
        problems.append(f"home lists tickets: {mine.locator('li').all_inner_texts()}")
    screenshot(page, f"staff-home-{who}", width)

    page.goto("/zgloszenia?wszystkie=1")
    count = page.locator("main [role=status]").filter(has_text="zgłosze")
    count.wait_for()
    listed = page.locator("main .tickets > li")
    if listed.count() or not re.search(r"\b0 zgłosze", count.inner_text()):
        problems.append(f"/zgloszenia: {count.inner_text()!r}, {listed.all_inner_texts()[:3]}")
    problems += _no_admin_links(page)
    screenshot(page, f"staff-tickets-{who}", width)

    page.goto(_path("news", SCHEDULED.slug))  # a draft until next week
    page.get_by_role("heading", level=1).wait_for()
    if SCHEDULED.title in page.inner_text("main"):
        problems.append(f"the scheduled {SCHEDULED.title!r} opens")
    page.goto(_path("documents"))
    page.locator("main [role=status]").filter(has_text="dokument").wait_for()
    problems += _no_admin_links(page)

    operations = {operation for operation, _body in answers}
    assert {"Viewer", "News", "Tickets", "Page", "Documents"} <= operations, operations
    for operation, body in answers:
        if operation not in OWN_DATA_OPERATIONS:
            problems += [f"{operation} answers {found!r}" for found in OTHERS_DATA if found in body]
    assert not problems, "\n".join(dict.fromkeys(problems))


# --- Links in rich text -------------------------------------------------------------------

LINKED_INVESTMENT = INVESTMENTS["remont-dachu-budynek-b"]
ROOFER = FIRMS["dach-bud"]
BUILDING_A_NEWS = NEWS["building_a"]


def _admin_page_id(admin, slug: str) -> int:
    """A page's id, as the admin's explorer asks its own pages API."""
    found = admin.request.get(f"/admin/api/main/pages/?{urlencode({'slug': slug})}").json()["items"]
    assert len(found) == 1, found
    return found[0]["id"]


@pytest.fixture(scope="module")
def linked_investment(browser, hub):
    """The editor links, in the finished roof repair's body, the roofer's page, the
    investments section and building A's news (which only building A may read), and
    publishes it through the admin's own edit form. Its address."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=hub, locale="pl-PL")
    context.route(lambda url: not url.startswith(hub), lambda route: route.abort())  # the admin's avatars
    admin = context.new_page()
    try:
        admin.goto("/admin/login/")
        admin.locator("#id_username").fill("editor")
        admin.locator("#id_password").fill(DEMO_PASSWORD)
        admin.locator("#id_password").press("Enter")
        admin.wait_for_url(re.compile(r"/admin/$"))
        targets = {
            "Dach-Bud": _admin_page_id(admin, ROOFER.slug),
            "inne inwestycje": _admin_page_id(admin, data.SECTIONS["investments"][1]),
            "wymianie domofonów w budynku A": _admin_page_id(admin, BUILDING_A_NEWS.slug),
        }
        first = "Remont zakończono odbiorem technicznym bez uwag. Gwarancja wykonawcy (Dach-Bud) obejmuje 10 lat."
        second = "Zobacz też inne inwestycje i komunikat o wymianie domofonów w budynku A."
        entity_map, ranges = {}, {first: [], second: []}
        for key, (words, page_id) in enumerate(targets.items()):
            entity_map[str(key)] = {"type": "LINK", "mutability": "MUTABLE", "data": {"id": page_id}}
            block = first if words in first else second
            ranges[block].append({"offset": block.index(words), "length": len(words), "key": key})
        body = {
            "blocks": [
                {
                    "key": f"b{index}",
                    "text": text,
                    "type": "unstyled",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": ranges[text],
                    "data": {},
                }
                for index, text in enumerate((first, second))
            ],
            "entityMap": entity_map,
        }
        admin.goto(f"/admin/pages/{_admin_page_id(admin, LINKED_INVESTMENT.slug)}/edit/")
        # Draftail writes its own state into the hidden field when it starts: the body is
        # set only once the editor is there, or Draftail overwrites it.
        admin.locator("[data-field-wrapper] .Draftail-Editor").first.wait_for()
        admin.wait_for_load_state("networkidle")
        admin.locator("input[name=body]").evaluate("(input, value) => { input.value = value; }", json.dumps(body))
        admin.get_by_role("button", name="Więcej akcji").click()  # publishing is in the save button's menu
        admin.locator("button[name=action-publish]").click()
        admin.wait_for_url(lambda url: "/edit/" not in url)
    finally:
        context.close()
    return _path("investments", LINKED_INVESTMENT.slug)


def test_rich_text_links_lead_to_the_portals_pages_and_open_there(page, width, linked_investment):
    page.goto(linked_investment)
    page.get_by_role("heading", level=1, name=LINKED_INVESTMENT.title).wait_for()
    links = page.locator("main .rich-text a")
    links.first.wait_for()
    hrefs = {link.inner_text(): link.get_attribute("href") for link in links.all()}
    # The page anyone may read, by its address in the portal; the one only building A
    # may read is the editor's words without an address for an anonymous reader.
    assert hrefs == {
        "Dach-Bud": _path("contractors", ROOFER.slug),
        "inne inwestycje": _path("investments"),
        "wymianie domofonów w budynku A": None,
    }, hrefs
    words = links.filter(has_text="wymianie domofonów")
    colours = words.evaluate("a => [getComputedStyle(a).color, getComputedStyle(a.parentElement).color]")
    no_serious_violations(page)
    screenshot(page, "content-rich-text-links", width)

    page.get_by_role("link", name="Dach-Bud", exact=True).click()
    page.wait_for_url(f"**{_path('contractors', ROOFER.slug)}")
    page.get_by_role("heading", level=1, name=ROOFER.name).wait_for()
    assert page.locator(f'main a[href="tel:{ROOFER.phone}"]').is_visible()

    page.go_back()
    page.get_by_role("link", name="inne inwestycje").click()
    page.wait_for_url(f"**{_path('investments')}")
    page.get_by_role("heading", level=1, name=data.SECTIONS["investments"][0]).wait_for()
    page.get_by_role("link", name=LINKED_INVESTMENT.title).wait_for()

    # The words without an address read as words, not as a link that does nothing.
    assert colours[0] == colours[1], f"a link without an address is coloured as a link: {colours}"


@pytest.mark.parametrize("width", [1280])
def test_a_rich_text_link_to_a_restricted_page_opens_for_who_may_read_it(page, width, linked_investment):
    sign_in(page, "resident.a")
    page.goto(linked_investment)
    link = page.locator("main .rich-text").get_by_role("link", name="wymianie domofonów w budynku A")
    link.wait_for()
    assert link.get_attribute("href") == _path("news", BUILDING_A_NEWS.slug)
    link.click()
    page.get_by_role("heading", level=1, name=BUILDING_A_NEWS.title).wait_for()
