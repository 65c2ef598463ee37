"""Directory search at a large cooperative's scale, against a raw full-text query floor.

Run on purpose (PostgreSQL is the case the issue asks for):
`DATABASE_URL=postgres://... PYTEST_WORKERS=0 scripts/test.sh -m benchmark -s tests/benchmarks/test_search_scale.py`

The data (`search_data.py`): 10,000 firms in twenty trades and 20,000 documents in ten
buildings, Polish text from a fixed seed; 1 % of the firms and 10 % of the documents are
restricted to building A's audience. The search index is then built in one go
(`search.indexing.reindex_all()`, timed).

The queries (`SEARCHES`, `SUGGESTIONS`) are what residents type: trade names, inflected
forms, words without their diacritics, typos, firm names with legal forms, document
kinds with years, a few with facet filters, one that finds nothing (so the "did you
mean" path runs), and prefixes as typed into the box for suggestions. Each goes through
`search.selectors.search` (facets included, as the portal asks) or
`search.selectors.suggest` in this process, with the viewer's denial and the site's
root as the GraphQL resolvers pass them (worked out per request, from what the process
remembers), as the anonymous visitor and as a resident of building A (who may see the
restricted items). GraphQL itself is not in the figures.

The floor: the same text of every item in one table with a `tsvector` column and a GIN
index (`to_tsvector('simple', ...)`, queried with `plainto_tsquery('simple', q)`, the
twenty best by `ts_rank` and the count; a prefix `to_tsquery('simple', 'w:*')` for
suggestions, eight rows); on SQLite the same in an FTS5 table (`unicode61
remove_diacritics 2`, ranked by bm25). What the floor does not do, and the search does:
Polish lemmas, folding ł (and, on PostgreSQL, any diacritic), typos, facets, filters
(a filtered query's floor is its text alone), highlights, visibility. So it finds less
(its count is in the table), and the ratio search/floor says what all that costs over
the least a database can do for the same words.

Timing: after one pass that warms both sides (and checks what it may: the anonymous
visitor never gets a restricted item, the resident gets at least as many), `ROUNDS`
rounds time every query once per viewer on each side, the side that goes first
alternating by round, so that load from elsewhere on the machine falls on both. Per
query the median (the table's `total anon/A` is the search's count for each viewer,
`floor` the floor's count, `sql` the statements of one search as the resident, the
request's content version and groups included); per viewer and call the p50, p95 and
queries per second (one caller in one process: 1 / mean time). Nothing about speed is
asserted.

Environment:
- `SEARCH_BENCH_SCALE`: a factor on the sizes (default 1 on PostgreSQL: 10,000 and
  20,000; 0.1 on SQLite); `SEARCH_BENCH_SCALE=0.05` for a quick run;
- `SEARCH_BENCH_ROUNDS`: timed rounds (default 5);
- `BENCHMARK_PROFILE=<n>`: also profile the index build and `n` passes of every search
  and suggestion as the resident, and print the top entries (the `.prof` files are left
  in /tmp);
- `SEARCH_BENCH_EXPLAIN=<query>,<query>`: on PostgreSQL, print `EXPLAIN (ANALYZE,
  BUFFERS)` of every statement the search of each of these texts runs (as the resident).
"""

from __future__ import annotations

import cProfile
import io
import json
import math
import os
import pstats
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cms.core.sites import site_root_of
from cms.core.visibility import denial_for_request, denial_of
from search.backends.base import KINDS, SearchQuery
from tests.benchmarks import search_data

pytestmark = [pytest.mark.benchmark, pytest.mark.django_db]

FULL_CONTRACTORS = 10_000
FULL_DOCUMENTS = 20_000
ROUNDS = int(os.environ.get("SEARCH_BENCH_ROUNDS", "5") or 5)
PROFILE_PASSES = int(os.environ.get("BENCHMARK_PROFILE", "0") or 0)
EXPLAIN = [text for text in os.environ.get("SEARCH_BENCH_EXPLAIN", "").split(",") if text.strip()]


def _scale() -> float:
    given = os.environ.get("SEARCH_BENCH_SCALE", "")
    if given:
        return float(given)
    return 1.0 if connection.vendor == "postgresql" else 0.1


