"""The directory search on an Elasticsearch cluster (client and DSL pinned to 9.x).

Each site keeps its records in an index named `<prefix>-directory-<timestamp>` behind the
alias `<prefix>-directory`, so several sites share a cluster and a rebuild fills a new
index while searches go on reading the old one; the alias moves to the new index in one
atomic step and the old index is dropped afterwards.

Polish is read twice over. The cluster analyses the text itself (stems from the
`analysis-morfologik` or `analysis-stempel` plugin when it has one, folding only when
not), and every record also carries the terms `search.text` makes in Python (folded words
and their `morfeusz2` lemmas) in the `terms` field, which a query asks with the same
Python terms: inflected forms are found from any form with or without a plugin, exactly as
the database backend finds them, and the cluster's fuzzy matching adds typos.

Visibility is part of the query: a record's `gates` are keyword terms and the viewer's
failed gates are a `must_not` of every request (search, aggregations, highlights,
suggestions), so nothing the viewer may not open is counted or shown.

The request bodies are made by pure functions (`index_body`, `build_query`,
`build_suggest_query`) that the tests compare with stored JSON.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, helpers
from elasticsearch.dsl import (
    Date,
    Index,
    Integer,
    Keyword,
    Mapping,
    Object,
    Q,
    Search,
    SearchAsYouType,
    Text,
    analyzer,
    char_filter,
    token_filter,
)

from search.backends.base import (
    FACETS,
    FIELD_WEIGHTS,
    KINDS,
    BackendUnavailable,
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
from search.backends.database import STOPWORDS
from search.text import fold, index_terms, query_words

logger = logging.getLogger(__name__)

# Searches must answer fast or give way to the database backend: a short timeout and no
# retries, which would hold a resident's request while a node is down.
SEARCH_TIMEOUT = 2.0
# Building an index and bulk loading take longer, and run in tasks, not requests.
WRITE_TIMEOUT = 120.0
BULK_CHUNK = 500

# Highlight markers that content never holds (private-use characters, stripped from the
# text when indexing), so a fragment splits into parts without parsing HTML.
MATCH_START = "\ue000"
MATCH_END = "\ue001"

# Fuzziness as `search.text.typo_budget` allows it: none below four letters, one edit up to
# seven, two beyond, so a typo finds on Elasticsearch what it finds on the database.
FUZZINESS = "AUTO:4,8"
# A query word found among a field's Python terms (its folded form or a lemma) counts the
# field's weight times this, as the database backend counts a lemma's match, so "dachami"
# ranks "Dach-Pol" (a name) above a firm that mends "dachów" (a service).
TERMS_FACTOR = 0.9
# A query found as a phrase in the title (the firm's name, the document's title) ranks first.
TITLE_PHRASE_BOOST = 20.0
# A word matching in several fields ranks a little above one matching in its best field.
TIE_BREAKER = 0.3
FACET_SIZE = 100
FRAGMENT_SIZE = 150
FRAGMENTS = 1
# Highlights of one hit, the fields of most weight first.
HIGHLIGHT_FIELDS = 3
# The longest text the highlighter reads (a PDF's text can be long; past this the fragment
# is not looked for rather than the request failing).
HIGHLIGHT_MAX_OFFSET = 200_000
# The texts copied into the spelling field for "did you mean": all but a PDF's text,
# which would double the index for words residents rarely mistype.
SPELL_SOURCES = tuple(name for name in FIELD_WEIGHTS if name != "text")

STEMMERS = {
    # plugin (as `_cat/plugins` names its component, matched by a part of it) -> token filter
    "morfologik": "morfologik_stem",
    "stempel": "polish_stem",
}


# --- index settings and mappings -------------------------------------------------------


def stemmer_for(plugins: Iterable[str]) -> str | None:
    """The stemming token filter the cluster's plugins offer, a dictionary's lemmas
    (morfologik, like morfeusz2 on the Python side) before an algorithmic stemmer."""
    names = {name.lower() for name in plugins}
    for part, token_filter_name in STEMMERS.items():
        if any(part in name for name in names):
            return token_filter_name
    return None


def _analyzers(plugins: Iterable[str]):
    # "ł" has no decomposition, so asciifolding alone would keep it; mapping it before the
    # tokenizer makes "Łączbud" and "lacz" meet.
    letters = char_filter("hub_polish_letters", "mapping", mappings=["ł => l", "Ł => l"])
    folded = analyzer("hub_folded", tokenizer="standard", char_filter=[letters], filter=["lowercase", "asciifolding"])
    stemmer = stemmer_for(plugins)
    if stemmer is None:
        return folded, folded
    # The stemmer reads the words with their diacritics; its output is folded afterwards
    # (a token filter, since the char filter would have run before the stemmer).
    after_l = token_filter("hub_polish_l", "pattern_replace", pattern="ł", replacement="l")
    chain = ["lowercase", stemmer, "asciifolding", after_l]
    if stemmer == "morfologik_stem":
        # A dictionary gives several lemmas for one word; the same one twice adds nothing.
        chain = [
            stemmer,
            "lowercase",
            "asciifolding",
            after_l,
            token_filter("hub_unique", "unique", only_on_same_position=True),
        ]
    polish = analyzer("hub_polish", tokenizer="standard", filter=chain)
    return polish, folded


def index_mapping(plugins: Iterable[str]) -> Mapping:
    polish, folded = _analyzers(plugins)
    mapping = Mapping()
    # Strict, so a field nobody mapped fails loudly instead of being guessed.
    mapping.meta("dynamic", "strict")
    mapping.field("key", Keyword())
    mapping.field("kind", Keyword())
    mapping.field("object_id", Integer())
    for name in FIELD_WEIGHTS:
        subfields: dict[str, Any] = {"folded": Text(analyzer=folded)}
        if name == "title":
            subfields["suggest"] = SearchAsYouType(analyzer=folded)
        copy_to = ["spell"] if name in SPELL_SOURCES else None
        mapping.field(name, Text(analyzer=polish, fields=subfields, copy_to=copy_to))
    mapping.field("spell", Text(analyzer=folded))
    # Terms made in Python per field, already folded: split on spaces and taken as they
    # are; only whether a term is there counts (the query gives the field's weight).
    mapping.field(
        "terms",
        Object(
            dynamic="strict",
            properties={name: Text(analyzer="whitespace", norms=False, index_options="docs") for name in FIELD_WEIGHTS},
        ),
    )
    mapping.field(
        "facets",
        Object(dynamic="strict", properties={name: Keyword() for name in FACETS if name != "kind"}),
    )
    mapping.field("gates", Keyword())
    mapping.field("date", Date())
    # Read back by `indexed_keys` from the source only.
    mapping.field("fingerprint", Keyword(index=False, doc_values=False))
    return mapping


def index_body(plugins: Iterable[str]) -> dict:
    """The body that creates an index: settings (analysis) and mappings."""
    index = Index("directory")
    index.settings(number_of_shards=1)
    index.mapping(index_mapping(plugins))
    return index.to_dict()


def index_settings(plugins: Iterable[str]) -> dict:
    return index_body(plugins)["settings"]


def index_mappings(plugins: Iterable[str]) -> dict:
    return index_body(plugins)["mappings"]


# --- documents -------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    return text.replace(MATCH_START, "").replace(MATCH_END, "")


def _own_fingerprint(record: IndexRecord) -> str:
    data = asdict(record)
    data["date"] = record.date.isoformat() if record.date else None
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def record_fingerprint(record: IndexRecord) -> str:
    try:
        # Imported here: `search.sources` reads the content models, and the pure parts of
        # this module (settings, queries) must not need them.
        from search.sources import fingerprint
    except ImportError:  # pragma: no cover - sources is part of the package
        return _own_fingerprint(record)
    return fingerprint(record)


def document_of(record: IndexRecord, fingerprint: str) -> dict:
    """What is stored for `record`."""
    unknown = set(record.fields) - set(FIELD_WEIGHTS)
    if unknown:
        raise ValueError(f"{record.key}: fields without a weight: {sorted(unknown)}")
    texts = {name: _clean_text(text) for name, text in record.fields.items() if text}
    texts.setdefault("title", _clean_text(record.title))
    return {
        "key": record.key,
        "kind": record.kind,
        "object_id": record.object_id,
        **texts,
        "terms": {name: " ".join(sorted(index_terms(text))) for name, text in texts.items()},
        "facets": {name: list(values) for name, values in record.facets.items() if name in FACETS and name != "kind"},
        "gates": list(record.gates),
        "date": record.date.isoformat() if record.date else None,
        "fingerprint": fingerprint,
    }


# --- queries ---------------------------------------------------------------------------


def _weighted_fields() -> list[str]:
    fields = []
    for name, weight in FIELD_WEIGHTS.items():
        fields += [f"{name}^{weight:g}", f"{name}.folded^{weight:g}"]
    return fields


def _gates_clause(failed_gates: frozenset[str]) -> list:
    return [Q("terms", gates=sorted(failed_gates))] if failed_gates else []


def _facet_field(name: str) -> str:
    if name not in FACETS:
        raise ValueError(f"unknown facet {name!r}")
    return "kind" if name == "kind" else f"facets.{name}"


def _filters(query: SearchQuery) -> dict[str, list]:
    """The query's filters by the facet they narrow ("kind" for the kinds asked); names
    that are not facets are ignored, as the database backend ignores them."""
    filters: dict[str, list] = {"kind": [Q("terms", kind=sorted(query.kinds))]}
    for name, values in sorted(query.filters.items()):
        if values and name in FACETS:
            filters.setdefault(name, []).append(
                Q("terms", **{_facet_field(name): sorted({str(value) for value in values})})
            )
    return filters


def required_words(text: str) -> list:
    """The query's words every hit must match: all but stop words, unless only those
    remain ("firma od dachów" needs "firma" and "dachów"), as the database backend asks."""
    found = query_words(text)
    meaningful = [word for word in found if word.folded not in STOPWORDS]
    return meaningful or found


def facets_for(kinds: frozenset[str]) -> tuple[str, ...]:
    """The facets a search over `kinds` counts: hits per kind always, the others when
    their kind is searched."""
    return tuple(name for name, kind in FACETS.items() if kind is None or kind in kinds)


def _word_clause(word) -> Q:
    """One query word: found in a weighted field by the cluster's analysis (fuzzily), or
    among a field's Python terms (the same forms and lemmas the database backend finds)."""
    terms = sorted(word.terms)
    return Q(
        "bool",
        should=[
            Q(
                "multi_match",
                query=word.text,
                fields=_weighted_fields(),
                type="best_fields",
                tie_breaker=TIE_BREAKER,
                fuzziness=FUZZINESS,
            ),
            *(
                Q("terms", **{f"terms.{name}": terms, "boost": round(weight * TERMS_FACTOR, 4)})
                for name, weight in FIELD_WEIGHTS.items()
            ),
        ],
        minimum_should_match=1,
    )


