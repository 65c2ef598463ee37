"""Money in PLN: `Decimal` rounded half-up to the grosz (0.01), never float.

Every amount that enters the billing domain passes `money()` (from a Decimal, an int or a
text such as "1 234,56" or "-12.5"); a float is refused, since 0.1 is not a tenth in binary.
Sums are made in whole grosze (`to_grosze`, and `billing.selectors.grosze` in the database),
where addition is exact on SQLite and PostgreSQL alike, and turned back with `from_grosze`.
`format_pln` writes an amount as Polish readers expect it: "1 234,56 zł".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

GROSZ = Decimal("0.01")
ZERO = Decimal("0.00")
# A non-breaking space: "1 234,56 zł" never breaks across lines (in the portal, a PDF, a
# message); `format_pln(..., space=" ")` writes plain spaces where they are wanted.
NBSP = "\u00a0"

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def money(value: Decimal | int | str) -> Decimal:
    """`value` as PLN rounded half-up to the grosz: 2.005 → 2.01, -2.005 → -2.01.

    Text may be Polish ("1 234,56", "-12,5") or plain ("1234.56"); spaces (also
    non-breaking) and apostrophes between digit groups are ignored. When a text holds both a
    dot and a comma, the last one is the decimal separator ("1.234,56" and "1,234.56").
    Raises TypeError for a float or anything else, ValueError for text that is no amount.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("money() takes a Decimal, an int or a text, never a float")
    if isinstance(value, int):
        return Decimal(value).quantize(GROSZ)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not an amount: {value!r}")
        try:
            return value.quantize(GROSZ, rounding=ROUND_HALF_UP)
        except InvalidOperation as error:
            # Too many digits for the context (Decimal("1e309")): no amount, as documented,
            # rather than an InvalidOperation that the API turned into a 500 (review).
            raise ValueError(f"not an amount: {value!r}") from error
    if isinstance(value, str):
        return money(parse_amount(value))
    raise TypeError(f"money() cannot take {type(value).__name__}")


def parse_amount(text: str) -> Decimal:
    """The exact Decimal a typed or exported amount says ("1 234,56" → Decimal("1234.56")),
    not rounded. Raises ValueError for anything else."""
    cleaned = _SPACES.sub("", text or "")
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        grouping_mark = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(grouping_mark, "")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"not an amount: {text!r}") from error


def to_grosze(amount: Decimal) -> int:
    """Whole grosze of an amount (rounded half-up first): Decimal("12.34") → 1234."""
    return int(money(amount) * 100)


def from_grosze(grosze: int | None) -> Decimal:
    """Grosze back to PLN with two places: 1234 → Decimal("12.34"); None → 0.00."""
    return (Decimal(int(grosze or 0)) / 100).quantize(GROSZ)


def format_pln(amount: Decimal | int | str, *, space: str = NBSP) -> str:
    """Polish notation: "1 234,56 zł", "-0,50 zł" (thousands grouped from 1 000 on, as the
    glossary has it, even where CLDR would leave four digits ungrouped)."""
    value = money(amount)
    sign = "-" if value < 0 else ""
    whole, fraction = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{space.join(groups)},{fraction}{space}zł"
