"""A cooperative's directory at the scale of a large one, for the search benchmark.

Not a test module. `build(contractors=, documents=)` makes, from a fixed seed (the same
text in every run):

- twenty trades and `contractors` firms: Polish names with their legal forms ("Łączbud
  sp. z o.o.", "Zakład Hydrauliczny Jan Kowalski", "Instal-Serwis s.c."), a trade, three
  to five services of that trade, the Warsaw districts and towns they serve, and notes
  for a third; 1 % of them restricted to building A's audience;
- `documents` documents in ten buildings' cooperative: statutes, regulations, forms,
  minutes and resolutions, financial reports, technical documentation and notices, each
  with a category, a year (2008–2026), a description, a building for some, and a PDF
  with text (a few dozen PDFs shared by the documents, as the PDF text of a document is
  mostly its template's); 10 % of them in a collection restricted to building A.

Pages are written as `tests.factories.bulk_content` writes news (the rows Wagtail's tree
writes, in a few statements: `add_child` and a revision per page take about 10 ms each,
so 100 s for 10,000 firms), documents with one `bulk_create`. Nothing of that fires the
save signals, so nothing is indexed here: the benchmark builds the index in one go.

`floor_rows(data)` gives the same text per item as one string, for the raw full-text
floor the benchmark compares the search with.
"""

from __future__ import annotations

import random
import textwrap
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from cms.contractors.models import ContractorPage, Trade
from cms.core import content_version
from cms.documents.models import CooperativeDocument
from operations.residents import services as residents
from tests.benchmarks import content_data
from tests.factories import bulk_content as bulk
from tests.factories import content as f

SEED = 16

