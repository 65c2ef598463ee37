"""A small, realistic Polish directory for the search contract tests: 25 published
contractors of 14 trades (and a draft), 20 documents (two of them PDFs whose text is
indexed), news (one a draft) and investments, with content restricted to building A's and
building B's audiences.

Everything is made the way an editor makes it: pages added through Wagtail's tree API and
published through revisions, documents saved into collections, restrictions as Wagtail's
own `PageViewRestriction` and `CollectionViewRestriction` rows naming the audience groups
the residents app keeps (`operations.residents.services.audience_group`). Residents are
made through the residents' services (tests.factories.residents), so their groups are
production's.

Every item has a short *key* (a page's slug, a document's key below): tests compare keys,
so a failure reads "resident_b saw doc-a-azbest", not "document 17".

The directory is built once per test module inside a transaction rolled back at the
module's end (as tests.factories.tickets.shared_cast does) and indexed with
`search.indexing.reindex_all()`; each test runs in a savepoint inside it, so a test that
unpublishes or restricts something leaves the next test the directory as built.

Backends: the database backend always; Elasticsearch only when ELASTICSEARCH_URL is set
(no server can be installed on these machines), else its tests are skipped.
"""

from __future__ import annotations

import io
import os
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import typst
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from wagtail.documents import get_document_model

from cms.contractors.models import ContractorPage
from cms.investments.models import InvestmentPage
from cms.news.models import NewsPage
from operations.residents import services as residents
from tests.factories import content as f
from tests.factories.residents import BuildingFactory, EstateFactory, MembershipFactory, UnitFactory, UserFactory

BACKENDS = ("database", "elasticsearch")

# --- The content ---------------------------------------------------------------------------

# slug, name, trade name
TRADES = {
    "hydraulik": "Hydraulik",
    "elektryk": "Elektryk",
    "konserwator-dzwigow": "Konserwator dźwigów",
    "dekarz": "Dekarz",
    "malarz": "Malarz",
    "slusarz": "Ślusarz",
    "firma-sprzatajaca": "Firma sprzątająca",
    "ogrodnik": "Ogrodnik",
    "przeprowadzki": "Przeprowadzki i transport",
    "budowlanka": "Firma remontowo-budowlana",
    "szklarz": "Szklarz",
    "kominiarz": "Kominiarz",
    "ddd": "Deratyzacja i dezynsekcja",
    "gazownik": "Instalacje gazowe",
}


@dataclass(frozen=True)
class Firm:
    key: str  # the page's slug
    title: str
    trade: str  # a TRADES slug
    services: str
    area: str
    notes: str = ""


