"""Polish text as the directory search reads it, the same for every backend and database.

Residents type without diacritics ("zolw", "lacz"), in any inflected form ("remontów",
"dachami", "spółdzielni") and with typos ("hydraulka"). So text is indexed as *terms*:
each word folded (lower case, diacritics dropped, "ł" to "l", which Unicode does not
decompose and SQLite's FTS5 keeps), and beside it the folded lemmas `morfeusz2` gives for
it (the SGJP dictionary: "żółwia" -> "żółw", "Warszawie" -> "Warszawa"). A query word is
turned into the same terms, so any form finds any other. Typos and forms typed without
diacritics, which the dictionary cannot know, are left to the backend's fuzzy step
(`edit_distance`, `typo_budget`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Letters Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe"})

# A word: letters and digits, with inner hyphens or apostrophes kept apart as two words.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# The longest word indexed or asked for: longer ones are noise (hashes, links).
MAX_WORD = 40


def fold(text: str) -> str:
    """`text` in lower case without diacritics: "Łączbud Żółw" -> "laczbud zolw"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Word:
    text: str  # as written
    start: int  # offsets in the original text
    end: int
    folded: str


def words(text: str) -> list[Word]:
    """The words of `text` with their places, for indexing and highlighting."""
    return [
        Word(match.group(), match.start(), match.end(), fold(match.group()))
        for match in _WORD.finditer(text)
        if len(match.group()) <= MAX_WORD
    ]


@lru_cache(maxsize=1)
def _analyser():
    import morfeusz2

    return morfeusz2.Morfeusz(generate=False, expand_tags=False)


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> frozenset[str]:
    """The folded lemmas of one word as written (diacritics matter to the dictionary):
    "dachami" -> {"dach", "dacha"}. Words the dictionary does not know (firm names,
    forms typed without diacritics) give nothing; numbers are not looked up."""
    if not word or any(char.isdigit() for char in word):
        return frozenset()
    found = set()
    for _start, _end, (_form, lemma, tag, _qualifiers, _labels) in _analyser().analyse(word):
        if tag == "ign":  # not in the dictionary
            continue
        # "z:P", "spółka" ... the part after a colon tells homonyms apart.
        found.add(fold(lemma.split(":", 1)[0]))
    return frozenset(term for term in found if term and _WORD.fullmatch(term))


def word_terms(word: str) -> frozenset[str]:
    """What one word is indexed and looked up as: its folded form and folded lemmas."""
    return frozenset({fold(word)}) | lemmas(word)


def index_terms(text: str) -> set[str]:
    """Every term of `text` (`word_terms` of each word)."""
    terms: set[str] = set()
    for word in words(text):
        terms |= word_terms(word.text)
    return terms


@dataclass(frozen=True)
class QueryWord:
    text: str  # as typed
    folded: str
    terms: frozenset[str]  # `word_terms`: any of them found is a match
    prefix: bool  # the word being typed: a term that starts with `folded` matches too


def query_words(query: str, *, as_you_type: bool = False) -> list[QueryWord]:
    """The words of a query. With `as_you_type`, the last word is a prefix unless the
    query ends in a space (the resident finished it)."""
    found = words(query[:500])
    typing = as_you_type and bool(found) and found[-1].end == len(query[:500])
    return [
        QueryWord(word.text, word.folded, word_terms(word.text), typing and index == len(found) - 1)
        for index, word in enumerate(found)
    ]


def typo_budget(folded: str) -> int:
    """How many edits a typed word may be from an indexed term: none for short words,
    where one edit makes another word ("dach", "dąb"), one up to seven letters, two
    beyond ("spoldzelnia" -> "spoldzielnia", "hydraulka" -> "hydraulik")."""
    if len(folded) < 4:
        return 0
    return 1 if len(folded) <= 7 else 2


def edit_distance(first: str, second: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from `first` to `second`;
    anything over `limit` is reported as `limit + 1` as soon as it is certain."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, other in enumerate(second, 1):
            cost = 0 if char == other else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return min(previous[-1], limit + 1)


@dataclass(frozen=True)
class Fragment:
    """A piece of text around matched words: (text, matched) parts in reading order."""

    parts: tuple[tuple[str, bool], ...]


def highlight(
    text: str, matched_terms: frozenset[str] | set[str], *, around: int = 60, most: int = 2
) -> list[Fragment]:
    """Up to `most` fragments of `text` showing the words whose terms are in
    `matched_terms` (terms as `word_terms` makes them, prefixes of a term included by
    the caller), each with about `around` characters of context either side. Whole
    words only; nothing matched gives no fragment."""
    if not text or not matched_terms:
        return []
    hits = [word for word in words(text) if word_terms(word.text) & matched_terms]
    fragments: list[Fragment] = []
    index = 0
    while index < len(hits) and len(fragments) < most:
        start = _word_boundary_before(text, max(0, hits[index].start - around))
        end = min(len(text), hits[index].end + around)
        group = [hits[index]]
        index += 1
        while index < len(hits) and hits[index].start < end:
            group.append(hits[index])
            end = min(len(text), hits[index].end + around)
            index += 1
        end = _word_boundary_after(text, end)
        parts: list[tuple[str, bool]] = []
        cursor = start
        for word in group:
            if word.start > cursor:
                parts.append((text[cursor : word.start], False))
            parts.append((text[word.start : word.end], True))
            cursor = word.end
        if end > cursor:
            parts.append((text[cursor:end], False))
        parts = [(re.sub(r"\s+", " ", piece), matched) for piece, matched in parts]
        if start > 0:
            parts.insert(0, ("…", False))
        if end < len(text):
            parts.append(("…", False))
        fragments.append(Fragment(tuple(_merge(parts))))
    return fragments


def _word_boundary_before(text: str, position: int) -> int:
    while 0 < position < len(text) and not text[position - 1].isspace():
        position -= 1
    return position


def _word_boundary_after(text: str, position: int) -> int:
    while position < len(text) and not text[position].isspace():
        position += 1
    return position


def _merge(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    merged: list[tuple[str, bool]] = []
    for piece, matched in parts:
        if merged and merged[-1][1] == matched and not matched:
            merged[-1] = (merged[-1][0] + piece, False)
        elif piece:
            merged.append((piece, matched))
    return merged
