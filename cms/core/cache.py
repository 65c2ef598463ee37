"""A Redis cache that an outage degrades instead of failing requests, and the one shared
counter that rate limits count with.

Production puts the broker and the cache on Redis, often the same server. The outbox
survives a broker outage; the cache must not turn the same outage into server errors,
because Wagtail (renditions, site roots) and our rate limits read it on ordinary
requests. So, while Redis cannot be reached:

- plain cache operations behave as an empty cache: reads miss, writes are dropped;
- `add` and `incr` (the operations whose answer someone acts on: a claim, a counter)
  raise `CacheUnavailable`, so that each caller decides what "unknown" means for it
  (`counter_incr` answers None; a rate limit then lets the request through);
- after a failure the cache is not tried again for `RETRY_SECONDS`, so an address that
  does not answer costs one timeout every few seconds, not one per operation; the
  outage is logged once each time it starts.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# When each cache location may be tried again, shared by the threads of a process
# (Django makes one backend object per thread).
_down_until: dict[str, float] = {}


class CacheUnavailable(Exception):
    """The cache could not be reached, so a claim or a count has no answer."""


class DegradingRedisCache(RedisCache):
    """Django's RedisCache, except that an unreachable server degrades as described above."""

    def _location(self) -> str:
        return ",".join(self._servers)

    def _attempt(self, operation, *args, **kwargs):
        location = self._location()
        if _down_until.get(location, 0.0) > time.monotonic():
            raise CacheUnavailable(location)
        try:
            result = operation(*args, **kwargs)
        except UNREACHABLE as error:
            if location not in _down_until:
                logger.warning("Cache %s unreachable (%s); serving without it.", location, error)
            _down_until[location] = time.monotonic() + RETRY_SECONDS
            raise CacheUnavailable(location) from error
        if _down_until.pop(location, None) is not None:
            logger.warning("Cache %s reachable again.", location)
        return result

    def _or(self, fallback, operation, *args, **kwargs):
        try:
            return self._attempt(operation, *args, **kwargs)
        except CacheUnavailable:
            return fallback

    # Claims and counters: the caller must know that there is no answer.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().add, key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._attempt(super().incr, key, delta, version)

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().get_or_set(key, default, timeout, version)
        except CacheUnavailable:
            return default() if callable(default) else default

    # Plain caching: an unreachable cache is an empty one.
    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that failed to be stored.
        return self._or(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._or(None, super().delete_many, keys, version)

    def clear(self):
        return self._or(False, super().clear)


def counter_incr(key: str, *, amount: int = 1, timeout: int) -> int | None:
    """Add `amount` to the counter `key` (created with `timeout` seconds to live) and
    return its new value; None when the cache cannot be reached, for the caller to
    decide what an unknown count allows."""
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key, amount)
        except ValueError:  # the key expired between add and incr
            cache.set(key, amount, timeout=timeout)
            return amount
    except CacheUnavailable:
        return None