CONTRACTORS = (
    # Plumbers: "Hydraulicy (4)".
    Firm(
        "hydro-serwis",
        "Hydro-Serwis Kowalski s.c.",
        "hydraulik",
        "wymiana pionów wodnych\nnaprawa instalacji wodno-kanalizacyjnych\nudrażnianie kanalizacji",
        "Bemowo, Wola",
    ),
    Firm(
        "aqua-tech",
        "Aqua-Tech Hydraulika Nowak",
        "hydraulik",
        "montaż wodomierzy\nusuwanie awarii hydraulicznych\nwymiana baterii i armatury",
        "cała Warszawa",
    ),
    Firm(
        "instal-pion",
        "Instal-Pion sp. z o.o.",
        "hydraulik",
        "wymiana pionów kanalizacyjnych\nmontaż instalacji centralnego ogrzewania",
        "Bielany, Żoliborz",
    ),
    Firm(
        "kanal-expres",
        "Kanał-Expres Wiśniewski",
        "hydraulik",
        "czyszczenie kanalizacji\ninspekcja kamerą",
        "Ursus, Włochy",
        notes="Pogotowie kanalizacyjne w weekendy.",
    ),
    # Electricians.
    Firm(
        "elektro-mont",
        "Elektro-Mont Zieliński",
        "elektryk",
        "pomiary elektryczne\nwymiana tablic rozdzielczych\noświetlenie klatek schodowych",
        "Bemowo",
    ),
    Firm(
        "voltex",
        "Voltex Instalacje Elektryczne sp. z o.o.",
        "elektryk",
        "instalacje elektryczne w lokalach\nprzeglądy instalacji odgromowych",
        "cała Warszawa",
    ),
    Firm(
        "iskra",
        "Iskra Usługi Elektryczne Jan Kowalczyk",
        "elektryk",
        "naprawa domofonów\nmontaż wideodomofonów\nanteny zbiorcze",
        "Wola, Ochota",
    ),
    # Lifts.
    Firm(
        "dzwig-serwis",
        "Dźwig-Serwis sp. z o.o.",
        "konserwator-dzwigow",
        "konserwacja dźwigów osobowych\nmodernizacja wind\nbadania UDT",
        "cała Warszawa",
    ),
    Firm(
        "windtech",
        "Windtech Konserwacja Wind s.c.",
        "konserwator-dzwigow",
        "konserwacja wind\npogotowie dźwigowe całodobowe",
        "Mokotów, Ursynów",
    ),
    # Roofers.
    Firm(
        "dach-pol",
        "Dach-Pol S.A.",
        "dekarz",
        "remonty dachów\nkrycie dachów papą termozgrzewalną\nobróbki blacharskie",
        "Mazowsze",
    ),
    Firm(
        "dekarstwo-mazur",
        "Dekarstwo Mazur",
        "dekarz",
        "naprawa pokryć dachowych\nmontaż rynien\nodśnieżanie dachów",
        "Bemowo, Bielany",
    ),
    # Painters.
    Firm(
        "malar-bud",
        "Malar-Bud Pędzel sp. k.",
        "malarz",
        "malowanie klatek schodowych\nmalowanie elewacji\ngładzie gipsowe",
        "Wola",
    ),
    Firm(
        "kolorowy-swiat",
        "Kolorowy Świat Malowanie Wnętrz",
        "malarz",
        "malowanie mieszkań\ntapetowanie",
        "Praga-Południe",
    ),
    # Locksmiths.
    Firm(
        "zamek-pol",
        "Ślusarz 24h Zamek-Pol",
        "slusarz",
        "awaryjne otwieranie drzwi\nwymiana zamków\ndorabianie kluczy",
        "cała Warszawa",
    ),
    Firm(
        "stal-art",
        "Kuźnia Stal-Art Metaloplastyka",
        "slusarz",
        "balustrady i ogrodzenia\nkraty okienne\nspawanie",
        "Pruszków",
    ),
    # Cleaning.
    Firm(
        "czysty-blok",
        "Czysty Blok Sp. j.",
        "firma-sprzatajaca",
        "sprzątanie klatek schodowych\nmycie okien\nodśnieżanie chodników",
        "Bemowo, Wola",
    ),
    Firm(
        "blysk",
        "Błysk Serwis Sprzątanie Biur",
        "firma-sprzatajaca",
        "sprzątanie po remontach\npranie wykładzin",
        "Śródmieście",
    ),
    # Gardeners.
    Firm(
        "zielony-zakatek",
        "Zielony Zakątek Ogrody",
        "ogrodnik",
        "pielęgnacja zieleni osiedlowej\nkoszenie trawników\nprzycinanie żywopłotów",
        "Bemowo",
    ),
    Firm(
        "lesniewski",
        "Ogrodnik Leśniewski",
        "ogrodnik",
        "zakładanie ogrodów\nwycinka drzew",
        "Łomianki",
    ),
    # The rest.
    Firm(
        "zolw-transport",
        "ŻÓŁW Transport Sp. j.",
        "przeprowadzki",
        "przeprowadzki mieszkań\nwywóz mebli i gruzu",
        "cała Warszawa",
    ),
    Firm(
        "laczbud",
        "Łączbud sp. z o.o.",
        "budowlanka",
        "remonty mieszkań\nremonty dachów\ndocieplenia budynków",
        "Wola, Bemowo",
    ),
    Firm(
        "szybka-szyba",
        "Szklarz Szybka Szyba",
        "szklarz",
        "wymiana szyb\nnaprawa okien",
        "Ochota",
    ),
    Firm(
        "sadza",
        "Kominiarz Sadza",
        "kominiarz",
        "przeglądy przewodów kominowych\nczyszczenie kominów",
        "cała Warszawa",
    ),
    Firm(
        "pest-stop",
        "Pest-Stop DDD",
        "ddd",
        "deratyzacja\ndezynsekcja\ndezynfekcja piwnic",
        "Mazowsze",
    ),
    Firm(
        "gaz-kontrol",
        "Gaz-Kontrol Przeglądy Gazowe",
        "gazownik",
        "przeglądy instalacji gazowych\nbadanie szczelności instalacji gazowej",
        "Bemowo, Wola, Ochota",
    ),
)

