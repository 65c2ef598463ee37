"""What the list benchmarks share: interleaved timing against a floor, cold and warm caches,
query counts and a profile on demand.

Not a test module. Each benchmark builds its data, checks that GraphQL and its floor view
(the smallest hand-written Django view giving the same JSON, `floor_views.py`) answer
alike, then calls `compare`, which times both through Django's test client:

- **interleaved rounds**: `ROUNDS` rounds, each timing `REQUESTS` GraphQL requests and
  `REQUESTS` floor requests (which goes first alternates), so that a burst of load from
  elsewhere on the machine falls on both; the **median** of each side is reported, and
  their ratio (GraphQL time / floor time, 1.0 = as fast as hand-written JSON);
- **warm**: requests repeated as they come (whatever caches the code keeps, the shared
  response cache `cms.core.graphql.response_cache` included when it exists);
- **cold**: every cache emptied before each request, outside the timing: Django's
  caches (Wagtail's renditions and site roots, the response cache, rate limits) and the
  response cache's namespace when that module exists. Stored data (rendered image
  files and their rows) is not a cache and stays;
- **SQL queries** of one request of each side;
- optionally the **execution bound** (`bound_query=`): the time graphql-core alone takes
  to execute the same query over the floor's finished answer (a schema built from our SDL,
  no resolvers: every field read from a dict; in a fresh interpreter), added to the
  floor's time. No GraphQL
  server in Python can answer faster than it loads the data and lets graphql-core walk
  the fields, so `bound` (that sum over the floor's time) is the least ratio reachable.

Environment:
- `BENCHMARK_PROFILE=<n>`: also profile `n` GraphQL requests of each measured case and
  print the top entries (the `.prof` file is left in /tmp for snakeviz or pstats);
  `BENCHMARK_PROFILE_FLOOR=1` profiles the floor's requests too;
- `BENCHMARK_ROUNDS`, `BENCHMARK_REQUESTS`: rounds and requests per round per side
  (default 7 and 10).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from graphql import print_schema

ROUNDS = int(os.environ.get("BENCHMARK_ROUNDS", "7") or 7)
REQUESTS = int(os.environ.get("BENCHMARK_REQUESTS", "10") or 10)
PROFILE_REQUESTS = int(os.environ.get("BENCHMARK_PROFILE", "0") or 0)
PROFILE_FLOOR = os.environ.get("BENCHMARK_PROFILE_FLOOR", "") not in ("", "0")

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


def operation(name: str) -> str:
    """The text of `graphql/operations/<name>.graphql`: what the reference portal sends."""
    return (OPERATIONS / f"{name}.graphql").read_text()


def forget_caches() -> None:
    """Empty every cache a request may read: Django's caches, the response cache's
    entries (kept in Django's cache, under a namespace) and the site roots and denials a
    process remembers by content version. Validated documents stay: they are facts about the query text."""
    from cms.core.graphql import response_cache
    from cms.core.sites import forget_site_roots
    from cms.core.visibility import forget_denials

    for alias in caches:
        caches[alias].clear()
    response_cache.forget_everything()
    forget_site_roots()
    forget_denials()


def graphql(client: Client, query: str, variables: dict | None = None, operation_name: str | None = None):
    """A callable posting the operation as the portal does; it returns the response."""
    payload = {"query": query, "variables": variables or {}}
    if operation_name:
        payload["operationName"] = operation_name
    body = json.dumps(payload)

    def call():
        return client.post("/graphql", data=body, content_type="application/json")

    return call


def get(client: Client, url: str):
    def call():
        return client.get(url)

    return call


def answer(call) -> dict:
    response = call()
    assert response.status_code == 200, response.content[:500]
    data = response.json()
    assert not data.get("errors"), data["errors"]
    return data


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured.captured_queries)


def _timed(call, cold: bool) -> float:
    if cold:
        forget_caches()
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed


# Run in a fresh interpreter: graphql-core and nothing else, so that nothing of the test
# process (a test decorated with `override_settings`, for one, measurably slows this loop
# and not the requests) changes the figure.
_BARE_EXECUTION = """
import json, statistics, sys, time
from graphql import build_schema, execute, parse
job = json.load(open(sys.argv[1]))
schema = build_schema(job["sdl"])
document = parse(job["query"])

def read_answer_key(source, info, **arguments):
    return source[info.path.key]

def run():
    return execute(schema, document, root_value=job["data"], variable_values=job["variables"],
                   field_resolver=read_answer_key, is_awaitable=lambda value: False)

result = run()
assert not result.errors and result.data == job["data"], result.errors
times = []
for _ in range(job["runs"]):
    started = time.perf_counter()
    run()
    times.append(time.perf_counter() - started)
print(statistics.median(times) * 1000)
"""


def execution_ms(query: str, data: dict, variables: dict | None = None) -> float:
    """Median milliseconds graphql-core takes to execute `query` over `data` (an answer's
    `data`) in a schema built from our SDL without resolvers (every field is the answer's
    own key, nothing is awaitable), checked to give `data` back."""
    from cms.schema import schema

    job = {
        "sdl": print_schema(schema._schema),
        "query": query,
        "data": data,
        "variables": variables or {},
        "runs": ROUNDS * REQUESTS,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(job, file)
        file.flush()
        done = subprocess.run(
            [sys.executable, "-c", _BARE_EXECUTION, file.name], capture_output=True, text=True, check=True
        )
    return float(done.stdout.strip())


def compare(
    label: str,
    graphql_call: Callable,
    floor_call: Callable,
    *,
    cold: bool,
    bound_query: str | None = None,
    bound_variables: dict | None = None,
) -> dict:
    """Median time per request of each side over interleaved rounds, their ratio and the
    queries of one request of each (counted in the same state, cold or warm); with
    `bound_query`, also the execution bound (see the module's text)."""
    if cold:
        forget_caches()
    graphql_queries = queries(graphql_call)
    if cold:
        forget_caches()
    floor_queries = queries(floor_call)
    times: dict[str, list[float]] = {"graphql": [], "floor": []}
    sides = {"graphql": graphql_call, "floor": floor_call}
    for round_number in range(ROUNDS):
        order = ("graphql", "floor") if round_number % 2 == 0 else ("floor", "graphql")
        for side in order:
            times[side].extend(_timed(sides[side], cold) for _ in range(REQUESTS))
    graphql_ms = statistics.median(times["graphql"]) * 1000
    floor_ms = statistics.median(times["floor"]) * 1000
    result = {
        "graphql_ms": round(graphql_ms, 2),
        "floor_ms": round(floor_ms, 2),
        "ratio": round(graphql_ms / floor_ms, 2),
        "graphql_queries": graphql_queries,
        "floor_queries": floor_queries,
    }
    if bound_query is not None:
        execution = execution_ms(bound_query, answer(floor_call)["data"], bound_variables)
        result["execution_ms"] = round(execution, 2)
        result["bound"] = round((floor_ms + execution) / floor_ms, 2)
    if PROFILE_REQUESTS:
        profile(label, graphql_call, cold=cold)
        if PROFILE_FLOOR:
            profile(f"{label}, floor", floor_call, cold=cold)
    return result


def list_cases(
    operation_name: str, floor_url: str, viewers: dict[str, Client], variables: dict | None = None
) -> dict[str, tuple[Callable, Callable]]:
    """For each viewer, the stored operation's call (`first: 100`, or `variables`) and the
    floor's, checked to answer the same JSON."""
    query = operation(operation_name)
    variables = {"first": 100} if variables is None else variables
    cases = {viewer: (graphql(client, query, variables), get(client, floor_url)) for viewer, client in viewers.items()}
    for case, (graphql_call, floor_call) in cases.items():
        assert answer(graphql_call) == answer(floor_call), case
    return cases


def compare_warm_and_cold(
    title: str,
    cases: dict[str, tuple[Callable, Callable]],
    *,
    bound_query: str | None = None,
    bound_variables: dict | None = None,
    **facts,
) -> None:
    """`compare` each case warm, then cold, and `report` them as "<title> list"; with
    `bound_query` (the operation's text, and `bound_variables`), each row also has the
    execution bound (see the module's text)."""
    rows = {}
    for cold in (False, True):
        for case, (graphql_call, floor_call) in cases.items():
            label = f"{title}, {case}, {'cold' if cold else 'warm'}"
            rows[label] = compare(
                label,
                graphql_call,
                floor_call,
                cold=cold,
                bound_query=bound_query,
                bound_variables=bound_variables,
            )
    report(f"{title} list", rows, **facts)


def profile(label: str, call: Callable, *, cold: bool) -> None:
    """Profile `PROFILE_REQUESTS` requests (caches emptied before each, outside the
    profile, when cold) and print the top entries by own time and by cumulative time."""
    profiler = cProfile.Profile()
    for _ in range(PROFILE_REQUESTS):
        if cold:
            forget_caches()
        profiler.enable()
        call()
        profiler.disable()
    name = "".join(c if c.isalnum() else "_" for c in label)
    path = Path("/tmp") / f"benchmark_{connection.vendor}_{name}.prof"
    profiler.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(r"cms|operations|strawberry|graphql|wagtail|django/(db|core|http)", 50)
    print(f"\nprofile of {PROFILE_REQUESTS} GraphQL requests, {label} ({path}):\n{out.getvalue()}")


def report(title: str, rows: dict[str, dict], **facts) -> None:
    """Print the results as a table (and as JSON, for the record)."""
    facts = {"database": connection.vendor, "rounds": ROUNDS, "requests_per_round": REQUESTS, **facts}
    lines = [f"\n{title} ({', '.join(f'{k}: {v}' for k, v in facts.items())})"]
    bounded = any("bound" in row for row in rows.values())
    header = f"{'case':<34} {'graphql ms':>10} {'floor ms':>9} {'ratio':>6} {'queries gql/floor':>18}"
    lines.append(header + (f" {'exec ms':>8} {'bound':>6}" if bounded else ""))
    for case, row in rows.items():
        line = (
            f"{case:<34} {row['graphql_ms']:>10.2f} {row['floor_ms']:>9.2f} {row['ratio']:>6.2f}"
            f" {row['graphql_queries']:>11}/{row['floor_queries']}"
        )
        if "bound" in row:
            line += f" {row['execution_ms']:>8.2f} {row['bound']:>6.2f}"
        lines.append(line)
    print("\n".join(lines))
    print(json.dumps({"benchmark": title, **facts, "results": rows}))