# (name, slug, firm-name stems, adjective for "Zakład ...", services)
TRADES = [
    (
        "Hydraulik",
        "hydraulik",
        ["Hydro", "Aqua", "Wod-Kan", "Instal", "Hydromax"],
        "Hydrauliczny",
        [
            "Naprawa instalacji wodno-kanalizacyjnych",
            "Wymiana pionów wodnych i kanalizacyjnych",
            "Udrażnianie kanalizacji",
            "Montaż i legalizacja wodomierzy",
            "Wymiana baterii, zaworów i spłuczek",
            "Usuwanie awarii i przecieków",
            "Pogotowie hydrauliczne 24 h",
        ],
    ),
    (
        "Elektryk",
        "elektryk",
        ["Elektro", "Volt", "Amper", "Łączbud", "Prąd"],
        "Elektryczny",
        [
            "Pomiary instalacji elektrycznej",
            "Wymiana tablic rozdzielczych",
            "Naprawa oświetlenia klatek schodowych",
            "Montaż gniazd i wyłączników",
            "Przeglądy instalacji odgromowej",
            "Oświetlenie terenów osiedlowych",
        ],
    ),
    (
        "Dekarz",
        "dekarz",
        ["Dach", "Dachmistrz", "Papa", "Rynna", "Krokiew"],
        "Dekarski",
        [
            "Naprawa dachów i pokryć papowych",
            "Odśnieżanie dachów",
            "Wymiana rynien i rur spustowych",
            "Izolacja stropodachów",
            "Remonty kominów ponad dachem",
        ],
    ),
    (
        "Konserwator dźwigów",
        "konserwator-dzwigow",
        ["Dźwig", "Lift", "Winda", "Dźwigserwis", "Schindbud"],
        "Dźwigowy",
        [
            "Konserwacja wind osobowych",
            "Modernizacja dźwigów",
            "Pogotowie dźwigowe 24 h",
            "Przygotowanie do odbiorów UDT",
            "Uwalnianie osób z kabiny windy",
        ],
    ),
    (
        "Malarz",
        "malarz",
        ["Pędzel", "Kolor", "Farbex", "Malbud", "Tynk"],
        "Malarski",
        [
            "Malowanie klatek schodowych",
            "Malowanie elewacji",
            "Gładzie gipsowe i tapetowanie",
            "Usuwanie graffiti",
        ],
    ),
    (
        "Glazurnik",
        "glazurnik",
        ["Płytka", "Glazur", "Kafel", "Fuga"],
        "Glazurniczy",
        ["Układanie płytek ceramicznych", "Remonty łazienek", "Posadzki na klatkach schodowych"],
    ),
    (
        "Ślusarz",
        "slusarz",
        ["Zamek", "Klucz", "Stal", "Ślusbud", "Krata"],
        "Ślusarski",
        [
            "Awaryjne otwieranie drzwi",
            "Wymiana zamków i wkładek",
            "Balustrady, kraty i bramy",
            "Naprawa samozamykaczy",
        ],
    ),
    (
        "Stolarz",
        "stolarz",
        ["Drewno", "Dąb", "Okno", "Stolbud"],
        "Stolarski",
        ["Naprawa okien drewnianych", "Wymiana drzwi wejściowych do klatek", "Zabudowy i schowki piwniczne"],
    ),
    (
        "Kominiarz",
        "kominiarz",
        ["Komin", "Wentyl", "Sadza", "Czysty Komin"],
        "Kominiarski",
        [
            "Czyszczenie przewodów kominowych",
            "Okresowe przeglądy wentylacji",
            "Opinie kominiarskie",
            "Pomiary ciągu w przewodach spalinowych",
        ],
    ),
    (
        "Instalator gazowy",
        "instalator-gazowy",
        ["Gaz", "Gazbud", "Płomień", "Termogaz"],
        "Gazowy",
        [
            "Przeglądy szczelności instalacji gazowej",
            "Montaż kuchenek gazowych",
            "Wymiana przyłączy gazowych",
            "Usuwanie nieszczelności",
        ],
    ),
    (
        "Ogrodnik",
        "ogrodnik",
        ["Zieleń", "Ogród", "Trawnik", "Zielony Zakątek"],
        "Ogrodniczy",
        [
            "Pielęgnacja zieleni osiedlowej",
            "Koszenie trawników",
            "Przycinanie drzew i krzewów",
            "Nasadzenia i rabaty kwiatowe",
        ],
    ),
    (
        "Firma sprzątająca",
        "sprzatanie",
        ["Czysto", "Błysk", "Porządek", "Clean"],
        "Porządkowy",
        [
            "Sprzątanie klatek schodowych",
            "Mycie okien i przeszkleń",
            "Odśnieżanie chodników",
            "Sprzątanie terenów zewnętrznych",
        ],
    ),
    (
        "Deratyzacja i dezynsekcja",
        "deratyzacja",
        ["Deratex", "Szkodnik Stop", "Sanit", "Dezbud"],
        "Sanitarny",
        ["Deratyzacja piwnic i zsypów", "Dezynsekcja mieszkań", "Odstraszanie gołębi", "Usuwanie gniazd os"],
    ),
    (
        "Szklarz",
        "szklarz",
        ["Szkło", "Szyba", "Glass", "Witraż"],
        "Szklarski",
        ["Wymiana szyb", "Szklenie drzwi balkonowych", "Lustra i przeszklenia"],
    ),
    (
        "Murarz",
        "murarz",
        ["Cegła", "Mur", "Murbud", "Tynkarz", "Beton"],
        "Murarski",
        [
            "Naprawa balkonów i loggii",
            "Remonty elewacji",
            "Docieplenia budynków",
            "Naprawa schodów zewnętrznych",
        ],
    ),
    (
        "Domofony",
        "domofony",
        ["Domofon", "Wideo", "Access", "Dzwonek"],
        "Teletechniczny",
        [
            "Montaż domofonów i wideodomofonów",
            "Naprawa domofonów",
            "Systemy kontroli dostępu",
            "Karty i breloki do drzwi",
        ],
    ),
    (
        "Wentylacja i klimatyzacja",
        "wentylacja",
        ["Klima", "Wentbud", "Rekuperator", "Chłód"],
        "Wentylacyjny",
        [
            "Montaż klimatyzacji",
            "Czyszczenie kanałów wentylacyjnych",
            "Rekuperacja",
            "Serwis pomp ciepła",
        ],
    ),
    (
        "Ochrona",
        "ochrona",
        ["Straż", "Patrol", "Sokół", "Ochrona-Bis"],
        "Ochrony",
        ["Monitoring osiedla", "Patrole interwencyjne", "Ochrona parkingów"],
    ),
    (
        "Brukarz",
        "brukarz",
        ["Bruk", "Kostka", "Polbruk", "Drogbud"],
        "Brukarski",
        ["Układanie kostki brukowej", "Naprawa chodników i parkingów", "Krawężniki i obrzeża"],
    ),
    (
        "Przeglądy budowlane",
        "przeglady",
        ["Inspekt", "Konstrukt", "Nadzór", "Ekspert"],
        "Projektowy",
        [
            "Przeglądy roczne i pięcioletnie budynków",
            "Ekspertyzy konstrukcyjne",
            "Nadzór inwestorski",
            "Świadectwa charakterystyki energetycznej",
        ],
    ),
]