# A firm whose page was saved as a draft and never published: never found, by anyone.
DRAFT_FIRM = Firm("hydro-ukryty", "Hydro-Ukryty Tajemniczy", "hydraulik", "wymiana pionów", "Bemowo")


@dataclass(frozen=True)
class Doc:
    key: str
    title: str
    category: str
    year: int
    description: str = ""
    collection: str = "public"  # "public", "building_a" or "building_b"
    building: str | None = None  # "A" or "B"
    pdf_text: str | None = None  # a real PDF with this text; otherwise a PDF with no text


# Only in the technical manual's PDF: "Legionella", "wymiennik", "bakterii".
HEAT_MANUAL_TEXT = (
    "Węzeł cieplny wyposażony jest w płytowy wymiennik ciepła. Raz w roku przeprowadza się "
    "dezynfekcję termiczną instalacji ciepłej wody w celu usunięcia bakterii Legionella. "
    "Ciśnienie w instalacji nie może przekroczyć sześciu barów."
)
# Only in building A's restricted PDF: "chryzotyl", "azbestowych", "poddaszu".
ASBESTOS_TEXT = (
    "Inwentaryzacja płyt azbestowych na poddaszu budynku A. W płytach elewacyjnych wykryto "
    "chryzotyl; płyty zostaną usunięte przez uprawnioną firmę."
)