@dataclass(frozen=True)
class Case:
    label: str  # what the query exercises
    text: str
    kinds: frozenset[str] = frozenset(KINDS)
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.text} [{self.label}]"


# What residents type into the box. Filters name facet values as the index stores them;
# "{building_a}" is replaced by building A's id.
SEARCHES = [
    Case("trade", "hydraulik"),
    Case("trade", "elektryk"),
    Case("trade, two words", "konserwator dźwigów"),
    Case("inflected", "hydraulika"),
    Case("inflected", "dachami"),
    Case("inflected", "remontów łazienek"),
    Case("inflected", "instalacji gazowej"),
    Case("inflected place", "Żoliborzu"),
    Case("no diacritics", "slusarz"),
    Case("no diacritics", "laczbud"),
    Case("no diacritics", "zolkiewski"),
    Case("no diacritics", "sprzatanie klatek schodowych"),
    Case("no diacritics", "dzwig"),
    Case("typo", "hydraulka"),
    Case("typo", "elektyk"),
    Case("typo", "spoldzelnia"),
    Case("typo", "domofny"),
    Case("typo", "kominiaż"),
    Case("firm, legal form", "Łączbud sp. z o.o."),
    Case("firm", "Hydro-Serwis"),
    Case("firm", "Zakład Hydrauliczny Kowalski"),
    Case("firm", "Kowalski i Synowie"),
    Case("document, year", "sprawozdanie finansowe 2023"),
    Case("document, year", "regulamin 2021"),
    Case("document, year", "uchwała 2019"),
    Case("document", "protokół rady nadzorczej"),
    Case("document", "wniosek o wymianę wodomierza"),
    Case("document, building", "przegląd instalacji gazowej budynek C"),
    Case("PDF text", "rachunek zysków i strat"),
    Case("inflected", "termomodernizacja"),
    Case("area", "Bemowo"),
    Case("service", "odśnieżanie"),
    Case("filter: area", "hydraulik", frozenset({"contractor"}), {"area": ("Bemowo",)}),
    Case("filter: year", "regulamin", frozenset({"document"}), {"year": ("2024",)}),
    Case("filter: building", "protokół", frozenset({"document"}), {"building": ("{building_a}",)}),
    Case("nothing found", "xylofon kwantowy"),
]

SUGGESTIONS = ["hyd", "ele", "łą", "lacz", "reg", "spraw", "kom", "konserwator dź"]


class Floor:
    """The raw full-text query over the same text (see the module's text)."""

    def __init__(self, rows: dict[tuple[str, int], str]):
        self.vendor = connection.vendor
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "CREATE TABLE bench_search_floor (kind varchar(20), object_id integer, body tsvector NOT NULL)"
                )
                cursor.executemany(
                    "INSERT INTO bench_search_floor VALUES (%s, %s, to_tsvector('simple', %s))",
                    [(kind, pk, text) for (kind, pk), text in rows.items()],
                )
                cursor.execute("CREATE INDEX bench_search_floor_body ON bench_search_floor USING gin (body)")
                cursor.execute("ANALYZE bench_search_floor")
            else:
                cursor.execute(
                    "CREATE VIRTUAL TABLE bench_search_floor USING fts5"
                    "(kind UNINDEXED, object_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
                )
                cursor.executemany(
                    "INSERT INTO bench_search_floor (kind, object_id, body) VALUES (%s, %s, %s)",
                    [(kind, pk, text) for (kind, pk), text in rows.items()],
                )

    @staticmethod
    def _words(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    def search(self, text: str) -> tuple[list[tuple[str, int]], int]:
        """The twenty best rows and the count."""
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT kind, object_id FROM bench_search_floor, plainto_tsquery('simple', %s) q"
                    " WHERE body @@ q ORDER BY ts_rank(body, q) DESC, object_id LIMIT 20",
                    [text],
                )
                hits = cursor.fetchall()
                cursor.execute(
                    "SELECT count(*) FROM bench_search_floor WHERE body @@ plainto_tsquery('simple', %s)", [text]
                )
                return hits, cursor.fetchone()[0]
            words = self._words(text)
            if not words:
                return [], 0
            match = " ".join(f'"{word}"' for word in words)
            cursor.execute(
                "SELECT kind, object_id FROM bench_search_floor WHERE bench_search_floor MATCH %s"
                " ORDER BY rank LIMIT 20",
                [match],
            )
            hits = cursor.fetchall()
            cursor.execute("SELECT count(*) FROM bench_search_floor WHERE bench_search_floor MATCH %s", [match])
            return hits, cursor.fetchone()[0]

    def suggest(self, prefix: str) -> list[tuple[str, int]]:
        """Eight rows holding every word of `prefix`, the last one as a prefix."""
        words = self._words(prefix)
        if not words:
            return []
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                query = " & ".join(words[:-1] + [f"{words[-1]}:*"])
                cursor.execute(
                    "SELECT kind, object_id FROM bench_search_floor WHERE body @@ to_tsquery('simple', %s) LIMIT 8",
                    [query],
                )
            else:
                match = " ".join([f'"{word}"' for word in words[:-1]] + [f'"{words[-1]}"*'])
                cursor.execute(
                    "SELECT kind, object_id FROM bench_search_floor WHERE bench_search_floor MATCH %s LIMIT 8",
                    [match],
                )
            return cursor.fetchall()


