"""The timing loop of both workers, the hub's (`../ours_worker.py`) and grapple's
(`worker.py`): standard library only, since each runs in its own venv.

Prints "ready", then answers the driver's commands on stdin, one per line: `<side> <n>`
(add `cold` to forget the caches before each request) makes n requests through the
worker's `calls[side]` and prints their durations in seconds as JSON.
"""

import json
import sys
import time


def serve(calls: dict, forget_caches) -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cold = "cold" in words
        side, count = words[0], int(words[-1])
        durations = []
        for _ in range(count):
            if cold:
                forget_caches()
            started = time.perf_counter()
            response = calls[side]()
            durations.append(time.perf_counter() - started)
            assert response.status_code == 200
        print(json.dumps(durations), flush=True)