DOCUMENTS = (
    Doc(
        "statut",
        "Statut Spółdzielni Mieszkaniowej Zielone Wzgórze",
        "statute",
        2023,
        "Tekst jednolity statutu uchwalony przez walne zgromadzenie członków.",
    ),
    Doc(
        "regulamin-wody",
        "Regulamin rozliczania kosztów wody",
        "regulations",
        2024,
        "Zasady rozliczania zużycia wody i odprowadzania ścieków według wodomierzy.",
    ),
    Doc(
        "regulamin-ciepla",
        "Regulamin rozliczania kosztów ciepła",
        "regulations",
        2022,
        "Rozliczanie kosztów centralnego ogrzewania i podgrzania wody.",
    ),
    Doc(
        "regulamin-porzadku",
        "Regulamin porządku domowego",
        "regulations",
        2021,
        "Cisza nocna, zwierzęta domowe, korzystanie z pomieszczeń wspólnych.",
    ),
    Doc("regulamin-rady", "Regulamin rady nadzorczej", "regulations", 2020, "Tryb pracy i posiedzeń rady."),
    Doc(
        "protokol-2024",
        "Protokół z walnego zgromadzenia 2024",
        "minutes",
        2024,
        "Przebieg obrad, głosowania i podjęte uchwały.",
    ),
    Doc("protokol-2023", "Protokół z walnego zgromadzenia 2023", "minutes", 2023, "Przebieg obrad i głosowania."),
    Doc(
        "uchwala-oplaty",
        "Uchwała zarządu w sprawie opłat eksploatacyjnych",
        "minutes",
        2025,
        "Nowe stawki opłat za eksploatację lokali od 1 stycznia.",
    ),
    Doc(
        "sprawozdanie-2024",
        "Sprawozdanie finansowe za rok 2024",
        "financial",
        2024,
        "Bilans, rachunek zysków i strat oraz informacja dodatkowa.",
    ),
    Doc(
        "sprawozdanie-2023",
        "Sprawozdanie finansowe za rok 2023",
        "financial",
        2023,
        "Bilans, rachunek zysków i strat oraz informacja dodatkowa.",
    ),
    # The year is only in the document's year, not its title.
    Doc(
        "sprawozdanie-zarzadu",
        "Sprawozdanie zarządu z działalności",
        "financial",
        2024,
        "Działalność zarządu i stan techniczny zasobów.",
    ),
    Doc(
        "plan-remontow",
        "Plan remontów na rok 2025",
        "technical",
        2025,
        "Planowane remonty dachów, wymiana pionów i malowanie klatek schodowych.",
    ),
    Doc(
        "wniosek-osoby",
        "Wniosek o zmianę liczby osób w lokalu",
        "form",
        2024,
        "Formularz zgłoszenia zmiany liczby osób zamieszkałych.",
    ),
    Doc("wniosek-wodomierz", "Wniosek o wymianę wodomierza", "form", 2024, "Zgłoszenie uszkodzonego wodomierza."),
    Doc("deklaracja-odpady", "Deklaracja odbioru odpadów", "form", 2025, "Segregacja i odbiór odpadów komunalnych."),
    Doc(
        "instrukcja-wezla",
        "Instrukcja obsługi węzła cieplnego",
        "technical",
        2022,
        "",
        pdf_text=HEAT_MANUAL_TEXT,
    ),
    Doc(
        "przeglad-gazowy-b",
        "Protokół przeglądu instalacji gazowej budynku B",
        "technical",
        2024,
        "Coroczny przegląd szczelności.",
        building="B",
    ),
    # Building A's residents only.
    Doc(
        "doc-a-azbest",
        "Ekspertyza azbestowa budynku A",
        "technical",
        2024,
        "Wyniki badania płyt na poddaszu.",
        collection="building_a",
        building="A",
        pdf_text=ASBESTOS_TEXT,
    ),
    Doc(
        "doc-a-woda",
        "Rozliczenie wody budynek A 2024",
        "financial",
        2024,
        "Zużycie wody w lokalach budynku A.",
        collection="building_a",
        building="A",
    ),
    # Building B's residents only.
    Doc(
        "doc-b-wodomierze",
        "Harmonogram wymiany wodomierzy budynek B",
        "technical",
        2025,
        "Terminy wymiany wodomierzy w lokalach budynku B.",
        collection="building_b",
        building="B",
    ),
)


@dataclass(frozen=True)
class News:
    key: str
    title: str
    lead: str
    body: str = ""
    audience: str | None = None  # "A": restricted to building A's audience
    live: bool = True


NEWS = (
    News(
        "przerwa-woda",
        "Przerwa w dostawie ciepłej wody",
        "W czwartek od 8:00 do 14:00 wymiana zaworów w węźle cieplnym.",
        "<p>Prosimy o zakręcenie kranów.</p>",
    ),
    News(
        "malowanie-b",
        "Malowanie klatek schodowych w budynku B",
        "Od poniedziałku malarze odnowią klatki schodowe.",
    ),
    News(
        "zaproszenie-walne",
        "Zaproszenie na walne zgromadzenie",
        "Zarząd spółdzielni zaprasza członków na walne zgromadzenie w maju.",
    ),
    News(
        "domofony-a",
        "Wymiana domofonów w budynku A",
        "Nowe domofony cyfrowe zostaną zamontowane w przyszłym tygodniu.",
    ),
    # Building A's residents only; "hydroforu" is found nowhere else.
    News(
        "news-a-hydrofor",
        "Awaria hydroforu w budynku A",
        "Hydrofor w piwnicy budynku A zostanie wymieniony w piątek.",
        audience="A",
    ),
    News("draft-podwyzka", "Projekt podwyżki opłat", "Szkic komunikatu o podwyżce.", live=False),
)


@dataclass(frozen=True)
class Investment:
    key: str
    title: str
    summary: str
    body: str = ""


