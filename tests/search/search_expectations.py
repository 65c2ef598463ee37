"""What a resident expects the directory search to answer: one table of queries and their
expected results over the directory in tests/search/conftest.py, the same for every
backend (tests/search/test_search_expectations.py runs it against each).

Expectations are about what a person typing the query would consider right, not about
how any backend scores: the firm named in the query comes first, every firm of the trade
asked for comes before anything else, a typo or a missing diacritic finds what the
correct spelling finds, an inflected form finds every other form. Where reasonable
rankings could differ, a case asks for a set (`top`, `within`, `includes`), not an order.

Keys are the items' keys in conftest.py. Building facet values are written "A" and "B"
(the buildings' ids are known only once the directory is built).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLUMBERS = ("hydro-serwis", "aqua-tech", "instal-pion", "kanal-expres")
ELECTRICIANS = ("elektro-mont", "voltex", "iskra")
LIFTS = ("dzwig-serwis", "windtech")
ROOFERS = ("dach-pol", "dekarstwo-mazur")
PAINTERS = ("malar-bud", "kolorowy-swiat")
LOCKSMITHS = ("zamek-pol", "stal-art")
CLEANERS = ("czysty-blok", "blysk")
GARDENERS = ("zielony-zakatek", "lesniewski")
REGULATIONS = ("regulamin-wody", "regulamin-ciepla", "regulamin-porzadku", "regulamin-rady")
REPORTS = ("sprawozdanie-2024", "sprawozdanie-2023", "sprawozdanie-zarzadu")
SP_Z_OO = ("instal-pion", "voltex", "dzwig-serwis", "laczbud")
BEMOWO = ("hydro-serwis", "elektro-mont", "dekarstwo-mazur", "czysty-blok", "zielony-zakatek", "laczbud", "gaz-kontrol")
WHOLE_CITY = ("aqua-tech", "voltex", "dzwig-serwis", "zamek-pol", "zolw-transport", "sadza")


@dataclass(frozen=True)
class Case:
    """One query and what must hold of its results (every field given is checked).

    first     the key of the first hit
    top       the first len(top) hits are exactly these, in any order
    within    (n, keys): each of keys is among the first n hits
    includes  each is among the hits (the query asks for up to 50)
    excludes  none is among the hits
    exactly   the hits are exactly these (and the total says so)
    empty     nothing found, total 0
    suggestion  the "did you mean" text, compared folded; "" means there must be none
    facets    {facet: {value: count}}; a count of 0 means the value must be absent
    kinds_only  every hit is of one of these kinds
    """

    text: str
    viewer: str = "resident_a"
    kinds: frozenset[str] | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    first: str | None = None
    top: tuple[str, ...] = ()
    within: tuple[int, tuple[str, ...]] | None = None
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    exactly: tuple[str, ...] | None = None
    empty: bool = False
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    kinds_only: frozenset[str] | None = None
    why: str = ""


CASES: tuple[Case, ...] = (
    # --- Diacritics, typed with and without -------------------------------------------------
    Case("zolw", first="zolw-transport", why="no diacritics finds ŻÓŁW"),
    Case("żółw", first="zolw-transport", why="lower case with diacritics"),
    Case("ŻÓŁW", first="zolw-transport", why="as the firm writes it"),
    Case("laczbud", first="laczbud", why="ł typed as l (FTS5 does not fold ł)"),
    Case("łączbud", first="laczbud", why="lower case with diacritics"),
    Case("ŁĄCZBUD", first="laczbud", why="upper case with diacritics"),
    Case("spoldzielnia", first="statut", why="no diacritics, the lemma of the title's 'Spółdzielni'"),
    Case("slusarz", top=LOCKSMITHS, why="trade without diacritics"),
    Case("dzwig", first="dzwig-serwis", why="no diacritics finds Dźwig-Serwis"),
    Case("srodmiescie", first="blysk", why="an area without diacritics"),
    Case("lomianki", first="lesniewski", why="ł in a place name"),
    Case("zielony zakatek", first="zielony-zakatek", why="a firm's name without diacritics"),
    # --- Inflected forms find every other form -----------------------------------------------
    Case("żółwia", first="zolw-transport", why="genitive of żółw"),
    Case(
        "remontów",
        includes=("laczbud", "dach-pol", "plan-remontow", "remont-dachu-b", "blysk"),
        why="genitive plural finds 'remonty', 'remontach', 'Remont'",
    ),
    Case(
        "dachami",
        top=("dach-pol", "remont-dachu-b"),
        includes=("dekarstwo-mazur", "laczbud", "plan-remontow"),
        why="instrumental plural finds 'Dach-Pol', 'dachów', 'dachu'; the two with 'dach' in the name first",
    ),
    Case("spółdzielni", first="statut", why="genitive finds the statute's title"),
    Case("regulaminu", top=REGULATIONS, why="genitive finds every 'Regulamin'"),
    Case(
        "protokołów",
        includes=("protokol-2024", "protokol-2023", "przeglad-gazowy-b"),
        why="genitive plural finds 'Protokół'",
    ),
    Case("hydraulika", top=PLUMBERS, why="a plumbing firm's word form finds the trade"),
    Case("elektryków", top=ELECTRICIANS, why="genitive plural of the trade"),
    Case("dekarza", top=ROOFERS, why="genitive of the trade"),
    Case("ślusarzy", top=LOCKSMITHS, why="plural of the trade"),
    Case("ogrodnika", top=GARDENERS, why="genitive of the trade"),
    Case(
        "wodomierza",
        includes=("aqua-tech", "wniosek-wodomierz", "regulamin-wody"),
        excludes=("doc-b-wodomierze",),
        why="'wodomierzy' and 'wodomierza'; building B's schedule is not resident A's",
    ),
    Case(
        "Bemowie",
        kinds_only=frozenset({"contractor"}),
        exactly=BEMOWO,
        why="locative of Bemowo: every firm serving it, nothing else",
    ),
    Case("Warszawie", includes=WHOLE_CITY, why="locative finds 'cała Warszawa'"),
    Case("wind", top=("dzwig-serwis", "windtech", "modernizacja-wind"), why="genitive plural of winda"),
    Case("domofonu", includes=("iskra", "domofony-a"), why="'naprawa domofonów', 'Wymiana domofonów'"),
    Case("zamki", first="zamek-pol", why="'Zamek-Pol' and 'wymiana zamków'"),
    Case("okna", includes=("szybka-szyba", "czysty-blok", "termomodernizacja"), why="'okien' in three kinds of text"),
    Case("drzewa", first="lesniewski", why="'wycinka drzew'"),
    Case("przeprowadzka", first="zolw-transport", why="the trade and services say 'przeprowadzki'"),
    Case("gruz", first="zolw-transport", why="'wywóz mebli i gruzu'"),
    Case("kominy", first="sadza", why="'czyszczenie kominów'"),
    Case("rady nadzorczej", first="regulamin-rady", why="the title's own form"),
    Case("koszty ciepła", first="regulamin-ciepla", why="'kosztów ciepła'"),
    Case("ogrzewanie", includes=("regulamin-ciepla", "instal-pion"), why="'centralnego ogrzewania'"),
    Case("nocnej ciszy", first="regulamin-porzadku", why="'Cisza nocna' in the description"),
    Case("opłaty eksploatacyjne", first="uchwala-oplaty", why="'opłat eksploatacyjnych'"),
    Case(
        "walnym zgromadzeniu",
        includes=("protokol-2024", "protokol-2023", "zaproszenie-walne", "statut"),
        why="locative finds 'walnego zgromadzenia', 'walne zgromadzenie'",
    ),
    Case("termomodernizacji", first="termomodernizacja", why="genitive of the investment's title"),
    Case("docieplenie", includes=("termomodernizacja", "laczbud"), why="'Docieplenie', 'docieplenia'"),
    # --- Typos -----------------------------------------------------------------------------
    Case("hydraulka", top=PLUMBERS, why="a letter left out"),
    Case("hydrualik", top=PLUMBERS, why="two letters swapped"),
    Case("spoldzelnia", first="statut", why="no diacritics and a letter left out"),
    Case("elektyk", top=ELECTRICIANS, why="a letter left out"),
    Case("regulamn", top=REGULATIONS, why="a letter left out"),
    Case("protokul", includes=("protokol-2024", "protokol-2023"), why="ó written as u"),
    Case("sprawozdanei", includes=REPORTS, why="two letters swapped", viewer="anonymous"),
    Case("malaż", top=PAINTERS, why="rz written as ż"),
    Case("ogrodnk", top=GARDENERS, why="a letter left out"),
    Case("konserwator dzwigow", top=LIFTS, why="the trade's name without diacritics"),
    # --- Trade names rank the trade's firms first ------------------------------------------
    Case(
        "hydraulik",
        top=PLUMBERS,
        excludes=("hydro-ukryty", *ELECTRICIANS),
        suggestion="",
        facets={"trade": {"hydraulik": 4}, "kind": {"contractor": 4}},
        why="'Hydraulicy (4)'; a draft firm never counts",
    ),
    Case("elektryk", top=ELECTRICIANS, excludes=PLUMBERS, why="every electrician, no plumber"),
    Case("dekarz", top=ROOFERS, why="both roofers"),
    Case("firma sprzątająca", top=CLEANERS, why="a trade of two words"),
    Case("kominiarz", first="sadza", why="the only chimney sweep"),
    Case("malarz", top=PAINTERS, why="firms of the trade before the news about painting"),
    Case("Instalacje gazowe", first="gaz-kontrol", why="the trade's full name"),
    Case("konserwator dźwigów", top=LIFTS, why="the trade's full name"),
    # --- Firm names with legal forms -------------------------------------------------------
    Case("Łączbud sp. z o.o.", first="laczbud", why="the name as registered"),
    Case("sp. z o.o.", top=SP_Z_OO, why="every limited company first"),
    Case("s.c.", top=("hydro-serwis", "windtech"), why="civil partnerships"),
    Case("Kowalski s.c.", first="hydro-serwis", why="the owner's name and the legal form"),
    Case("Dach-Pol S.A.", first="dach-pol", why="a joint-stock company"),
    Case("ŻÓŁW Transport Sp. j.", first="zolw-transport", why="the name as registered"),
    Case("sp. j.", top=("zolw-transport", "czysty-blok"), why="general partnerships"),
    Case("Hydro-Serwis", first="hydro-serwis", why="a hyphenated name"),
    Case("hydro serwis kowalski", first="hydro-serwis", why="the name typed loosely"),
    # --- Document years --------------------------------------------------------------------
    Case(
        "sprawozdanie 2024",
        viewer="anonymous",
        top=("sprawozdanie-2024", "sprawozdanie-zarzadu"),
        why="both 2024 reports (one has the year only as its year) before 2023's",
    ),
    Case(
        "sprawozdanie 2024",
        viewer="resident_a",
        top=("sprawozdanie-2024", "sprawozdanie-zarzadu", "doc-a-woda"),
        why="building A's 2024 financial document too, for its residents",
    ),
    Case("sprawozdanie finansowe 2023", first="sprawozdanie-2023", why="the year picks the report"),
    Case("protokół 2023", first="protokol-2023", why="the year picks the minutes"),
    Case("walne zgromadzenie 2024", first="protokol-2024", why="the year picks the minutes"),
    Case("plan remontów 2025", first="plan-remontow", why="title and year"),
    Case(
        "sprawozdanie",
        viewer="anonymous",
        filters={"year": ("2024",)},
        exactly=("sprawozdanie-2024", "sprawozdanie-zarzadu"),
        why="the year filter",
    ),
    Case(
        "sprawozdanie",
        viewer="anonymous",
        exactly=REPORTS,
        facets={"year": {"2024": 2, "2023": 1}, "category": {"financial": 3}, "kind": {"document": 3}},
        why="year and category facets with counts",
    ),
    # --- Text inside PDFs ------------------------------------------------------------------
    Case("legionella", first="instrukcja-wezla", why="a word only in the PDF's text"),
    Case("wymiennik", first="instrukcja-wezla", why="a word only in the PDF's text"),
    Case("bakterie", includes=("instrukcja-wezla",), why="'bakterii' in the PDF's text"),
    Case("dezynfekcja termiczna", first="instrukcja-wezla", why="'dezynfekcję termiczną' in the PDF"),
    Case("dezynfekcja", includes=("instrukcja-wezla", "pest-stop"), why="in a PDF's text and in a firm's services"),
    # --- Kinds -----------------------------------------------------------------------------
    Case(
        "remont",
        kinds=frozenset({"document"}),
        includes=("plan-remontow",),
        kinds_only=frozenset({"document"}),
        why="documents only",
    ),
    Case(
        "wymiana",
        kinds=frozenset({"investment"}),
        exactly=("termomodernizacja", "remont-dachu-b", "modernizacja-wind"),
        why="investments only",
    ),
    Case(
        "wymiana pionów",
        kinds=frozenset({"contractor"}),
        top=("hydro-serwis", "instal-pion"),
        excludes=("hydro-ukryty",),
        why="contractors only",
    ),
    Case(
        "budynku",
        kinds=frozenset({"news"}),
        includes=("malowanie-b", "domofony-a", "news-a-hydrofor"),
        kinds_only=frozenset({"news"}),
        why="news only; building A's own news for its resident",
    ),
    Case(
        "wodomierz",
        kinds=frozenset({"contractor", "document"}),
        includes=("aqua-tech", "wniosek-wodomierz"),
        kinds_only=frozenset({"contractor", "document"}),
        why="two kinds at once",
    ),
    # --- Filters and facets ----------------------------------------------------------------
    Case(
        "wymiana",
        filters={"trade": ("hydraulik",)},
        exactly=("hydro-serwis", "aqua-tech", "instal-pion"),
        why="the trade filter",
    ),
    Case("hydraulik", filters={"area": ("Bemowo",)}, exactly=("hydro-serwis",), why="the area filter"),
    Case(
        "hydraulik",
        facets={"area": {"Bemowo": 1, "Wola": 1, "cała Warszawa": 1, "Bielany": 1, "Ursus": 1}},
        why="areas as editors wrote them, one facet value per place",
    ),
    Case(
        "regulamin",
        exactly=REGULATIONS,
        facets={"category": {"regulations": 4}, "year": {"2024": 1, "2022": 1, "2021": 1, "2020": 1}},
        why="category and year facets",
    ),
    Case(
        "budynek",
        viewer="resident_a",
        kinds=frozenset({"document"}),
        facets={"building": {"A": 2, "B": 1}},
        why="resident A counts A's own documents and B's public one",
    ),
    Case(
        "budynek",
        viewer="resident_b",
        kinds=frozenset({"document"}),
        facets={"building": {"A": 0, "B": 2}},
        why="resident B counts B's documents and none of A's",
    ),
    # --- Nothing found, and "did you mean" -------------------------------------------------
    Case("qwxzrtp", empty=True, suggestion="", why="nonsense: nothing, and nothing to offer"),
    Case(
        "ogrdnk",
        empty=True,
        suggestion="ogrodnik",
        why="two letters left out: too far for a typo, near enough to offer",
    ),
    Case("dah", empty=True, suggestion="dach", why="short words take no typo, but the nearest spelling is offered"),
    Case("ukryty", empty=True, why="a word only in a draft firm's page"),
    Case("podwyżka", empty=True, why="a word only in a draft news item"),
)


@dataclass(frozen=True)
class SuggestCase:
    """One prefix typed into the box and the suggestions it must bring.

    includes  each key is among the suggestions
    excludes  no key is among them
    text_of   {key: text}: that key's suggestion text contains text (as written)
    empty     no suggestion at all
    most      at most this many suggestions (`limit`)
    """

    prefix: str
    viewer: str = "resident_a"
    kinds: frozenset[str] | None = None
    limit: int | None = None
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    text_of: dict[str, str] = field(default_factory=dict)
    empty: bool = False
    most: int | None = None
    kinds_only: frozenset[str] | None = None
    why: str = ""


SUGGEST_CASES: tuple[SuggestCase, ...] = (
    SuggestCase("hyd", includes=("hydro-serwis",), excludes=("hydro-ukryty",), why="a firm's name; never a draft"),
    SuggestCase("łącz", includes=("laczbud",), text_of={"laczbud": "Łączbud"}, why="with diacritics"),
    SuggestCase("lacz", includes=("laczbud",), text_of={"laczbud": "Łączbud"}, why="ł typed as l"),
    SuggestCase("ŁĄCZ", includes=("laczbud",), why="upper case"),
    SuggestCase("zol", includes=("zolw-transport",), why="ŻÓŁW without diacritics"),
    SuggestCase("żół", includes=("zolw-transport",), text_of={"zolw-transport": "ŻÓŁW"}, why="with diacritics"),
    SuggestCase("regul", includes=REGULATIONS, why="every regulation"),
    SuggestCase("sprawozd", viewer="anonymous", includes=REPORTS, why="every report"),
    SuggestCase("dach", includes=("dach-pol",), why="a hyphenated name's first part"),
    SuggestCase("Łączbud sp", includes=("laczbud",), why="the name and the legal form being typed"),
    SuggestCase("elektro", includes=("elektro-mont",), why="a firm's name"),
    SuggestCase("ślus", includes=("zamek-pol",), why="'Ślusarz 24h Zamek-Pol'"),
    SuggestCase("slus", includes=("zamek-pol",), why="without diacritics"),
    SuggestCase("kuz", includes=("stal-art",), why="'Kuźnia' without diacritics"),
    SuggestCase("termo", includes=("termomodernizacja",), why="an investment"),
    SuggestCase("przerwa w", includes=("przerwa-woda",), why="a news item, second word being typed"),
    SuggestCase(
        "pro",
        kinds=frozenset({"document"}),
        includes=("protokol-2024", "protokol-2023"),
        kinds_only=frozenset({"document"}),
        why="documents only",
    ),
    SuggestCase("hydro", limit=2, most=2, why="no more than asked for"),
    SuggestCase("xyzq", empty=True, why="nothing starts so"),
)
