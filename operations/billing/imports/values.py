"""Cells as values: amounts as exact `Decimal`s rounded half-up to the grosz, dates and
periods. Each parser raises ValueError with a reason a person can act on.

Amounts: with a comma as the decimal mark ("1 234,56", "-1 234,56", "1.234,56",
"1 234", "−12,50" with a minus sign), spaces (also non-breaking and narrow), apostrophes and
the other mark group the thousands; with a dot as the mark, the reverse. Groups must be of
three digits, so "1.23,45" is refused rather than guessed. An amount in parentheses
("(12,50)") is negative, as some exports write credits. An XLSX number cell arrives as a
float: its shortest repr ("0.30000000000000004" for 0.1+0.2) is rounded half-up to the
grosz, so the cell shows and the ledger gets 0.30, never 0.29 or a binary fraction.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

GROSZ = Decimal("0.01")
LIMIT = Decimal("10000000000")  # what a ledger amount holds (12 digits, 2 after the mark)

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_MINUS = "\u2212\u2013"  # the minus sign and the en dash some spreadsheets write


def _grouped(digits: str, group_mark: str) -> bool:
    """Whether the whole part is digits, grouped by threes with `group_mark` if at all."""
    if group_mark not in digits:
        return digits.isdigit()
    head, *groups = digits.split(group_mark)
    return head.isdigit() and len(head) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups)


def parse_number(text: str, *, decimal_mark: str = ",") -> Decimal:
    """The amount a cell's text says, rounded half-up to the grosz (see the module)."""
    raw = str(text or "").strip()
    if not raw:
        raise ValueError("no amount")
    cleaned = raw
    for sign in _MINUS:
        cleaned = cleaned.replace(sign, "-")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    cleaned = cleaned.strip()
    for suffix in ("zł", "PLN", "zl"):
        if cleaned.lower().endswith(suffix.lower()):
            cleaned = cleaned[: -len(suffix)].strip()
    if cleaned[:1] in "+-":
        negative, cleaned = negative != (cleaned[0] == "-"), cleaned[1:].strip()
    group_mark = "." if decimal_mark == "," else ","
    # Spaces and apostrophes group thousands as the group mark does, and are held to threes too.
    cleaned = _SPACES.sub(group_mark, cleaned)
    whole, mark, fraction = cleaned.partition(decimal_mark)
    if (
        not whole
        or not _grouped(whole, group_mark)
        or (mark and not fraction.isdigit())
        or (fraction and len(fraction) > 2 and fraction.rstrip("0") != fraction[:2].rstrip("0"))
    ):
        raise ValueError(f"not an amount: {raw}")
    try:
        value = Decimal(f"{whole.replace(group_mark, '')}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the checks above admit only digits
        raise ValueError(f"not an amount: {raw}") from None
    value = value.quantize(GROSZ, rounding=ROUND_HALF_UP)
    if value >= LIMIT:
        raise ValueError(f"too large: {raw}")
    return -value if negative else value


def xlsx_number(value: float | int) -> Decimal:
    """An XLSX number cell (a float, or an int) as an amount: its shortest decimal repr,
    rounded half-up to the grosz (0.1 + 0.2 → 0.30, 2.675 → 2.68 as the cell shows it)."""
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int):
        return Decimal(value).quantize(GROSZ)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not an amount")
    amount = Decimal(repr(float(value))).quantize(GROSZ, rounding=ROUND_HALF_UP)
    if abs(amount) >= LIMIT:
        raise ValueError("too large")
    return amount


def cell_amount(value, *, decimal_mark: str = ",") -> Decimal:
    """A cell (text from CSV, or what openpyxl gives) as an amount."""
    if isinstance(value, Decimal):
        return value.quantize(GROSZ, rounding=ROUND_HALF_UP)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return xlsx_number(value)
    return parse_number(str(value), decimal_mark=decimal_mark)


def parse_date(text: str, *, date_format: str = "%d.%m.%Y") -> date:
    return _parse_date(str(text or ""), date_format)


@lru_cache(maxsize=4096)
def _parse_date(text: str, date_format: str) -> date:
    # Cached: a file of a year's charges repeats a few dozen dates 120,000 times, and strptime is slow.
    raw = text.strip()
    if not raw:
        raise ValueError("no date")
    try:
        return datetime.strptime(raw, date_format).date()
    except ValueError:
        pass
    # A date written with its time ("10.03.2026 00:00"), as spreadsheets export it.
    head = raw.split(" ")[0].split("T")[0]
    try:
        return datetime.strptime(head, date_format).date()
    except ValueError:
        raise ValueError(f"not a date: {raw}") from None


def cell_date(value, *, date_format: str = "%d.%m.%Y") -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(str(value), date_format=date_format)


_PERIODS = (
    (re.compile(r"^(\d{1,2})[./-](\d{4})$"), lambda m: (int(m[2]), int(m[1]))),  # 03/2026, 03.2026, 3-2026
    (re.compile(r"^(\d{4})[./-](\d{1,2})$"), lambda m: (int(m[1]), int(m[2]))),  # 2026-03, 2026/03
    (re.compile(r"^(\d{4})(\d{2})$"), lambda m: (int(m[1]), int(m[2]))),  # 202603
)


def parse_period(text: str, *, date_format: str = "%d.%m.%Y") -> date:
    """The month a cell names, as its first day: "03/2026", "2026-03", "03.2026", "202603",
    or a whole date in the profile's format (its month)."""
    return _parse_period(str(text or ""), date_format)


@lru_cache(maxsize=4096)
def _parse_period(text: str, date_format: str) -> date:
    raw = text.strip()
    if not raw:
        raise ValueError("no period")
    for pattern, parts in _PERIODS:
        if match := pattern.match(raw):
            year, month = parts(match)
            if 1 <= month <= 12 and 1900 < year < 2200:
                return date(year, month, 1)
            raise ValueError(f"not a period: {raw}")
    try:
        return parse_date(raw, date_format=date_format).replace(day=1)
    except ValueError:
        raise ValueError(f"not a period: {raw}") from None


def cell_period(value, *, date_format: str = "%d.%m.%Y") -> date:
    if isinstance(value, datetime):
        return value.date().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return parse_period(str(value), date_format=date_format)