def _did_you_mean(query: SearchQuery, failed_gates: frozenset[str]) -> dict:
    # The collate query keeps only a spelling that finds something this viewer may see
    # among the kinds asked: a restricted document's words are never offered.
    collate = {
        "bool": {
            "must": [{"match": {"spell": {"query": "{{suggestion}}", "operator": "and"}}}],
            "filter": [{"terms": {"kind": sorted(query.kinds)}}],
            "must_not": [clause.to_dict() for clause in _gates_clause(failed_gates)],
        }
    }
    return {
        "field": "spell",
        "size": 3,
        "max_errors": 2,
        "direct_generator": [{"field": "spell", "suggest_mode": "always", "min_word_length": 3}],
        "collate": {"query": {"source": collate}},
    }


def build_query(query: SearchQuery, viewer_failed_gates: frozenset[str]) -> dict:
    """The `_search` body for `query` as a viewer who fails `viewer_failed_gates` sees it.

    Every word must be found (in a weighted field, fuzzily, or among the Python terms).
    With facets, the kind and facet filters narrow the hits through `post_filter` and
    each facet is counted under all the filters but its own, so a frontend can offer the
    other trades' counts beside the chosen one and tabs count every kind."""
    words = required_words(query.text)
    must = [_word_clause(word) for word in words] or [Q("match_none")]
    phrase = (
        [Q("match_phrase", **{"title.folded": {"query": query.text[:500], "boost": TITLE_PHRASE_BOOST}})]
        if words
        else []
    )
    gates = _gates_clause(viewer_failed_gates)
    filters = _filters(query)
    search = Search().extra(track_total_hits=True)[query.offset : query.offset + query.limit]
    search = search.source(["kind", "object_id"])
    all_filters = [clause for clauses in filters.values() for clause in clauses]
    if query.with_facets:
        search = search.query(Q("bool", must=must, should=phrase, must_not=gates))
        search = search.post_filter(Q("bool", filter=all_filters))
        for name in facets_for(query.kinds):
            others = [clause for other, clauses in filters.items() if other != name for clause in clauses]
            search.aggs.bucket(f"facet_{name}", "filter", filter=Q("bool", filter=others)).bucket(
                "values",
                "terms",
                field=_facet_field(name),
                size=FACET_SIZE,
                order=[{"_count": "desc"}, {"_key": "asc"}],
            )
    else:
        search = search.query(Q("bool", must=must, should=phrase, filter=all_filters, must_not=gates))
    fields = {}
    for name in FIELD_WEIGHTS:
        fields[name] = {}
        fields[f"{name}.folded"] = {}
    search = search.highlight_options(
        type="unified",
        pre_tags=[MATCH_START],
        post_tags=[MATCH_END],
        fragment_size=FRAGMENT_SIZE,
        number_of_fragments=FRAGMENTS,
        max_analyzed_offset=HIGHLIGHT_MAX_OFFSET,
    ).highlight(*fields)
    if words:
        search = search.suggest("did_you_mean", query.text, phrase=_did_you_mean(query, viewer_failed_gates))
    return search.to_dict()


