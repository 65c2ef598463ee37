"""The search on the database's own tables (`search.models`), SQLite or PostgreSQL alike.

A query is answered in a fixed number of queries, whatever the number of results:

1. the vocabulary: which of the query words' terms exist, and for the words none of
   whose terms exist, the candidates of the typo-tolerant and stem steps (one more
   query per such word, never per result);
2. the matched entries, scored in SQL: one grouped query over the inverted index
   joined to the entries, each query word a `MAX(CASE ...)` of its best matching term
   (weight of the field × how well the term matched), every word required (HAVING), the
   viewer's visibility joined in (live pages in the site, not hidden by a restriction
   the viewer does not pass, documents whose collection the viewer may read);
3. the facets (one grouped query, and one more per facet name filtered, the usual
   faceted-search rule: a facet is counted with the other names' filters), whose kind
   counts give the total; a count of its own only when no facets are asked for;
4. the page's entries with their texts, for highlights.

Visibility is read when the query runs, never stored in the index, so a restriction
added after indexing holds at once, and nothing hidden reaches results, counts, facets,
highlights or suggestions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, Count, F, FloatField, Max, Q, QuerySet, Value, When, Window
from django.db.models.functions import Length, RowNumber

from search import text
from search.backends.base import (
    FACETS,
    FIELD_WEIGHTS,
    KINDS,
    Facet,
    FacetValue,
    Highlight,
    HighlightPart,
    Hit,
    IndexRecord,
    SearchBackend,
    SearchQuery,
    SearchResults,
    Suggestion,
    Viewer,
)

logger = logging.getLogger(__name__)

# How well a term matched a query word, times the field's weight.
EXACT = 1.0  # the word as typed (folded)
LEMMA = 0.9  # a dictionary form of it, or it a form of an indexed lemma
STEM = 0.7  # an indexed word the typed one extends by a few letters ("remontow" -> "remont")
PREFIX = 0.6  # the word being typed, or a word typed short
FUZZY = 0.5  # within the typo budget

# A whole query equal to the folded title, or starting it, ranks the entry first: the
# firm's name, the document's title.
TITLE_EQUAL_BOOST = 40.0
TITLE_START_BOOST = 20.0
TRADE_EQUAL_BOOST = 30.0

# Words that say nothing on their own: a query keeps them out of the required words
# unless they are all it has ("firma od dachów" needs "firma" and "dachów").
STOPWORDS = frozenset(
    # Not "a" ("and"): residents type building codes ("budynek A").
    "aby albo ale bez by czy dla do i jak jest lub na nad nie o od oraz po pod przez przy sie to u w we z za ze".split()
)

# Candidates of the typo-tolerant step read per word, most frequent first.
FUZZY_CANDIDATES = 3000
# Terms a short word may stand for as a prefix ("łączb" -> "łączbud").
PREFIX_CANDIDATES = 50
# A stem is at least this long and the typed word longer by at most STEM_TAIL letters.
STEM_MIN = 4
STEM_TAIL = 3
# The fields as-you-type suggestions complete: the names and what a firm is known by
# (trade, category, area, services), not the texts, whose words would bring titles that
# do not hold what was typed; a common prefix ("ele") also matched thousands of texts.
SUGGEST_FIELDS = ("title", "trade", "category", "area", "services")
# Highlights of one hit, by the fields' weight.
HIGHLIGHT_FIELDS = 3
# The words of a query read: the API refuses longer queries
# (cms.core.directory_search.MAX_QUERY_WORDS), so more only come from direct calls.
MAX_WORDS = 16
# Beyond this many words not found, "did you mean" is not tried: the bounded tries would
# have to replace them all at once, and each costs lookups.
SUGGESTION_MAX_UNKNOWN = 8


def successor(prefix: str) -> str:
    """The least string above every string starting with `prefix` (its last character
    raised by one): `prefix <= term < successor(prefix)` is a prefix test a btree
    answers, under any collation that orders letters as letters."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass
