"""A charge file read into rows: CSV or XLSX, the header line, the column map, the rows
with their line numbers, and the total line the file may end with.

Columns are named by the text of the header line (compared without case and surrounding
spaces); with no header line (`header_row` 0) by letter ("A", "B", ...) or number
("1", "2", ...). Our fields (`FIELDS`): where the entry goes (`account`: the account's
identifier in the books; or `iban`: its individual account number; or `building` with
`unit`: the building's code and the unit's number), `kind` (through `kind_map`),
`component` (through `component_map`), `period`, `booking_date`, `due_date`, `amount`,
`reference` and `title`. Blank lines are skipped; a line whose first non-empty cell is the
profile's `total_label` is the file's declared total (its amount column), not a row.

Line numbers are those a person sees: the CSV line where the row starts (a quoted cell
may span lines), the spreadsheet's row number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext

from .values import cell_amount, cell_date, cell_period

FIELDS = (
    "account",
    "iban",
    "building",
    "unit",
    "kind",
    "component",
    "period",
    "booking_date",
    "due_date",
    "amount",
    "reference",
    "title",
)
KINDS = ("charge", "opening")
COMPONENTS = ("maintenance", "repair_fund", "cold_water", "hot_water", "heating", "waste", "rent", "other")


class ImportFileError(ValueError):
    """A file that cannot be read at all (wrong format, encoding, missing columns)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class ReadingProfile:
    file_format: str = "csv"  # "csv" or "xlsx"
    encoding: str = ""  # "" = detect
    delimiter: str = ";"
    decimal_mark: str = ","
    date_format: str = "%d.%m.%Y"
    header_row: int = 1
    columns: dict = field(default_factory=dict)  # our field -> the file's column
    component_map: dict = field(default_factory=dict)  # the file's code -> our component
    kind_map: dict = field(default_factory=dict)  # the file's code -> "charge" / "opening"
    default_kind: str = "charge"
    default_component: str = ""
    total_label: str = ""


@dataclass(frozen=True)
class ChargeRow:
    """One row as the file says it; where it goes is for the services to find."""

    line: int
    kind: str
    amount: Decimal
    account: str = ""
    iban: str = ""
    building: str = ""
    unit: str = ""
    component: str = ""
    period: date | None = None
    booking_date: date | None = None
    due_date: date | None = None
    reference: str = ""
    title: str = ""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str
    field: str = ""


@dataclass
class ChargeFile:
    rows: list[ChargeRow]
    problems: list[RowProblem]
    declared_total: Decimal | None = None
    encoding: str = ""
    lines_read: int = 0  # data rows read (the good and the bad)


# --- Text ----------------------------------------------------------------------------------------

POLISH_LETTERS = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"