SUGGEST_FIELDS = ["title.suggest", "title.suggest._2gram", "title.suggest._3gram"]


def build_suggest_query(prefix: str, viewer_failed_gates: frozenset[str], kinds: frozenset[str], limit: int) -> dict:
    """The `_search` body for titles that complete `prefix` (every word, the last as a
    prefix), among `kinds`, that the viewer may see."""
    search = Search().query(
        Q(
            "bool",
            must=[Q("multi_match", query=prefix, type="bool_prefix", operator="and", fields=SUGGEST_FIELDS)],
            filter=[Q("terms", kind=sorted(kinds))],
            must_not=_gates_clause(viewer_failed_gates),
        )
    )
    return search.source(["kind", "object_id", "title"])[:limit].to_dict()


# --- responses -------------------------------------------------------------------------


def highlight_parts(fragment: str) -> tuple[HighlightPart, ...]:
    """A highlighted fragment as parts, matched or not, split at the markers."""
    parts: list[HighlightPart] = []
    rest = fragment
    while rest:
        start = rest.find(MATCH_START)
        if start == -1:
            parts.append(HighlightPart(rest, False))
            break
        if start:
            parts.append(HighlightPart(rest[:start], False))
        end = rest.find(MATCH_END, start + 1)
        if end == -1:  # an unclosed marker: the rest is the match
            end = len(rest)
        if end > start + 1:
            parts.append(HighlightPart(rest[start + 1 : end], True))
        rest = rest[end + 1 :]
    return tuple(parts)