class WordMatch:
    """How one query word is looked up: terms by how well they match it."""

    word: text.QueryWord
    exact: set[str] = field(default_factory=set)  # the folded word itself
    lemma: set[str] = field(default_factory=set)  # its other terms (lemmas)
    stem: set[str] = field(default_factory=set)
    fuzzy: set[str] = field(default_factory=set)
    prefix: str | None = None  # every term starting with it (the word being typed)
    short_prefix: set[str] = field(default_factory=set)  # a few terms it starts
    # A stop word next to meaningful ones: it ranks what holds it, but is not required.
    required: bool = True
    # The vocabulary terms within the suggestion's wider typo budget, read in the same
    # query as `fuzzy` (None: not read, `_suggestion` reads them).
    near: set[str] | None = None

    @property
    def terms(self) -> set[str]:
        return self.exact | self.lemma | self.stem | self.fuzzy | self.short_prefix

    @property
    def found(self) -> bool:
        return bool(self.terms or self.prefix)

    def condition(self) -> Q:
        condition = Q(term__in=sorted(self.terms)) if self.terms else Q(pk__in=[])
        if self.prefix:
            condition |= Q(term__gte=self.prefix, term__lt=successor(self.prefix))
        return condition

    def score(self) -> Case:
        weight = F("weight")
        whens = []
        if self.exact:
            whens.append(When(Q(term__in=sorted(self.exact), is_lemma=False), then=weight * EXACT))
        if self.exact | self.lemma:
            whens.append(When(term__in=sorted(self.exact | self.lemma), then=weight * LEMMA))
        if self.stem:
            whens.append(When(term__in=sorted(self.stem), then=weight * STEM))
        if self.prefix:
            whens.append(When(Q(term__gte=self.prefix, term__lt=successor(self.prefix)), then=weight * PREFIX))
        if self.short_prefix:
            whens.append(When(term__in=sorted(self.short_prefix), then=weight * PREFIX))
        if self.fuzzy:
            whens.append(When(term__in=sorted(self.fuzzy), then=weight * FUZZY))
        return Case(*whens, default=None, output_field=FloatField())


