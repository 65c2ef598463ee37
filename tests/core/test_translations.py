"""The Polish translation: representative texts of every app, and the catalogues themselves.

Catalogues (each with its compiled .mo, committed so that no machine needs gettext):

- `cms/<app>/locale/pl/LC_MESSAGES/django.po` for home, news, documents, investments,
  contractors and core, and `operations/residents/locale/...` for residents;
- `locale/pl/LC_MESSAGES/django.po` (LOCALE_PATHS) for the project's own texts:
  `cms/templates` and `cms/settings`.

Update them all with `cd cms && ../.venv/bin/python ../manage.py makemessages -l pl
--no-location` (plus the same inside `operations/residents`), fill the new msgstrs and
run `.venv/bin/python manage.py compilemessages -l pl -i .venv`.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext, override
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
SOURCE_DIRS = [ROOT / "cms", ROOT / "operations", ROOT / "search"]
PROJECT_CATALOGUE = ROOT / "locale" / "pl" / "LC_MESSAGES" / "django.po"
APP_CATALOGUES = {
    "home": ROOT / "cms/home",
    "news": ROOT / "cms/news",
    "documents": ROOT / "cms/documents",
    "investments": ROOT / "cms/investments",
    "contractors": ROOT / "cms/contractors",
    "core": ROOT / "cms/core",
    "residents": ROOT / "operations/residents",
    "messaging": ROOT / "operations/messaging",
    "broadcasts": ROOT / "operations/broadcasts",
    "tickets": ROOT / "operations/tickets",
    "billing": ROOT / "operations/billing",
    "surveys": ROOT / "operations/surveys",
    "preview": ROOT / "cms/preview",
    "search": ROOT / "search",
}
CATALOGUES = {
    **{name: path / "locale" / "pl" / "LC_MESSAGES" / "django.po" for name, path in APP_CATALOGUES.items()},
    "project": PROJECT_CATALOGUE,
}
POLISH_PLURALS = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"


# --- A small .po reader (no polib) -----------------------------------------------------


def _unquote(literal: str) -> str:
    return ast.literal_eval(literal)


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags.

    The header (msgid "") is the first entry; obsolete entries (#~) are skipped.
    """
    entries: list[dict] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        entry = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}, "flags": set()}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
                continue
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$', line)
            if match:
                word, index, literal = match.groups()
                key = ("msgstr", int(index or 0)) if word.startswith("msgstr") else (word, None)
                value = _unquote(literal)
            elif line.startswith('"'):
                value = _unquote(line)
            else:
                raise AssertionError(f"{path}: cannot read line {line!r}")
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] = entry["msgstr"].get(key[1], "") + value
            else:
                entry[key[0]] = (entry[key[0]] or "") + value
        entry["msgstr"] = [entry["msgstr"].get(i, "") for i in range(len(entry["msgstr"]))]
        entries.append(entry)
    return entries


def header(path: Path) -> dict[str, str]:
    first = read_po(path)[0]
    assert first["msgid"] == "", f"{path}: the header must come first"
    return dict(line.split(": ", 1) for line in first["msgstr"][0].splitlines() if ": " in line)


def messages(path: Path) -> list[dict]:
    return [entry for entry in read_po(path) if entry["msgid"]]


# --- What the source asks to translate -------------------------------------------------