def _percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _timed(call: Callable) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _index_size() -> str:
    if connection.vendor != "postgresql":
        return "n/a"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " WHERE c.relkind = 'r' AND c.relname LIKE 'directory_search_%'"
        )
        total = cursor.fetchone()[0]
        cursor.execute("SELECT pg_total_relation_size('bench_search_floor')")
        floor = cursor.fetchone()[0]
    return f"{total / 2**20:.0f} MB (floor table {floor / 2**20:.0f} MB)"


def _row_counts() -> dict[str, int]:
    from search.models import SearchEntry, SearchFacetValue, SearchTerm, SearchVocabulary

    return {
        "entries": SearchEntry.objects.count(),
        "terms": SearchTerm.objects.count(),
        "facet values": SearchFacetValue.objects.count(),
        "vocabulary": SearchVocabulary.objects.count(),
    }


def _as_a_request(user) -> tuple[object, str]:
    """The viewer's denial and the site's root as the GraphQL resolvers pass them: read
    once per request (`cms.core.visibility.denial_for_request`, which a process
    remembers by content version, so a request pays the version's query and the
    viewer's groups), here for a new request each time."""
    request = RequestFactory().post("/graphql")
    request.user = user
    return denial_for_request(request), site_root_of(request)[0]


def _print_profile(profiler: cProfile.Profile, title: str, name: str) -> None:
    path = Path("/tmp") / f"benchmark_{connection.vendor}_search_scale_{name}.prof"
    profiler.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(r"search|cms|modelsearch|wagtail|django/db", 50)
    print(f"\nprofile of the {title} ({path}):\n{out.getvalue()}")


def _profile(calls: list[Callable]) -> None:
    profiler = cProfile.Profile()
    for _ in range(PROFILE_PASSES):
        for call in calls:
            profiler.enable()
            call()
            profiler.disable()
    _print_profile(profiler, f"{PROFILE_PASSES} passes of every search and suggestion, resident", "queries")