SUFFIXES = ["Bud", "Serwis", "Tech", "Max", "Pol", "Trans", "Mont", "Plus", "System", "Complex", "Team", "Expert"]
FIRST_NAMES = ["Jan", "Piotr", "Andrzej", "Krzysztof", "Tomasz", "Paweł", "Marek", "Grzegorz", "Łukasz", "Michał"]
SURNAMES = [
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
    "Michalski",
    "Król",
    "Wieczorek",
    "Jabłoński",
    "Wróbel",
    "Żółkiewski",
    "Łukasik",
    "Ślęzak",
    "Górski",
    "Sikora",
]
LEGAL_FORMS = ["sp. z o.o.", "sp. z o.o.", "s.c.", "sp.j.", "sp.k.", "S.A.", ""]
AREAS = [
    "Bemowo",
    "Bielany",
    "Białołęka",
    "Mokotów",
    "Ochota",
    "Praga-Południe",
    "Praga-Północ",
    "Rembertów",
    "Śródmieście",
    "Targówek",
    "Ursus",
    "Ursynów",
    "Wawer",
    "Wesoła",
    "Wilanów",
    "Włochy",
    "Wola",
    "Żoliborz",
    "Ząbki",
    "Marki",
    "Łomianki",
    "Piaseczno",
    "Pruszków",
]
NOTES = [
    "Rabat 10% dla członków spółdzielni.",
    "Wystawiamy faktury VAT.",
    "Gwarancja 24 miesiące na wykonane prace.",
    "Współpracujemy ze spółdzielnią od {year} roku.",
    "Pogotowie także w weekendy i święta.",
    "Bezpłatna wycena po oględzinach.",
    "Płatność kartą lub przelewem.",
    "Ubezpieczenie OC do 1 mln zł.",
]

COOPERATIVE = "Spółdzielni Mieszkaniowej „Zielone Wzgórze”"
REGULATION_TOPICS = [
    "rozliczania kosztów dostawy ciepła",
    "rozliczania kosztów wody i odprowadzania ścieków",
    "porządku domowego",
    "używania lokali",
    "przydziału miejsc postojowych",
    "funduszu remontowego",
    "Rady Nadzorczej",
    "Zarządu",
    "Walnego Zgromadzenia",
    "korzystania z pralni i suszarni",
]
FORMS = [
    "Wniosek o wymianę wodomierza",
    "Wniosek o zgodę na remont lokalu",
    "Wniosek o wydanie zaświadczenia o przysługującym prawie do lokalu",
    "Wniosek o przydział miejsca postojowego",
    "Deklaracja liczby osób zamieszkałych w lokalu",
    "Wniosek o zwrot nadpłaty",
    "Zgłoszenie usterki w lokalu",
    "Wniosek o przyjęcie w poczet członków spółdzielni",
    "Pełnomocnictwo do głosowania na Walnym Zgromadzeniu",
]
RESOLUTION_TOPICS = [
    "zmiany wysokości opłat eksploatacyjnych",
    "planu remontów na kolejny rok",
    "wyboru wykonawcy termomodernizacji",
    "zatwierdzenia sprawozdania finansowego",
    "wymiany dźwigów osobowych",
    "modernizacji węzła cieplnego",
    "podziału nadwyżki bilansowej",
    "zasad najmu lokali użytkowych",
]
FINANCIAL = [
    "Sprawozdanie finansowe za rok {year}",
    "Plan gospodarczo-finansowy na rok {year}",
    "Informacja o wysokości opłat od 1 stycznia {year}",
    "Zestawienie kosztów eksploatacji za rok {year}",
    "Rozliczenie funduszu remontowego za rok {year}",
    "Opinia biegłego rewidenta za rok {year}",
]
TECHNICAL = [
    "Protokół przeglądu instalacji gazowej – budynek {code}",
    "Przegląd pięcioletni budynku {code}",
    "Dokumentacja projektowa termomodernizacji budynku {code}",
    "Świadectwo charakterystyki energetycznej budynku {code}",
    "Protokół przeglądu kominiarskiego – budynek {code}",
    "Pomiary instalacji elektrycznej w budynku {code}",
    "Odbiór techniczny dźwigu w budynku {code}",
]
OTHER = [
    "Harmonogram wywozu odpadów",
    "Ogłoszenie o przetargu na remont dachów",
    "Informacja o segregacji odpadów",
    "Cennik usług spółdzielni",
    "Komunikat w sprawie odczytów podzielników ciepła",
    "Ogłoszenie o przetargu na sprzątanie klatek schodowych",
]