class DatabaseBackend(SearchBackend):
    name = "database"

    # --- indexing -----------------------------------------------------------------------

    def index(self, records: Iterable[IndexRecord]) -> None:
        self._write(list(records), recount=True, written={})

    def _write(self, records: list[IndexRecord], *, recount: bool, written: dict[str, str]) -> set[str]:
        """Write `records` (replacing their entries by key); the terms touched. With
        `recount`, the vocabulary's counts of those terms are set again; a full rebuild
        counts once at its end instead of after every batch."""
        from search.models import SearchEntry, SearchFacetValue, SearchTerm
        from search.sources import fingerprint

        if not records:
            return set()
        with transaction.atomic():
            keys = [record.key for record in records]
            existing = dict(SearchEntry.objects.filter(key__in=keys).values_list("key", "pk"))
            affected: set[str] = set()
            if existing:
                affected = set(
                    SearchTerm.objects.filter(entry_id__in=existing.values()).values_list("term", flat=True).distinct()
                )
                SearchTerm.objects.filter(entry_id__in=existing.values()).delete()
                SearchFacetValue.objects.filter(entry_id__in=existing.values()).delete()
            created: list[SearchEntry] = []
            for record in records:
                values = {
                    "kind": record.kind,
                    "object_id": record.object_id,
                    "title": record.title[:255],
                    "title_folded": _folded_phrase(record.title)[:255],
                    "trade_folded": _folded_phrase(record.fields.get("trade", ""))[:255],
                    "page_id": record.page_id,
                    "document_id": record.document_id,
                    "date": record.date,
                    "fingerprint": fingerprint(record),
                    "fields": record.fields,
                    "facets": {name: list(values) for name, values in record.facets.items()},
                }
                if record.key in existing:
                    SearchEntry.objects.filter(pk=existing[record.key]).update(**values)
                else:
                    created.append(SearchEntry(key=record.key, **values))
            # One INSERT for the new entries, not one per entry.
            SearchEntry.objects.bulk_create(created, batch_size=500)
            ids = dict(existing)
            ids.update({entry.key: entry.pk for entry in created if entry.pk is not None})
            if len(ids) < len(records):  # a database that does not return the new ids
                ids = dict(SearchEntry.objects.filter(key__in=keys).values_list("key", "pk"))
            terms: list[tuple] = []
            facet_values: list[tuple] = []
            for record in records:
                entry_id = ids[record.key]
                for name, field_text in record.fields.items():
                    weight = FIELD_WEIGHTS.get(name, 1.0)
                    for term, is_lemma in _field_terms(field_text, written).items():
                        terms.append((entry_id, term, name[:20], weight, is_lemma))
                        affected.add(term)
                facet_values.append((entry_id, "kind", record.kind))
                for name, values in record.facets.items():
                    # Each value once per entry (as stored, cut to the column), so a
                    # facet is counted with COUNT(*), which PostgreSQL can hash.
                    for value in dict.fromkeys(str(value)[:100] for value in values):
                        facet_values.append((entry_id, name, value))
            # Plain rows through the cursor: building a model instance per term row cost
            # more than writing it (a rebuild writes about 150 rows per entry).
            _insert(SearchTerm, ("entry_id", "term", "field", "weight", "is_lemma"), terms)
            _insert(SearchFacetValue, ("entry_id", "name", "value"), facet_values)
            if recount:
                _count_terms(affected, written)
        return affected

    def remove(self, keys: Iterable[str]) -> None:
        from search.models import SearchEntry, SearchTerm

        keys = list(keys)
        if not keys:
            return
        with transaction.atomic():
            entries = SearchEntry.objects.filter(key__in=keys)
            affected = set(SearchTerm.objects.filter(entry__in=entries).values_list("term", flat=True).distinct())
            entries.delete()
            _count_terms(affected, {})

    def indexed_keys(self) -> dict[str, str]:
        from search.models import SearchEntry

        return dict(SearchEntry.objects.values_list("key", "fingerprint").iterator(chunk_size=2000))

    def rebuild(self, records: Iterable[IndexRecord], *, chunk: int = 200) -> int:
        """Replace the whole index with `records` in one transaction: a search meanwhile
        sees the old index, never an empty one."""
        from search.models import SearchEntry, SearchVocabulary

        count = 0
        written: dict[str, str] = {}
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            SearchVocabulary.objects.all().delete()
            batch: list[IndexRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= chunk:
                    self._write(batch, recount=False, written=written)
                    count += len(batch)
                    batch = []
            self._write(batch, recount=False, written=written)
            count += len(batch)
            # The vocabulary counted once, from the whole index, rather than after every
            # batch (the common terms were counted again by each).
            _count_all_terms(written)
        return count

    # --- searching ----------------------------------------------------------------------

    def search(self, query: SearchQuery, *, viewer: Viewer) -> SearchResults:
        every_word = text.query_words(query.text)[:MAX_WORDS]
        words = _required(every_word)
        empty = SearchResults(hits=(), total=0, backend=self.name)
        if not words:
            return empty
        matches = _look_up(words)
        ranking = matches + _optional(every_word, words)
        phrase = " ".join(word.folded for word in every_word)
        kinds = frozenset(query.kinds) & frozenset(KINDS)
        filters = {name: tuple(values) for name, values in query.filters.items() if name in FACETS and values}
        if "kind" in filters:
            kinds &= frozenset(filters.pop("kind"))
        if not kinds:
            return empty
        if not all(match.found for match in matches):
            return SearchResults(
                hits=(), total=0, suggestion=_suggestion(words, matches, viewer, kinds), backend=self.name
            )
        answer = _run(
            viewer,
            ranking,
            phrase,
            kinds,
            filters,
            offset=query.offset,
            limit=query.limit,
            with_facets=query.with_facets,
        )
        total = answer.total or 0
        hits = _hits(answer.rows, ranking) if answer.rows else ()
        suggestion = None if total else _suggestion(words, matches, viewer, kinds)
        return SearchResults(hits=hits, total=total, facets=answer.facets, suggestion=suggestion, backend=self.name)

    def suggest(
        self, prefix: str, *, viewer: Viewer, kinds: frozenset[str] = frozenset(KINDS), limit: int = 8
    ) -> list[Suggestion]:
        every_word = text.query_words(prefix, as_you_type=True)[:MAX_WORDS]
        typing = [word for word in every_word if word.prefix]
        typed = [word for word in every_word if not word.prefix]
        words = (_required(typed) if typed else []) + typing
        kinds = frozenset(kinds) & frozenset(KINDS)
        if not words or not kinds or limit <= 0:
            return []
        matches = _look_up(words)
        if not all(match.found for match in matches):
            return []
        phrase = " ".join(word.folded for word in every_word)
        ranking = matches + _optional(typed, words)
        answer = _run(viewer, ranking, phrase, kinds, {}, limit=limit, count=False, fields=SUGGEST_FIELDS)
        return [
            Suggestion(text=title, kind=kind, object_id=object_id)
            for _pk, _score, kind, object_id, title in answer.rows
        ]


# --- indexing helpers ------------------------------------------------------------------


def _folded_phrase(value: str) -> str:
    return " ".join(word.folded for word in text.words(value))


def _field_terms(field_text: str, written: dict[str, str]) -> dict[str, bool]:
    """The terms of one field's text, each with whether it is only a lemma; the written
    form of each folded word goes to `written` (for the vocabulary)."""
    forms: set[str] = set()
    lemmas: set[str] = set()
    for word in text.words(field_text):
        forms.add(word.folded)
        written.setdefault(word.folded, word.text.lower()[:40])
        lemmas |= text.lemmas(word.text)
    found = {term: False for term in forms}
    for term in lemmas - forms:
        found[term] = True
    return {term: is_lemma for term, is_lemma in found.items() if 0 < len(term) <= 40}


def _insert(model, columns: tuple[str, ...], rows: list[tuple], *, batch: int = 2000) -> None:
    """INSERT `rows` (tuples of `columns`) into `model`'s table, many rows a statement."""
    if not rows:
        return
    from django.db import connection

    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES {', '.join([one] * len(part))}"
            cursor.execute(sql, [value for row in part for value in row])


def _count_all_terms(written: dict[str, str]) -> None:
    """The whole vocabulary from the index (the table empty beforehand): one grouped
    query."""
    from search.models import SearchTerm, SearchVocabulary

    counts = (
        SearchTerm.objects.order_by()
        .values("term")
        .annotate(n=Count("entry_id", distinct=True))
        .values_list("term", "n")
        .iterator(chunk_size=5000)
    )
    SearchVocabulary.objects.bulk_create(
        (SearchVocabulary(term=term, written=written.get(term, term), frequency=n) for term, n in counts),
        batch_size=1000,
    )


def _count_terms(terms: set[str], written: dict[str, str]) -> None:
    """Set the vocabulary's frequency of `terms` from the index (a term no entry holds
    any more leaves it)."""
    from search.models import SearchTerm, SearchVocabulary

    terms_list = sorted(terms)
    for start in range(0, len(terms_list), 500):
        chunk = terms_list[start : start + 500]
        counts = dict(
            SearchTerm.objects.filter(term__in=chunk)
            .order_by()
            .values("term")
            .annotate(n=Count("entry_id", distinct=True))
            .values_list("term", "n")
        )
        gone = [term for term in chunk if term not in counts]
        if gone:
            SearchVocabulary.objects.filter(term__in=gone).delete()
        if counts:
            SearchVocabulary.objects.bulk_create(
                [
                    SearchVocabulary(term=term, written=written.get(term, term), frequency=n)
                    for term, n in counts.items()
                ],
                update_conflicts=True,
                unique_fields=["term"],
                update_fields=["frequency"],
            )


# --- searching helpers -----------------------------------------------------------------


def _required(words: list[text.QueryWord]) -> list[text.QueryWord]:
    """The words every hit must match: all but stop words, unless only those remain."""
    meaningful = [word for word in words if word.folded not in STOPWORDS]
    return meaningful or words


def _optional(every_word: list[text.QueryWord], required: list[text.QueryWord]) -> list[WordMatch]:
    """The stop words left out of the required ones, each once, matched as typed only
    (no typo or stem steps): "sp. z o.o." ranks the firms whose name says "z o.o."
    first without asking every hit for "z" and "o". Found in the same vocabulary query
    as the rest would cost one more; they are few and short, so they are looked up
    without it and simply match nothing when no entry holds them."""
    kept = {word.folded for word in required}
    found: list[WordMatch] = []
    for word in every_word:
        if word.folded in kept:
            continue
        kept.add(word.folded)
        found.append(WordMatch(word, exact={word.folded}, lemma=set(_terms(word) - {word.folded}), required=False))
    return found


def _terms(word: text.QueryWord) -> frozenset[str]:
    """The terms a query word is looked up as. A single letter is only itself: the
    dictionary's lemmas of one ("c" -> "cent") matched thousands of entries, and residents
    type letters as building codes ("budynek C")."""
    return frozenset({word.folded}) if len(word.folded) == 1 else word.terms


def _look_up(words: list[text.QueryWord]) -> list[WordMatch]:
    """Each word's terms found in the vocabulary, by how well they match: one query for
    all exact terms and stems, then one per distinct word found neither way (typos, short
    words); a repeated word is looked up once."""
    from search.models import SearchVocabulary

    distinct: dict[tuple, text.QueryWord] = {}
    for word in words:
        distinct.setdefault(_key(word), word)
    wanted: set[str] = set()
    stems: dict[tuple, set[str]] = {}
    for key, word in distinct.items():
        wanted |= _terms(word)
        if not word.prefix and len(word.folded) > STEM_MIN:
            shortest = max(STEM_MIN, len(word.folded) - STEM_TAIL)
            stems[key] = {word.folded[:end] for end in range(shortest, len(word.folded))}
            wanted |= stems[key]
    known = set(SearchVocabulary.objects.filter(term__in=sorted(wanted)).values_list("term", flat=True))
    found: dict[tuple, WordMatch] = {}
    for key, word in distinct.items():
        match = WordMatch(word)
        match.exact = {word.folded} & known
        match.lemma = (_terms(word) - {word.folded}) & known
        if word.prefix:
            match.prefix = word.folded
        elif not match.exact and not match.lemma:
            match.stem = stems.get(key, set()) & known
            match.fuzzy, match.near = _fuzzy_and_near(word.folded)
            if not match.stem and not match.fuzzy and len(word.folded) >= 3:
                match.short_prefix = _prefixed(word.folded)
        found[key] = match
    return [
        WordMatch(
            word,
            exact=set(match.exact),
            lemma=set(match.lemma),
            stem=set(match.stem),
            fuzzy=set(match.fuzzy),
            prefix=match.prefix,
            short_prefix=set(match.short_prefix),
            near=None if match.near is None else set(match.near),
        )
        for word, match in ((word, found[_key(word)]) for word in words)
    ]


def _key(word: text.QueryWord) -> tuple:
    """What a word's look-up depends on: words alike in it are looked up once (a word
    typed twice; not "dachow" and "dachów", whose lemmas differ)."""
    return (word.folded, _terms(word), word.prefix)


def _suggestion_budget(folded: str) -> int:
    """The typo budget of "did you mean": one more than the search's."""
    return max(text.typo_budget(folded), 1 if len(folded) >= 3 else 0) + 1


def _fuzzy_and_near(folded: str) -> tuple[set[str], set[str]]:
    """`_fuzzy(folded)` and `_fuzzy(folded, _suggestion_budget(folded))` in one query:
    the candidates of the wider length range numbered twice, over all of them and over
    those of the narrower range alone, so each set is read from the same most frequent
    candidates as its own query would read."""
    from search.models import SearchVocabulary

    budget = text.typo_budget(folded)
    wide = _suggestion_budget(folded)
    if budget <= 0 or not folded:
        return set(), _fuzzy(folded, wide)
    narrow = Case(
        When(length__gte=len(folded) - budget, length__lte=len(folded) + budget, then=Value(1)),
        default=Value(0),
    )
    order = [F("frequency").desc(), F("term").asc()]
    rows = (
        SearchVocabulary.objects.filter(term__gte=folded[0], term__lt=successor(folded[0]))
        .annotate(length=Length("term"))
        .filter(length__gte=len(folded) - wide, length__lte=len(folded) + wide)
        .annotate(
            narrow=narrow,
            rank=Window(RowNumber(), order_by=order),
            rank_narrow=Window(RowNumber(), partition_by=[narrow], order_by=order),
        )
        .filter(Q(rank__lte=FUZZY_CANDIDATES) | Q(narrow=1, rank_narrow__lte=FUZZY_CANDIDATES))
        .values_list("term", "narrow", "rank", "rank_narrow")
    )
    fuzzy: set[str] = set()
    near: set[str] = set()
    for term, in_narrow, rank, rank_narrow in rows:
        if not term.startswith(folded[0]) or term == folded:
            continue
        if rank <= FUZZY_CANDIDATES and text.edit_distance(folded, term, wide) <= wide:
            near.add(term)
        if in_narrow and rank_narrow <= FUZZY_CANDIDATES and text.edit_distance(folded, term, budget) <= budget:
            fuzzy.add(term)
    return fuzzy, near


def _fuzzy(folded: str, budget: int | None = None) -> set[str]:
    """Vocabulary terms within the typo budget of `folded`: those of the same first
    letter and a length within the budget (one range of the index), measured here."""
    from search.models import SearchVocabulary

    budget = text.typo_budget(folded) if budget is None else budget
    if budget <= 0 or not folded:
        return set()
    candidates = (
        SearchVocabulary.objects.filter(term__gte=folded[0], term__lt=successor(folded[0]))
        .annotate(length=Length("term"))
        .filter(length__gte=len(folded) - budget, length__lte=len(folded) + budget)
        .order_by("-frequency", "term")
        .values_list("term", flat=True)[:FUZZY_CANDIDATES]
    )
    return {
        term
        for term in candidates
        if term.startswith(folded[0]) and term != folded and text.edit_distance(folded, term, budget) <= budget
    }


def _prefixed(folded: str) -> set[str]:
    from search.models import SearchVocabulary

    found = (
        SearchVocabulary.objects.filter(term__gte=folded, term__lt=successor(folded))
        .order_by("-frequency", "term")
        .values_list("term", flat=True)[:PREFIX_CANDIDATES]
    )
    return {term for term in found if term.startswith(folded)}


def _visible_entries(viewer: Viewer) -> QuerySet:
    """The entries `viewer` may open: live, unexpired pages in the site, not under a
    restriction the viewer fails, and documents whose collection the viewer may read."""
    from wagtail.models import Collection

    from search.models import SearchEntry

    pages = Q(page__isnull=False, page__live=True, page__expired=False)
    if viewer.within:
        pages &= Q(page__path__startswith=viewer.within)
    pages &= ~viewer.denial.pages_hidden("page__path")
    # Collections are few: the readable ones are listed once in a subquery (the same
    # condition as `Denial.readable_collection_paths`) rather than the hierarchy checked
    # for every matched document.
    readable = Collection.objects.exclude(viewer.denial.collections_hidden("path")).values("pk")
    documents = Q(document__isnull=False, document__collection_id__in=readable)
    return SearchEntry.objects.filter(pages | documents)


@dataclass(frozen=True)
class _Answer:
    """What one matching run gives: the page's rows (pk, score, kind, object id, title),
    the total with every filter applied (None when not counted) and the facets."""

    rows: list[tuple[int, float, str, int, str]]
    total: int | None
    facets: tuple[Facet, ...]


def _run(
    viewer: Viewer,
    matches: list[WordMatch],
    phrase: str,
    kinds: frozenset[str],
    filters: dict[str, tuple[str, ...]],
    *,
    offset: int = 0,
    limit: int = 20,
    count: bool = True,
    with_facets: bool = False,
    fields: tuple[str, ...] | None = None,
) -> _Answer:
    """Match, rank, count and facet in one statement (`fields`: only terms of these).

    The inverted index is grouped first (`search_matched`: each entry that holds every
    required word, with each word's best score), and only those entries are joined to
    their page or document and the viewer's visibility (`search_found`), so a common
    word costs index reads and no visibility check per term row. Both are common table
    expressions read by every part of the answer (the page, the total, each facet), so
    the matching runs once however many facets are asked; SQLite and PostgreSQL keep a
    CTE that is read more than once as a table of its own.
    """
    from django.db import connection
    from django.db.models.expressions import RawSQL

    from search.models import SearchFacetValue, SearchTerm

    quote = connection.ops.quote_name
    condition = Q()
    for match in matches:
        condition |= match.condition()
    if fields is not None:
        condition &= Q(field__in=fields)
    scores = {f"word_{index}": Max(match.score()) for index, match in enumerate(matches)}
    required = [f"word_{index}" for index, match in enumerate(matches) if match.required]
    grouped = (
        SearchTerm.objects.filter(condition)
        .order_by()
        .values("entry_id")
        .annotate(**scores)
        .filter(**{f"{name}__gt": 0 for name in required})
        .values("entry_id", *scores)
    )
    matched_sql, matched_params = grouped.query.sql_with_params()
    visible = (
        _visible_entries(viewer)
        .filter(pk__in=RawSQL("SELECT entry_id FROM search_matched", ()))
        .order_by()
        .values("pk", "kind", "object_id", "title", "title_folded", "trade_folded", "date")
    )
    visible_sql, visible_params = visible.query.sql_with_params()

    total_score = " + ".join(
        f"m.{quote(name)}" if name in required else f"COALESCE(m.{quote(name)}, 0.0)" for name in scores
    )
    if matches and matches[-1].prefix:
        boost = "CASE WHEN SUBSTR(v.title_folded, 1, %s) = %s THEN %s ELSE 0.0 END"
        boost_params: list = [len(phrase), phrase, TITLE_START_BOOST]
    else:
        boost = (
            "CASE WHEN v.title_folded = %s THEN %s WHEN v.trade_folded = %s THEN %s"
            " WHEN SUBSTR(v.title_folded, 1, %s) = %s THEN %s ELSE 0.0 END"
        )
        boost_params = [
            phrase,
            TITLE_EQUAL_BOOST,
            phrase,
            TRADE_EQUAL_BOOST,
            len(phrase) + 1,
            phrase + " ",
            TITLE_START_BOOST,
        ]
    facet_table = quote(SearchFacetValue._meta.db_table)

    def where(*, of_kinds: bool = True, leave_out: str | None = None) -> tuple[str, list]:
        parts: list[str] = []
        params: list = []
        if of_kinds:
            ordered = sorted(kinds)
            parts.append(f"f.kind IN ({', '.join(['%s'] * len(ordered))})")
            params += ordered
        for name, values in filters.items():
            if name == leave_out:
                continue
            wanted = [str(value) for value in values]
            parts.append(
                f"EXISTS (SELECT 1 FROM {facet_table} fv WHERE fv.entry_id = f.id AND fv.name = %s"
                f" AND fv.value IN ({', '.join(['%s'] * len(wanted))}))"
            )
            params += [name, *wanted]
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    # Every part has the same columns: what it is, then a hit's or a count's.
    parts: list[str] = []
    params: list = []
    if limit > 0:
        clause, clause_params = where()
        parts.append(
            "SELECT * FROM (SELECT 'hit' AS part, f.id, f.score, f.kind, f.object_id, f.title,"
            " NULL AS name, NULL AS value"
            f" FROM search_found f{clause}"
            " ORDER BY f.score DESC, CASE WHEN f.date IS NULL THEN 1 ELSE 0 END, f.date DESC, f.title, f.id"
            " LIMIT %s OFFSET %s) hits"
        )
        params += [*clause_params, limit, offset]
    if count:
        clause, clause_params = where()
        parts.append(f"SELECT 'total', NULL, COUNT(*), NULL, NULL, NULL, NULL, NULL FROM search_found f{clause}")
        params += clause_params
    if with_facets:
        for names, clause, clause_params in _facet_groups(kinds, filters, where):
            parts.append(
                "SELECT 'facet', NULL, COUNT(*), NULL, NULL, NULL, fv.name, fv.value"
                f" FROM {facet_table} fv INNER JOIN search_found f ON f.id = fv.entry_id"
                f"{clause} {'AND' if clause else 'WHERE'} fv.name IN ({', '.join(['%s'] * len(names))})"
                " GROUP BY fv.name, fv.value"
            )
            params += [*clause_params, *names]
    if not parts:  # nothing asked
        return _Answer(rows=[], total=None, facets=())
    sql = (
        f"WITH search_matched AS ({matched_sql}),"
        " search_found AS (SELECT v.pk AS id, v.kind, v.object_id, v.title, v.date,"
        f" {boost} + {total_score} AS score"
        f" FROM search_matched m INNER JOIN ({visible_sql}) v ON v.pk = m.entry_id) " + " UNION ALL ".join(parts)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*matched_params, *boost_params, *visible_params, *params])
        found = cursor.fetchall()
    rows: list[tuple[int, float, str, int, str]] = []
    total: int | None = None
    counts: dict[str, list[FacetValue]] = {}
    for part, pk, score, kind, object_id, title, name, value in found:
        if part == "hit":
            rows.append((pk, float(score), kind, object_id, title))
        elif part == "total":
            total = int(score)
        else:
            counts.setdefault(name, []).append(FacetValue(value=value, count=int(score)))
    facets: tuple[Facet, ...] = ()
    if with_facets:
        facets = tuple(
            Facet(name=name, values=tuple(sorted(counts.get(name, []), key=lambda found: (-found.count, found.value))))
            for name in _facet_names(kinds)
        )
    return _Answer(rows=rows, total=total, facets=facets)


