"""The Elasticsearch backend without a server, and against one when ELASTICSEARCH_URL is set.

Without a server: the index settings and mappings for each plugin set and the request
body built for each kind of query are compared with the JSON stored in `es_expected/`
(run with UPDATE_ES_EXPECTED=1 to write it again, then review the diff); the backend
talks to a transport double (`ReplayNode`, an `elastic_transport` node that answers each
request from the responses in `es_recorded/` in a scripted order and keeps the requests),
which exercises the result handling, the order of a rebuild's calls and the failures that
send searches to the database backend.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, ConnectionError, ConnectionTimeout, HttpHeaders
from elastic_transport._node import NodeApiResponse  # what a node returns; not re-exported at the top
from elasticsearch import Elasticsearch

from search.backends.base import (
    FIELD_WEIGHTS,
    KINDS,
    BackendUnavailable,
    Facet,
    FacetValue,
    Highlight,
    HighlightPart,
    IndexRecord,
    SearchQuery,
    Suggestion,
    Viewer,
)
from search.backends.elasticsearch import (
    MATCH_END,
    MATCH_START,
    ElasticsearchBackend,
    build_query,
    build_suggest_query,
    document_of,
    highlight_parts,
    index_body,
    record_fingerprint,
    stemmer_for,
)

HERE = Path(__file__).parent
EXPECTED = HERE / "es_expected"
RECORDED = HERE / "es_recorded"
UPDATE = os.environ.get("UPDATE_ES_EXPECTED") == "1"


def check_expected(name: str, actual: dict) -> None:
    """`actual` equals the stored `es_expected/<name>.json` (written when UPDATE_ES_EXPECTED=1)."""
    path = EXPECTED / f"{name}.json"
    actual = json.loads(json.dumps(actual))  # tuples to lists, as stored
    if UPDATE:
        dumped = json.dumps(actual, indent=2, ensure_ascii=False, sort_keys=True)
        # The highlight markers are invisible characters: kept as escapes, so diffs show them.
        dumped = dumped.replace(MATCH_START, "\\ue000").replace(MATCH_END, "\\ue001")
        path.write_text(dumped + "\n", encoding="utf-8")
        return
    assert path.exists(), f"{path.name} is missing: run with UPDATE_ES_EXPECTED=1 and review it"
    assert actual == json.loads(path.read_text(encoding="utf-8")), (
        f"{path.name} differs: if the change is meant, run with UPDATE_ES_EXPECTED=1 and review the diff"
    )


# --- settings and mappings --------------------------------------------------------------

PLUGIN_SETS = {
    "none": set(),
    "stempel": {"analysis-stempel"},
    "morfologik": {"analysis-morfologik"},
}


@pytest.mark.parametrize("plugins", sorted(PLUGIN_SETS))
def test_index_body_per_plugin_set_is_the_stored_one(plugins):
    check_expected(f"index_{plugins}", index_body(PLUGIN_SETS[plugins]))


def test_the_stemmer_follows_the_plugins():
    assert stemmer_for(set()) is None
    assert stemmer_for({"analysis-icu"}) is None
    assert stemmer_for({"analysis-stempel"}) == "polish_stem"
    # The allegro plugin names itself in full; a dictionary's lemmas win over a stemmer.
    assert stemmer_for({"elasticsearch-analysis-morfologik", "analysis-stempel"}) == "morfologik_stem"


def test_mappings_are_strict_and_every_weighted_field_is_folded_too():
    for plugins in PLUGIN_SETS.values():
        body = index_body(plugins)
        properties = body["mappings"]["properties"]
        assert body["mappings"]["dynamic"] == "strict"
        for name in FIELD_WEIGHTS:
            assert properties[name]["type"] == "text"
            assert properties[name]["fields"]["folded"]["analyzer"] == "hub_folded"
        assert properties["title"]["fields"]["suggest"] == {"type": "search_as_you_type", "analyzer": "hub_folded"}
        assert {properties[name]["type"] for name in ("kind", "gates")} == {"keyword"}
        assert set(properties["facets"]["properties"]) == {"trade", "area", "category", "year", "building"}
        analysis = body["settings"]["analysis"]
        # "ł" has no Unicode decomposition: asciifolding alone would keep it.
        assert analysis["char_filter"]["hub_polish_letters"]["mappings"] == ["ł => l", "Ł => l"]
        assert analysis["analyzer"]["hub_folded"]["filter"] == ["lowercase", "asciifolding"]


def test_the_polish_analyzer_stems_only_with_a_plugin():
    assert index_body(set())["mappings"]["properties"]["body"]["analyzer"] == "hub_folded"
    stempel = index_body({"analysis-stempel"})["settings"]["analysis"]["analyzer"]["hub_polish"]
    assert "polish_stem" in stempel["filter"]
    morfologik = index_body({"analysis-morfologik"})["settings"]["analysis"]["analyzer"]["hub_polish"]
    assert "morfologik_stem" in morfologik["filter"]


# --- documents ----------------------------------------------------------------------------


def contractor(object_id=12, *, gates=(), title="Łączbud sp. z o.o.", trade="Hydraulik", **fields) -> IndexRecord:
    return IndexRecord(
        key=f"page:{object_id}",
        kind="contractor",
        object_id=object_id,
        title=title,
        fields={"title": title, "trade": trade, "services": "Wymiana pionów, naprawa dachami", **fields},
        facets={"trade": ("hydraulik",), "area": ("Bemowo", "Wola")},
        page_id=object_id,
        gates=gates,
    )


def document(object_id=7, *, gates=(), title="Protokół przeglądu instalacji", year="2024") -> IndexRecord:
    return IndexRecord(
        key=f"document:{object_id}",
        kind="document",
        object_id=object_id,
        title=title,
        fields={"title": title, "category": "Protokoły", "text": "Przegląd instalacji gazowej w budynku"},
        facets={"year": (year,), "category": ("protocol",), "building": ("3",)},
        document_id=object_id,
        gates=gates,
        date=date(2024, 5, 6),
    )


def test_a_document_carries_the_python_terms_and_its_fingerprint():
    record = contractor(gates=("groups:3,7",), notes=f"uwaga {MATCH_START}x{MATCH_END}")
    stored = document_of(record, record_fingerprint(record))
    terms = {name: set(found.split()) for name, found in stored["terms"].items()}
    # Folded words and morfeusz2 lemmas, per field: "dachami" is found by "dach", "pionów"
    # by "pion".
    assert {"dachami", "dach", "pionow", "pion"} <= terms["services"]
    assert terms["title"] == {"laczbud", "sp", "z", "o"}
    assert terms["trade"] == {"hydraulik", "hydraulika"}
    assert stored["facets"] == {"trade": ["hydraulik"], "area": ["Bemowo", "Wola"]}
    assert stored["gates"] == ["groups:3,7"]
    # The highlight markers can never come from the content.
    assert stored["notes"] == "uwaga x"
    from search.sources import fingerprint

    assert stored["fingerprint"] == fingerprint(record)
    assert stored["date"] is None and document_of(document(), "f")["date"] == "2024-05-06"


def test_a_field_without_a_weight_is_refused():
    with pytest.raises(ValueError, match="without a weight"):
        document_of(contractor(colour="zielony"), "f")


# --- queries ------------------------------------------------------------------------------

QUERY_CASES = {
    "plain": (SearchQuery("hydraulik Łączbud"), frozenset()),
    "inflected_unaccented": (SearchQuery("remontów dachami zolw"), frozenset()),
    "kinds": (SearchQuery("instalacja", kinds=frozenset({"document", "news"})), frozenset()),
    "filters": (
        SearchQuery("hydraulik", filters={"trade": ("hydraulik", "elektryk"), "area": ("Bemowo",)}),
        frozenset(),
    ),
    "gates": (SearchQuery("protokół", kinds=frozenset({"document"})), frozenset({"login", "groups:3,7", "password"})),
    "paging": (SearchQuery("dach", offset=40, limit=20), frozenset({"login"})),
    "without_facets": (
        SearchQuery("dach", filters={"year": ("2024",)}, with_facets=False),
        frozenset({"groups:5"}),
    ),
}


@pytest.mark.parametrize("case", sorted(QUERY_CASES))
def test_the_query_for_each_case_is_the_stored_one(case):
    query, failed = QUERY_CASES[case]
    check_expected(f"query_{case}", build_query(query, failed))


SUGGEST_CASES = {
    "as_you_type": ("lacz", frozenset(), frozenset(KINDS), 8),
    "as_you_type_gates_kinds": ("protokol prze", frozenset({"login"}), frozenset({"document"}), 5),
}


@pytest.mark.parametrize("case", sorted(SUGGEST_CASES))
def test_the_suggest_query_for_each_case_is_the_stored_one(case):
    check_expected(f"suggest_{case}", build_suggest_query(*SUGGEST_CASES[case]))


def test_failed_gates_are_inside_the_query_so_counts_and_suggestions_obey_them():
    body = build_query(SearchQuery("dach"), frozenset({"login", "groups:3"}))
    gates = {"terms": {"gates": ["groups:3", "login"]}}
    # In the query (which aggregations and highlights see), not in the post filter.
    assert body["query"]["bool"]["must_not"] == [gates]
    assert "gates" not in json.dumps(body["post_filter"])
    collate = body["suggest"]["did_you_mean"]["phrase"]["collate"]["query"]["source"]
    assert collate["bool"]["must_not"] == [gates]
    suggest = build_suggest_query("dach", frozenset({"login", "groups:3"}), frozenset(KINDS), 8)
    assert suggest["query"]["bool"]["must_not"] == [gates]


def test_each_facet_is_counted_under_the_other_facets_filters():
    body = build_query(
        SearchQuery("hydraulik", kinds=frozenset({"contractor"}), filters={"trade": ("hydraulik",), "area": ("Wola",)}),
        frozenset(),
    )
    trade = {"terms": {"facets.trade": ["hydraulik"]}}
    area = {"terms": {"facets.area": ["Wola"]}}
    kind = {"terms": {"kind": ["contractor"]}}
    assert body["post_filter"]["bool"]["filter"] == [kind, area, trade]
    aggs = body["aggs"]
    assert aggs["facet_trade"]["filter"]["bool"]["filter"] == [kind, area]
    assert aggs["facet_area"]["filter"]["bool"]["filter"] == [kind, trade]
    # Tabs count every kind: the kind facet ignores the kinds asked.
    assert aggs["facet_kind"]["filter"]["bool"]["filter"] == [area, trade]
    # Only the facets of the kinds searched.
    assert set(aggs) == {"facet_kind", "facet_trade", "facet_area"}


def test_a_query_word_asks_the_python_terms_and_the_fields_fuzzily():
    body = build_query(SearchQuery("dachami"), frozenset())
    (word,) = body["query"]["bool"]["must"]
    multi_match, *terms = word["bool"]["should"]
    # The word's Python terms in each field's terms, weighted as the field.
    assert terms[0] == {"terms": {"terms.title": ["dach", "dacha", "dachami"], "boost": 9.0}}
    assert len(terms) == len(FIELD_WEIGHTS)
    assert multi_match["multi_match"]["fuzziness"] == "AUTO:4,8"
    assert "title^10" in multi_match["multi_match"]["fields"]
    assert "title.folded^10" in multi_match["multi_match"]["fields"]


# --- highlights -------------------------------------------------------------------------


def test_a_fragment_splits_at_the_markers():
    assert highlight_parts(f"Wymiana {MATCH_START}pionów{MATCH_END} i {MATCH_START}dachu{MATCH_END}") == (
        HighlightPart("Wymiana ", False),
        HighlightPart("pionów", True),
        HighlightPart(" i ", False),
        HighlightPart("dachu", True),
    )
    assert highlight_parts("bez trafień") == (HighlightPart("bez trafień", False),)
    # An unclosed marker (a fragment cut inside it) still ends as a match.
    assert highlight_parts(f"a {MATCH_START}b") == (HighlightPart("a ", False), HighlightPart("b", True))


# --- a recorded-response transport ------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    body: Any


@dataclass
class Script:
    """What the cluster answers, in order: (method, path pattern, answer). An answer is a
    file in `es_recorded/` (status 200), a (status, file) pair, a function of the request
    giving (status, body), or an exception the connection raises."""

    steps: list[tuple[str, str, Any]]
    requests: list[Request] = field(default_factory=list)


class ReplayNode(BaseNode):
    script: ClassVar[Script]

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        parts = urlsplit(target)
        payload = None
        if body:
            text = body.decode("utf-8")
            content_type = (headers or {}).get("content-type", "") if headers else ""
            if "ndjson" in content_type:
                payload = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                payload = json.loads(text)
        request = Request(method, parts.path, parse_qs(parts.query), payload)
        self.script.requests.append(request)
        assert self.script.steps, f"unexpected request {method} {parts.path}"
        expected_method, pattern, answer = self.script.steps.pop(0)
        assert (method, True) == (expected_method, bool(re.fullmatch(pattern, parts.path))), (
            f"expected {expected_method} {pattern}, got {method} {parts.path}"
        )
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            status, data = answer(request)
        elif isinstance(answer, tuple):
            status, data = answer[0], json.loads((RECORDED / answer[1]).read_text(encoding="utf-8"))
        else:
            status, data = 200, json.loads((RECORDED / answer).read_text(encoding="utf-8"))
        response_headers = HttpHeaders({"content-type": "application/json", "x-elastic-product": "Elasticsearch"})
        meta = ApiResponseMeta(
            status=status, http_version="1.1", headers=response_headers, duration=0.0, node=self.config
        )
        return NodeApiResponse(meta, b"" if method == "HEAD" else json.dumps(data).encode("utf-8"))


def replaying(*steps) -> tuple[ElasticsearchBackend, Script]:
    script = Script(list(steps))
    node_class = type("ScriptedNode", (ReplayNode,), {"script": script})
    client = Elasticsearch("http://recorded.invalid:9200", node_class=node_class, max_retries=0, request_timeout=2)
    return ElasticsearchBackend("http://recorded.invalid:9200", client=client), script


def bulk_items(request: Request) -> tuple[int, dict]:
    """A bulk response for the actions sent: created, deleted, or not found for "missing"."""
    items = []
    for line in request.body:
        if "index" in line:
            items.append(
                {
                    "index": {
                        "_index": line["index"]["_index"],
                        "_id": line["index"]["_id"],
                        "status": 201,
                        "result": "created",
                    }
                }
            )
        elif "delete" in line:
            missing = "missing" in line["delete"]["_id"]
            items.append(
                {
                    "delete": {
                        "_index": line["delete"]["_index"],
                        "_id": line["delete"]["_id"],
                        "status": 404 if missing else 200,
                        "result": "not_found" if missing else "deleted",
                    }
                }
            )
    return 200, {
        "took": 3,
        "errors": any(item.get("delete", {}).get("status") == 404 for item in items),
        "items": items,
    }


ANYONE = Viewer(user=None, denial=None)


def test_search_maps_hits_highlights_and_facets():
    backend, script = replaying(("POST", "/hub-directory/_search", "search_hits.json"))
    query = SearchQuery("hydraulik instalacje")
    viewer = Viewer(user=None, denial=None, failed_gates=frozenset({"login"}))

    results = backend.search(query, viewer=viewer)

    (request,) = script.requests
    assert request.body == build_query(query, frozenset({"login"}))
    assert results.backend == "elasticsearch"
    assert results.total == 3
    assert [(hit.kind, hit.object_id, hit.score) for hit in results.hits] == [
        ("contractor", 12, 41.7),
        ("contractor", 15, 12.25),
        ("document", 7, 3.5),
    ]
    first = results.hits[0]
    # Fields in weight order; of the analysed and folded variants, the one marking more.
    assert first.highlights == (
        Highlight("title", (HighlightPart("Łączbud", True), HighlightPart(" sp. z o.o.", False))),
        Highlight("trade", (HighlightPart("Hydraulik", True),)),
        Highlight(
            "services",
            (
                HighlightPart("Wymiana pionów i naprawa ", False),
                HighlightPart("instalacji", True),
                HighlightPart(", ", False),
                HighlightPart("instalacje", True),
                HighlightPart(" gazowe", False),
            ),
        ),
    )
    assert results.hits[1].highlights == (
        Highlight("area", (HighlightPart("Bemowo, ", False), HighlightPart("Wola", True))),
    )
    assert [highlight.field for highlight in results.hits[2].highlights] == ["text", "text"]
    facets = {facet.name: facet for facet in results.facets}
    assert [facet.name for facet in results.facets] == ["kind", "trade", "area", "category", "year", "building"]
    # Most frequent first, then by value.
    assert facets["area"] == Facet("area", (FacetValue("Bemowo", 2), FacetValue("Wola", 2), FacetValue("Żoliborz", 1)))
    assert facets["kind"].values == (FacetValue("contractor", 3), FacetValue("document", 2))
    assert facets["building"].values == ()
    assert results.suggestion is None


def test_no_hits_offer_the_nearest_spelling_that_finds_something():
    backend, script = replaying(("POST", "/hub-directory/_search", "search_no_hits.json"))
    query = SearchQuery("hydralik bemowo", kinds=frozenset({"contractor"}))

    results = backend.search(query, viewer=ANYONE)

    assert results.total == 0 and results.hits == ()
    assert results.suggestion == "hydraulik bemowo"
    assert [facet.name for facet in results.facets] == ["kind", "trade", "area"]
    assert script.requests[0].body["suggest"]["did_you_mean"]["text"] == "hydralik bemowo"


def test_an_empty_query_asks_nothing():
    backend, script = replaying()
    assert backend.search(SearchQuery("  ?! "), viewer=ANYONE).total == 0
    assert backend.suggest(" ", viewer=ANYONE) == []
    assert script.requests == []


def test_suggest_completes_titles_as_written():
    backend, script = replaying(("POST", "/hub-directory/_search", "suggest_lacz.json"))
    viewer = Viewer(user=None, denial=None, failed_gates=frozenset({"groups:3,7"}))

    suggestions = backend.suggest("lacz", viewer=viewer, kinds=frozenset({"contractor", "document"}), limit=5)

    assert suggestions == [
        Suggestion("Łączbud sp. z o.o.", "contractor", 12),
        Suggestion("Łącza internetowe — umowa", "document", 9),
    ]
    assert script.requests[0].body == build_suggest_query(
        "lacz", frozenset({"groups:3,7"}), frozenset({"contractor", "document"}), 5
    )


INDEX_NAME = r"/hub-directory-\d{20}"


def test_rebuild_fills_a_new_index_then_swaps_the_alias_and_drops_the_old_one():
    backend, script = replaying(
        ("GET", "/_cat/plugins", "plugins_stempel.json"),
        ("PUT", INDEX_NAME, "index_created.json"),
        ("PUT", "/_bulk", bulk_items),
        ("PUT", INDEX_NAME + "/_settings", "acknowledged.json"),
        ("POST", INDEX_NAME + "/_refresh", "refreshed.json"),
        ("GET", "/_alias/hub-directory", "alias_of_old_index.json"),
        ("POST", "/_aliases", "acknowledged.json"),
        ("DELETE", "/hub-directory-20261101020304000000", "acknowledged.json"),
    )

    name = backend.rebuild([contractor(), document(gates=("login",))])

    assert script.steps == []
    create, bulk, settings, _refresh, _alias, swap, drop = script.requests[1:]
    assert create.path == f"/{name}"
    # Made with the stemmer the cluster has, and without refreshing while loading.
    assert create.body["settings"]["analysis"] == index_body({"analysis-stempel"})["settings"]["analysis"]
    assert create.body["settings"]["refresh_interval"] == "-1"
    assert create.body["mappings"] == index_body({"analysis-stempel"})["mappings"]
    assert "aliases" not in create.body
    # Loaded into the new index by name: the alias still serves the old one meanwhile.
    assert [line["index"] for line in bulk.body[::2]] == [
        {"_index": name, "_id": "page:12"},
        {"_index": name, "_id": "document:7"},
    ]
    assert bulk.body[3]["gates"] == ["login"]
    assert settings.body == {"refresh_interval": None}
    assert swap.body == {
        "actions": [
            {"remove": {"index": "hub-directory-20261101020304000000", "alias": "hub-directory"}},
            {"add": {"index": name, "alias": "hub-directory", "is_write_index": True}},
        ]
    }
    assert drop.path == "/hub-directory-20261101020304000000"


def test_a_failed_rebuild_keeps_the_alias_and_drops_the_unfinished_index():
    backend, script = replaying(
        ("GET", "/_cat/plugins", "plugins_none.json"),
        ("PUT", INDEX_NAME, "index_created.json"),
        ("PUT", "/_bulk", (503, "unavailable.json")),
        ("DELETE", INDEX_NAME, "acknowledged.json"),
    )

    with pytest.raises(BackendUnavailable):
        backend.rebuild([contractor()])

    assert script.steps == []
    assert script.requests[-1].path == script.requests[1].path
    assert not any(request.path == "/_aliases" for request in script.requests)


def test_without_the_right_to_list_plugins_the_index_folds_only():
    backend, script = replaying(
        ("GET", "/_cat/plugins", (403, "forbidden.json")),
        ("PUT", INDEX_NAME, "index_created.json"),
        ("PUT", "/_bulk", bulk_items),
        ("PUT", INDEX_NAME + "/_settings", "acknowledged.json"),
        ("POST", INDEX_NAME + "/_refresh", "refreshed.json"),
        ("GET", "/_alias/hub-directory", (404, "alias_missing.json")),
        ("POST", "/_aliases", "acknowledged.json"),
    )

    backend.rebuild([contractor()])

    assert script.steps == []
    assert script.requests[1].body["mappings"] == index_body(set())["mappings"]
    # No index behind the alias before: only the new one is added.
    assert script.requests[-1].body == {
        "actions": [{"add": {"index": script.requests[1].path[1:], "alias": "hub-directory", "is_write_index": True}}]
    }


def test_the_first_write_makes_an_index_behind_the_alias_once():
    backend, script = replaying(
        ("HEAD", "/_alias/hub-directory", (404, "alias_missing.json")),
        ("GET", "/_cat/plugins", "plugins_none.json"),
        ("PUT", INDEX_NAME, "index_created.json"),
        ("PUT", "/_bulk", bulk_items),
        ("PUT", "/_bulk", bulk_items),
    )

    backend.index([contractor()])
    backend.index([document()])

    assert script.steps == []
    create = script.requests[2]
    assert create.body["aliases"] == {"hub-directory": {"is_write_index": True}}
    assert create.body["mappings"] == index_body(set())["mappings"]
    # Documents are written through the alias, and show in the very next search.
    assert script.requests[3].body[0] == {"index": {"_index": "hub-directory", "_id": "page:12"}}
    assert script.requests[3].params == {"refresh": ["true"], "require_alias": ["true"]}
    assert script.requests[4].body[0] == {"index": {"_index": "hub-directory", "_id": "document:7"}}


def test_remove_ignores_keys_not_indexed():
    backend, script = replaying(
        ("HEAD", "/_alias/hub-directory", "acknowledged.json"),
        ("PUT", "/_bulk", bulk_items),
    )

    backend.remove(["page:12", "page:missing"])

    assert script.requests[1].params == {"refresh": ["true"]}
    assert script.requests[1].body == [
        {"delete": {"_index": "hub-directory", "_id": "page:12"}},
        {"delete": {"_index": "hub-directory", "_id": "page:missing"}},
    ]


def refused_items(status: int):
    def answer(request: Request) -> tuple[int, dict]:
        _status, body = bulk_items(request)
        for item in body["items"]:
            item["index"].update(status=status, error={"type": "some_exception", "reason": f"refused ({status})"})
        return 200, {**body, "errors": True}

    return answer


def test_items_refused_by_a_busy_cluster_are_unavailable_and_others_are_errors():
    from elasticsearch.helpers import BulkIndexError

    backend, _script = replaying(
        ("HEAD", "/_alias/hub-directory", "acknowledged.json"),
        ("PUT", "/_bulk", refused_items(429)),
    )
    with pytest.raises(BackendUnavailable):
        backend.index([contractor()])
    backend, _script = replaying(
        ("HEAD", "/_alias/hub-directory", "acknowledged.json"),
        ("PUT", "/_bulk", refused_items(400)),
    )
    with pytest.raises(BulkIndexError):
        backend.index([contractor()])


def test_indexed_keys_scans_keys_with_fingerprints():
    backend, script = replaying(
        ("POST", "/hub-directory/_search", "scan_first.json"),
        ("POST", "/_search/scroll", "scan_last.json"),
        ("DELETE", "/_search/scroll", "scroll_cleared.json"),
    )

    assert backend.indexed_keys() == {"page:12": "0d6c0c1e", "document:7": "9f2a11b4"}
    assert script.requests[0].body["_source"] == ["fingerprint"]


def test_indexed_keys_of_an_index_never_built_are_none():
    backend, _script = replaying(("POST", "/hub-directory/_search", (404, "index_not_found.json")))
    assert backend.indexed_keys() == {}


@pytest.mark.parametrize(
    "answer",
    [
        ConnectionError("Connection refused"),
        ConnectionTimeout("Read timed out"),
        (503, "unavailable.json"),
        # Never built: the database answers until `search_rebuild` has run.
        (404, "index_not_found.json"),
    ],
    ids=["connection", "timeout", "5xx", "no-index"],
)
def test_a_cluster_that_cannot_answer_is_unavailable(answer):
    backend, _script = replaying(("POST", "/hub-directory/_search", answer))
    with pytest.raises(BackendUnavailable):
        backend.search(SearchQuery("dach"), viewer=ANYONE)
    backend, _script = replaying(("POST", "/hub-directory/_search", answer))
    with pytest.raises(BackendUnavailable):
        backend.suggest("dach", viewer=ANYONE)


def test_the_default_client_gives_up_at_once_on_a_closed_port():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = ElasticsearchBackend(f"http://127.0.0.1:{port}", prefix="closed")
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        backend.search(SearchQuery("dach"), viewer=ANYONE)
    assert time.monotonic() - started < 2


# --- against a cluster (ELASTICSEARCH_URL) ----------------------------------------------

LIVE_URL = os.environ.get("ELASTICSEARCH_URL")
live = pytest.mark.skipif(not LIVE_URL, reason="ELASTICSEARCH_URL is not set: no cluster to test against")


@pytest.fixture
def live_backend():
    backend = ElasticsearchBackend(LIVE_URL, prefix=f"test-{uuid.uuid4().hex[:12]}")
    yield backend
    # By name: clusters refuse wildcard deletes (action.destructive_requires_name).
    for name in backend.client.indices.get(index=f"{backend.alias}-*", allow_no_indices=True).body:
        backend.client.indices.delete(index=name)


def live_records():
    return [
        contractor(12, title="Łączbud sp. z o.o.", trade="Hydraulik"),
        contractor(15, title="Żółw Dachy", trade="Dekarz", area="Bemowo"),
        document(7, title="Protokół przeglądu dachów budynku A", gates=("groups:3",)),
        document(8, title="Regulamin rozliczeń", year="2025"),
    ]


def keys(results) -> set[tuple[str, int]]:
    return {(hit.kind, hit.object_id) for hit in results.hits}


@live
def test_live_rebuild_search_and_gates(live_backend):
    live_backend.rebuild(live_records())
    outsider = Viewer(user=None, denial=None, failed_gates=frozenset({"groups:3"}))

    # Folding both ways, inflection through the Python terms, typos.
    assert ("contractor", 12) in keys(live_backend.search(SearchQuery("laczbud"), viewer=ANYONE))
    assert ("contractor", 15) in keys(live_backend.search(SearchQuery("żółwia"), viewer=ANYONE))
    assert ("contractor", 15) in keys(live_backend.search(SearchQuery("dachami"), viewer=ANYONE))
    assert ("contractor", 12) in keys(live_backend.search(SearchQuery("hydraulka"), viewer=ANYONE))

    insider = live_backend.search(SearchQuery("protokół"), viewer=ANYONE)
    assert ("document", 7) in keys(insider)
    hidden = live_backend.search(SearchQuery("protokół dachów"), viewer=outsider)
    assert ("document", 7) not in keys(hidden) and hidden.total == 0
    counted = live_backend.search(SearchQuery("dachów"), viewer=outsider)
    kinds = {value.value: value.count for facet in counted.facets if facet.name == "kind" for value in facet.values}
    assert "document" not in kinds
    assert all(item.object_id != 7 for item in live_backend.suggest("proto", viewer=outsider))
    assert any(item.object_id == 7 for item in live_backend.suggest("proto", viewer=ANYONE))


@live
def test_live_highlights_facets_and_did_you_mean(live_backend):
    live_backend.rebuild(live_records())

    found = live_backend.search(SearchQuery("hydraulik"), viewer=ANYONE)
    assert found.hits[0].object_id == 12
    marked = {(item.field, part.text) for item in found.hits[0].highlights for part in item.parts if part.match}
    assert ("trade", "Hydraulik") in marked
    facets = {facet.name: {value.value: value.count for value in facet.values} for facet in found.facets}
    assert facets["trade"] == {"hydraulik": 1} and facets["kind"] == {"contractor": 1}

    missed = live_backend.search(SearchQuery("hydralk"), viewer=ANYONE)
    assert missed.total == 0 and missed.suggestion == "hydraulik"


@live
def test_live_alias_swap_and_incremental_writes(live_backend):
    first = live_backend.rebuild(live_records()[:2])
    second = live_backend.rebuild(live_records())
    aliases = live_backend.client.indices.get_alias(name=live_backend.alias).body
    assert set(aliases) == {second}
    assert not live_backend.client.indices.exists(index=first)

    live_backend.remove(["page:12", "page:404"])
    live_backend.index([contractor(21, title="Nowa Firma Elektryczna", trade="Elektryk")])
    live_backend.client.indices.refresh(index=live_backend.alias)
    indexed = live_backend.indexed_keys()
    assert set(indexed) == {"page:15", "page:21", "document:7", "document:8"}
    assert indexed["page:21"] == record_fingerprint(contractor(21, title="Nowa Firma Elektryczna", trade="Elektryk"))
