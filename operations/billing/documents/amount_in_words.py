"""An amount of PLN in Polish words, as a payment demand writes it ("słownie"):

    1234.56 → "jeden tysiąc dwieście trzydzieści cztery złote 56/100"

The złoty part in words, the grosze as a fraction of a hundred (the form Polish banks'
transfer forms and accountants use). The noun agrees with the number as Polish grammar
has it: 1 złoty; 2–4, 22–24, 102… złote; 0, 5–21, 25–31, 1001… złotych (and tysiąc /
tysiące / tysięcy, milion / miliony / milionów, miliard / miliardy / miliardów alike).
"One thousand" is written "jeden tysiąc", as in the formal style of documents. An amount
below zero is "minus …". Amounts up to 999 999 999 999,99 zł.
"""

from __future__ import annotations

from decimal import Decimal

from ..money import money

_UNITS = ["", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć"]
_TEENS = [
    "dziesięć",
    "jedenaście",
    "dwanaście",
    "trzynaście",
    "czternaście",
    "piętnaście",
    "szesnaście",
    "siedemnaście",
    "osiemnaście",
    "dziewiętnaście",
]
_TENS = [
    "",
    "",
    "dwadzieścia",
    "trzydzieści",
    "czterdzieści",
    "pięćdziesiąt",
    "sześćdziesiąt",
    "siedemdziesiąt",
    "osiemdziesiąt",
    "dziewięćdziesiąt",
]
_HUNDREDS = [
    "",
    "sto",
    "dwieście",
    "trzysta",
    "czterysta",
    "pięćset",
    "sześćset",
    "siedemset",
    "osiemset",
    "dziewięćset",
]

# (one, two to four, five and more) for each power of a thousand.
_SCALES = [
    ("", "", ""),
    ("tysiąc", "tysiące", "tysięcy"),
    ("milion", "miliony", "milionów"),
    ("miliard", "miliardy", "miliardów"),
]
ZLOTY_FORMS = ("złoty", "złote", "złotych")
LIMIT = 10**12


def plural_form(number: int, forms: tuple[str, str, str]) -> str:
    """The noun's form for `number`: forms[0] for 1, forms[1] for 2–4 (not 12–14) in the
    last digits, forms[2] otherwise (0, 5–21, 25–31, 111, 1001 …)."""
    number = abs(number)
    if number == 1:
        return forms[0]
    if number % 10 in (2, 3, 4) and number % 100 not in (12, 13, 14):
        return forms[1]
    return forms[2]


def _below_thousand(number: int) -> list[str]:
    hundreds, rest = divmod(number, 100)
    words = [_HUNDREDS[hundreds]] if hundreds else []
    if 10 <= rest <= 19:
        words.append(_TEENS[rest - 10])
    else:
        tens, units = divmod(rest, 10)
        if tens:
            words.append(_TENS[tens])
        if units:
            words.append(_UNITS[units])
    return words


def number_in_words(number: int) -> str:
    """A whole number from 0 to 999 999 999 999 in Polish words (masculine: "jeden", "dwa")."""
    if not 0 <= number < LIMIT:
        raise ValueError(f"out of range: {number}")
    if number == 0:
        return "zero"
    words: list[str] = []
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    for power in range(len(groups) - 1, -1, -1):
        group = groups[power]
        if not group:
            continue
        words += _below_thousand(group)
        if power:
            words.append(plural_form(group, _SCALES[power]))
    return " ".join(words)


def amount_in_words(amount: Decimal | int | str) -> str:
    """ "jeden tysiąc dwieście trzydzieści cztery złote 56/100" for 1234.56 (see the module)."""
    value = money(amount)
    sign = "minus " if value < 0 else ""
    grosze_total = int(abs(value) * 100)
    zlote, grosze = divmod(grosze_total, 100)
    return f"{sign}{number_in_words(zlote)} {plural_form(zlote, ZLOTY_FORMS)} {grosze:02d}/100"
