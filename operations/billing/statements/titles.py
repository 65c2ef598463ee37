"""What a transfer title says, read by rules (pure functions).

- A period: `MM/YYYY`, `MM.YYYY`, `MM-YYYY` or `YYYY-MM` with a month 1–12 and a year
  2000–2099 ("eksploatacja 03/2026", "opłaty za 3.2026"). Every period named counts.
- A unit: `M 12`, `m. 12`, `lok. 12`, `lokal 12`, `mieszk. 12`, or `<house>/<unit>` after
  a street name ("Lipowa 1/12"); the number may end with a letter ("12A").
- An account identifier: `ident. 123`, `identyfikator 123`, `id 123`, `nr konta 123`.
Text is folded (lower case, Polish letters to ASCII) before the street is looked for.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

PERIOD = re.compile(r"(?<![\d/.-])(?:(0?[1-9]|1[0-2])[./-](20\d{2})|(20\d{2})-(0[1-9]|1[0-2]))(?![\d/.-]?\d)")
UNIT = re.compile(r"(?:\bm\b\.?|\blok\b\.?|\blokal[u]?\b|\bmieszk\b\.?|\bmieszkanie\b)\s*(?:nr\s*)?(\d{1,5}[a-z]?)\b")
HOUSE_UNIT = re.compile(r"\b(\d{1,4}[a-z]?)\s*/\s*(\d{1,5}[a-z]?)\b")
IDENTIFIER = re.compile(r"\b(?:ident\.?|identyfikator|id|nr\s+konta)\s*[:.]?\s*(\d{1,12})\b")


def fold(text: str) -> str:
    text = (text or "").lower().replace("ł", "l")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def periods(title: str) -> list[date]:
    found = []
    for match in PERIOD.finditer(title or ""):
        month, year = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        day = date(int(year), int(month), 1)
        if day not in found:
            found.append(day)
    return found


def unit_numbers(title: str) -> list[str]:
    folded = fold(title)
    numbers = [match.group(1) for match in UNIT.finditer(folded)]
    numbers += [match.group(2) for match in HOUSE_UNIT.finditer(PERIOD.sub(" ", folded))]
    return list(dict.fromkeys(number.upper() for number in numbers))


def identifiers(title: str) -> list[int]:
    return [int(match.group(1)) for match in IDENTIFIER.finditer(fold(title))]


def names_building(title: str, street: str, number: str) -> bool:
    """Whether the title names the building: its street (without "ul."/"al.") and house number."""
    folded = fold(title)
    street = re.sub(r"^(ul|al|os|pl)\.?\s+", "", fold(street)).strip()
    if not street:
        return False
    pattern = rf"\b{re.escape(street)}\s+{re.escape(fold(number))}(?![\d])"
    return re.search(pattern, folded) is not None