def _facet_names(kinds: frozenset[str]) -> list[str]:
    """The facets of a search of `kinds`: the kind, and those of the kinds asked."""
    return [name for name in FACETS if name == "kind" or FACETS[name] in kinds]


def _facet_groups(
    kinds: frozenset[str], filters: dict[str, tuple[str, ...]], where
) -> list[tuple[list[str], str, list]]:
    """The facet names counted together, each group with its WHERE. A facet is counted
    with every other name's filter applied but not its own, so a resident can widen a
    choice (the kind tabs count every kind, whatever tab is open); the names without a
    filter of their own share one count with all filters applied."""
    names = _facet_names(kinds)
    all_kinds = frozenset(KINDS)
    shared = [name for name in names if name not in filters and not (name == "kind" and kinds != all_kinds)]
    groups: list[tuple[list[str], str, list]] = []
    if shared:
        clause, params = where()
        groups.append((shared, clause, params))
    for name in names:
        if name in shared:
            continue
        clause, params = where(of_kinds=name != "kind", leave_out=name)
        groups.append(([name], clause, params))
    return groups


def _hits(rows: list[tuple[int, float, str, int, str]], matches: list[WordMatch]) -> tuple[Hit, ...]:
    """The page's hits with highlights from the stored texts (one query)."""
    from search.models import SearchEntry

    entries = SearchEntry.objects.in_bulk([row[0] for row in rows])
    terms: set[str] = set()
    prefixes = [match.prefix for match in matches if match.prefix]
    for match in matches:
        terms |= match.terms
    hits = []
    for pk, score, *_rest in rows:
        entry = entries.get(pk)
        if entry is None:
            continue
        hits.append(
            Hit(
                kind=entry.kind,
                object_id=entry.object_id,
                score=round(float(score), 4),
                highlights=_highlights(entry.fields, terms, prefixes),
            )
        )
    return tuple(hits)