def decode(data: bytes, encoding: str = "") -> tuple[str, str]:
    """The file's text and the encoding it was read with: the profile's, else UTF-8 when it
    is valid UTF-8 (a BOM is dropped), else what charset-normalizer finds among the
    encodings Polish accounting systems write (Windows-1250, ISO 8859-2, CP852), the one
    giving more Polish letters when it hesitates."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], encoding or "utf-8"
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportFileError(gettext("not %(encoding)s text") % {"encoding": encoding}, line) from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    candidates = ["cp1250", "iso8859_2", "cp852"]
    matches = from_bytes(data, cp_isolation=candidates)
    best = matches.best()
    guesses = [best.encoding] if best is not None else []
    guesses += [name for name in candidates if name not in guesses]
    scored = []
    for rank, name in enumerate(guesses):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        scored.append((sum(text.count(c) for c in POLISH_LETTERS), -rank, name, text))
    if not scored:
        raise ImportFileError(gettext("the file's encoding is not one a Polish accounting system writes"))
    _, _, name, text = max(scored)
    return text, name


# --- Cells ---------------------------------------------------------------------------------------


def _key(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def _letter_index(name: str) -> int | None:
    name = name.strip().upper()
    if name.isdigit():
        return int(name) - 1 if int(name) > 0 else None
    if name.isalpha() and len(name) <= 3:
        index = 0
        for char in name:
            index = index * 26 + (ord(char) - 64)
        return index - 1
    return None


def _column_positions(profile: ReadingProfile, header: list | None, header_line: int) -> dict[str, int]:
    positions: dict[str, int] = {}
    names = [_key(cell) for cell in header] if header is not None else None
    for our_field, column in (profile.columns or {}).items():
        if our_field not in FIELDS or not str(column or "").strip():
            continue
        wanted = _key(column)
        index = None
        if names is not None and wanted in names:
            index = names.index(wanted)
        elif names is None:
            index = _letter_index(str(column))
        if index is None:
            raise ImportFileError(
                gettext("no column named %(column)s (for %(field)s)") % {"column": column, "field": our_field},
                header_line,
            )
        positions[our_field] = index
    if "amount" not in positions:
        raise ImportFileError(gettext("the profile names no amount column"), header_line)
    if not ({"account", "iban"} & positions.keys() or {"building", "unit"} <= positions.keys()):
        raise ImportFileError(
            gettext("the profile names no column saying where the entry goes (account, IBAN, or building and unit)"),
            header_line,
        )
    return positions


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an identifier or a unit number typed as a number in a spreadsheet
    return str(value).strip()


def _blank(cells: list) -> bool:
    return all(_text(cell) == "" for cell in cells)


def _mapped(code: str, mapping: dict, allowed: tuple[str, ...]) -> str | None:
    """Our value for the file's code: through the map (codes compared without case), or
    the code itself when it is one of ours."""
    key = _key(code)
    for their, ours in (mapping or {}).items():
        if _key(their) == key:
            return ours if ours in allowed else None
    return key if key in allowed else None


def _row(line: int, cells: list, positions: dict[str, int], profile: ReadingProfile) -> ChargeRow | RowProblem:
    def cell(name: str):
        index = positions.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    values: dict = {}
    for name in ("account", "iban", "building", "unit", "reference", "title"):
        values[name] = _text(cell(name))
    values["iban"] = re.sub(r"[\s-]", "", values["iban"]).upper()
    kind_code = _text(cell("kind"))
    if "kind" in positions and kind_code:
        kind = _mapped(kind_code, profile.kind_map, KINDS)
        if kind is None:
            return RowProblem(line, gettext("unknown kind: %(code)s") % {"code": kind_code}, "kind")
    else:
        kind = profile.default_kind
    component_code = _text(cell("component"))
    if component_code:
        component = _mapped(component_code, profile.component_map, COMPONENTS)
        if component is None:
            return RowProblem(line, gettext("unknown component: %(code)s") % {"code": component_code}, "component")
    else:
        component = profile.default_component
    raw_amount = cell("amount")
    if _text(raw_amount) == "":
        return RowProblem(line, gettext("no amount"), "amount")
    try:
        amount = cell_amount(raw_amount, decimal_mark=profile.decimal_mark)
    except ValueError:
        return RowProblem(line, gettext("bad amount: %(value)s") % {"value": _text(raw_amount)}, "amount")
    dates: dict = {}
    for name in ("booking_date", "due_date"):
        raw = cell(name)
        if _text(raw) == "":
            dates[name] = None
            continue
        try:
            dates[name] = cell_date(raw, date_format=profile.date_format)
        except ValueError:
            return RowProblem(line, gettext("bad date: %(value)s") % {"value": _text(raw)}, name)
    raw_period = cell("period")
    period = None
    if _text(raw_period):
        try:
            period = cell_period(raw_period, date_format=profile.date_format)
        except ValueError:
            return RowProblem(line, gettext("bad period: %(value)s") % {"value": _text(raw_period)}, "period")
    return ChargeRow(line=line, kind=kind, amount=amount, component=component, period=period, **dates, **values)


def _total_line(cells: list, profile: ReadingProfile) -> bool:
    if not profile.total_label:
        return False
    first = next((_text(c) for c in cells if _text(c) != ""), "")
    return _key(first) == _key(profile.total_label)


def _read_lines(lines, profile: ReadingProfile) -> ChargeFile:
    """`lines`: (line number, cells) in the file's order."""
    result = ChargeFile(rows=[], problems=[])
    positions = None
    header_line = profile.header_row
    if header_line == 0:
        positions = _column_positions(profile, None, 0)
    for line, cells in lines:
        if positions is None:
            if line < header_line:
                continue
            if line == header_line:
                positions = _column_positions(profile, list(cells), line)
                continue
        if _blank(cells):
            continue
        if _total_line(cells, profile):
            index = positions["amount"]
            raw = cells[index] if index < len(cells) else None
            try:
                result.declared_total = cell_amount(raw, decimal_mark=profile.decimal_mark)
            except ValueError:
                result.problems.append(
                    RowProblem(line, gettext("bad total: %(value)s") % {"value": _text(raw)}, "amount")
                )
            continue
        result.lines_read += 1
        row = _row(line, list(cells), positions, profile)
        (result.problems if isinstance(row, RowProblem) else result.rows).append(row)
    if positions is None:
        raise ImportFileError(gettext("the file has no header line"), header_line)
    return result


def _csv_lines(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or ";")
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(gettext("not a CSV file: %(error)s") % {"error": error}, reader.line_num) from error
        yield start, cells


def _xlsx_lines(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zipfile, XML or openpyxl's own errors: not a workbook
        raise ImportFileError(gettext("not an XLSX file")) from error
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def read_charge_file(data: bytes, profile: ReadingProfile) -> ChargeFile:
    """Every row of a charge file, read with `profile`; raises ImportFileError for a file
    that cannot be read at all (the line number where it can)."""
    if profile.file_format == "xlsx":
        if not data.startswith(b"PK"):
            raise ImportFileError(gettext("not an XLSX file"))
        result = _read_lines(_xlsx_lines(data), profile)
        result.encoding = "xlsx"
        return result
    text, encoding = decode(data, profile.encoding)
    result = _read_lines(_csv_lines(text, profile.delimiter), profile)
    result.encoding = encoding
    return result
