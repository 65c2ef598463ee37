"""Load benchmark: the news list under concurrent requests, GraphQL against the floor view,
on gunicorn with PostgreSQL and Redis, on the loopback.

    .venv/bin/python -m tests.benchmarks.load            # 10 s per cell, concurrency 1, 8, 32
    .venv/bin/python -m tests.benchmarks.load --seconds 5 --concurrency 1,8

What it does, all of it undone at the end (even on failure or Ctrl-C):
1. creates a throwaway PostgreSQL database `hub_load_<pid>` on the server of
   `--database-url` (default: DATABASE_URL's server, else postgres://postgres@127.0.0.1:5432)
   and a media folder under /tmp; migrates;
2. loads demo-like content through Wagtail and the services (`content_data.py`): 110 news
   items with a lead image each (every size rendered on upload), 10 of them for building
   A's audience only, 5 images in a collection for building A, 5 current outage alerts;
   a resident of building A with a session;
3. starts gunicorn (`--workers`, default 2, sync workers) on 127.0.0.1 with the
   benchmark's settings (`load_settings.py`: production's, plus the floor views, which
   only this server and the in-process benchmarks can reach), Redis at `--redis-url`
   (default REDIS_URL, else redis://127.0.0.1:6379/1) under a key prefix of its own;
4. checks that GraphQL and the floor answer the same JSON for both viewers, warms up, and
   then, for each concurrency, runs each of four cells for `--seconds`: the anonymous
   visitor's and the resident's news list (the portal's `News` operation, 100 items with
   lead image and `srcset`), through GraphQL and through the floor view. The client is
   Python threads with one `http.client` connection per request (gunicorn's sync workers
   close each connection), each thread sending its next request as soon as the last is
   answered. A cell reports requests per second, p50/p95/p99 latency and errors (a
   status other than 200, an `errors` entry in a GraphQL answer, a failed connection);
5. prints the table, with GraphQL's throughput as a share of the floor's per viewer and
   concurrency, and the same as JSON.

Speed depends on the machine: the client shares the cores with the server, so check
`uptime` first and measure on a quiet machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
NEWS_QUERY = (ROOT / "graphql" / "operations" / "News.graphql").read_text()
CSRF_TOKEN = "loadbenchmarkcsrftoken0123456789"  # 32 characters: a valid unmasked secret


# --- The server's side: building the data (run in a subprocess with the load settings) ---------


def build() -> None:
    """Load the content into the (migrated) database and print the resident's session."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from tests.benchmarks import content_data
    from tests.factories import content as f

    tree = f.build_site_tree()
    people = content_data.build_people()
    content_data.build_news(tree, people)
    client = Client()
    client.force_login(people.resident_a)
    print(json.dumps({"session": client.cookies[settings.SESSION_COOKIE_NAME].value}))


# --- The client ----------------------------------------------------------------------------------


