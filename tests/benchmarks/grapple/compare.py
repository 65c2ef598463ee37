"""The news list through wagtail-grapple against the hub's, on the same machine, in one run.

    .venv/bin/python tests/benchmarks/grapple/compare.py [--rounds 7] [--requests 10]

Not part of the project's dependencies: grapple goes into a throwaway venv under /tmp
(`GRAPPLE_VENV`, default /tmp/grapple-venv) with the same Wagtail, next to a minimal
project (`project/`: the hub's news item with grapple's field declarations, and the
same hand-written floor view) copied to `GRAPPLE_BENCH_DIR` (default /tmp/grapple-bench).
Two workers, one per venv, each build 100 news items with a lead image (every size
rendered) and wait for commands; the driver alternates rounds between them (so a burst of
load elsewhere falls on both) and times, through Django's test client in each worker:
the same fields of 100 items (text, lead image size, the CARD crop and a `srcset` of
three widths) through grapple's `pages` query and through the hub's `news`, and each
project's floor view. Warm (repeated) and cold (caches emptied before each request).
Reports medians, each side's ratio to its own floor and the hub's throughput as a
multiple of grapple's. Everything under /tmp stays for a second run (delete it to start
afresh).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
VENV = Path(os.environ.get("GRAPPLE_VENV", "/tmp/grapple-venv"))
BENCH = Path(os.environ.get("GRAPPLE_BENCH_DIR", "/tmp/grapple-bench"))
# Grapple's newest release and the hub's own Wagtail and Django (requirements.txt).
PINS = ["wagtail-grapple==0.31.0", "wagtail==8.0.1", "Django==5.2.19"]


def _venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS], check=True)
    return python


class Worker:
    def __init__(self, name: str, command: list[str], env: dict, cwd: Path):
        self.name = name
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        for line in self.process.stdout:
            if line.strip() == "ready":
                return
        raise RuntimeError(f"the {name} worker stopped before it was ready")

    def times(self, side: str, count: int, cold: bool) -> list[float]:
        self.process.stdin.write(f"{side} {'cold ' if cold else ''}{count}\n")
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()

    grapple_python = _venv()
    project = BENCH / "project"
    BENCH.mkdir(parents=True, exist_ok=True)
    shutil.copytree(HERE / "project", project, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    base_env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    grapple_env = {**base_env, "GRAPPLE_BENCH_DIR": str(BENCH)}
    ours_env = {
        **{k: v for k, v in base_env.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")},
        "DATABASE_URL": f"sqlite:///{BENCH / 'hub.sqlite3'}",
        "TEST_MEDIA_ROOT": str(BENCH / "hub-media"),
    }
    (BENCH / "hub.sqlite3").unlink(missing_ok=True)
    shutil.rmtree(BENCH / "hub-media", ignore_errors=True)
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}", flush=True)
    workers = {
        "grapple": Worker("grapple", [str(grapple_python), "worker.py"], grapple_env, project),
        "hub": Worker("hub", [sys.executable, str(HERE / "ours_worker.py")], ours_env, ROOT),
    }
    try:
        results = {}
        for cold in (False, True):
            samples = {(w, s): [] for w in workers for s in ("graphql", "floor")}
            for round_number in range(args.rounds):
                order = list(samples) if round_number % 2 == 0 else list(reversed(samples))
                for worker, side in order:
                    samples[(worker, side)] += workers[worker].times(side, args.requests, cold)
            medians = {key: statistics.median(values) * 1000 for key, values in samples.items()}
            state = "cold" if cold else "warm"
            for worker in workers:
                results[f"{worker}, {state}"] = {
                    "graphql_ms": round(medians[(worker, "graphql")], 2),
                    "floor_ms": round(medians[(worker, "floor")], 2),
                    "ratio_to_own_floor": round(medians[(worker, "graphql")] / medians[(worker, "floor")], 2),
                }
            results[f"hub throughput / grapple throughput, {state}"] = round(
                medians[("grapple", "graphql")] / medians[("hub", "graphql")], 2
            )
    finally:
        for worker in workers.values():
            worker.close()
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