INVESTMENTS = (
    Investment(
        "termomodernizacja",
        "Termomodernizacja budynków A i B",
        "Docieplenie ścian i wymiana okien na klatkach schodowych.",
    ),
    Investment("remont-dachu-b", "Remont dachu budynku B", "Wymiana pokrycia dachowego i obróbek blacharskich."),
    Investment("modernizacja-wind", "Modernizacja wind", "Wymiana dźwigów osobowych w budynkach A i B."),
)

# --- Building it ---------------------------------------------------------------------------

VIEWERS = ("anonymous", "pending", "resident_a", "resident_b", "superuser")


@dataclass
class Directory:
    """The built directory: every item by key, and the people who ask."""

    items: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (kind, object_id)
    objects: dict[str, object] = field(default_factory=dict)  # key -> page or document
    users: dict[str, object] = field(default_factory=dict)  # viewer name -> user
    building_a: object = None
    building_b: object = None
    group_a: object = None
    group_b: object = None
    collections: dict[str, object] = field(default_factory=dict)
    trades: dict[str, object] = field(default_factory=dict)
    tree: object = None

    def key_of(self, kind: str, object_id: int) -> str:
        """The key of a hit; an unknown hit reads as "<kind>:<id>?" so the failure says so."""
        return self._by_identity().get((kind, object_id), f"{kind}:{object_id}?")

    def _by_identity(self) -> dict[tuple[str, int], str]:
        return {identity: key for key, identity in self.items.items()}

    def fresh(self, key: str):
        """The item as the database has it now: a test that changes an item changes a
        copy, never the module's object, which later tests (after their rollback) would
        otherwise find already changed in memory."""
        item = self.objects[key]
        return type(item).objects.get(pk=item.pk)

    def user(self, viewer: str):
        return AnonymousUser() if viewer == "anonymous" else self.users[viewer]

    def keys(self, kind: str) -> set[str]:
        return {key for key, (item_kind, _) in self.items.items() if item_kind == kind}


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose text layer holds `text` (typeset with Typst, its own fonts)."""
    source = f'#set text(lang: "pl")\n{text}\n'
    return typst.compile(source.encode(), ignore_system_fonts=True)


def _document(doc: Doc, *, collection, building) -> object:
    # Every document is a well-formed PDF, as uploaded ones are; most carry no text.
    content = pdf_with_text(doc.pdf_text or "")
    document = get_document_model()(
        title=doc.title,
        file=ContentFile(content, name=f"{doc.key}.pdf"),
        collection=collection,
        category=doc.category,
        year=doc.year,
        description=doc.description,
        building=building,
    )
    document.save()
    return document


def build_directory() -> Directory:
    directory = Directory()
    directory.tree = tree = f.build_site_tree()

    estate = EstateFactory(name="Zielone Wzgórze", slug="zielone-wzgorze-search")
    directory.building_a = building_a = BuildingFactory(estate=estate, code="A", street="ul. Lipowa", number="1")
    directory.building_b = building_b = BuildingFactory(estate=estate, code="B", street="ul. Lipowa", number="3")
    directory.group_a = residents.audience_group(building=building_a)
    directory.group_b = residents.audience_group(building=building_b)
    buildings = {"A": building_a, "B": building_b}

    unit_a = UnitFactory(building=building_a, number="1")
    unit_b = UnitFactory(building=building_b, number="1")
    for name, unit in (("resident_a", unit_a), ("resident_b", unit_b)):
        user = UserFactory(username=f"search-{name}")
        MembershipFactory(user=user, unit=unit, verified=True)
        directory.users[name] = user
    # Signed in and asked to join building A, not verified yet: sees public content only.
    pending = UserFactory(username="search-pending")
    MembershipFactory(user=pending, unit=unit_a)
    directory.users["pending"] = pending
    from tests.factories.residents import SuperUserFactory

    directory.users["superuser"] = SuperUserFactory(username="search-superuser")

    for slug, name in TRADES.items():
        directory.trades[slug] = f.make_trade(name=name, slug=slug)
    for firm in CONTRACTORS:
        page = f.publish(tree.contractors, _firm_page(firm, directory.trades))
        directory.items[firm.key] = ("contractor", page.pk)
        directory.objects[firm.key] = page
    draft = f.draft(tree.contractors, _firm_page(DRAFT_FIRM, directory.trades))
    directory.items[DRAFT_FIRM.key] = ("contractor", draft.pk)
    directory.objects[DRAFT_FIRM.key] = draft

    public = f.make_collection("Dokumenty spółdzielni")
    only_a = f.make_collection("Budynek A")
    only_b = f.make_collection("Budynek B")
    f.restrict_collection(only_a, groups=[directory.group_a])
    f.restrict_collection(only_b, groups=[directory.group_b])
    directory.collections = {"public": public, "building_a": only_a, "building_b": only_b}
    for doc in DOCUMENTS:
        document = _document(
            doc, collection=directory.collections[doc.collection], building=buildings.get(doc.building)
        )
        directory.items[doc.key] = ("document", document.pk)
        directory.objects[doc.key] = document

    for item in NEWS:
        page = NewsPage(title=item.title, slug=item.key, lead=item.lead, body=item.body)
        page = f.publish(tree.news, page) if item.live else f.draft(tree.news, page)
        if item.audience:
            f.restrict_page(page, groups=[directory.group_a if item.audience == "A" else directory.group_b])
        directory.items[item.key] = ("news", page.pk)
        directory.objects[item.key] = page

    for item in INVESTMENTS:
        page = f.publish(
            tree.investments, InvestmentPage(title=item.title, slug=item.key, summary=item.summary, body=item.body)
        )
        directory.items[item.key] = ("investment", page.pk)
        directory.objects[item.key] = page

    from search.indexing import reindex_all

    reindex_all()
    return directory


def _firm_page(firm: Firm, trades: dict) -> ContractorPage:
    return ContractorPage(
        title=firm.title,
        slug=firm.key,
        trade=trades[firm.trade],
        services=firm.services,
        area_served=firm.area,
        notes=firm.notes,
        phone="+48 600 123 456",
    )


@contextmanager
def _rolled_back(django_db_blocker):
    """An outer transaction for the module, rolled back at its end (each test's own
    transaction is a savepoint inside it, as with Django's TestCase.setUpTestData)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def backend_settings(name: str) -> dict:
    """The settings that make `search.selectors` pick backend `name`."""
    if name == "database":
        return {"ELASTICSEARCH_URL": ""}
    # An index of its own per test process: the cluster may be shared with a running hub.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return {
        "ELASTICSEARCH_URL": os.environ["ELASTICSEARCH_URL"],
        "ELASTICSEARCH_INDEX_PREFIX": f"test-contract-{worker}-{os.getpid()}",
    }


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request):
    """The backend a module's tests run against: every test of the contract runs once per
    backend. Elasticsearch needs a server (ELASTICSEARCH_URL), which these machines lack."""
    if request.param == "elasticsearch" and not os.environ.get("ELASTICSEARCH_URL"):
        pytest.skip("ELASTICSEARCH_URL is not set: the Elasticsearch backend's contract run needs a server")
    with override_settings(**backend_settings(request.param)):
        yield request.param


@pytest.fixture(scope="module")
def directory_media(tmp_path_factory):
    """Where the module's document files live: the directory outlives each test's own
    MEDIA_ROOT (tests/conftest.py), and a document reindexed in a test (moved to another
    collection) must still find its PDF."""
    return tmp_path_factory.mktemp("search-media")


@pytest.fixture(scope="module")
def directory(backend, directory_media, django_db_setup, django_db_blocker):
    """The directory, built and indexed once per module and backend (see the docstring)."""
    with override_settings(MEDIA_ROOT=directory_media), _rolled_back(django_db_blocker):
        yield build_directory()


@pytest.fixture
def world(directory, directory_media, db, backend, settings):
    """The directory for one test, with database access (a savepoint inside the module's
    transaction) and the module's media."""
    settings.MEDIA_ROOT = directory_media
    return directory


def read_pdf_text(content: bytes) -> str:
    """What pypdf reads from a PDF: the conftest's own check that the PDFs carry text."""
    import pypdf

    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