def _highlights(fields: dict[str, str], terms: set[str], prefixes: list[str]) -> tuple[Highlight, ...]:
    found = []
    for name in sorted(fields, key=lambda name: -FIELD_WEIGHTS.get(name, 0.0)):
        field_text = fields[name]
        matched = set(terms)
        if prefixes:
            for word in text.words(field_text):
                if any(word.folded.startswith(prefix) for prefix in prefixes):
                    matched.add(word.folded)
        for fragment in text.highlight(field_text, frozenset(matched), most=1):
            found.append(
                Highlight(field=name, parts=tuple(HighlightPart(piece, is_match) for piece, is_match in fragment.parts))
            )
        if len(found) >= HIGHLIGHT_FIELDS:
            break
    return tuple(found)


def _suggestion(
    words: list[text.QueryWord], matches: list[WordMatch], viewer: Viewer, kinds: frozenset[str]
) -> str | None:
    """The nearest spelling that finds something the viewer may see: each word replaced
    by its nearest vocabulary term (a wider typo budget than the search's), tried best
    first, a bounded number of counts."""
    from search.models import SearchVocabulary

    unknown = {_key(match.word) for match in matches if not (match.exact or match.lemma)}
    if len(unknown) > SUGGESTION_MAX_UNKNOWN:
        return None
    options: list[list[str]] = []
    for word, match in zip(words, matches, strict=True):
        if match.exact or match.lemma:
            options.append([word.folded])
            continue
        budget = _suggestion_budget(word.folded)
        near = (_fuzzy(word.folded, budget) if match.near is None else match.near) | match.stem
        ranked = sorted(near, key=lambda term: (text.edit_distance(word.folded, term, budget), term))
        options.append(ranked[:3] or [])
    if not all(options):
        return None
    tries = [[choices[0] for choices in options]]
    for index, choices in enumerate(options):
        for other in choices[1:2]:
            attempt = list(tries[0])
            attempt[index] = other
            tries.append(attempt)
    folded_query = [word.folded for word in words]
    written = dict(
        SearchVocabulary.objects.filter(term__in={term for attempt in tries for term in attempt}).values_list(
            "term", "written"
        )
    )
    for attempt in tries[:4]:
        if attempt == folded_query:
            continue
        attempt_matches = [
            WordMatch(word=text.QueryWord(term, term, frozenset({term}), False), exact={term}) for term in attempt
        ]
        if _run(viewer, attempt_matches, " ".join(attempt), kinds, {}, limit=1, count=False).rows:
            return " ".join(
                word.text if term == word.folded else written.get(term, term)
                for word, term in zip(words, attempt, strict=True)
            )
    return None