def _explain(call: Callable, text: str) -> None:
    """The plan and timing of every statement one search runs, as PostgreSQL executed them."""
    with CaptureQueriesContext(connection) as captured:
        call()
    print(f"\nEXPLAIN of the search {text!r} ({len(captured.captured_queries)} statements):")
    with connection.cursor() as cursor:
        for number, executed in enumerate(captured.captured_queries, start=1):
            if not executed["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + executed["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n-- statement {number} ({float(executed['time']) * 1000:.1f} ms):\n{executed['sql']}\n{plan}")


def test_search_at_scale_against_full_text_floor():
    from search import indexing, selectors

    scale = _scale()
    contractors, documents = round(FULL_CONTRACTORS * scale), round(FULL_DOCUMENTS * scale)
    facts: dict[str, object] = {"database": connection.vendor, "contractors": contractors, "documents": documents}

    started = time.perf_counter()
    data = search_data.build(contractors=contractors, documents=documents)
    facts["data_s"] = round(time.perf_counter() - started, 1)

    profiler = cProfile.Profile() if PROFILE_PASSES else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    indexing.reindex_all()
    if profiler:
        profiler.disable()
    facts["index_build_s"] = round(time.perf_counter() - started, 1)
    if profiler:
        _print_profile(profiler, "index build", "index_build")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after a rebuild in production: the planner sees the
            # index's real size, not the empty tables of the migration.
            cursor.execute("ANALYZE")
    facts["index_rows"] = _row_counts()

    started = time.perf_counter()
    floor = Floor(data.floor_text)
    facts["floor_build_s"] = round(time.perf_counter() - started, 1)
    facts["index_size"] = _index_size()

    viewers = {"anonymous": AnonymousUser(), "resident of A": data.people.resident_a}
    building_a = str(data.people.building_a.pk)
    cases = [
        Case(
            c.label,
            c.text,
            c.kinds,
            {name: tuple(v.format(building_a=building_a) for v in values) for name, values in c.filters.items()},
        )
        for c in SEARCHES
    ]

    def search_call(case: Case, user) -> Callable:
        query = SearchQuery(text=case.text, kinds=case.kinds, filters=case.filters)

        def call():
            denial, within = _as_a_request(user)
            return selectors.search(query, user=user, denial=denial, within=within)

        return call

    def suggest_call(prefix: str, user) -> Callable:
        def call():
            denial, within = _as_a_request(user)
            return selectors.suggest(prefix, user=user, denial=denial, within=within)

        return call

    # The first search after the rebuild, with nothing remembered yet: timed on its own.
    started = time.perf_counter()
    selectors.search(SearchQuery(text="hydraulik"), user=viewers["anonymous"])
    facts["first_query_ms"] = round((time.perf_counter() - started) * 1000, 1)
    # What a caller that passes no denial pays on every search for working it out (the
    # resolvers pass the request's, remembered by content version).
    facts["denial_of_ms"] = round(
        statistics.median(_timed(lambda: denial_of(data.people.resident_a)) for _ in range(20)) * 1000, 1
    )

    # The warm-up pass, which also checks what a benchmark may check of the answers.
    restricted = {("document", pk) for pk in data.restricted_document_ids} | {
        ("contractor", pk) for pk in data.restricted_contractor_ids
    }
    totals: dict[tuple[str, str], int] = {}
    floor_totals: dict[str, int] = {}
    sql_queries: dict[str, int] = {}
    for viewer, user in viewers.items():
        for case in cases:
            with CaptureQueriesContext(connection) as captured:
                results = search_call(case, user)()
            if viewer == "resident of A":
                sql_queries[case.key] = len(captured.captured_queries)
            totals[(viewer, case.key)] = results.total
            seen = {(hit.kind, hit.object_id) for hit in results.hits}
            if viewer == "anonymous":
                assert not seen & restricted, f"restricted items in the anonymous results of {case.text!r}"
            floor_totals[case.key] = floor.search(case.text)[1]
        for prefix in SUGGESTIONS:
            with CaptureQueriesContext(connection) as captured:
                suggestions = suggest_call(prefix, user)()
            if viewer == "resident of A":
                sql_queries[prefix] = len(captured.captured_queries)
            totals[(viewer, prefix)] = len(suggestions)
            if viewer == "anonymous":
                assert not {(s.kind, s.object_id) for s in suggestions} & restricted, prefix
            floor.suggest(prefix)
    for case in cases:
        assert totals[("resident of A", case.key)] >= totals[("anonymous", case.key)], case.key
    assert all(totals[("anonymous", case.key)] > 0 for case in cases if case.label.startswith("trade")), totals
    assert any(totals[("resident of A", case.key)] > totals[("anonymous", case.key)] for case in cases), totals

    # (viewer, "search" | "suggest", text) -> {"search": [...], "floor": [...]}
    samples: dict[tuple[str, str, str], dict[str, list[float]]] = {}
    for round_number in range(ROUNDS):
        order = ("search", "floor") if round_number % 2 == 0 else ("floor", "search")
        for viewer, user in viewers.items():
            for case in cases:
                sides = {"search": search_call(case, user), "floor": lambda text=case.text: floor.search(text)}
                times = samples.setdefault((viewer, "search", case.key), {"search": [], "floor": []})
                for side in order:
                    times[side].append(_timed(sides[side]))
            for prefix in SUGGESTIONS:
                sides = {"search": suggest_call(prefix, user), "floor": lambda prefix=prefix: floor.suggest(prefix)}
                times = samples.setdefault((viewer, "suggest", prefix), {"search": [], "floor": []})
                for side in order:
                    times[side].append(_timed(sides[side]))

    _report(facts, cases, viewers, samples, totals, floor_totals, sql_queries)
    if PROFILE_PASSES:
        user = viewers["resident of A"]
        _profile([search_call(case, user) for case in cases] + [suggest_call(p, user) for p in SUGGESTIONS])
    if EXPLAIN and connection.vendor == "postgresql":
        for text in EXPLAIN:
            _explain(search_call(Case("explained", text.strip()), viewers["resident of A"]), text.strip())


def _report(facts, cases, viewers, samples, totals, floor_totals, sql_queries) -> None:
    ms = 1000
    print(
        f"\nsearch at scale ({', '.join(f'{k}: {v}' for k, v in facts.items() if k != 'index_rows')};"
        f" rounds: {ROUNDS})\nindex rows: {facts['index_rows']}"
    )
    print(
        f"\n{'query':<38} {'kind of query':<18} {'total anon/A':>13} {'floor':>6} {'sql':>4}"
        f" {'anon ms':>8} {'A ms':>8} {'floor ms':>9} {'ratio':>6}"
    )
    rows = [("search", case.key, case.text, case.label, floor_totals[case.key]) for case in cases]
    rows += [("suggest", prefix, prefix, "suggest (prefix)", None) for prefix in SUGGESTIONS]
    for call, key, text, label, floor_total in rows:
        anonymous = samples[("anonymous", call, key)]
        resident = samples[("resident of A", call, key)]
        floor_ms = statistics.median(anonymous["floor"] + resident["floor"]) * ms
        anon_ms = statistics.median(anonymous["search"]) * ms
        res_ms = statistics.median(resident["search"]) * ms
        both = f"{totals[('anonymous', key)]}/{totals[('resident of A', key)]}"
        print(
            f"{text[:38]:<38} {label[:18]:<18} {both:>13} {'' if floor_total is None else floor_total:>6}"
            f" {sql_queries[key]:>4} {anon_ms:>8.1f} {res_ms:>8.1f} {floor_ms:>9.2f}"
            f" {max(anon_ms, res_ms) / floor_ms:>6.1f}"
        )

    summary = {}
    print(
        f"\n{'viewer':<15} {'call':<8} {'n':>4} {'qps':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        f" {'floor qps':>10} {'floor p50':>10} {'floor p95':>10} {'p50 ratio':>10} {'p95 ratio':>10}"
    )
    for viewer in viewers:
        for call in ("search", "suggest"):
            measured = [t for (v, c, _), sides in samples.items() if (v, c) == (viewer, call) for t in sides["search"]]
            floor = [t for (v, c, _), sides in samples.items() if (v, c) == (viewer, call) for t in sides["floor"]]
            row = {
                "n": len(measured),
                "qps": round(len(measured) / sum(measured), 1),
                "p50_ms": round(_percentile(measured, 0.5) * ms, 2),
                "p95_ms": round(_percentile(measured, 0.95) * ms, 2),
                "max_ms": round(max(measured) * ms, 2),
                "floor_qps": round(len(floor) / sum(floor), 1),
                "floor_p50_ms": round(_percentile(floor, 0.5) * ms, 3),
                "floor_p95_ms": round(_percentile(floor, 0.95) * ms, 3),
            }
            row["p50_ratio"] = round(row["p50_ms"] / row["floor_p50_ms"], 1)
            row["p95_ratio"] = round(row["p95_ms"] / row["floor_p95_ms"], 1)
            summary[f"{viewer}, {call}"] = row
            print(
                f"{viewer:<15} {call:<8} {row['n']:>4} {row['qps']:>7.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f}"
                f" {row['max_ms']:>8.1f} {row['floor_qps']:>10.1f} {row['floor_p50_ms']:>10.2f}"
                f" {row['floor_p95_ms']:>10.2f} {row['p50_ratio']:>10.1f} {row['p95_ratio']:>10.1f}"
            )
    print(
        json.dumps({"benchmark": "search at scale", **facts, "rounds": ROUNDS, "results": summary}, ensure_ascii=False)
    )