def _highlights(found: dict[str, list[str]]) -> tuple[Highlight, ...]:
    highlights: list[Highlight] = []
    for name in FIELD_WEIGHTS:
        # The analysed and the folded field mark different words ("remontów" stemmed, "zolw"
        # folded); the one that marked more is shown.
        candidates = [
            [highlight_parts(fragment) for fragment in found.get(field, [])] for field in (name, f"{name}.folded")
        ]
        best = max(candidates, key=lambda fragments: sum(part.match for parts in fragments for part in parts))
        highlights += [Highlight(name, parts) for parts in best if any(part.match for part in parts)]
    return tuple(highlights[:HIGHLIGHT_FIELDS])


def _facets(aggregations: dict, kinds: frozenset[str]) -> tuple[Facet, ...]:
    facets = []
    for name in facets_for(kinds):
        buckets = aggregations.get(f"facet_{name}", {}).get("values", {}).get("buckets", [])
        values = sorted(
            (FacetValue(str(bucket["key"]), int(bucket["doc_count"])) for bucket in buckets),
            key=lambda value: (-value.count, value.value),
        )
        facets.append(Facet(name, tuple(values)))
    return tuple(facets)


def _suggestion(response: dict, text: str) -> str | None:
    typed = fold(text).strip()
    for entry in response.get("suggest", {}).get("did_you_mean", []):
        for option in entry.get("options", []):
            if option.get("collate_match", True) and option["text"] != typed:
                return option["text"]
    return None


