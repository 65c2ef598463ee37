"""A bounded, thread-safe memo of facts a process may keep between requests, least
recently stored forgotten first (a key may come from a client: the memo never grows).

Facts about a query's text are keyed by `text_digest` of it and whatever else the fact
depends on, never by the text itself: a query may be megabytes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class BoundedMemo:
    def __init__(self, kept: int = 512):
        self._kept = kept
        self._facts: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            return self._facts.get(key)

    def put(self, key: Hashable, fact: object) -> None:
        with self._lock:
            self._facts[key] = fact
            while len(self._facts) > self._kept:
                self._facts.popitem(last=False)

    def get_or_compute(self, key: Hashable, compute: Callable[[], object]):
        fact = self.get(key)
        if fact is None:
            fact = compute()
            self.put(key, fact)
        return fact

    def clear(self) -> None:
        with self._lock:
            self._facts.clear()
