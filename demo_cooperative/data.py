# ruff: noqa: E501  (long Polish sentences and raw PDF bytes read better unbroken)
"""What the demo cooperative is made of: its estate, people, firms, news and documents.

Everything here is plain data (no database access) so that it can be read, changed and
tested on its own. Names, addresses, phone numbers and e-mail domains are made up; the
e-mail and web domains use the reserved `.example` top-level domain.
Dates are given relative to the day the demo is loaded, so the demo never goes stale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# --- Accounts ----------------------------------------------------------------------------

DEMO_PASSWORD = "demo-haslo-2026"
EMAIL_DOMAIN = "zielone-wzgorze.example"
RESIDENT_EMAIL_DOMAIN = "poczta.example"

ESTATE_NAME = "Osiedle Zielone Wzgórze"
ESTATE_SLUG = "zielone-wzgorze"  # its presence means "the demo is loaded"


@dataclass(frozen=True)
class Account:
    username: str
    first_name: str
    last_name: str
    description: str
    staff_role: str | None = None  # a StaffRole value
    superuser: bool = False


STAFF_ACCOUNTS: list[Account] = [
    Account("admin", "Jan", "Administrator", "superużytkownik, pełny dostęp do panelu Wagtail", superuser=True),
    Account("editor", "Katarzyna", "Dąbrowska", "redaktorka: aktualności, dokumenty, inwestycje", staff_role="editor"),
    Account("dispatcher", "Marcin", "Kaczmarek", "dyspozytor: zgłoszenia awarii", staff_role="dispatcher"),
    Account("administrator", "Ewa", "Jankowska", "administratorka budynków A–C", staff_role="administrator"),
    Account("accountant", "Barbara", "Sikorska", "księgowa: konta lokali i rozliczenia", staff_role="accountant"),
    Account("board", "Andrzej", "Szymański", "prezes zarządu spółdzielni", staff_role="board"),
]


@dataclass(frozen=True)
class ResidentAccount:
    """A named demo resident: who they are and which unit they hold, in what role."""

    username: str
    first_name: str
    last_name: str
    building: str
    unit: str
    role: str  # Membership.Role value
    proof: str  # Membership.ProofKind value
    description: str


NAMED_RESIDENTS: list[ResidentAccount] = [
    ResidentAccount("resident.a", "Anna", "Nowak", "A", "12", "owner", "land_register", "właścicielka lokalu A/12"),
    ResidentAccount("tenant.a", "Piotr", "Zieliński", "A", "7", "tenant", "access_code", "najemca lokalu A/7"),
    ResidentAccount("resident.b", "Tomasz", "Wójcik", "B", "5", "owner", "land_register", "właściciel lokalu B/5"),
]

# Contractor accounts: (username, first, last, firm slug, is_manager, description)
CONTRACTOR_ACCOUNTS: list[tuple[str, str, str, str, bool, str]] = [
    (
        "contractor.plumber",
        "Robert",
        "Kowalczyk",
        "hydro-tech-instalacje",
        True,
        "hydraulik, Hydro-Tech Instalacje s.c.",
    ),
    (
        "contractor.electrician",
        "Łukasz",
        "Grabowski",
        "elektro-mont-grabowski",
        True,
        "elektryk, Elektro-Mont Łukasz Grabowski",
    ),
]

# People living on the estate, in the order units are filled. Gendered surnames are
# written out in full rather than derived.
RESIDENT_NAMES: list[tuple[str, str]] = [
    ("Jan", "Kowalski"),
    ("Halina", "Lewandowska"),
    ("Stanisław", "Wiśniewski"),
    ("Agnieszka", "Kamińska"),
    ("Paweł", "Wróbel"),
    ("Małgorzata", "Kozłowska"),
    ("Grzegorz", "Jabłoński"),
    ("Teresa", "Zając"),
    ("Michał", "Król"),
    ("Joanna", "Wieczorek"),
    ("Adam", "Majewski"),
    ("Elżbieta", "Olszewska"),
    ("Jerzy", "Stępień"),
    ("Danuta", "Malinowska"),
    ("Rafał", "Jaworski"),
    ("Beata", "Adamczyk"),
    ("Wojciech", "Dudek"),
    ("Irena", "Nowicka"),
    ("Mariusz", "Pawłowski"),
    ("Krystyna", "Witkowska"),
    ("Dariusz", "Walczak"),
    ("Magdalena", "Sikora"),
    ("Kamil", "Baran"),
    ("Ewelina", "Rutkowska"),
    ("Sebastian", "Michalski"),
    ("Zofia", "Szewczyk"),
    ("Henryk", "Ostrowski"),
    ("Renata", "Tomaszewska"),
    ("Jacek", "Pietrzak"),
    ("Dorota", "Marciniak"),
    ("Mateusz", "Wróblewski"),
    ("Aleksandra", "Zalewska"),
    ("Bartosz", "Jakubowski"),
    ("Natalia", "Sadowska"),
    ("Ryszard", "Duda"),
    ("Wanda", "Włodarczyk"),
    ("Artur", "Wilk"),
    ("Justyna", "Chmielewska"),
    ("Zbigniew", "Borkowski"),
    ("Karolina", "Sokołowska"),
    ("Tadeusz", "Szczepański"),
    ("Monika", "Sawicka"),
    ("Łukasz", "Lis"),
    ("Alicja", "Kucharska"),
    ("Marek", "Mazurek"),
    ("Iwona", "Kubiak"),
    ("Przemysław", "Kalinowski"),
    ("Jadwiga", "Wysocka"),
    ("Kazimierz", "Kołodziej"),
    ("Emilia", "Czarnecka"),
    ("Szymon", "Urban"),
    ("Bożena", "Krajewska"),
    ("Roman", "Kaczmarczyk"),
    ("Patrycja", "Górecka"),
    ("Leszek", "Czerwiński"),
]

# The board member of the residents' side (rada osiedla): an owner who also sits on the board.
BOARD_MEMBER = ("Krzysztof", "Mazur", "C", "10")

# Co-owners: a second owner for these units (building, unit, first, last).
CO_OWNERS: list[tuple[str, str, str, str]] = [
    ("A", "1", "Maria", "Kowalska"),
    ("B", "11", "Łucja", "Baranowska"),
    ("C", "4", "Wiesław", "Szulc"),
]

# Units held jointly by spouses (the owner and the co-owner above): both are members of the
# cooperative, each with a vote on resolutions counted one vote per member.
SPOUSES_UNITS = {("A", "1")}  # Jan and Maria Kowalscy

# Tenants besides tenant.a (building, unit, first, last); their units' owners let them.
TENANTS: list[tuple[str, str, str, str]] = [
    ("B", "16", "Oskar", "Laskowski"),
    ("C", "17", "Weronika", "Ziółkowska"),
]

# Units without a registered resident in the portal (yet).
VACANT_UNITS = {("A", "19"), ("A", "U1"), ("B", "9"), ("B", "20"), ("C", "6"), ("C", "13"), ("C", "20")}

# Requests awaiting a decision in the admin: (building, unit, first, last, role, proof kind,
# proof is right?, hours since the request). The oldest has waited over a week, which the
# admin's first page marks as calling for action.
PENDING_REQUESTS: list[tuple[str, str, str, str, str, str, bool, float]] = [
    ("B", "20", "Oliwia", "Krawczyk", "owner", "land_register", True, 9 * 24 + 5.5),
    ("C", "20", "Marek", "Pawlak", "owner", "land_register", False, 3 * 24 + 2),
    ("A", "19", "Julia", "Głowacka", "tenant", "access_code", True, 26),
    ("B", "3", "Igor", "Wasilewski", "owner", "land_register", True, 4.5),
]

# How far the residents of each building have taken up the portal and the app (the admin's
# adoption table): the share of residents who signed in within the last 30 days, and the
# share who last signed in before that (the rest never have). Of those active, `APP_SHARE`
# use the mobile app (a token they signed in with and used lately) rather than the portal.
# The named residents (resident.a, tenant.a, resident.b) are active in the portal.
PORTAL_ACTIVITY: dict[str, tuple[float, float]] = {"A": (0.7, 0.1), "B": (0.5, 0.15), "C": (0.25, 0.2)}
APP_SHARE = 0.35
APP_CLIENT_NAME = "Aplikacja Zielone Wzgórze (telefon)"
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
]
APP_AGENT = "ZieloneWzgorze/1.4 (Android 14)"

# --- Estate, buildings and units --------------------------------------------------------


@dataclass(frozen=True)
class BuildingSpec:
    code: str
    street: str
    number: str
    postal_code: str
    city: str
    floors: int  # floors 0 (parter) .. floors-1
    flats_per_floor: int
    flat_areas: tuple[float, ...]  # typical area by position on a floor
    land_register_base: int  # this building's flats got numbers from this range
    commercial: tuple[tuple[str, float], ...] = ()  # (number, area) on the ground floor
    cooperative_right_units: frozenset[int] = field(default_factory=frozenset)  # no KW, member number only


BUILDINGS: list[BuildingSpec] = [
    BuildingSpec(
        "A",
        "ul. Sadowa",
        "12",
        "02-695",
        "Warszawa",
        5,
        4,
        (36.4, 48.9, 63.2, 52.7),
        180_000,
        commercial=(("U1", 84.6),),
    ),
    BuildingSpec(
        "B",
        "ul. Sadowa",
        "14",
        "02-695",
        "Warszawa",
        5,
        4,
        (37.1, 49.5, 62.8, 53.4),
        240_000,
        cooperative_right_units=frozenset({2, 13, 18}),
    ),
    BuildingSpec(
        "C",
        "ul. Jabłoniowa",
        "5",
        "02-697",
        "Warszawa",
        4,
        5,
        (29.8, 44.1, 58.6, 71.3, 46.5),
        310_000,
        cooperative_right_units=frozenset({1, 6, 8, 14, 19}),
    ),
]

LAND_REGISTER_COURT = "WA1M"  # Sąd Rejonowy dla Warszawy-Mokotowa

_KW_VALUES = {str(d): d for d in range(10)} | {
    letter: value for value, letter in enumerate("XABCDEFGHIJKLMNOPRSTUWYZ", start=10)
}


def land_register_check_digit(court: str, number: str) -> int:
    """The check digit of a Polish land-register number (weights 1, 3, 7 repeated)."""
    chars = (court + number).upper()
    weights = (1, 3, 7)
    return sum(_KW_VALUES[c] * weights[i % 3] for i, c in enumerate(chars)) % 10


def land_register_number(court: str, serial: int) -> str:
    number = f"{serial:08d}"
    return f"{court}/{number}/{land_register_check_digit(court, number)}"


def iban_pl(bank_code7: str, account16: str) -> str:
    """A well-formed Polish IBAN, check digits included, printed in groups of four."""
    weights = (3, 9, 7, 1, 3, 9, 7)
    bank_sum = sum(int(d) * w for d, w in zip(bank_code7, weights, strict=True))
    bank = bank_code7 + str((10 - bank_sum % 10) % 10)
    bban = bank + account16
    # "PL" -> 25 21, check digits 00, moved to the end
    check = 98 - int(bban + "252100") % 97
    iban = f"PL{check:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


@dataclass(frozen=True)
class UnitSpec:
    building: str
    number: str
    floor: int
    area: Decimal
    share: Decimal
    kind: str
    land_register_number: str
    member_number: str
    access_code: str


_CODE_ALPHABET = "ABCDEFGHJKLMNPRSTUWXYZ23456789"  # no 0/O, 1/I/l


def units_for(spec: BuildingSpec, rng: random.Random) -> list[UnitSpec]:
    """The units of one building, with shares that sum to exactly 1 (area / total area)."""
    raw: list[tuple[str, int, Decimal, str]] = []
    for number, area in spec.commercial:
        raw.append((number, 0, Decimal(str(area)), "commercial"))
    n = 0
    for floor in range(spec.floors):
        for position in range(spec.flats_per_floor):
            n += 1
            base = spec.flat_areas[position]
            area = Decimal(str(base)) + Decimal(rng.randint(-6, 6)) / 10
            raw.append((str(n), floor, area.quantize(Decimal("0.01")), "residential"))
    total = sum(area for _, _, area, _ in raw)
    shares = [(area / total).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP) for _, _, area, _ in raw]
    shares[-1] += Decimal(1) - sum(shares)  # rounding remainder to the last unit

    units = []
    for (number, floor, area, kind), share in zip(raw, shares, strict=True):
        serial_offset = 0 if kind == "commercial" else int(number)
        flat_no = int(number) if number.isdigit() else 0
        kw = ""
        serial = rng.randint(spec.land_register_base, spec.land_register_base + 99_999)
        if flat_no not in spec.cooperative_right_units:
            kw = land_register_number(LAND_REGISTER_COURT, serial)
        member = ""
        if kw == "" or flat_no % 2 == 1:
            member = f"ZW/{spec.code}/{100 + serial_offset:04d}"
        code = "".join(rng.choice(_CODE_ALPHABET) for _ in range(6))
        units.append(
            UnitSpec(
                building=spec.code,
                number=number,
                floor=floor,
                area=area,
                share=share,
                kind=kind,
                land_register_number=kw,
                member_number=member,
                access_code=f"ZW-{spec.code}{number}-{code}",
            )
        )
    return units


# --- The cooperative's contact card -------------------------------------------------------

CONTACT = {
    "name": "Spółdzielnia Mieszkaniowa „Zielone Wzgórze”",
    "street": "ul. Sadowa 10 lok. U2",
    "postal_code": "02-695",
    "city": "Warszawa",
    "office_hours": "pon. 10:00–18:00\nwt.–czw. 8:00–15:00\npt. 8:00–13:00\nsob.–niedz. nieczynne",
    "phone": "+48 22 843 12 00",
    "email": f"biuro@{EMAIL_DOMAIN}",
    "emergency_gas": "992",
    "emergency_water": "994",
    "emergency_lifts": "+48 600 912 345",
    "emergency_electricity": "991",
    "bank_name": "PKO Bank Polski S.A.",
    "bank_account": iban_pl("1020102", "0000780201234567"),
}

DEPARTMENTS: list[dict[str, str]] = [
    {
        "name": "Dział członkowsko-mieszkaniowy",
        "phone": "+48 22 843 12 10",
        "email": f"czlonkowie@{EMAIL_DOMAIN}",
        "hours": "pon. 10:00–18:00, wt.–pt. 8:00–15:00",
    },
    {
        "name": "Dział czynszów i rozliczeń",
        "phone": "+48 22 843 12 20",
        "email": f"czynsze@{EMAIL_DOMAIN}",
        "hours": "pon. 10:00–18:00, wt.–pt. 8:00–15:00",
    },
    {
        "name": "Dział techniczny",
        "phone": "+48 22 843 12 30",
        "email": f"technika@{EMAIL_DOMAIN}",
        "hours": "pon.–pt. 7:30–15:30",
    },
    {
        "name": "Administracja osiedla",
        "phone": "+48 22 843 12 40",
        "email": f"administracja@{EMAIL_DOMAIN}",
        "hours": "pon.–pt. 7:00–15:00",
    },
    {
        "name": "Dyspozytor – zgłoszenia awarii",
        "phone": "+48 22 843 12 99",
        "email": f"awarie@{EMAIL_DOMAIN}",
        "hours": "całodobowo, także w święta",
    },
    {
        "name": "Sekretariat zarządu",
        "phone": "+48 22 843 12 01",
        "email": f"zarzad@{EMAIL_DOMAIN}",
        "hours": "pon.–pt. 9:00–15:00",
    },
]

HOME_INTRO = (
    "<p>Witamy na stronie <b>Spółdzielni Mieszkaniowej „Zielone Wzgórze”</b>. Znajdziesz tu "
    "aktualności i komunikaty o awariach, dokumenty do pobrania, informacje o inwestycjach "
    "oraz sprawdzonych wykonawców. Mieszkańcy po weryfikacji widzą też informacje dla "
    "swojego budynku.</p>"
)

# --- Trades and the contractor directory ----------------------------------------------------

TRADES: list[tuple[str, str]] = [  # (slug, name), in display order
    ("hydraulik", "Hydraulik"),
    ("elektryk", "Elektryk"),
    ("konserwator-dzwigow", "Konserwator dźwigów"),
    ("firma-sprzatajaca", "Firma sprzątająca"),
    ("instalacje-gazowe", "Instalacje gazowe"),
    ("slusarz", "Ślusarz"),
    ("dekarz", "Dekarz"),
    ("remonty", "Remonty i wykończenia"),
    ("kominiarz", "Kominiarz"),
    ("domofony", "Domofony i bramy"),
    ("zielen", "Pielęgnacja zieleni"),
    ("ddd", "Dezynsekcja i deratyzacja"),
]

# The trade whose firms the tickets admin offers first for a default category's tickets.
CATEGORY_TRADES: dict[str, str] = {  # category slug -> trade slug
    "hydraulika": "hydraulik",
    "awaria-wodna": "hydraulik",
    "ogrzewanie": "hydraulik",
    "elektryka": "elektryk",
    "dzwigi": "konserwator-dzwigow",
    "sprzatanie": "firma-sprzatajaca",
    "tereny-zielone": "zielen",
}


@dataclass(frozen=True)
class Firm:
    trade: str
    name: str
    slug: str
    services: str
    area_served: str
    phone: str
    email: str
    website: str
    opening_hours: str
    notes: str = ""


WARSAW_SOUTH = "Mokotów, Ursynów, Wilanów"
WARSAW = "Warszawa i okolice"

FIRMS: list[Firm] = [
    # Hydraulicy
    Firm(
        "hydraulik",
        "Hydro-Tech Instalacje s.c.",
        "hydro-tech-instalacje",
        "Usuwanie awarii instalacji wodnej i kanalizacyjnej\nWymiana pionów i poziomów\n"
        "Montaż wodomierzy i zaworów\nUdrażnianie kanalizacji",
        WARSAW_SOUTH,
        "+48 601 234 118",
        "zlecenia@hydro-tech.example",
        "https://hydro-tech.example",
        "pon.–pt. 7:00–17:00, pogotowie całodobowe",
        "Stały wykonawca spółdzielni – obsługuje zgłoszenia awarii z portalu.",
    ),
    Firm(
        "hydraulik",
        "Aqua-Serwis Marek Bielecki",
        "aqua-serwis-bielecki",
        "Naprawa i wymiana baterii, spłuczek, syfonów\nPodłączanie pralek i zmywarek\nWymiana grzejników",
        "Mokotów, Ochota",
        "+48 602 771 905",
        "biuro@aqua-serwis.example",
        "https://aqua-serwis.example",
        "pon.–sob. 8:00–18:00",
    ),
    Firm(
        "hydraulik",
        "KAN-BUD Instalacje Sanitarne Sp. z o.o.",
        "kan-bud-instalacje",
        "Modernizacja instalacji wodno-kanalizacyjnych w budynkach wielorodzinnych\n"
        "Inspekcja kanalizacji kamerą\nCzyszczenie hydrodynamiczne",
        WARSAW,
        "+48 22 642 18 30",
        "oferty@kan-bud.example",
        "https://kan-bud.example",
        "pon.–pt. 7:00–15:00",
        "Wykonawca wymiany pionów w budynku B (2024).",
    ),
    Firm(
        "hydraulik",
        "Pogotowie Hydrauliczne 24h Sławomir Nowicki",
        "pogotowie-hydrauliczne-nowicki",
        "Całodobowe usuwanie przecieków i zalań\nZamykanie i wymiana zaworów odcinających",
        WARSAW_SOUTH,
        "+48 690 240 024",
        "pogotowie@hydro24.example",
        "",
        "całodobowo, 7 dni w tygodniu",
        "Dojazd w ciągu 60 minut na terenie Mokotowa.",
    ),
    # Elektrycy
    Firm(
        "elektryk",
        "Elektro-Mont Łukasz Grabowski",
        "elektro-mont-grabowski",
        "Pomiary elektryczne i protokoły\nNaprawa oświetlenia klatek schodowych\n"
        "Wymiana tablic mieszkaniowych i zabezpieczeń",
        WARSAW_SOUTH,
        "+48 605 118 442",
        "elektro-mont@poczta.example",
        "https://elektro-mont.example",
        "pon.–pt. 7:00–16:00",
        "Wykonuje okresowe pomiary instalacji w budynkach A–C.",
    ),
    Firm(
        "elektryk",
        "Voltex Usługi Elektryczne Sp. z o.o.",
        "voltex-uslugi-elektryczne",
        "Modernizacja instalacji WLZ\nOświetlenie LED części wspólnych\nInstalacje odgromowe",
        WARSAW,
        "+48 22 811 45 60",
        "biuro@voltex.example",
        "https://voltex.example",
        "pon.–pt. 8:00–16:00",
    ),
    Firm(
        "elektryk",
        "Iskra Serwis Paweł Mroczek",
        "iskra-serwis-mroczek",
        "Drobne naprawy elektryczne w mieszkaniach\nMontaż gniazd i lamp\nUsuwanie zwarć",
        "Mokotów",
        "+48 608 300 671",
        "iskra.serwis@poczta.example",
        "",
        "pon.–sob. 8:00–20:00",
    ),
    Firm(
        "elektryk",
        "Energo-Pomiar Kontrola Instalacji",
        "energo-pomiar",
        "Okresowe badania instalacji elektrycznej (5-letnie)\nPomiary impedancji pętli zwarcia\n"
        "Pomiary rezystancji izolacji",
        "województwo mazowieckie",
        "+48 22 700 21 14",
        "pomiary@energo-pomiar.example",
        "https://energo-pomiar.example",
        "pon.–pt. 8:00–16:00",
    ),
    # Konserwatorzy dźwigów
    Firm(
        "konserwator-dzwigow",
        "Dźwig-Serwis Sp. z o.o.",
        "dzwig-serwis",
        "Konserwacja dźwigów osobowych i towarowych\nPogotowie dźwigowe – uwalnianie osób z kabin\n"
        "Przygotowanie dźwigów do badań UDT",
        WARSAW,
        "+48 600 912 345",
        "dyspozytor@dzwig-serwis.example",
        "https://dzwig-serwis.example",
        "biuro pon.–pt. 8:00–16:00, pogotowie całodobowo",
        "Konserwator dźwigów we wszystkich budynkach osiedla.",
    ),
    Firm(
        "konserwator-dzwigow",
        "Lift-Pol Dźwigi i Platformy",
        "lift-pol",
        "Modernizacja i wymiana dźwigów\nPlatformy przyschodowe dla osób z niepełnosprawnościami",
        WARSAW,
        "+48 22 658 90 12",
        "handlowy@lift-pol.example",
        "https://lift-pol.example",
        "pon.–pt. 7:30–15:30",
        "Wykonawca wymiany dźwigów w budynku A.",
    ),
    Firm(
        "konserwator-dzwigow",
        "Winda-Tech Konserwacja Urządzeń Transportu Bliskiego",
        "winda-tech",
        "Konserwacja dźwigów, schodów ruchomych i bram garażowych",
        "Warszawa, Piaseczno",
        "+48 609 455 210",
        "serwis@winda-tech.example",
        "",
        "pon.–pt. 8:00–16:00",
    ),
    # Firmy sprzątające
    Firm(
        "firma-sprzatajaca",
        "Czysta Klatka Sp. z o.o.",
        "czysta-klatka",
        "Sprzątanie klatek schodowych i wind\nMycie okien w częściach wspólnych\nUtrzymanie terenów zewnętrznych",
        WARSAW_SOUTH,
        "+48 22 843 77 10",
        "biuro@czystaklatka.example",
        "https://czystaklatka.example",
        "pon.–pt. 6:00–14:00",
        "Sprząta budynki A, B i C od 2023 r.",
    ),
    Firm(
        "firma-sprzatajaca",
        "Blask Serwis Sprzątający",
        "blask-serwis",
        "Sprzątanie po remontach\nPranie wykładzin\nDoczyszczanie posadzek",
        WARSAW,
        "+48 604 221 908",
        "kontakt@blask.example",
        "https://blask.example",
        "pon.–sob. 7:00–19:00",
    ),
    Firm(
        "firma-sprzatajaca",
        "Eko-Porządek Usługi Komunalne",
        "eko-porzadek",
        "Odśnieżanie chodników i parkingów\nObsługa altan śmietnikowych\nMycie pojemników na odpady",
        "Mokotów, Ursynów",
        "+48 22 649 30 05",
        "zlecenia@eko-porzadek.example",
        "",
        "pon.–pt. 6:00–15:00, zimą dyżur od 4:00",
    ),
    # Instalacje gazowe
    Firm(
        "instalacje-gazowe",
        "Gaz-Kontrol Przeglądy Instalacji",
        "gaz-kontrol",
        "Coroczne przeglądy szczelności instalacji gazowej\nNaprawa kurków i przyłączy kuchenek\n"
        "Protokoły dla administracji",
        WARSAW,
        "+48 22 612 40 33",
        "przeglady@gaz-kontrol.example",
        "https://gaz-kontrol.example",
        "pon.–pt. 8:00–16:00",
        "Wymaga uprawnień G3; przegląd wymaga obecności mieszkańca.",
    ),
    # Ślusarze
    Firm(
        "slusarz",
        "Zamek-Serwis Awaryjne Otwieranie",
        "zamek-serwis",
        "Awaryjne otwieranie drzwi\nWymiana wkładek i zamków\nSkrzynki pocztowe",
        WARSAW_SOUTH,
        "+48 603 999 112",
        "zamek-serwis@poczta.example",
        "",
        "całodobowo",
    ),
    Firm(
        "slusarz",
        "Stal-Kuźnia Ślusarstwo Budowlane",
        "stal-kuznia",
        "Balustrady i kraty\nDrzwi do piwnic i komórek lokatorskich\nNaprawa bram i furtek",
        WARSAW,
        "+48 22 720 55 81",
        "biuro@stal-kuznia.example",
        "https://stal-kuznia.example",
        "pon.–pt. 7:00–15:00",
    ),
    # Dekarze
    Firm(
        "dekarz",
        "Dach-Bud Pokrycia Dachowe",
        "dach-bud",
        "Remonty dachów płaskich (papa termozgrzewalna)\nObróbki blacharskie\nRynny i rury spustowe",
        "województwo mazowieckie",
        "+48 607 810 220",
        "biuro@dach-bud.example",
        "https://dach-bud.example",
        "pon.–pt. 7:00–16:00",
        "Wykonawca remontu dachu budynku B (zakończony).",
    ),
    Firm(
        "dekarz",
        "Alpin-Serwis Prace Wysokościowe",
        "alpin-serwis",
        "Prace na wysokości technikami alpinistycznymi\nNaprawa elewacji i obróbek\nMontaż siatek przeciw ptakom",
        WARSAW,
        "+48 691 404 303",
        "alpin@poczta.example",
        "",
        "pon.–sob. 8:00–18:00",
    ),
    # Remonty
    Firm(
        "remonty",
        "Remo-Dom Usługi Remontowe",
        "remo-dom",
        "Malowanie klatek schodowych\nGładzie i tynki\nPłytki w częściach wspólnych",
        WARSAW_SOUTH,
        "+48 606 545 120",
        "remo-dom@poczta.example",
        "https://remo-dom.example",
        "pon.–pt. 7:00–17:00",
    ),
    Firm(
        "remonty",
        "Termo-Elewacje Sp. z o.o.",
        "termo-elewacje",
        "Docieplenia budynków metodą lekką mokrą\nRemonty balkonów\nRusztowania",
        "województwo mazowieckie",
        "+48 22 863 70 44",
        "oferty@termo-elewacje.example",
        "https://termo-elewacje.example",
        "pon.–pt. 8:00–16:00",
        "Złożył ofertę w przetargu na termomodernizację budynku C.",
    ),
    Firm(
        "remonty",
        "Majster Adam Krupa",
        "majster-krupa",
        "Drobne naprawy stolarki i okuć\nWymiana parapetów\nRegulacja okien",
        "Mokotów",
        "+48 512 330 876",
        "majster.krupa@poczta.example",
        "",
        "pon.–pt. 8:00–18:00",
    ),
    # Kominiarze
    Firm(
        "kominiarz",
        "Zakład Kominiarski Mistrz Józef Bąk",
        "kominiarz-bak",
        "Okresowe przeglądy przewodów wentylacyjnych i spalinowych\nCzyszczenie kanałów\nOpinie kominiarskie",
        WARSAW,
        "+48 22 641 09 27",
        "kominiarz.bak@poczta.example",
        "",
        "pon.–pt. 7:00–15:00",
        "Przeglądy w budynkach osiedla w marcu i wrześniu.",
    ),
    Firm(
        "kominiarz",
        "Went-Kontrol Usługi Kominiarskie",
        "went-kontrol",
        "Pomiary ciągu i wydajności wentylacji\nInspekcja kamerą\nUdrażnianie przewodów",
        "Warszawa, Konstancin-Jeziorna",
        "+48 600 700 417",
        "biuro@went-kontrol.example",
        "https://went-kontrol.example",
        "pon.–pt. 8:00–16:00",
    ),
    # Domofony
    Firm(
        "domofony",
        "Domofon-Serwis Tomasz Rybak",
        "domofon-serwis-rybak",
        "Naprawa i wymiana domofonów i wideodomofonów\nSystemy kontroli dostępu (breloki)\nProgramowanie kodów",
        WARSAW_SOUTH,
        "+48 601 808 101",
        "domofony@poczta.example",
        "https://domofon-serwis.example",
        "pon.–pt. 8:00–17:00",
        "Realizuje wymianę domofonów w budynku A.",
    ),
    Firm(
        "domofony",
        "Bramtech Automatyka Bram",
        "bramtech",
        "Automatyka bram wjazdowych i szlabanów\nPiloty i czytniki\nKonserwacja bram garażowych",
        WARSAW,
        "+48 22 758 64 30",
        "serwis@bramtech.example",
        "https://bramtech.example",
        "pon.–pt. 8:00–16:00",
    ),
    # Zieleń
    Firm(
        "zielen",
        "Zielony Zakątek Usługi Ogrodnicze",
        "zielony-zakatek",
        "Koszenie trawników\nPielęgnacja żywopłotów i rabat\nNasadzenia drzew i krzewów",
        WARSAW_SOUTH,
        "+48 605 660 350",
        "biuro@zielonyzakatek.example",
        "https://zielonyzakatek.example",
        "pon.–pt. 7:00–15:00 (marzec–listopad)",
    ),
    Firm(
        "zielen",
        "Arbor Pielęgnacja Drzew",
        "arbor",
        "Przycinanie i wycinka drzew (z pozwoleniem)\nOcena stanu zdrowotnego drzew\nFrezowanie pniaków",
        "województwo mazowieckie",
        "+48 609 112 733",
        "arbor@poczta.example",
        "",
        "pon.–sob. 7:00–17:00",
    ),
    # Dezynsekcja i deratyzacja
    Firm(
        "ddd",
        "Sanit-DDD Dezynsekcja Deratyzacja Dezynfekcja",
        "sanit-ddd",
        "Deratyzacja piwnic i altan śmietnikowych (wiosna i jesień)\nZwalczanie prusaków i pluskiew\nDezynfekcja",
        WARSAW,
        "+48 22 668 12 95",
        "biuro@sanit-ddd.example",
        "https://sanit-ddd.example",
        "pon.–pt. 8:00–16:00",
        "Obowiązkowa deratyzacja osiedla: kwiecień i październik.",
    ),
    Firm(
        "ddd",
        "Ekopest Ochrona Przed Szkodnikami",
        "ekopest",
        "Zabezpieczenia przed gołębiami\nUsuwanie gniazd os i szerszeni\nMonitoring gryzoni",
        "Warszawa, Piaseczno, Józefów",
        "+48 694 505 606",
        "kontakt@ekopest.example",
        "",
        "pon.–sob. 8:00–18:00",
    ),
]

# --- News -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewsSpec:
    """One news item. `audience` is who may read it, stored as a Wagtail view restriction:
    "public", "login", "estate", "building:A", "role:owners", "role:staff"..."""

    key: str
    title: str
    slug: str
    lead: str
    body: str
    audience: str = "public"
    kind: str = "announcement"
    priority: str = "normal"
    days_ago: int = 0
    affected: tuple[str, ...] = ()
    valid_from_hours: int | None = None  # relative to now
    valid_until_hours: int | None = None
    scheduled_in_days: int | None = None  # publishing scheduled (go_live_at) this many days ahead
    image: str | None = None
    # A planned outage: valid on the first working day at least this many days ahead,
    # between these local hours; "{when}" in the lead and body names that day and those hours.
    planned_in_days: int | None = None
    planned_hours: tuple[int, int] = (8, 14)


NEWS: list[NewsSpec] = [
    NewsSpec(
        key="outage_current",
        title="Awaria wodociągowa – brak zimnej wody w budynkach A i B",
        slug="awaria-wodociagowa-budynki-a-b",
        kind="outage",
        priority="urgent",
        days_ago=0,
        affected=("A", "B"),
        valid_from_hours=-3,
        valid_until_hours=30,
        lead="Z powodu awarii przyłącza wodociągowego w budynkach A i B do odwołania nie ma zimnej wody. "
        "Beczkowóz stoi przy wejściu do budynku A.",
        body="<p>Dziś rano pękła rura na przyłączu wodociągowym zasilającym budynki przy ul. Sadowej 12 i 14. "
        "Ekipa Hydro-Tech Instalacje pracuje na miejscu; przewidywany czas usunięcia awarii to jutro do godz. 12:00.</p>"
        "<p>Wodę pitną można pobrać z beczkowozu ustawionego przy wejściu do budynku A. "
        "Prosimy o zakręcenie kranów, aby po przywróceniu dostawy nie doszło do zalań.</p>"
        "<p>Informacje o postępie prac: dyspozytor, tel. <b>+48 22 843 12 99</b> (całodobowo).</p>",
        image="outage_water",
    ),
    NewsSpec(
        key="outage_planned",
        title="Planowane wyłączenie ciepłej wody w budynku C",
        slug="wylaczenie-cieplej-wody-budynek-c",
        kind="outage",
        priority="important",
        days_ago=2,
        affected=("C",),
        planned_in_days=2,
        planned_hours=(8, 14),
        lead="{when} w budynku C nie będzie ciepłej wody: Hydro-Tech Instalacje wymieni zawory "
        "na pionach cyrkulacji w piwnicy.",
        body="<p>W związku z wymianą skorodowanych zaworów na pionach cyrkulacji ciepłej wody "
        "w budynku przy ul. Jabłoniowej 5 {when} wstrzymamy dostawę ciepłej wody. Zimna woda będzie "
        "dostępna bez przerw.</p>"
        "<p>Prosimy o zakręcenie kranów z ciepłą wodą na czas prac. W razie pytań: administracja "
        "osiedla, tel. <b>+48 22 843 12 40</b>.</p>",
    ),
    NewsSpec(
        key="outage_expired",
        title="Przerwa w dostawie prądu w budynku C (zakończona)",
        slug="przerwa-w-dostawie-pradu-budynek-c",
        kind="outage",
        priority="important",
        days_ago=12,
        affected=("C",),
        valid_from_hours=-12 * 24,
        valid_until_hours=-12 * 24 + 6,
        lead="W związku z pracami operatora sieci dystrybucyjnej w budynku C nie było prądu w godz. 8:00–14:00.",
        body="<p>Operator sieci dystrybucyjnej wymieniał złącze kablowe zasilające budynek przy ul. Jabłoniowej 5. "
        "W czasie prac nie działały dźwigi, oświetlenie klatek schodowych ani domofony.</p>"
        "<p>Prace zakończono zgodnie z planem. Dziękujemy za cierpliwość.</p>",
    ),
    NewsSpec(
        key="public_waste",
        title="Zbiórka odpadów wielkogabarytowych – nowy harmonogram",
        slug="zbiorka-odpadow-wielkogabarytowych",
        days_ago=3,
        lead="Meble, materace i sprzęt AGD wystawiamy przy altanach śmietnikowych w wieczór poprzedzający odbiór.",
        body="<p>Od przyszłego miesiąca odpady wielkogabarytowe będą odbierane z osiedla w każdy drugi "
        "wtorek miesiąca. Prosimy wystawiać je przy altanach śmietnikowych dopiero w poniedziałek po godz. 18:00.</p>"
        "<p>Gruz, opony i odpady poremontowe nie są odpadami wielkogabarytowymi – należy je oddać do "
        "Punktu Selektywnego Zbierania Odpadów Komunalnych (PSZOK).</p>",
        image="waste",
    ),
    NewsSpec(
        key="public_fraud",
        title="Uwaga na fałszywych inkasentów i „kontrolerów” instalacji gazowej",
        slug="uwaga-na-falszywych-inkasentow",
        priority="important",
        days_ago=6,
        lead="Spółdzielnia nie pobiera opłat w gotówce w mieszkaniach. Przeglądy zapowiadamy zawsze z wyprzedzeniem.",
        body="<p>W ostatnich dniach na sąsiednich osiedlach pojawiły się osoby podające się za pracowników "
        "gazowni i administracji, które próbowały pobierać opłaty za rzekome przeglądy.</p>"
        "<ul><li>Spółdzielnia nie pobiera żadnych opłat w gotówce w mieszkaniach.</li>"
        "<li>Terminy przeglądów ogłaszamy na klatkach schodowych i w portalu co najmniej 7 dni wcześniej.</li>"
        "<li>W razie wątpliwości prosimy zadzwonić do administracji: +48 22 843 12 40.</li></ul>",
    ),
    NewsSpec(
        key="public_office_hours",
        title="Dłuższe godziny pracy biura w poniedziałki",
        slug="godziny-pracy-biura",
        days_ago=1,
        lead="Od przyszłego miesiąca w poniedziałki biuro spółdzielni będzie czynne do godz. 18:00. "
        "Dyspozytor przyjmuje zgłoszenia awarii całodobowo.",
        body="<p>Na prośbę mieszkańców pracujących w ciągu dnia wydłużamy godziny pracy biura: od przyszłego "
        "miesiąca w poniedziałki przyjmujemy interesantów w godz. 10:00–18:00. W pozostałe dni bez zmian.</p>"
        "<p>Awarie prosimy zgłaszać przez portal mieszkańca lub telefonicznie dyspozytorowi: "
        "+48 22 843 12 99.</p>",
        image="office",
    ),
    NewsSpec(
        key="building_a",
        title="Budynek A: wymiana domofonów na wideodomofony",
        slug="budynek-a-wymiana-domofonow",
        audience="building:A",
        days_ago=2,
        affected=("A",),
        lead="W przyszłym tygodniu firma Domofon-Serwis wymieni unifony w mieszkaniach budynku A. "
        "Prosimy o udostępnienie lokali.",
        body="<p>W ramach planu remontów na ten rok w budynku przy ul. Sadowej 12 montujemy wideodomofony "
        "i czytniki breloków zbliżeniowych.</p>"
        "<p>Harmonogram: poniedziałek i wtorek – klatka I (lokale 1–10), środa–piątek – klatka II "
        "(lokale 11–20), w godz. 9:00–17:00. Każdy lokal otrzyma dwa breloki; kolejne można zamówić w administracji.</p>"
        "<p>Jeśli termin Państwu nie odpowiada, prosimy o kontakt z administracją: +48 22 843 12 40.</p>",
        image="intercom",
    ),
    NewsSpec(
        key="building_b",
        title="Budynek B: coroczny przegląd instalacji gazowej",
        slug="budynek-b-przeglad-instalacji-gazowej",
        audience="building:B",
        days_ago=4,
        affected=("B",),
        lead="Przegląd szczelności instalacji gazowej w budynku B odbędzie się w przyszły czwartek i piątek.",
        body="<p>Zgodnie z Prawem budowlanym raz w roku sprawdzamy szczelność instalacji gazowej. "
        "Przegląd w budynku przy ul. Sadowej 14 wykona firma Gaz-Kontrol.</p>"
        "<p>Czwartek, godz. 8:00–14:00 – lokale 1–10; piątek, godz. 14:00–19:00 – lokale 11–20. "
        "Prosimy o zapewnienie dostępu do kuchenki i kurka gazowego. Osoby nieobecne prosimy o "
        "uzgodnienie innego terminu z administracją.</p>",
        image="gas",
    ),
    NewsSpec(
        key="estate",
        title="Zebranie mieszkańców osiedla w sprawie parkingu",
        slug="zebranie-mieszkancow-parking",
        audience="estate",
        days_ago=5,
        lead="Zapraszamy mieszkańców Osiedla Zielone Wzgórze na zebranie w sprawie zasad korzystania z parkingu.",
        body="<p>Zarząd zaprasza na zebranie mieszkańców w świetlicy osiedlowej (ul. Sadowa 10) w przyszłą środę "
        "o godz. 18:30. Omówimy propozycję wprowadzenia identyfikatorów parkingowych i szlabanu.</p>",
    ),
    NewsSpec(
        key="owners",
        title="Projekty uchwał na Walne Zgromadzenie – do wglądu dla członków",
        slug="projekty-uchwal-walne-zgromadzenie",
        audience="role:owners",
        priority="important",
        days_ago=8,
        lead="Projekty uchwał i sprawozdanie zarządu są dostępne w dziale dokumentów dla członków.",
        body="<p>Walne Zgromadzenie Członków odbędzie się w częściach, w dniach wskazanych w zawiadomieniu. "
        "Projekty uchwał, sprawozdanie finansowe i sprawozdanie zarządu można pobrać z działu "
        "<i>Dokumenty dla członków</i> lub przejrzeć w biurze spółdzielni.</p>"
        "<p>Poprawki do projektów uchwał członkowie mogą zgłaszać najpóźniej na 3 dni przed pierwszą częścią "
        "zgromadzenia.</p>",
        image="meeting",
    ),
    NewsSpec(
        key="staff",
        title="Dla pracowników: grafik dyżurów dyspozytorskich",
        slug="grafik-dyzurow-dyspozytorskich",
        audience="role:staff",
        days_ago=2,
        lead="Grafik dyżurów na przyszły miesiąc i numery pogotowia wykonawców.",
        body="<p>Grafik dyżurów dyspozytorów na przyszły miesiąc jest w dokumentach dla pracowników. W dni "
        "ustawowo wolne od pracy zgłoszenia przekierowujemy na telefon dyżurny.</p>"
        "<p>Pogotowie wykonawców: hydraulik – Hydro-Tech (+48 601 234 118), dźwigi – Dźwig-Serwis "
        "(+48 600 912 345), elektryk – Elektro-Mont (+48 605 118 442).</p>",
    ),
    NewsSpec(
        key="login",
        title="Wyniki ankiety o zagospodarowaniu terenów zielonych",
        slug="wyniki-ankiety-tereny-zielone",
        audience="login",
        days_ago=15,
        lead="Dziękujemy za 214 odpowiedzi. Najwięcej głosów zebrała nowa łąka kwietna przy budynku C.",
        body="<p>W ankiecie wzięło udział 214 osób. Najczęściej wybierane propozycje to łąka kwietna przy budynku C "
        "(61%), nowe ławki przy placu zabaw (54%) i stojaki rowerowe przy budynku A (47%).</p>"
        "<p>Propozycje zostaną uwzględnione w planie prac na przyszły rok.</p>",
        image="garden",
    ),
    NewsSpec(
        key="scheduled",
        title="Mycie okien na klatkach schodowych",
        slug="mycie-okien-na-klatkach",
        scheduled_in_days=7,
        days_ago=-7,
        lead="Firma Czysta Klatka umyje okna na klatkach schodowych wszystkich budynków osiedla.",
        body="<p>W przyszłym tygodniu firma Czysta Klatka umyje okna i parapety na klatkach schodowych budynków "
        "A, B i C. Prosimy nie stawiać rzeczy na parapetach.</p>",
    ),
]

# "On Thursday" and so on, as a planned outage's day is named in its texts.
WEEKDAYS_ON = ["w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę", "w niedzielę"]

# Editorial work in progress, which the admin's first page counts for the editors. A news
# item the editor submitted to Wagtail's default workflow ("Moderators approval"): the board
# approves notices about charges before they go out. Never published, so no resident sees it.
NEWS_IN_MODERATION = NewsSpec(
    key="in_moderation",
    title="Zmiana stawki opłaty eksploatacyjnej",
    slug="zmiana-stawki-oplaty-eksploatacyjnej",
    audience="role:owners",
    priority="important",
    lead="Zarząd podwyższa opłatę eksploatacyjną o 0,25 zł/m² w związku ze wzrostem kosztów energii i wywozu odpadów.",
    body="<p>Opłata eksploatacyjna wyniesie 4,10 zł/m² miesięcznie (dotychczas 3,85 zł/m²). Fundusz "
    "remontowy pozostaje bez zmian.</p>"
    "<p>Nowa stawka obowiązuje od pierwszego dnia miesiąca, który nastąpi po upływie 3 miesięcy od "
    "doręczenia pisemnego zawiadomienia (art. 4 ust. 7 ustawy o spółdzielniach mieszkaniowych). "
    "Uzasadnienie i kalkulacja kosztów są w dziale dokumentów dla członków.</p>",
)

# A change to a live page that the editor saved and has not published yet (Wagtail's
# "live + draft"): the investment's page, by its slug, and the fields the draft changes.
INVESTMENT_DRAFT: tuple[str, dict[str, object]] = (
    "modernizacja-placu-zabaw",
    {
        "progress": 55,
        "summary": "Nawierzchnia bezpieczna ułożona; trwa montaż zestawu wspinaczkowego i huśtawki "
        "„bocianie gniazdo”. Ławki i nasadzenia drzew na koniec prac.",
    },
)

# --- Documents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionSpec:
    """A document collection; `audience` as for news, `parent` the key of a parent collection."""

    key: str
    name: str
    audience: str = "public"
    parent: str | None = None


COLLECTIONS: list[CollectionSpec] = [
    CollectionSpec("public", "Dokumenty ogólnodostępne"),
    CollectionSpec("owners", "Dokumenty dla członków", audience="role:owners"),
    CollectionSpec("building_a", "Budynek A – dokumenty", audience="building:A"),
    CollectionSpec("building_a_inspections", "Budynek A – protokoły przeglądów", parent="building_a"),
    CollectionSpec("building_b", "Budynek B – dokumenty", audience="building:B"),
    CollectionSpec("staff", "Dla pracowników", audience="role:staff"),
    CollectionSpec("images", "Zdjęcia"),
]


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    title: str
    filename: str
    collection: str
    category: str
    years_ago: int
    description: str
    paragraphs: tuple[str, ...]
    building: str | None = None


DOCUMENTS: list[DocumentSpec] = [
    DocumentSpec(
        "statute",
        "Statut Spółdzielni Mieszkaniowej „Zielone Wzgórze”",
        "statut.pdf",
        "public",
        "statute",
        1,
        "Tekst jednolity statutu uchwalony przez Walne Zgromadzenie.",
        (
            (
                "§ 1. Spółdzielnia Mieszkaniowa „Zielone Wzgórze”, zwana dalej Spółdzielnią, działa na "
                "podstawie ustawy Prawo spółdzielcze, ustawy o spółdzielniach mieszkaniowych oraz niniejszego statutu."
            ),
            "§ 2. Siedzibą Spółdzielni jest miasto stołeczne Warszawa.",
            (
                "§ 3. Celem Spółdzielni jest zaspokajanie potrzeb mieszkaniowych i innych potrzeb członków "
                "oraz ich rodzin przez dostarczanie członkom lokali mieszkalnych i użytkowych."
            ),
        ),
    ),
    DocumentSpec(
        "house_rules",
        "Regulamin porządku domowego",
        "regulamin-porzadku-domowego.pdf",
        "public",
        "regulations",
        2,
        "Zasady korzystania z lokali i części wspólnych, cisza nocna, zwierzęta.",
        (
            "1. Cisza nocna obowiązuje w godzinach 22:00–6:00.",
            "2. Na klatkach schodowych, korytarzach piwnicznych i w suszarniach nie wolno składować rzeczy.",
            "3. Właściciele zwierząt odpowiadają za szkody przez nie wyrządzone i sprzątają po nich.",
        ),
    ),
    DocumentSpec(
        "form_certificate",
        "Wniosek o wydanie zaświadczenia o niezaleganiu z opłatami",
        "wniosek-zaswiadczenie.pdf",
        "public",
        "form",
        0,
        "Formularz do wypełnienia i złożenia w biurze lub przesłania skanem.",
        (
            "Imię i nazwisko: ........................................",
            "Adres lokalu: ........................................",
            "Proszę o wydanie zaświadczenia o niezaleganiu z opłatami za lokal.",
        ),
    ),
    DocumentSpec(
        "fees",
        "Zestawienie opłat eksploatacyjnych od 1 stycznia",
        "stawki-oplat.pdf",
        "public",
        "other",
        0,
        "Stawki opłaty eksploatacyjnej, funduszu remontowego, wody i odpadów.",
        (
            "Opłata eksploatacyjna: 3,85 zł/m² miesięcznie.",
            "Fundusz remontowy: 2,40 zł/m² miesięcznie.",
            "Woda i ścieki: zaliczka 16,80 zł/m³; odpady: zgodnie z deklaracją.",
        ),
    ),
    DocumentSpec(
        "financial",
        "Sprawozdanie finansowe za ubiegły rok",
        "sprawozdanie-finansowe.pdf",
        "owners",
        "financial",
        1,
        "Bilans, rachunek zysków i strat oraz informacja dodatkowa.",
        (
            "Suma bilansowa: 48 215 330,12 zł.",
            "Wynik na działalności gospodarki zasobami mieszkaniowymi: nadwyżka 212 004,37 zł.",
        ),
    ),
    DocumentSpec(
        "resolutions",
        "Projekty uchwał na Walne Zgromadzenie",
        "projekty-uchwal.pdf",
        "owners",
        "minutes",
        0,
        "Projekty uchwał nr 1–7 wraz z uzasadnieniem.",
        (
            "Uchwała nr 1 w sprawie zatwierdzenia sprawozdania zarządu.",
            "Uchwała nr 2 w sprawie zatwierdzenia sprawozdania finansowego.",
            "Uchwała nr 5 w sprawie termomodernizacji budynku przy ul. Jabłoniowej 5.",
        ),
    ),
    DocumentSpec(
        "plan_a",
        "Plan remontów budynku A",
        "plan-remontow-budynek-a.pdf",
        "building_a",
        "technical",
        0,
        "Zakres i harmonogram prac w budynku przy ul. Sadowej 12.",
        (
            "1. Wymiana dźwigów osobowych w obu klatkach.",
            "2. Wymiana domofonów na wideodomofony.",
            "3. Malowanie klatek schodowych (po zakończeniu wymiany dźwigów).",
        ),
        building="A",
    ),
    DocumentSpec(
        "inspection_a",
        "Protokół z rocznego przeglądu budynku A",
        "protokol-przegladu-budynek-a.pdf",
        "building_a_inspections",
        "technical",
        0,
        "Przegląd stanu technicznego (art. 62 Prawa budowlanego).",
        (
            "Stan techniczny budynku: dobry.",
            "Zalecenia: uzupełnienie obróbek blacharskich attyki, naprawa cokołu przy wejściu II.",
        ),
        building="A",
    ),
    DocumentSpec(
        "water_b",
        "Rozliczenie wody – budynek B",
        "rozliczenie-wody-budynek-b.pdf",
        "building_b",
        "financial",
        0,
        "Zbiorcze rozliczenie zużycia wody w budynku za I półrocze.",
        (
            "Zużycie wg wodomierza głównego: 2 184 m³.",
            "Suma wskazań wodomierzy lokalowych: 2 097 m³; różnica rozliczona wg liczby osób.",
        ),
    ),
    DocumentSpec(
        "dispatcher_manual",
        "Instrukcja dyspozytora",
        "instrukcja-dyspozytora.pdf",
        "staff",
        "other",
        0,
        "Przyjmowanie i kwalifikowanie zgłoszeń, numery pogotowia wykonawców.",
        (
            "1. Zgłoszenie zagrożenia życia lub zdrowia – natychmiast 112.",
            "2. Awaria wodna z zalaniem – zamknąć zawór na pionie, wezwać pogotowie hydrauliczne.",
            "3. Uwięzienie osoby w dźwigu – Dźwig-Serwis, +48 600 912 345.",
        ),
    ),
]

# --- Investments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvestmentSpec:
    title: str
    slug: str
    status: str
    summary: str
    body: str
    budget: str
    start_days: int  # relative to today
    end_days: int
    progress: int
    buildings: tuple[str, ...]
    gallery: tuple[tuple[str, str], ...]  # (image key, caption)


INVESTMENTS: list[InvestmentSpec] = [
    InvestmentSpec(
        "Termomodernizacja budynku C",
        "termomodernizacja-budynku-c",
        "planned",
        "Docieplenie ścian i stropodachu, wymiana stolarki okiennej na klatkach i modernizacja węzła cieplnego.",
        "<p>Audyt energetyczny wykazał, że po dociepleniu zapotrzebowanie budynku przy ul. Jabłoniowej 5 na ciepło "
        "spadnie o około 38%. Spółdzielnia złożyła wniosek o premię termomodernizacyjną z BGK.</p>"
        "<p>Przetarg na wykonawcę planujemy rozstrzygnąć w pierwszym kwartale.</p>",
        "2450000.00",
        140,
        330,
        0,
        ("C",),
        (("thermo_plan", "Wizualizacja elewacji po dociepleniu"), ("thermo_audit", "Termogram budynku C")),
    ),
    InvestmentSpec(
        "Wymiana dźwigów osobowych w budynku A",
        "wymiana-dzwigow-budynek-a",
        "ongoing",
        "Dwa nowe dźwigi z drzwiami automatycznymi i dostosowaniem dla osób z niepełnosprawnościami.",
        "<p>Stare dźwigi z 1984 r. zastępujemy nowymi, cichszymi i energooszczędnymi. W czasie wymiany jednej "
        "windy druga pozostaje czynna. Wykonawca: Lift-Pol Dźwigi i Platformy.</p>",
        "780000.00",
        -75,
        40,
        60,
        ("A",),
        (
            ("lift_1", "Demontaż starej kabiny"),
            ("lift_2", "Montaż prowadnic w szybie"),
            ("lift_3", "Nowa kabina – klatka I"),
        ),
    ),
    InvestmentSpec(
        "Modernizacja placu zabaw",
        "modernizacja-placu-zabaw",
        "ongoing",
        "Nowa nawierzchnia bezpieczna, urządzenia dla dzieci w wieku 3–12 lat i ławki w cieniu.",
        "<p>Plac zabaw między budynkami B i C zyska nawierzchnię z płyt EPDM, zestaw wspinaczkowy, "
        "huśtawkę „bocianie gniazdo” i nasadzenia drzew.</p>",
        "165000.00",
        -20,
        35,
        35,
        ("B", "C"),
        (("playground_1", "Plac zabaw przed modernizacją"), ("playground_2", "Układanie nawierzchni")),
    ),
    InvestmentSpec(
        "Remont dachu budynku B",
        "remont-dachu-budynek-b",
        "finished",
        "Nowe pokrycie papą termozgrzewalną, wymiana obróbek blacharskich i rynien.",
        "<p>Remont zakończono odbiorem technicznym bez uwag. Gwarancja wykonawcy (Dach-Bud) obejmuje 10 lat.</p>",
        "320000.00",
        -420,
        -330,
        100,
        ("B",),
        (("roof_1", "Dach przed remontem"), ("roof_2", "Dach po remoncie")),
    ),
    InvestmentSpec(
        "Monitoring wizyjny terenu osiedla",
        "monitoring-osiedla",
        "finished",
        "24 kamery obejmujące wejścia do budynków, parking i altany śmietnikowe.",
        "<p>Nagrania są przechowywane przez 30 dni i udostępniane wyłącznie uprawnionym organom, "
        "zgodnie z RODO i regulaminem monitoringu.</p>",
        "95000.00",
        -260,
        -200,
        100,
        ("A", "B", "C"),
        (("cctv_1", "Kamera przy wejściu do budynku A"),),
    ),
]

# --- Images --------------------------------------------------------------------------------

# key -> (title / alt text, top colour, bottom colour)
IMAGES: dict[str, tuple[str, tuple[int, int, int], tuple[int, int, int]]] = {
    "outage_water": ("Beczkowóz z wodą pitną przy budynku A", (40, 110, 170), (170, 210, 235)),
    "waste": ("Altana śmietnikowa przy ul. Sadowej", (70, 120, 70), (200, 225, 180)),
    "office": ("Biuro spółdzielni przy ul. Sadowej 10", (150, 60, 50), (240, 200, 170)),
    "intercom": ("Panel wideodomofonu przy wejściu do budynku A", (60, 60, 90), (190, 190, 220)),
    "gas": ("Kurek gazowy przy kuchence", (200, 120, 30), (250, 220, 150)),
    "meeting": ("Sala zebrań spółdzielni", (90, 70, 130), (210, 200, 235)),
    "garden": ("Łąka kwietna przy budynku C", (60, 140, 60), (230, 240, 150)),
    "thermo_plan": ("Wizualizacja elewacji budynku C po dociepleniu", (120, 150, 180), (235, 235, 230)),
    "thermo_audit": ("Termogram elewacji budynku C", (130, 20, 90), (250, 180, 40)),
    "lift_1": ("Demontaż starej kabiny dźwigu", (80, 80, 80), (200, 200, 200)),
    "lift_2": ("Montaż prowadnic w szybie dźwigu", (70, 90, 110), (190, 205, 220)),
    "lift_3": ("Nowa kabina dźwigu w klatce I", (150, 150, 160), (240, 240, 245)),
    "playground_1": ("Plac zabaw przed modernizacją", (160, 120, 60), (240, 220, 170)),
    "playground_2": ("Układanie nawierzchni placu zabaw", (200, 70, 60), (250, 200, 160)),
    "roof_1": ("Dach budynku B przed remontem", (90, 90, 80), (180, 180, 160)),
    "roof_2": ("Dach budynku B po remoncie", (40, 50, 70), (130, 170, 210)),
    "cctv_1": ("Kamera monitoringu przy wejściu do budynku A", (30, 40, 50), (140, 160, 180)),
}

# --- Pages ---------------------------------------------------------------------------------

SECTIONS = {
    "news": (
        "Aktualności",
        "aktualnosci",
        "<p>Ogłoszenia spółdzielni i komunikaty o awariach. Komunikaty dla Twojego budynku widzisz po zalogowaniu.</p>",
    ),
    "documents": ("Dokumenty", "dokumenty", "<p>Statut, regulaminy, formularze i sprawozdania do pobrania.</p>"),
    "investments": ("Inwestycje", "inwestycje", "<p>Planowane, trwające i zakończone inwestycje na osiedlu.</p>"),
    "contractors": (
        "Znajdź wykonawcę",
        "wykonawcy",
        "<p>Sprawdzeni wykonawcy, z którymi współpracuje spółdzielnia, pogrupowani według branży.</p>",
    ),
}

_PL_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def ascii_fold(text: str) -> str:
    """Polish letters to ASCII (ł -> l as well, which Unicode decomposition does not do)."""
    return text.translate(_PL_ASCII)


def username_for(first: str, last: str) -> str:
    return ascii_fold(f"{first}.{last}").lower()


# --- messaging ---------------------------------------------------------------------------

DEMO_PUSH_TOKEN = "ExponentPushToken[demo-resident-a-0001]"


# --- broadcasts --------------------------------------------------------------------------

# Residents who take outage alerts by SMS too: (building, unit of which the first owner,
# their mobile number). The SMS to the last of them never reaches the phone: the operator
# reports it undelivered (the number is no longer in use), so the broadcast that used it
# partly failed.
SMS_SUBSCRIBERS: list[tuple[str, str, str]] = [
    ("C", "2", "+48 601 220 314"),
    ("C", "5", "+48 502 118 903"),
    ("C", "9", "+48 693 401 552"),
    ("C", "12", "+48 515 760 218"),
    ("C", "16", "+48 698 000 117"),
]
SMS_UNDELIVERED = {("C", "16")}

# send_in_days: None keeps a draft, 0 sends at once, n schedules for 9:00 in n days.
# sent: (days ago, hour) the broadcast was sent and delivered, through the outbox as a worker
# would have (a delivery the operator later reported undelivered fails it partly).
# news: the key of the news item (NEWS) the broadcast announces; "{when}" in its texts is that
# item's planned day and hours.
BROADCASTS = [
    {
        "title": "Awaria wodociągowa A i B – powiadomienie",
        "kind": "outage_alert",
        "news": "outage_current",
        "buildings": ["A", "B"],
        "channels": ["email", "sms", "push"],
        "subject": "Brak zimnej wody w budynkach A i B",
        "body": (
            "Dzień dobry {{ recipient.first_name }},\n\n"
            "z powodu awarii przyłącza wodociągowego w budynkach A i B nie ma zimnej wody. "
            "Beczkowóz z wodą pitną stoi przy wejściu do budynku A. Usunięcie awarii przewidujemy jutro do 12:00.\n\n"
            "Dyspozytor: +48 22 843 12 99 (całodobowo)."
        ),
        "sms_text": "SM Zielone Wzgorze: awaria wodociagu w bud. A i B, brak zimnej wody do jutra 12:00. "
        "Beczkowoz przy bud. A.",
        "send_in_days": 0,
    },
    {
        "title": "Przypomnienie o walnym zgromadzeniu",
        "kind": "survey_reminder",
        "roles": ["owners"],
        "buildings": ["A", "B", "C"],
        "channels": ["email", "push"],
        "subject": "Walne zgromadzenie członków – zaproszenie",
        "body": (
            "Dzień dobry {{ recipient.first_name }},\n\n"
            "zapraszamy na walne zgromadzenie członków spółdzielni. Porządek obrad i projekty uchwał "
            "znajdziesz w dokumentach na portalu mieszkańca."
        ),
        "sms_text": "",
        "send_in_days": 7,
    },
    {
        "title": "Konserwacja dźwigów – szkic",
        "kind": "announcement",
        "buildings": ["C"],
        "channels": ["email"],
        "subject": "Przegląd dźwigów w budynku C",
        "body": "W przyszłym tygodniu konserwator sprawdzi dźwigi w budynku C; windy będą wyłączane na około godzinę.",
        "sms_text": "",
        "send_in_days": None,
    },
    {
        "title": "Wyłączenie ciepłej wody w budynku C – zawiadomienie",
        "kind": "outage_alert",
        "news": "outage_planned",
        "buildings": ["C"],
        "channels": ["email", "sms"],
        "subject": "Wyłączenie ciepłej wody w budynku C",
        "body": (
            "Dzień dobry {{ recipient.first_name }},\n\n"
            "informujemy, że {when} w budynku przy ul. Jabłoniowej 5 nie będzie ciepłej wody: wymieniamy zawory na pionach "
            "cyrkulacji. Prosimy o zakręcenie kranów z ciepłą wodą na czas prac.\n\n"
            "Administracja osiedla: +48 22 843 12 40."
        ),
        "sms_text": "SM Zielone Wzgorze: {when} brak cieplej wody w bud. C (wymiana zaworow).",
        "send_in_days": 0,
        "sent": (2, 10.5),
    },
]


# --- tickets (zgłoszenia) ------------------------------------------------------------------
# Made through the tickets services one step at a time, so that history, notifications and
# deadlines are what real use leaves. When a report or a step happened (`at`) is either hours
# before the demo is loaded (recent ones: "2 hours ago") or (days ago, hour of that day)
# for older ones, read as if the demo were loaded at TICKET_CLOCK_HOUR: "(3, 9)" is three
# days and 11 hours before the load. Both are fixed offsets from the moment of loading, so
# the deadlines and warning points fall the same way whenever the demo is loaded (a load at
# 03:00 and one at 15:00 escalate the same tickets), and the story reads as working hours
# when the demo is loaded in the evening.
#
# The history of finished tickets (`calendar=True`: closed or rejected, every step at least
# a day before the load) is written on the calendar instead: (days ago, hour) is that local
# day at that local hour, so that the statistics of past days and months show working hours
# and working days whenever the demo is loaded. A report that falls on a Saturday is moved
# to the Friday before, one on a Sunday to the Monday after (or the Friday before when its
# story ends less than two days ago), unless `weekend_ok` (a flood or a stuck lift does not
# wait for Monday). Their deadlines are long past and nothing escalates them, so where they
# fall does not change what the escalation marks.
TICKET_CLOCK_HOUR = 20


@dataclass(frozen=True)
class TicketStep:
    """One thing that happens to a demo ticket.

    action: accept, reject, assign, contractor_accept, start (→ in progress), wait, done,
    close, rate, reopen, comment (public), internal (an internal note), deadline, autoclose
    (the periodic closing of done tickets nobody confirmed or reopened in time).
    by: a user name, or "reporter".
    """

    at: float | tuple[int, float]
    action: str
    by: str = "dispatcher"
    text: str = ""
    firm: str = ""  # assign: the firm's slug
    worker: str = ""  # assign: one of the firm's people (a user name)
    rating: int = 0  # rate
    photo: str = ""  # a key of TICKET_PHOTOS, sent with the comment or status change
    due_hours: float = 0  # deadline: the new deadline, this many hours after the step


@dataclass(frozen=True)
class TicketSpec:
    key: str  # names the ticket in the tests (not stored)
    category: str  # slug of one of the default categories
    building: str
    unit: str | None  # None: a common area of the building
    reporter: str  # a user name, "B/14" for that unit's owner, or "" for a report without an account
    title: str
    description: str
    at: float | tuple[int, float]
    status: str  # what the steps leave it in (the tests check it)
    location: str = ""
    source: str = "portal"
    recorded_by: str = ""  # staff who took it by phone
    contact_name: str = ""  # "" with recorded_by: the reporter's name
    contact_phone: str = ""
    preferred_window: str = "any"
    preferred_in_days: int | None = None
    entry_permitted: bool = False
    photo: str = ""  # a key of TICKET_PHOTOS, sent with the report
    steps: tuple[TicketStep, ...] = ()
    calendar: bool = False  # a finished ticket of the history, placed on the calendar (above)
    weekend_ok: bool = False  # with calendar: reported on a weekend day too


# key: (caption, scene) for media.fault_photo_jpeg
TICKET_PHOTOS: dict[str, tuple[str, str]] = {
    "leak": ("Przeciek pod zlewem – A/12", "leak"),
    "valve": ("Zawór podpionowy DN32 – piwnica B", "valve"),
    "radiator": ("Grzejnik po wymianie wkładki zaworu", "radiator"),
}

PLUMBER, ELECTRICIAN = "contractor.plumber", "contractor.electrician"
PLUMBING_FIRM, ELECTRICAL_FIRM = "hydro-tech-instalacje", "elektro-mont-grabowski"

TICKETS: list[TicketSpec] = [
    TicketSpec(
        key="new-leak",
        category="hydraulika",
        building="A",
        unit="12",
        reporter="resident.a",
        title="Przeciek pod zlewem w kuchni",
        description=(
            "Od rana kapie woda spod zlewu, w szafce stoi już kałuża. Cieknie na połączeniu z pionem wody "
            "zimnej, przed zaworem w mieszkaniu, więc nie mogę jej zakręcić. Podstawiłam miskę."
        ),
        at=2,
        status="new",
        source="app",
        preferred_window="evening",
        photo="leak",
    ),
    TicketSpec(
        key="new-anonymous",
        category="elektryka",
        building="C",
        unit=None,
        reporter="",
        title="Nie świeci lampa na klatce schodowej",
        description=(
            "Na 3. piętrze od kilku dni nie świeci lampa przy windzie, wieczorem jest zupełnie ciemno. "
            "Odwiedzam tu mamę i nie mam konta w portalu – gdyby trzeba było coś wyjaśnić, proszę o telefon."
        ),
        at=3,
        status="new",
        location="Klatka schodowa, 3. piętro, przy windzie",
        contact_name="Ilona Sowa",
        contact_phone="+48 512 345 678",
    ),
    TicketSpec(
        key="accepted",
        category="tereny-zielone",
        building="A",
        unit=None,
        reporter="tenant.a",
        title="Złamana deska w ławce na placu zabaw",
        description=(
            "W ławce przy piaskownicy pękła deska siedziska, wystają drzazgi i gwoździe. "
            "Bawią się tam dzieci, ktoś może się skaleczyć."
        ),
        at=(1, 17),
        status="accepted",
        location="Plac zabaw za budynkiem A",
        steps=(
            TicketStep(
                (1, 18),
                "accept",
                text=(
                    "Przyjęte. Ławkę oklejono taśmą ostrzegawczą; naprawę zlecimy firmie utrzymującej zieleń "
                    "przy najbliższym objeździe osiedla."
                ),
            ),
            TicketStep(
                (1, 18.5),
                "internal",
                by="administrator",
                text="Zlecić Zielonemu Zakątkowi razem z wiosennym przeglądem placu zabaw (protokół roczny).",
            ),
        ),
    ),
    TicketSpec(
        key="phone",
        category="ogrzewanie",
        building="A",
        unit="2",
        reporter="A/2",
        title="Brak ciepłej wody w łazience i kuchni",
        description=(
            "Zgłoszenie telefoniczne. Od wczoraj wieczorem z kranów leci tylko letnia woda, sąsiedzi z tej klatki "
            "mają ciepłą. Pani prosi o wizytę przed południem, jest w domu cały dzień."
        ),
        at=6,
        status="assigned",
        source="phone",
        recorded_by="dispatcher",
        contact_phone="+48 22 641 28 37",
        preferred_window="morning",
        preferred_in_days=1,
        steps=(
            TicketStep(
                5.5,
                "assign",
                firm=PLUMBING_FIRM,
                worker=PLUMBER,
                text="Prawdopodobnie zawór na cyrkulacji w szachcie – proszę sprawdzić jutro rano.",
            ),
        ),
    ),
    TicketSpec(
        key="assigned-accepted",
        category="elektryka",
        building="B",
        unit=None,
        reporter="resident.b",
        title="Migające świetlówki w piwnicy",
        description=(
            "W korytarzu piwnicznym dwie świetlówki migają i brzęczą, a jedna w ogóle nie świeci. "
            "Przy komórkach lokatorskich jest prawie ciemno."
        ),
        at=(1, 9),
        status="assigned",
        location="Piwnica, korytarz przy komórkach lokatorskich",
        steps=(
            TicketStep((1, 10), "assign", firm=ELECTRICAL_FIRM, worker=ELECTRICIAN),
            TicketStep((1, 12), "contractor_accept", by=ELECTRICIAN),
            TicketStep(
                (1, 12.5),
                "comment",
                by=ELECTRICIAN,
                text="Będziemy jutro przed południem; świetlówki wymienimy na oprawy LED z czujnikiem ruchu.",
            ),
        ),
    ),
    TicketSpec(
        key="in-progress",
        category="dzwigi",
        building="C",
        unit=None,
        reporter="krzysztof.mazur",
        title="Winda zatrzymuje się między piętrami",
        description=(
            "Winda dwa razy stanęła dziś między 2. a 3. piętrem, drzwi otworzyły się dopiero po kilku minutach. "
            "Nikt nie utknął na długo, ale starsi mieszkańcy boją się z niej korzystać."
        ),
        at=20,
        status="in_progress",
        location="Dźwig osobowy, klatka schodowa",
        steps=(
            TicketStep(19.5, "assign", firm="dzwig-serwis", text="Zlecono konserwatorowi dźwigów."),
            TicketStep(17, "start", text="Konserwator jest na miejscu; winda wyłączona z ruchu do czasu naprawy."),
            TicketStep(
                16,
                "internal",
                text=(
                    "Dźwig-Serwis: uszkodzony sterownik drzwi kabiny, wymiana dziś lub jutro. "
                    "Sprawdzić, czy część jest w ramach umowy konserwacyjnej."
                ),
            ),
        ),
    ),
    TicketSpec(
        key="waiting",
        category="hydraulika",
        building="B",
        unit=None,
        reporter="B/14",
        title="Cieknący zawór na pionie w piwnicy",
        description=(
            "W piwnicy, przy pionie pod naszą klatką, kapie z zaworu. Pod spodem stoi woda i czuć stęchliznę."
        ),
        at=(5, 8),
        status="waiting",
        location="Piwnica, pion wody zimnej nr 3",
        steps=(
            TicketStep((5, 9), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((5, 9.5), "contractor_accept", by=PLUMBER),
            TicketStep((4, 8), "start", by=PLUMBER),
            TicketStep(
                (4, 9),
                "internal",
                by=PLUMBER,
                text=(
                    "Zawór podpionowy DN32 skorodowany, uszczelnienie nic nie da – do wymiany razem z odcinkiem "
                    "rury. Potrzebne zamknięcie wody na pionie na ok. 2 godziny."
                ),
                photo="valve",
            ),
            TicketStep(
                (4, 10),
                "wait",
                by=PLUMBER,
                text=(
                    "Czekamy na dostawę zaworu podpionowego DN32 i złączek (hurtownia: 5 dni roboczych). "
                    "Do tego czasu założyliśmy opaskę naprawczą – przeciek ustał."
                ),
            ),
            TicketStep(
                0,
                "deadline",
                text="Hurtownia potwierdziła dostawę zaworu DN32; termin przesunięty do czasu wymiany.",
                due_hours=72,
            ),
        ),
    ),
    TicketSpec(
        key="done",
        category="ogrzewanie",
        building="A",
        unit="12",
        reporter="resident.a",
        title="Zimny grzejnik w dużym pokoju",
        description=(
            "Grzejnik pod oknem w dużym pokoju jest zimny od góry do dołu, pozostałe grzeją normalnie. "
            "Głowica ustawiona na 5, kręciłam nią kilka razy – bez zmian."
        ),
        at=(4, 17),
        status="done",
        preferred_window="afternoon",
        steps=(
            TicketStep((4, 18), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((4, 19), "contractor_accept", by=PLUMBER),
            TicketStep(
                (4, 19.5),
                "comment",
                by=PLUMBER,
                text="Dzień dobry, przyjdę jutro między 12 a 16. Proszę o dostęp do grzejnika (odsunięte meble).",
            ),
            TicketStep((4, 20), "comment", by="reporter", text="Dziękuję, będę w domu od 13."),
            TicketStep((3, 13), "start", by=PLUMBER),
            TicketStep(
                (3, 14.5),
                "done",
                by=PLUMBER,
                text=(
                    "Zapieczony trzpień zaworu termostatycznego – wymieniono wkładkę zaworu, grzejnik odpowietrzono. "
                    "Grzeje równomiernie."
                ),
                photo="radiator",
            ),
        ),
    ),
    TicketSpec(
        key="closed-5",
        category="hydraulika",
        building="A",
        unit="12",
        reporter="resident.a",
        title="Cofa się woda w zlewie – zapchany pion",
        description=(
            "Kiedy sąsiedzi z góry spuszczają wodę, w moim zlewie kuchennym podnosi się brudna woda. "
            "Przepychanie nic nie daje, chyba zapchał się pion kanalizacyjny."
        ),
        at=(16, 7.5),
        status="closed",
        steps=(
            TicketStep(
                (16, 8.25),
                "accept",
                text="Przyjęte – hydraulik przeczyści pion kanalizacyjny od rewizji w piwnicy.",
            ),
            TicketStep((16, 8.5), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((16, 9), "contractor_accept", by=PLUMBER),
            TicketStep((16, 11), "start", by=PLUMBER),
            TicketStep(
                (16, 12.5),
                "done",
                by=PLUMBER,
                text="Pion kanalizacyjny przeczyszczony spiralą od rewizji w piwnicy (tłuszcz). Odpływ drożny.",
            ),
            TicketStep(
                (15, 19),
                "rate",
                by="reporter",
                rating=5,
                text="Szybko i czysto, pan Robert wszystko wyjaśnił. Dziękuję!",
            ),
        ),
    ),
    TicketSpec(
        key="closed-3",
        category="sprzatanie",
        building="B",
        unit=None,
        reporter="resident.b",
        title="Klatka schodowa nieposprzątana po remoncie lokalu",
        description=(
            "Po remoncie mieszkania na 4. piętrze na schodach leży pył i kawałki tynku, na poręczach jest biały "
            "nalot. Minął tydzień i nikt tego nie sprzątnął."
        ),
        at=(12, 10),
        status="closed",
        location="Klatka schodowa, parter – 4. piętro",
        steps=(
            TicketStep((12, 11), "assign", firm="czysta-klatka", text="Dodatkowe mycie klatki po remoncie lokalu."),
            TicketStep((10, 18), "comment", by="reporter", text="Nadal jest brudno. Czy ktoś w ogóle przyszedł?"),
            TicketStep(
                (9, 9),
                "comment",
                text="Przepraszamy za zwłokę – firma sprzątająca potwierdziła mycie klatki jutro rano.",
            ),
            TicketStep(
                (9, 9.1),
                "internal",
                text="Kosztami dodatkowego sprzątania obciążyć właściciela remontowanego lokalu B/18.",
            ),
            TicketStep((8, 7), "start", text="Trwa mycie klatki."),
            TicketStep(
                (8, 11),
                "done",
                text="Klatka umyta na mokro od parteru do 4. piętra, poręcze i parapety wyczyszczone.",
            ),
            TicketStep(
                (7, 17.5),
                "rate",
                by="reporter",
                rating=3,
                text="Posprzątane porządnie, ale dopiero po czterech dniach i po przypomnieniu.",
            ),
        ),
    ),
    TicketSpec(
        key="rejected",
        category="hydraulika",
        building="C",
        unit="3",
        reporter="C/3",
        title="Wymiana baterii umywalkowej w łazience",
        description="Bateria przy umywalce cieknie i nie da się jej dokręcić. Proszę o wymianę na nową.",
        at=(10, 21),
        status="rejected",
        steps=(
            TicketStep(
                (9, 8.5),
                "reject",
                text=(
                    "Bateria umywalkowa jest wyposażeniem lokalu – jej naprawa i wymiana należą do właściciela "
                    "(regulamin rozliczania kosztów napraw, § 5). Wykonawcę można znaleźć w katalogu "
                    "„Znajdź wykonawcę” w portalu mieszkańca."
                ),
            ),
        ),
    ),
    TicketSpec(
        key="reopened",
        category="hydraulika",
        building="A",
        unit="3",
        reporter="A/3",
        title="Kapie z rury w szachcie instalacyjnym",
        description=(
            "Przez otwór rewizyjny w łazience widać, że z rury ciepłej wody w szachcie kapie woda. "
            "Pod wanną zbiera się wilgoć."
        ),
        at=(8, 9),
        status="assigned",
        entry_permitted=True,
        steps=(
            TicketStep((8, 10), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((8, 11), "contractor_accept", by=PLUMBER),
            TicketStep((7, 13), "start", by=PLUMBER),
            TicketStep((7, 14), "done", by=PLUMBER, text="Dokręcono i uszczelniono złączkę na pionie ciepłej wody."),
            TicketStep(
                26,
                "reopen",
                by="reporter",
                text="Po kilku dniach znowu kapie w tym samym miejscu, pod wanną jest mokro.",
            ),
            TicketStep(25, "comment", by=PLUMBER, text="Przyjąłem. Wymienimy całą złączkę – będę jutro rano."),
        ),
    ),
    TicketSpec(
        key="overdue",
        category="inne",
        building="C",
        unit=None,
        reporter="C/8",
        title="Drzwi wejściowe do klatki nie domykają się",
        description=(
            "Samozamykacz drzwi wejściowych jest chyba zepsuty: drzwi zostają otwarte, wchodzą obcy, "
            "ucieka ciepło. Zwora elektromagnetyczna nie trzyma."
        ),
        at=(9, 16),
        status="assigned",
        location="Wejście główne do budynku C",
        steps=(
            TicketStep((9, 17), "accept", text="Przyjęte, zlecimy wymianę samozamykacza i regulację zwory."),
            TicketStep(
                (8, 10), "assign", firm="stal-kuznia", text="Wymiana samozamykacza drzwi wejściowych, regulacja zwory."
            ),
            TicketStep((4, 19), "comment", by="reporter", text="Drzwi dalej się nie domykają. Kiedy ktoś przyjdzie?"),
            TicketStep((3, 9), "comment", text="Przepraszamy – ponaglamy wykonawcę, podamy termin naprawy."),
            TicketStep(
                (3, 9.1),
                "internal",
                text="Stal-Kuźnia nie odbiera telefonu. Jeśli do końca tygodnia nic się nie zmieni, zlecić Bramtechowi.",
            ),
        ),
    ),
    TicketSpec(
        key="closed-4",
        category="elektryka",
        building="A",
        unit=None,
        reporter="tenant.a",
        title="Nie działa oświetlenie przy skrzynkach pocztowych",
        description=(
            "Lampa przy skrzynkach pocztowych na parterze nie zapala się po naciśnięciu włącznika. "
            "Wieczorem nie da się odczytać nazwisk na skrzynkach."
        ),
        at=(20, 18.5),
        status="closed",
        location="Klatka schodowa, parter",
        steps=(
            TicketStep((19, 8.25), "assign", firm=ELECTRICAL_FIRM, worker=ELECTRICIAN),
            TicketStep((19, 9), "contractor_accept", by=ELECTRICIAN),
            TicketStep((19, 13), "start", by=ELECTRICIAN),
            TicketStep(
                (19, 14),
                "done",
                by=ELECTRICIAN,
                text="Wymieniono uszkodzony przycisk schodowy i świetlówkę w oprawie przy skrzynkach.",
            ),
            TicketStep(
                (18, 20),
                "rate",
                by="reporter",
                rating=4,
                text="Działa. Szkoda tylko, że nikt nie uprzedził o przyjściu elektryka.",
            ),
        ),
    ),
    # --- What needs the dispatchers now (fixed offsets, as the tickets above) ---------------
    # A leaking riser in building B this week: with the valve in the basement ("waiting"),
    # four plumbing tickets in one building, the cluster the admin's first page shows.
    TicketSpec(
        key="riser-ceiling",
        category="hydraulika",
        building="B",
        unit="15",
        reporter="B/15",
        title="Zaciek na suficie w łazience",
        description=(
            "Na suficie w łazience, w rogu przy pionie, pojawiła się mokra plama, która z godziny na godzinę "
            "robi się większa. Sąsiad z góry mówi, że u niego jest sucho."
        ),
        at=45,
        status="in_progress",
        source="app",
        steps=(
            TicketStep(
                44.5,
                "assign",
                firm=PLUMBING_FIRM,
                worker=PLUMBER,
                text="Możliwy przeciek na pionie w szachcie – proszę sprawdzić razem z zaworem w piwnicy (zgłoszenie z B/14).",
            ),
            TicketStep(43, "contractor_accept", by=PLUMBER),
            TicketStep(26, "start", by=PLUMBER),
            TicketStep(
                25,
                "internal",
                by=PLUMBER,
                text=(
                    "Cieknie złączka na pionie wody zimnej w szachcie między B/15 a B/19 – ten sam pion co zawór "
                    "w piwnicy. Do naprawy trzeba zamknąć wodę na pionie na ok. 2 godziny."
                ),
            ),
            TicketStep(
                24.5,
                "comment",
                by=PLUMBER,
                text="Znaleźliśmy przeciek w szachcie nad Pani łazienką. Naprawimy go po uzgodnieniu zamknięcia wody na pionie.",
            ),
        ),
    ),
    TicketSpec(
        key="riser-wall",
        category="hydraulika",
        building="B",
        unit="11",
        reporter="B/11",
        title="Mokra ściana w łazience przy pionie",
        description=(
            "Ściana za sedesem, od strony szachtu, jest mokra i odpada z niej farba. Jeszcze wczoraj rano było sucho."
        ),
        at=30,
        status="accepted",
        steps=(
            TicketStep(
                29,
                "accept",
                text="Przyjęte. To najpewniej ten sam pion co w lokalu B/15 – hydraulik sprawdzi szacht przy naprawie.",
            ),
        ),
    ),
    TicketSpec(
        key="riser-kitchen",
        category="hydraulika",
        building="B",
        unit="7",
        reporter="B/7",
        title="Kapie z sufitu w kuchni przy pionie",
        description=(
            "Zgłoszenie telefoniczne. Z sufitu w kuchni, przy rurze pionu, kapie woda – pan podstawił garnek. "
            "Mieszka pod lokalem B/11."
        ),
        at=14,
        status="assigned",
        source="phone",
        recorded_by="dispatcher",
        contact_phone="+48 22 641 55 09",
        steps=(
            TicketStep(
                13.5,
                "assign",
                firm=PLUMBING_FIRM,
                worker=PLUMBER,
                text="Trzecie zgłoszenie z tego pionu w budynku B – proszę połączyć z naprawą w szachcie nad B/15.",
            ),
            TicketStep(
                13,
                "internal",
                text=(
                    "Pion wody zimnej nr 3 w budynku B: zawór w piwnicy (czeka na część), zacieki w B/15, B/11 i B/7. "
                    "Wpisać wymianę całego pionu do planu remontów."
                ),
            ),
        ),
    ),
    # Nobody answered these within the category's response time.
    TicketSpec(
        key="no-response-noise",
        category="halas",
        building="C",
        unit="12",
        reporter="C/12",
        title="Szczekający pies w mieszkaniu obok",
        description=(
            "Od kilku dni pies sąsiadów zza ściany szczeka i wyje całymi dniami, kiedy właścicieli nie ma w domu. "
            "Pracuję na nocne zmiany i nie mogę spać."
        ),
        at=30,
        status="new",
    ),
    TicketSpec(
        key="no-response-lock",
        category="inne",
        building="A",
        unit=None,
        reporter="A/5",
        title="Nie da się zamknąć drzwi do suszarni",
        description=(
            "Zamek w drzwiach do suszarni na parterze się zaciął, klucz nie obraca się do końca. Drzwi stoją "
            "otwarte, a w środku wisi nasze pranie."
        ),
        at=27,
        status="new",
        location="Suszarnia, parter",
    ),
    # Past their deadlines, besides "overdue".
    TicketSpec(
        key="overdue-pavement",
        category="tereny-zielone",
        building="A",
        unit=None,
        reporter="A/18",
        title="Zapadnięte płyty chodnika przy wejściu",
        description=(
            "Przy wejściu do budynku zapadły się dwie płyty chodnikowe. Po deszczu stoi tam kałuża, "
            "a starsze osoby się potykają."
        ),
        at=(13, 10),
        status="accepted",
        location="Chodnik przed wejściem do budynku A",
        steps=(
            TicketStep(
                (12, 9),
                "accept",
                text="Przyjęte. Miejsce oznakowano; przełożenie płyt zlecimy firmie, która utrzymuje tereny osiedla.",
            ),
        ),
    ),
    TicketSpec(
        key="overdue-tree",
        category="tereny-zielone",
        building="C",
        unit=None,
        reporter="C/5",
        title="Gałęzie drzewa ocierają się o okna",
        description=(
            "Konary lipy rosnącej przy budynku ocierają się o okna na 2. i 3. piętrze, przy wietrze stukają w szyby. "
            "Prosimy o przycięcie."
        ),
        at=(38, 10),
        status="waiting",
        location="Lipa przy ścianie szczytowej budynku C",
        steps=(
            TicketStep((37, 9), "assign", firm="arbor", text="Przycięcie konarów lipy od strony okien."),
            TicketStep((35, 10), "start", text="Arbor obejrzał drzewo na miejscu."),
            TicketStep(
                (35, 10.5),
                "internal",
                by="administrator",
                text="Wniosek o zezwolenie na przycięcie lipy złożony w Urzędzie Dzielnicy Mokotów (odpowiedź do 30 dni).",
            ),
            TicketStep(
                (35, 11),
                "wait",
                text=(
                    "Przycięcie konarów tej lipy wymaga zezwolenia Urzędu Dzielnicy; wniosek złożony. "
                    "Firma Arbor wykona prace zaraz po jego otrzymaniu."
                ),
            ),
            TicketStep((9, 18), "comment", by="reporter", text="Minął już miesiąc. Czy jest zezwolenie?"),
            TicketStep((8, 10), "comment", text="Urząd jeszcze nie odpowiedział; ponowiliśmy zapytanie telefonicznie."),
        ),
    ),
    # --- The history: finished tickets of the last two months, on the calendar ---------------
    TicketSpec(
        key="history-radiator-c15",
        category="ogrzewanie",
        building="C",
        unit="15",
        reporter="C/15",
        title="Grzejnik w łazience nie grzeje",
        description="Drabinka w łazience jest zimna, choć zawór jest odkręcony do końca. W pokojach grzeje normalnie.",
        at=(2, 10.5),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((2, 11), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((2, 11.5), "contractor_accept", by=PLUMBER),
            TicketStep((2, 14), "start", by=PLUMBER),
            TicketStep(
                (2, 15), "done", by=PLUMBER, text="Grzejnik zapowietrzony – odpowietrzono, grzeje na całej wysokości."
            ),
            TicketStep((1, 19), "rate", by="reporter", rating=5, text="Szybko i bez problemu, dziękuję."),
        ),
    ),
    TicketSpec(
        key="history-bins-b",
        category="sprzatanie",
        building="B",
        unit=None,
        reporter="B/8",
        title="Rozrzucone śmieci przy altanie śmietnikowej",
        description="Ktoś zostawił worki obok pojemników, ptaki je rozdziobały i śmieci leżą na całym chodniku.",
        at=(3, 9),
        status="closed",
        location="Altana śmietnikowa przy budynku B",
        calendar=True,
        steps=(
            TicketStep((3, 9.5), "assign", firm="czysta-klatka"),
            TicketStep((3, 12), "start"),
            TicketStep((3, 13), "done", text="Teren wokół altany uprzątnięty, pojemniki umyte."),
            TicketStep((2, 18), "rate", by="reporter", rating=4, text="Posprzątane, ale problem wraca co tydzień."),
        ),
    ),
    TicketSpec(
        key="history-lift-a",
        category="dzwigi",
        building="A",
        unit=None,
        reporter="A/15",
        title="Winda nie zatrzymuje się na 4. piętrze",
        description="Winda przejeżdża 4. piętro i staje dopiero na 5. Na przyciski na 4. piętrze nie reaguje.",
        at=(6, 8.25),
        status="closed",
        source="app",
        location="Dźwig osobowy, klatka I",
        calendar=True,
        steps=(
            TicketStep((6, 8.5), "assign", firm="dzwig-serwis"),
            TicketStep((6, 10.5), "start", text="Konserwator na miejscu."),
            TicketStep(
                (6, 12.5), "done", text="Wyregulowano czujnik poziomu na 4. piętrze, winda zatrzymuje się prawidłowo."
            ),
            TicketStep((5, 20), "rate", by="reporter", rating=5, text="Działa, dziękuję za szybką naprawę."),
        ),
    ),
    TicketSpec(
        key="history-noise-c2",
        category="halas",
        building="C",
        unit="2",
        reporter="C/2",
        title="Głośna muzyka w nocy z mieszkania powyżej",
        description="Drugą noc z rzędu do 3 nad ranem z mieszkania nade mną leciała głośna muzyka, słychać też było krzyki.",
        at=(8, 19),
        status="rejected",
        calendar=True,
        weekend_ok=True,
        steps=(
            TicketStep(
                (7, 9),
                "reject",
                text=(
                    "Zakłócanie ciszy nocnej należy zgłaszać na bieżąco Straży Miejskiej (986) lub policji (112). "
                    "Spółdzielnia wysłała lokatorom lokalu powyżej pismo z przypomnieniem regulaminu porządku domowego."
                ),
            ),
        ),
    ),
    TicketSpec(
        key="history-flood-b17",
        category="awaria-wodna",
        building="B",
        unit="17",
        reporter="B/17",
        title="Zalanie łazienki z mieszkania powyżej",
        description=(
            "Zgłoszenie telefoniczne. Z sufitu w łazience leje się woda, sąsiadów z góry nie ma w domu. "
            "Pani zakręciła wodę u siebie, ale to nie pomaga."
        ),
        at=(11, 7.5),
        status="closed",
        source="phone",
        recorded_by="dispatcher",
        contact_phone="+48 22 643 18 76",
        calendar=True,
        weekend_ok=True,
        steps=(
            TicketStep((11, 7.6), "assign", firm=PLUMBING_FIRM, worker=PLUMBER, text="Pilne – zalanie, zamknąć pion."),
            TicketStep((11, 7.75), "contractor_accept", by=PLUMBER),
            TicketStep((11, 8.25), "start", by=PLUMBER),
            TicketStep(
                (11, 10.5),
                "done",
                by=PLUMBER,
                text=(
                    "Pęknięty wężyk pralki w lokalu powyżej. Zamknięto zawór, wymieniono wężyk; sufit w łazience "
                    "do osuszenia i malowania (szkoda zgłoszona ubezpieczycielowi)."
                ),
            ),
            TicketStep(
                (10, 18), "rate", by="reporter", rating=4, text="Szybka reakcja, ale sufit trzeba będzie malować."
            ),
        ),
    ),
    TicketSpec(
        key="history-intercom-a",
        category="inne",
        building="A",
        unit=None,
        reporter="A/4",
        title="Domofon nie otwiera drzwi wejściowych",
        description="Po naciśnięciu przycisku w unifonie drzwi na dole się nie otwierają, trzeba schodzić po gości.",
        at=(13, 11),
        status="closed",
        location="Wejście główne do budynku A",
        calendar=True,
        steps=(
            TicketStep((13, 12), "assign", firm="domofon-serwis-rybak"),
            TicketStep((12, 9), "start"),
            TicketStep((12, 11), "done", text="Wymieniono uszkodzony elektrozaczep w drzwiach wejściowych."),
            TicketStep((11, 17), "rate", by="reporter", rating=5),
        ),
    ),
    TicketSpec(
        key="history-lift-dirty-c",
        category="sprzatanie",
        building="C",
        unit=None,
        reporter="C/7",
        title="Brudna kabina windy",
        description="W windzie ktoś rozlał coś lepkiego, podłoga się klei i brzydko pachnie.",
        at=(14, 16.5),
        status="closed",
        location="Kabina dźwigu",
        calendar=True,
        steps=(
            TicketStep((14, 17), "assign", firm="czysta-klatka"),
            TicketStep((13, 8), "start"),
            TicketStep((13, 8.5), "done", text="Kabina windy umyta i zdezynfekowana."),
            TicketStep((6, 10.5), "autoclose"),
        ),
    ),
    TicketSpec(
        key="history-pressure-b12",
        category="hydraulika",
        building="B",
        unit="12",
        reporter="B/12",
        title="Słabe ciśnienie wody w kuchni",
        description="Od tygodnia z kranu w kuchni leci tylko słaby strumień, w łazience jest normalnie.",
        at=(17, 9.5),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((17, 10), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((16, 9), "start", by=PLUMBER),
            TicketStep(
                (16, 10), "done", by=PLUMBER, text="Wyczyszczono sitko filtra przed wodomierzem i perlator w kranie."
            ),
            TicketStep((15, 18), "rate", by="reporter", rating=5, text="Wszystko działa, bardzo dziękuję."),
        ),
    ),
    TicketSpec(
        key="history-socket-c18",
        category="elektryka",
        building="C",
        unit="18",
        reporter="C/18",
        title="Iskrzy gniazdko w przedpokoju",
        description="Przy wkładaniu wtyczki do gniazdka w przedpokoju widać iskry i czuć spaleniznę.",
        at=(21, 8.75),
        status="rejected",
        calendar=True,
        steps=(
            TicketStep(
                (21, 9.5),
                "reject",
                text=(
                    "Instalacja elektryczna za licznikiem lokalu należy do właściciela (regulamin rozliczania kosztów "
                    "napraw, § 5). Do czasu naprawy prosimy nie używać gniazdka i wezwać elektryka – listę firm "
                    "znajdą Państwo w katalogu „Znajdź wykonawcę”."
                ),
            ),
        ),
    ),
    TicketSpec(
        key="history-stuck-lift-b",
        category="dzwigi",
        building="B",
        unit=None,
        reporter="B/6",
        title="Utknęłam w windzie między piętrami",
        description="Zgłoszenie telefoniczne. Winda stanęła między 2. a 3. piętrem, w kabinie jest mieszkanka.",
        at=(23, 10.25),
        status="closed",
        source="phone",
        recorded_by="dispatcher",
        contact_phone="+48 505 310 442",
        location="Dźwig osobowy",
        calendar=True,
        weekend_ok=True,
        steps=(
            TicketStep((23, 10.3), "assign", firm="dzwig-serwis", text="Osoba w kabinie – pogotowie dźwigowe."),
            TicketStep((23, 10.75), "start", text="Konserwator dojechał, mieszkanka uwolniona."),
            TicketStep(
                (23, 11.5),
                "done",
                text="Uszkodzony stycznik drzwi szybowych na 3. piętrze – wymieniony, dźwig sprawdzony i przywrócony do ruchu.",
            ),
            TicketStep(
                (22, 19),
                "rate",
                by="reporter",
                rating=2,
                text="Czekałam w windzie prawie 30 minut, to za długo jak na pogotowie.",
            ),
        ),
    ),
    TicketSpec(
        key="history-window-c",
        category="inne",
        building="C",
        unit=None,
        reporter="C/14",
        title="Nie domyka się okno na klatce schodowej",
        description="Okno na półpiętrze między 1. a 2. piętrem nie domyka się, wieje i zacina deszcz.",
        at=(27, 9),
        status="closed",
        location="Klatka schodowa, półpiętro 1–2",
        calendar=True,
        steps=(
            TicketStep((27, 10), "assign", firm="majster-krupa"),
            TicketStep((25, 9), "start"),
            TicketStep((25, 12), "done", text="Wyregulowano okucia i wymieniono uszczelkę, okno się domyka."),
            TicketStep((24, 18), "rate", by="reporter", rating=5),
        ),
    ),
    TicketSpec(
        key="history-valve-b19",
        category="hydraulika",
        building="B",
        unit="19",
        reporter="B/19",
        title="Cieknie zawór przed wodomierzem",
        description="Spod zaworu przed wodomierzem w łazience sączy się woda, pod spodem jest rdzawy zaciek.",
        at=(29, 18.5),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((28, 8.5), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((28, 9), "contractor_accept", by=PLUMBER),
            TicketStep((28, 12), "start", by=PLUMBER),
            TicketStep(
                (28, 13),
                "done",
                by=PLUMBER,
                text="Wymieniono zawór przed wodomierzem, wodomierz ponownie zaplombowany.",
            ),
            TicketStep((21, 15), "autoclose"),
        ),
    ),
    TicketSpec(
        key="history-sink-c3",
        category="hydraulika",
        building="C",
        unit="3",
        reporter="C/3",
        title="Cofa się woda w zlewie",
        description="W zlewie kuchennym stoi woda, a kiedy sąsiedzi z góry spuszczają wodę, poziom się podnosi.",
        at=(34, 8.5),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((34, 9), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((34, 13), "start", by=PLUMBER),
            TicketStep(
                (34, 14.5), "done", by=PLUMBER, text="Przeczyszczono poziom kanalizacyjny w piwnicy (zator z tłuszczu)."
            ),
            TicketStep((33, 19), "rate", by="reporter", rating=5, text="Bardzo sprawnie, dziękuję."),
        ),
    ),
    TicketSpec(
        key="history-lamp-b",
        category="elektryka",
        building="B",
        unit=None,
        reporter="B/10",
        title="Nie świeci lampa nad wejściem",
        description="Lampa nad drzwiami wejściowymi nie świeci od kilku dni, wieczorem trudno trafić kluczem do zamka.",
        at=(36, 15),
        status="closed",
        location="Wejście do budynku B",
        calendar=True,
        steps=(
            TicketStep((36, 16), "assign", firm=ELECTRICAL_FIRM, worker=ELECTRICIAN),
            TicketStep((35, 8), "contractor_accept", by=ELECTRICIAN),
            TicketStep((35, 12), "start", by=ELECTRICIAN),
            TicketStep(
                (35, 13),
                "done",
                by=ELECTRICIAN,
                text="Wymieniono oprawę nad wejściem na LED z czujnikiem zmierzchowym.",
            ),
            TicketStep((34, 18), "rate", by="reporter", rating=5),
        ),
    ),
    TicketSpec(
        key="history-cold-a8",
        category="ogrzewanie",
        building="A",
        unit="8",
        reporter="A/8",
        title="Zimne grzejniki w całym mieszkaniu",
        description="Od rana wszystkie grzejniki są zimne, u sąsiadów z tego samego pionu też.",
        at=(39, 9.25),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((39, 9.5), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((39, 12), "start", by=PLUMBER),
            TicketStep(
                (39, 14), "done", by=PLUMBER, text="Zapowietrzony pion c.o. – odpowietrzono, grzejniki w pionie grzeją."
            ),
            TicketStep((38, 18), "rate", by="reporter", rating=4),
        ),
    ),
    TicketSpec(
        key="history-branch-c",
        category="tereny-zielone",
        building="C",
        unit=None,
        reporter="C/1",
        title="Złamana gałąź zwisa nad chodnikiem",
        description="Po wichurze duża gałąź klonu zwisa nad chodnikiem przy parkingu, może spaść na przechodniów.",
        at=(41, 11.5),
        status="closed",
        location="Chodnik przy parkingu",
        calendar=True,
        steps=(
            TicketStep((41, 12), "assign", firm="arbor", text="Pilne – gałąź nad chodnikiem."),
            TicketStep((40, 9), "start"),
            TicketStep((40, 12), "done", text="Złamaną gałąź usunięto, drewno wywiezione."),
            TicketStep((33, 14), "autoclose"),
        ),
    ),
    TicketSpec(
        key="history-lift-noise-a",
        category="dzwigi",
        building="A",
        unit=None,
        reporter="A/17",
        title="Winda głośno stuka przy ruszaniu",
        description="Winda w klatce II przy każdym ruszaniu mocno stuka i szarpie, słychać to w mieszkaniach.",
        at=(46, 8),
        status="closed",
        location="Dźwig osobowy, klatka II",
        calendar=True,
        steps=(
            TicketStep((46, 8.5), "assign", firm="dzwig-serwis"),
            TicketStep((46, 11), "start"),
            TicketStep(
                (46, 13), "done", text="Nasmarowano prowadnice i wyregulowano hamulec; dźwig do wymiany w tym roku."
            ),
            TicketStep(
                (44, 20),
                "rate",
                by="reporter",
                rating=1,
                text="Po dwóch dniach stuka tak samo. Ta winda jest do wymiany, smarowanie nic nie da.",
            ),
        ),
    ),
    TicketSpec(
        key="history-damp-c11",
        category="hydraulika",
        building="C",
        unit="11",
        reporter="C/11",
        title="Wilgoć na ścianie przy pionie kanalizacyjnym",
        description="Na ścianie w łazience przy pionie kanalizacyjnym jest ciemna, wilgotna plama, czuć stęchliznę.",
        at=(49, 10),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((49, 11), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((48, 9), "start", by=PLUMBER),
            TicketStep((48, 14), "done", by=PLUMBER, text="Uszczelniono kielich pionu kanalizacyjnego w szachcie."),
            TicketStep((47, 18), "rate", by="reporter", rating=5),
        ),
    ),
    TicketSpec(
        key="history-fuse-a11",
        category="elektryka",
        building="A",
        unit="11",
        reporter="A/11",
        title="Wybija zabezpieczenie lokalu na klatce",
        description="Co kilka godzin wybija bezpiecznik mojego mieszkania w tablicy na klatce, choć nic nowego nie włączam.",
        at=(55, 14.5),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((55, 15), "assign", firm=ELECTRICAL_FIRM, worker=ELECTRICIAN),
            TicketStep((55, 16), "contractor_accept", by=ELECTRICIAN),
            TicketStep((54, 9), "start", by=ELECTRICIAN),
            TicketStep(
                (54, 11), "done", by=ELECTRICIAN, text="Wymieniono zużyty wyłącznik nadprądowy w tablicy piętrowej."
            ),
            TicketStep((53, 18), "rate", by="reporter", rating=5),
        ),
    ),
    TicketSpec(
        key="history-hot-water-b18",
        category="ogrzewanie",
        building="B",
        unit="18",
        reporter="B/18",
        title="Rano długo leci zimna woda zamiast ciepłej",
        description="Rano trzeba spuszczać wodę kilka minut, zanim poleci ciepła. Wieczorem jest lepiej.",
        at=(61, 13),
        status="closed",
        calendar=True,
        steps=(
            TicketStep((61, 13.5), "assign", firm=PLUMBING_FIRM, worker=PLUMBER),
            TicketStep((60, 8), "start", by=PLUMBER),
            TicketStep(
                (60, 10), "done", by=PLUMBER, text="Wyregulowano zawory cyrkulacji ciepłej wody w węźle i na pionach."
            ),
            TicketStep(
                (59, 19), "rate", by="reporter", rating=4, text="Jest lepiej, choć rano nadal chwilę trzeba poczekać."
            ),
        ),
    ),
]