def results_from(response: dict, query: SearchQuery, backend: str = "elasticsearch") -> SearchResults:
    """`SearchResults` from a `_search` response to `build_query(query, ...)`."""
    hits = tuple(
        Hit(
            kind=hit["_source"]["kind"],
            object_id=int(hit["_source"]["object_id"]),
            score=float(hit.get("_score") or 0.0),
            highlights=_highlights(hit.get("highlight", {})),
        )
        for hit in response["hits"]["hits"]
    )
    total = response["hits"]["total"]
    total = int(total["value"] if isinstance(total, dict) else total)
    facets = _facets(response.get("aggregations", {}), query.kinds) if query.with_facets else ()
    suggestion = _suggestion(response, query.text) if total == 0 else None
    return SearchResults(hits=hits, total=total, facets=facets, suggestion=suggestion, backend=backend)


# --- the backend -----------------------------------------------------------------------


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, prefix: str = "hub", *, client: Elasticsearch | None = None):
        self.prefix = prefix
        self.alias = f"{prefix}-directory"
        self.client = client or Elasticsearch(
            url, request_timeout=SEARCH_TIMEOUT, max_retries=0, retry_on_timeout=False
        )
        self._plugins: frozenset[str] | None = None
        self._alias_known = False

    # Every call to the cluster goes through here: a cluster that cannot answer (no
    # connection, a timeout, a 5xx, too many requests) becomes BackendUnavailable, which
    # the selectors answer from the database; a 4xx is our bug and stays itself.
    def _call(self, what: str, call: Callable[[], Any], *, missing_unavailable: bool = False):
        try:
            return call()
        except TransportError as error:
            raise BackendUnavailable(f"Elasticsearch {what}: {error}") from error
        except ApiError as error:
            status = error.meta.status
            if status >= 500 or status == 429 or (missing_unavailable and status == 404):
                raise BackendUnavailable(f"Elasticsearch {what}: {status} {error}") from error
            raise

    def _writer(self):
        return self.client.options(request_timeout=WRITE_TIMEOUT)

    def plugins(self) -> frozenset[str]:
        """The cluster's plugins (asked once per backend)."""
        if self._plugins is None:
            try:
                listed = self._call("plugins", lambda: self.client.cat.plugins(format="json"))
            except ApiError as error:
                # Without the monitor privilege the list is refused: fold only.
                logger.warning("Elasticsearch plugins unknown (%s); indexing with folding only", error.meta.status)
                listed = []
            self._plugins = frozenset(item.get("component", "") for item in listed)
        return self._plugins

    def new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"

    def _indices_behind_alias(self) -> list[str]:
        try:
            found = self._call("aliases", lambda: self.client.indices.get_alias(name=self.alias))
        except ApiError as error:
            if error.meta.status == 404:
                return []
            raise
        return sorted(found.body)

    def _create_index(self, name: str, *, with_alias: bool) -> None:
        body = index_body(self.plugins())
        settings = body["settings"]
        aliases = {self.alias: {"is_write_index": True}} if with_alias else None
        if not with_alias:
            # Bulk loading without refreshing is much faster; set back after loading.
            settings = {**settings, "refresh_interval": "-1"}
        self._call(
            "create index",
            lambda: self._writer().indices.create(
                index=name, settings=settings, mappings=body["mappings"], aliases=aliases
            ),
        )

    def _ensure_alias(self) -> None:
        if self._alias_known:
            return
        if not self._call("alias exists", lambda: self.client.indices.exists_alias(name=self.alias)):
            # First write before any rebuild: an empty index behind the alias, so that a
            # document write never auto-creates an index under the alias's name.
            try:
                self._create_index(self.new_index_name(), with_alias=True)
            except ApiError as error:
                # Refused because another worker made one at the same moment is fine;
                # anything else is not.
                if error.meta.status != 400 or not self.client.indices.exists_alias(name=self.alias):
                    raise
        self._alias_known = True

    def _actions(self, records: Iterable[IndexRecord], index: str) -> Iterator[dict]:
        for record in records:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": record.key,
                "_source": document_of(record, record_fingerprint(record)),
            }

    def _bulk(
        self, actions: Iterable[dict], *, ignore_status: tuple[int, ...] = (), refresh: bool = False, **options
    ) -> int:
        if refresh:
            options["refresh"] = "true"

        def load() -> int:
            try:
                done, _errors = helpers.bulk(
                    self._writer(),
                    actions,
                    chunk_size=BULK_CHUNK,
                    ignore_status=ignore_status,
                    max_retries=0,
                    **options,
                )
            except helpers.BulkIndexError as error:
                # Items refused because the cluster is busy or failing are the cluster's
                # trouble (indexing tries again later); any other refusal is ours.
                statuses = {int(next(iter(item.values())).get("status", 500)) for item in error.errors}
                if any(status >= 500 or status == 429 for status in statuses):
                    raise BackendUnavailable(f"Elasticsearch bulk: items refused with {sorted(statuses)}") from error
                raise
            return done

        return self._call("bulk", load)

    def index(self, records: Iterable[IndexRecord]) -> None:
        records = list(records)
        if not records:
            return
        self._ensure_alias()
        # Refreshed at once: a page published, or a restriction added (new gates), must
        # show in the very next search. Editors' changes are few; the cost is small.
        # Through the alias only: were it gone, the cluster would otherwise make an index
        # under its name and block every later rebuild.
        self._bulk(self._actions(records, self.alias), refresh=True, require_alias=True)

    def remove(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        self._ensure_alias()
        # A key that is not indexed answers 404: nothing to remove.
        self._bulk(
            ({"_op_type": "delete", "_index": self.alias, "_id": key} for key in keys),
            ignore_status=(404,),
            refresh=True,
        )

    def indexed_keys(self) -> dict[str, str]:
        def scan() -> dict[str, str]:
            found = helpers.scan(
                self._writer(),
                index=self.alias,
                query={"query": {"match_all": {}}, "_source": ["fingerprint"]},
                size=1000,
                scroll="2m",
            )
            return {hit["_id"]: hit["_source"].get("fingerprint", "") for hit in found}

        try:
            return self._call("scan", scan)
        except ApiError as error:
            if error.meta.status == 404:  # never built: nothing indexed
                return {}
            raise

    def rebuild(self, records: Iterable[IndexRecord]) -> str:
        """Index `records` into a new index, then move the alias to it in one step and
        drop the index it left, so searches never see an empty or half-filled index.
        Returns the new index's name. Writes made to the old index while this ran are
        lost with it; the periodic reconciliation brings them back."""
        name = self.new_index_name()
        self._create_index(name, with_alias=False)
        try:
            self._bulk(self._actions(records, name))
            self._call(
                "settings", lambda: self._writer().indices.put_settings(index=name, settings={"refresh_interval": None})
            )
            self._call("refresh", lambda: self._writer().indices.refresh(index=name))
            old = self._indices_behind_alias()
            actions = [{"remove": {"index": index, "alias": self.alias}} for index in old]
            actions.append({"add": {"index": name, "alias": self.alias, "is_write_index": True}})
            self._call("swap alias", lambda: self._writer().indices.update_aliases(actions=actions))
        except BaseException:
            # A failed rebuild leaves the old index in place and nothing behind.
            try:
                self._writer().indices.delete(index=name, ignore_unavailable=True)
            except (TransportError, ApiError):
                logger.warning("Elasticsearch: could not drop the unfinished index %s", name)
            raise
        for index in old:
            self._call(
                "drop old index",
                lambda index=index: self._writer().indices.delete(index=index, ignore_unavailable=True),
            )
        self._alias_known = True
        return name

    def search(self, query: SearchQuery, *, viewer: Viewer) -> SearchResults:
        if not required_words(query.text) or not query.kinds:
            return SearchResults(hits=(), total=0, facets=(), backend=self.name)
        body = build_query(query, viewer.failed_gates)
        response = self._call(
            "search", lambda: self.client.search(index=self.alias, body=body), missing_unavailable=True
        )
        return results_from(response.body, query, backend=self.name)

    def suggest(
        self, prefix: str, *, viewer: Viewer, kinds: frozenset[str] = frozenset(KINDS), limit: int = 8
    ) -> list[Suggestion]:
        prefix = prefix[:200]
        if not query_words(prefix) or not kinds or limit <= 0:
            return []
        body = build_suggest_query(prefix, viewer.failed_gates, kinds, limit)
        response = self._call(
            "suggest", lambda: self.client.search(index=self.alias, body=body), missing_unavailable=True
        )
        return [
            Suggestion(
                text=hit["_source"]["title"], kind=hit["_source"]["kind"], object_id=int(hit["_source"]["object_id"])
            )
            for hit in response.body["hits"]["hits"]
        ]