class Endpoint:
    def __init__(self, name: str, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
        self.name, self.method, self.path, self.body = name, method, path, body
        self.headers = {"Host": "127.0.0.1", "Connection": "close", **(headers or {})}
        self.graphql = path == "/graphql"

    def call(self, port: int) -> tuple[bool, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(self.method, self.path, body=self.body, headers=self.headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        ok = response.status == 200 and not (self.graphql and b'"errors":' in body)
        return ok, body


def endpoints(session: str) -> dict[str, Endpoint]:
    graphql_body = json.dumps({"query": NEWS_QUERY, "operationName": "News", "variables": {"first": 100}}).encode()
    json_headers = {"Content-Type": "application/json"}
    resident_cookie = {"Cookie": f"sessionid={session}; csrftoken={CSRF_TOKEN}"}
    return {
        "anonymous, floor": Endpoint("anonymous, floor", "GET", "/floor/news"),
        "anonymous, graphql": Endpoint(
            "anonymous, graphql", "POST", "/graphql", body=graphql_body, headers=json_headers
        ),
        "resident, floor": Endpoint("resident, floor", "GET", "/floor/news", headers=resident_cookie),
        "resident, graphql": Endpoint(
            "resident, graphql",
            "POST",
            "/graphql",
            body=graphql_body,
            headers={**json_headers, **resident_cookie, "X-CSRFToken": CSRF_TOKEN},
        ),
    }


def run_cell(endpoint: Endpoint, port: int, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]
    finished: list[float] = []

    def worker():
        mine, my_errors = [], []
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                ok, body = endpoint.call(port)
            except OSError as error:
                ok, body = False, repr(error).encode()
            mine.append(time.perf_counter() - began)
            if not ok:
                my_errors.append(body[:200].decode("utf-8", "replace"))
        with lock:
            latencies.extend(mine)
            errors.extend(my_errors)
            finished.append(time.perf_counter())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = max(finished) - began
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {
        "endpoint": endpoint.name,
        "concurrency": concurrency,
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


# --- Orchestration -------------------------------------------------------------------------------


def _server_url(url: str) -> str:
    """postgres://user@host:port (the server, without a database name)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _admin(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _print_table(rows: list[dict], workers: int, seconds: float) -> None:
    print(
        f"\nload benchmark: news list, 100 items, gunicorn {workers} sync workers, PostgreSQL + Redis,"
        f" {seconds:g} s/cell"
    )
    header = ("endpoint", "conc", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"{header[0]:<20} " + " ".join(f"{h:>{w}}" for h, w in zip(header[1:], (4, 8, 7, 8, 8, 8, 6), strict=True)))
    for row in rows:
        print(
            f"{row['endpoint']:<20} {row['concurrency']:>4} {row['requests']:>8} {row['requests_per_second']:>7.1f}"
            f" {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['errors']:>6}"
        )
    by_cell = {(row["endpoint"], row["concurrency"]): row for row in rows}
    print("\nGraphQL throughput as a share of the floor's:")
    for viewer in ("anonymous", "resident"):
        for concurrency in sorted({row["concurrency"] for row in rows}):
            graphql, floor = by_cell[(f"{viewer}, graphql", concurrency)], by_cell[(f"{viewer}, floor", concurrency)]
            share = graphql["requests_per_second"] / floor["requests_per_second"] if floor["requests_per_second"] else 0
            print(f"  {viewer:<10} concurrency {concurrency:>2}: {share:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "build"))
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each cell (default 10)")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated (default 1,8,32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"))
    args = parser.parse_args(argv)
    if args.command == "build":
        build()
        return 0

    run_id = f"{os.getpid()}_{secrets.token_hex(3)}"
    database = f"hub_load_{run_id}"
    server_url = _server_url(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="hub-load-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.benchmarks.load_settings",
        DATABASE_URL=f"{server_url}/{database}",
        REDIS_URL=args.redis_url,
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOAD_BENCHMARK_CACHE_PREFIX=f"hub-load-{run_id}",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    python = sys.executable
    concurrencies = [int(c) for c in args.concurrency.split(",") if c.strip()]
    print(f"load average before: {_load_average()}; database {database}; media {workdir}", flush=True)
    _admin(server_url, f'CREATE DATABASE "{database}"')
    server = None
    try:
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        built = subprocess.run(
            [python, "-m", "tests.benchmarks.load", "build"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        session = json.loads(built.stdout.strip().splitlines()[-1])["session"]
        port = _free_port()
        server = subprocess.Popen(
            [
                python, "-m", "gunicorn", "cms.wsgi:application",
                "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
                "--log-level", "warning", "--timeout", "120",
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        _wait_until_up(port, server)
        cells = endpoints(session)
        for viewer in ("anonymous", "resident"):
            graphql_ok, graphql_body = cells[f"{viewer}, graphql"].call(port)
            floor_ok, floor_body = cells[f"{viewer}, floor"].call(port)
            if not (graphql_ok and floor_ok) or json.loads(graphql_body) != json.loads(floor_body):
                raise RuntimeError(f"GraphQL and the floor disagree for the {viewer} viewer: {graphql_body[:300]!r}")
        for endpoint in cells.values():  # warm up every worker
            for _ in range(4 * args.workers):
                endpoint.call(port)
        rows = []
        for index, concurrency in enumerate(concurrencies):
            for viewer in ("anonymous", "resident"):
                sides = ("floor", "graphql") if index % 2 == 0 else ("graphql", "floor")
                for side in sides:
                    row = run_cell(cells[f"{viewer}, {side}"], port, concurrency, args.seconds)
                    print(json.dumps(row), flush=True)
                    rows.append(row)
        rows.sort(key=lambda row: (row["concurrency"], row["endpoint"]))
        _print_table(rows, args.workers, args.seconds)
        print(f"\nload average after: {_load_average()}")
        print(json.dumps({"benchmark": "load", "workers": args.workers, "seconds": args.seconds, "results": rows}))
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        _admin(server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