# What a PDF of each category says, folded to ASCII: the base-14 fonts of a hand-written
# PDF have no Polish letters, and many scanned-then-OCRed PDFs read like this.
PDF_TEXTS = {
    "statute": "Statut spoldzielni mieszkaniowej. Czlonkostwo, prawa i obowiazki czlonkow, organy spoldzielni.",
    "regulations": "Regulamin okresla zasady rozliczania kosztow oraz obowiazki mieszkancow i spoldzielni.",
    "form": "Prosze wypelnic formularz drukowanymi literami i zlozyc w biurze spoldzielni lub przez portal.",
    "minutes": "Protokol posiedzenia. Obecni czlonkowie rady nadzorczej. Podjete uchwaly i wyniki glosowania.",
    "financial": "Bilans, rachunek zyskow i strat, koszty eksploatacji i utrzymania nieruchomosci, fundusz remontowy.",
    "technical": "Protokol z przegladu technicznego. Stan instalacji, zalecenia i terminy usuniecia usterek.",
    "other": "Informacja dla mieszkancow osiedla. Prosimy o zapoznanie sie z ogloszeniem.",
}


@dataclass
class SearchData:
    people: content_data.People
    buildings: list
    trades: list[Trade]
    contractor_ids: list[int] = field(default_factory=list)
    restricted_contractor_ids: list[int] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    restricted_document_ids: list[int] = field(default_factory=list)
    # object id -> what the floor searches, per kind
    floor_text: dict[tuple[str, int], str] = field(default_factory=dict)


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII) in Helvetica, with a correct cross-reference table."""
    lines = textwrap.wrap(text, 80)
    stream = "BT /F1 10 Tf 40 760 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<</Type/Catalog/Pages 2 0 R>>",
        "<</Type/Pages/Kids[3 0 R]/Count 1>>",
        "<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
        f"<</Length {len(stream)}>>stream\n{stream}\nendstream",
        "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj{body}endobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return out


def _firm_name(rng: random.Random, trade) -> str:
    _, _, stems, adjective, _ = trade
    style = rng.random()
    if style < 0.45:
        name = f"{rng.choice(stems)}-{rng.choice(SUFFIXES)}"
    elif style < 0.65:
        name = f"Zakład {adjective} {rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    elif style < 0.8:
        name = f"{rng.choice(['PHU', 'FHU', 'PPHU', 'Usługi'])} {rng.choice(stems)} {rng.choice(SURNAMES)}"
    elif style < 0.9:
        name = f"{rng.choice(SURNAMES)} i Synowie"
    else:
        name = rng.choice(stems)
    form = rng.choice(LEGAL_FORMS)
    return f"{name} {form}".strip()


def _contractor_fields(rng: random.Random, trade) -> dict:
    services = rng.sample(trade[4], k=min(len(trade[4]), rng.randint(3, 5)))
    if rng.random() < 0.2:
        area = "Warszawa i okolice"
    else:
        area = ", ".join(rng.sample(AREAS, k=rng.randint(1, 4)))
    notes = rng.choice(NOTES).format(year=rng.randint(1995, 2025)) if rng.random() < 0.33 else ""
    return {
        "services": "\n".join(services),
        "area_served": area,
        "notes": notes,
        "phone": f"+48 {rng.randint(500, 799)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
        "opening_hours": rng.choice(["pn–pt 8–16", "pn–pt 7–15, sob 8–12", "całodobowo"]),
    }


@transaction.atomic
def _bulk_contractors(parent: Page, trades: list[Trade], count: int, rng: random.Random) -> list[tuple[int, str]]:
    """`count` live firms under `parent`: the page rows, then the firms' rows (the
    statements `bulk_content.bulk_news` issues for news). Returns (id, floor text)."""
    parent = Page.objects.get(pk=parent.pk)
    content_type = ContentType.objects.get_for_model(ContractorPage)
    now = timezone.now()
    paths = bulk._next_steps(parent, count)
    pages, details = [], []
    for offset, path in enumerate(paths):
        trade_index = rng.randrange(len(TRADES))
        title = _firm_name(rng, TRADES[trade_index])
        slug = f"firma-{offset}-{uuid.UUID(int=rng.getrandbits(128)).hex[:6]}"
        key = uuid.UUID(int=rng.getrandbits(128))
        pages.append(
            bulk.live_page_row(
                parent, path, title=title, slug=slug, content_type=content_type, at=now, translation_key=key
            )
        )
        details.append((trade_index, _contractor_fields(rng, TRADES[trade_index])))
    Page.objects.bulk_create(pages, batch_size=1000)
    created = list(Page.objects.filter(path__in=paths).order_by("path").values_list("pk", "path"))
    assert [path for _, path in created] == paths
    firms = [
        ContractorPage(page_ptr_id=pk, trade_id=trades[trade_index].pk, **fields)
        for (pk, _), (trade_index, fields) in zip(created, details, strict=True)
    ]
    # Django's bulk_create refuses multi-table models; the firms' rows go in as the child
    # table's own insert, the one `Model.save` issues for them (batched for SQLite's
    # limit on a statement's parameters).
    for start in range(0, len(firms), 500):
        ContractorPage._base_manager._insert(
            firms[start : start + 500], fields=ContractorPage._meta.local_concrete_fields
        )
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + count)
    return [
        (
            firm.page_ptr_id,
            " ".join(
                [page.title, TRADES[trade_index][0], firm.services, firm.area_served, firm.notes],
            ),
        )
        for firm, page, (trade_index, _) in zip(firms, pages, details, strict=True)
    ]


def _document_fields(rng: random.Random, buildings: list) -> dict:
    year = rng.randint(2008, 2026)
    category = rng.choices(
        ["statute", "regulations", "form", "minutes", "financial", "technical", "other"],
        weights=[1, 4, 4, 6, 3, 5, 2],
    )[0]
    building = None
    if category == "statute":
        title = f"Statut {COOPERATIVE} – tekst jednolity {year}"
        description = (
            f"Tekst jednolity statutu z uwzględnieniem zmian uchwalonych przez Walne Zgromadzenie w {year} roku."
        )
    elif category == "regulations":
        topic = rng.choice(REGULATION_TOPICS)
        title = f"Regulamin {topic} ({year})"
        description = f"Regulamin {topic} obowiązujący od {year} roku, przyjęty uchwałą Rady Nadzorczej."
    elif category == "form":
        title = rng.choice(FORMS)
        description = f"Formularz do pobrania i wydruku. Wersja z {year} roku. Składany w biurze spółdzielni."
    elif category == "minutes":
        if rng.random() < 0.5:
            topic = rng.choice(RESOLUTION_TOPICS)
            organ = rng.choice(["Zarządu", "Rady Nadzorczej", "Walnego Zgromadzenia"])
            title = f"Uchwała nr {rng.randint(1, 60)}/{year} {organ} w sprawie {topic}"
            description = f"Uchwała w sprawie {topic}, podjęta w {year} roku."
        else:
            day = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year}"
            organ = rng.choice(["posiedzenia Rady Nadzorczej", "zebrania mieszkańców", "Walnego Zgromadzenia"])
            title = f"Protokół z {organ} z dnia {day}"
            description = f"Protokół z {organ}: omówione sprawy, wnioski mieszkańców i podjęte uchwały."
    elif category == "financial":
        title = rng.choice(FINANCIAL).format(year=year)
        description = f"Dokument finansowy spółdzielni za rok {year}: koszty, przychody i fundusz remontowy."
    elif category == "technical":
        building = rng.choice(buildings)
        title = f"{rng.choice(TECHNICAL).format(code=building.code)} ({year})"
        description = f"Dokumentacja techniczna budynku przy {building.street} {building.number}, rok {year}."
    else:
        title = f"{rng.choice(OTHER)} {year}"
        description = "Informacja dla mieszkańców osiedla."
    if building is None and rng.random() < 0.3:
        building = rng.choice(buildings)
    return {"title": title, "description": description, "category": category, "year": year, "building": building}


@transaction.atomic
def _bulk_documents(count: int, rng: random.Random, buildings: list, public, private, restricted_share: float):
    """`count` documents in one `bulk_create`; their PDFs are a few shared files. Returns
    (id, floor text, restricted)."""
    files = {}
    for category, text in PDF_TEXTS.items():
        for variant in range(4):
            content = f"{text} Strona {variant + 1}. Spoldzielnia Mieszkaniowa Zielone Wzgorze."
            name = default_storage.save(f"documents/wzor-{category}-{variant}.pdf", ContentFile(_pdf(content)))
            files[(category, variant)] = (name, content, default_storage.size(name))
    documents, texts, restricted = [], [], []
    for _ in range(count):
        fields = _document_fields(rng, buildings)
        name, content, size = files[(fields["category"], rng.randrange(4))]
        secret = rng.random() < restricted_share
        documents.append(
            CooperativeDocument(file=name, file_size=size, collection=private if secret else public, **fields)
        )
        label = str(CooperativeDocument.Category(fields["category"]).label)
        texts.append(" ".join([fields["title"], fields["description"], label, str(fields["year"]), content]))
        restricted.append(secret)
    created = CooperativeDocument.objects.bulk_create(documents, batch_size=1000)
    return [(doc.pk, text, secret) for doc, text, secret in zip(created, texts, restricted, strict=True)]


def build(*, contractors: int, documents: int) -> SearchData:
    """The site, ten buildings, building A's residents, the trades, `contractors` firms
    and `documents` documents (see the module's text)."""
    rng = random.Random(SEED)
    tree = f.build_site_tree()
    people = content_data.build_people()
    buildings = [people.building_a, people.building_b]
    for code, number in zip("CDEFGHJK", range(5, 21, 2), strict=True):
        buildings.append(
            residents.building_create(
                estate=people.building_a.estate,
                code=code,
                street=rng.choice(["ul. Lipowa", "ul. Klonowa", "al. Jana Pawła II"]),
                number=str(number),
                postal_code="00-950",
                city="Warszawa",
            )
        )
    trades = [f.make_trade(name=name, slug=slug, sort_order=order) for order, (name, slug, *_) in enumerate(TRADES)]
    data = SearchData(people=people, buildings=buildings, trades=trades)

    firms = _bulk_contractors(tree.contractors, trades, contractors, rng)
    data.contractor_ids = [pk for pk, _ in firms]
    data.floor_text.update({("contractor", pk): text for pk, text in firms})
    restricted = data.contractor_ids[:: max(1, 100)]  # 1 %
    bulk.bulk_restrict_pages(ContractorPage.objects.filter(pk__in=restricted), groups=[people.audience_a])
    data.restricted_contractor_ids = restricted

    private = content_data.restricted_collection(people)
    public = f.make_collection("Dokumenty spółdzielni")
    docs = _bulk_documents(documents, rng, buildings, public, private, restricted_share=0.1)
    data.document_ids = [pk for pk, _, _ in docs]
    data.restricted_document_ids = [pk for pk, _, secret in docs if secret]
    data.floor_text.update({("document", pk): text for pk, text, _ in docs})
    content_version.raise_version()  # as the signals of a save would
    return data