GETTEXT_FUNCTIONS = {
    # name: (position of the context, position of the msgid)
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}
_STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(_|gettext|pgettext|ngettext|npgettext)\(\s*({_STRING}(?:\s*,\s*{_STRING})*)")


def _literal_args(call: ast.Call) -> list[str] | None:
    values = []
    for arg in call.args:
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return values or None
        values.append(arg.value)
    return values


def python_msgids(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        args = _literal_args(node)
        context_at, msgid_at = GETTEXT_FUNCTIONS[name]
        if not args or len(args) <= msgid_at:
            continue
        found.add((args[context_at] if context_at is not None else None, args[msgid_at]))
    return found


def template_msgids(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for name, arguments in _TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        args = [ast.literal_eval(literal.removeprefix("u")) for literal in re.findall(_STRING, arguments)]
        context_at, msgid_at = GETTEXT_FUNCTIONS[name]
        # templatize has already doubled a literal % and written variables as %(name)s, as makemessages reads them.
        found.add((args[context_at] if context_at is not None else None, args[msgid_at]))
    return found


def catalogue_for(source: Path) -> Path:
    """The catalogue makemessages writes a source file's texts to (nearest app `locale/`)."""
    for directory in source.parents:
        if (directory / "locale").is_dir() and directory != ROOT:
            return directory / "locale" / "pl" / "LC_MESSAGES" / "django.po"
        if directory == ROOT:
            break
    return PROJECT_CATALOGUE


def source_files():
    for base in SOURCE_DIRS:
        for path in sorted(base.rglob("*")):
            if "__pycache__" in path.parts or "locale" in path.parts or "static" in path.parts:
                continue
            if path.suffix in {".py", ".html", ".txt"}:
                yield path


# --- Texts in Polish, app by app --------------------------------------------------------


def test_news_texts_are_polish():
    from cms.news.models import NewsIndexPage, NewsPage

    with override("pl"):
        assert str(NewsPage.Kind.OUTAGE.label) == "komunikat o awarii"
        assert str(NewsPage.Kind.ANNOUNCEMENT.label) == "ogłoszenie"
        assert [str(label) for label in NewsPage.Priority.labels] == ["zwykły", "ważny", "pilny"]
        assert str(NewsPage._meta.verbose_name) == "aktualność"
        assert str(NewsPage._meta.verbose_name_plural) == "aktualności"
        assert str(NewsPage._meta.get_field("valid_until").verbose_name) == "obowiązuje do"
        assert str(NewsIndexPage._meta.verbose_name) == "lista aktualności"
        assert str(apps.get_app_config("news").verbose_name) == "Aktualności"


def test_investment_texts_are_polish():
    from cms.investments.models import InvestmentPage

    with override("pl"):
        assert dict((value, str(label)) for value, label in InvestmentPage.Status.choices) == {
            "planned": "planowana",
            "ongoing": "w realizacji",
            "finished": "zakończona",
        }
        assert str(InvestmentPage._meta.verbose_name) == "inwestycja"
        assert str(InvestmentPage._meta.verbose_name_plural) == "inwestycje"
        assert str(InvestmentPage._meta.get_field("budget").verbose_name) == "budżet (zł)"
        assert str(apps.get_app_config("investments").verbose_name) == "Inwestycje"


def test_document_texts_are_polish():
    from cms.documents.models import CooperativeDocument, DocumentIndexPage

    with override("pl"):
        labels = dict((value, str(label)) for value, label in CooperativeDocument.Category.choices)
        assert labels["statute"] == "statut"
        assert labels["regulations"] == "regulamin"
        assert labels["minutes"] == "protokoły i uchwały"
        assert labels["financial"] == "sprawozdanie finansowe"
        assert labels["other"] == "inne"
        assert str(CooperativeDocument._meta.verbose_name) == "dokument"
        assert str(CooperativeDocument._meta.verbose_name_plural) == "dokumenty"
        assert str(CooperativeDocument._meta.get_field("category").verbose_name) == "kategoria"
        assert str(DocumentIndexPage._meta.verbose_name) == "katalog dokumentów"


def test_contractor_texts_are_polish():
    from cms.contractors.models import ContractorIndexPage, ContractorPage, ContractorStaff, Trade

    with override("pl"):
        assert str(ContractorPage._meta.verbose_name) == "wykonawca"
        assert str(ContractorPage._meta.verbose_name_plural) == "wykonawcy"
        assert str(ContractorIndexPage._meta.verbose_name) == "katalog wykonawców"
        assert str(Trade._meta.verbose_name) == "branża"
        assert str(ContractorStaff._meta.verbose_name) == "pracownik wykonawcy"
        assert gettext("Unknown trade “%(trade)s”.") % {"trade": "dekarz"} == "Nieznana branża „dekarz”."


def test_home_texts_are_polish():
    from cms.home.models import CooperativeContact, Department, HomePage

    with override("pl"):
        assert str(HomePage._meta.verbose_name) == "strona główna"
        assert str(CooperativeContact._meta.verbose_name) == "dane kontaktowe spółdzielni"
        assert str(CooperativeContact._meta.get_field("emergency_gas").verbose_name) == "pogotowie gazowe"
        assert str(CooperativeContact._meta.get_field("bank_account").verbose_name) == (
            "numer rachunku bankowego (IBAN)"
        )
        assert str(Department._meta.verbose_name) == "dział"


def test_core_texts_are_polish():
    from cms.core.graphql.ids import parse_id

    with override("pl"):
        with pytest.raises(Exception) as raised:
            parse_id("abc", field="id")
        assert raised.value.message == "„abc” nie jest prawidłowym identyfikatorem."
        assert gettext("This cursor is not valid for this list.") == "Ten kursor jest nieprawidłowy dla tej listy."


def test_resident_texts_are_polish():
    from operations.residents.models import Building, Estate, Membership, Unit

    with override("pl"):
        assert dict((value, str(label)) for value, label in Membership.Role.choices) == {
            "owner": "właściciel",
            "tenant": "najemca",
            "board": "członek zarządu",
        }
        assert str(Membership.Status.PENDING.label) == "oczekuje na weryfikację"
        assert str(Membership.ProofKind.LAND_REGISTER.label) == "numer księgi wieczystej"
        assert str(Unit._meta.verbose_name) == "lokal"
        assert str(Unit._meta.get_field("share").verbose_name) == "udział"
        assert str(Building._meta.verbose_name) == "budynek"
        assert str(Estate._meta.verbose_name) == "osiedle"
        assert str(apps.get_app_config("residents").verbose_name) == "Mieszkańcy"


def test_project_texts_are_polish():
    with override("pl"):
        assert [str(name) for _code, name in settings.LANGUAGES] == ["polski", "angielski"]
        page = render_to_string("500.html")
        assert '<html lang="pl"' in page
        assert "Wewnętrzny błąd serwera" in page
        assert "Przepraszamy, wystąpił błąd. Spróbuj ponownie za chwilę." in page


@pytest.mark.django_db
def test_not_found_page_is_polish(client):
    response = client.get("/strony/nie-ma-takiej-strony/", HTTP_ACCEPT_LANGUAGE="pl")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Strona nie została znaleziona" in page
    assert "Przepraszamy, nie udało się znaleźć tej strony." in page


def test_english_stays_available():
    from cms.news.models import NewsPage

    with override("en"):
        assert str(NewsPage.Kind.OUTAGE.label) == "outage alert"


# --- The catalogues ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_catalogue_is_complete_and_reviewed(name):
    path = CATALOGUES[name]
    assert path.is_file(), f"missing catalogue {path}"
    head = header(path)
    assert head.get("Language") == "pl"
    assert head.get("Content-Type") == "text/plain; charset=UTF-8"
    assert head.get("Plural-Forms") == POLISH_PLURALS
    entries = messages(path)
    assert entries, f"{path} has no messages"
    for entry in [read_po(path)[0], *entries]:
        assert "fuzzy" not in entry["flags"], f"{path}: fuzzy entry {entry['msgid']!r}"
    for entry in entries:
        expected_forms = 3 if entry["msgid_plural"] is not None else 1
        assert len(entry["msgstr"]) == expected_forms, f"{path}: {entry['msgid']!r} needs {expected_forms} forms"
        assert all(entry["msgstr"]), f"{path}: untranslated {entry['msgid']!r}"


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_placeholders_survive_translation(name):
    placeholder = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[^}]*\}")
    for entry in messages(CATALOGUES[name]):
        expected = sorted(placeholder.findall(entry["msgid"]))
        for form in entry["msgstr"]:
            assert sorted(placeholder.findall(form)) == expected, f"{entry['msgid']!r} -> {form!r}"


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_compiled_catalogue_matches_its_source(name):
    """The committed .mo holds exactly the .po's translations (a stale .mo fails here)."""
    path = CATALOGUES[name]
    compiled = path.with_suffix(".mo")
    assert compiled.is_file(), f"{compiled} is missing: run compilemessages and commit it"
    with compiled.open("rb") as fp:
        catalog = gnu_gettext.GNUTranslations(fp)._catalog
    for entry in messages(path):
        key = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"] is None:
            assert catalog.get(key) == entry["msgstr"][0], f"{compiled} is stale for {entry['msgid']!r}"
        else:
            for index, form in enumerate(entry["msgstr"]):
                assert catalog.get((key, index)) == form, f"{compiled} is stale for {entry['msgid']!r}"


def test_every_source_text_is_in_its_catalogue():
    """What makemessages would extract is already there: no text was added without Polish."""
    known = {path: {(entry["msgctxt"], entry["msgid"]) for entry in messages(path)} for path in CATALOGUES.values()}
    missing = []
    for source in source_files():
        found = python_msgids(source) if source.suffix == ".py" else template_msgids(source)
        catalogue = catalogue_for(source)
        for context, msgid in sorted(found, key=str):
            if (context, msgid) not in known.get(catalogue, set()):
                missing.append(f"{source.relative_to(ROOT)}: {msgid!r} not in {catalogue.relative_to(ROOT)}")
    assert not missing, "\n".join(missing)


def test_shared_messages_are_translated_alike():
    """Django merges all catalogues into one; a msgid translated two ways would lose one of them."""
    seen: dict[tuple, tuple[str, tuple]] = {}
    conflicts = []
    for name, path in sorted(CATALOGUES.items()):
        for entry in messages(path):
            key = (entry["msgctxt"], entry["msgid"])
            if key in seen and seen[key][1] != tuple(entry["msgstr"]):
                conflicts.append(f"{entry['msgid']!r}: {seen[key][0]} and {name} differ")
            seen.setdefault(key, (name, tuple(entry["msgstr"])))
    assert not conflicts, "\n".join(conflicts)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_msgfmt_accepts_catalogue(name):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUES[name])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
