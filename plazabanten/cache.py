"""Redis cache that degrades to "no cache" while Redis is down, so pages and checkout keep working."""

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """One redis.Redis per connection pool instead of a new one for every cache call (Django builds one each time,
    ~0.3 ms of setting up its response callbacks, two or three times on every page). A Redis client is safe to share
    between threads: each command takes a connection from the pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

    def _fallback(self, name, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _DOWN:
            logger.warning("cache: Redis unavailable during %s; continuing without the cache", name)
            return default

    def get(self, key, default=None, version=None):
        return self._fallback("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._fallback("get_many", {}, keys, version)

    def set(self, key, value, timeout=None, version=None):
        return self._fallback("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._fallback("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._fallback("set_many", [], data, timeout, version)

    def delete(self, key, version=None):
        return self._fallback("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._fallback("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _DOWN:
            logger.warning("cache: Redis unavailable during incr; continuing without the cache")
            return delta

    def touch(self, key, timeout=None, version=None):
        return self._fallback("touch", False, key, timeout, version)

    def has_key(self, key, version=None):
        return self._fallback("has_key", False, key, version)


_kept: list[list[tuple[float, object]]] = []


def kept_in_process(seconds: float):
    """Decorator for a function without arguments: its answer is reused in this process for ``seconds``.
    ``forget()`` on the decorated function drops it at once, kept_clear() drops every one (the tests' fixture)."""

    def decorate(function):
        state = [(0.0, None)]  # (expires, answer), replaced as one tuple: another thread never sees half of it
        _kept.append(state)

        @wraps(function)
        def wrapped():
            expires, answer = state[0]
            if expires <= time.monotonic():
                answer = function()
                state[0] = (time.monotonic() + seconds, answer)
            return answer

        wrapped.forget = lambda: state.__setitem__(0, (0.0, None))
        return wrapped

    return decorate


def kept_clear() -> None:
    for state in _kept:
        state[0] = (0.0, None)


STOREFRONT_GENERATION_KEY = "storefront:generation"
# Every storefront request asks for the generation (its cache keys hold it): each worker process keeps it this long
# instead of a Redis round trip per request. A wholesale change reaches the other processes within this time, the
# process that made it at once.
GENERATION_LOCAL_SECONDS = 1


@kept_in_process(GENERATION_LOCAL_SECONDS)
def storefront_generation() -> int:
    """A number that changes whenever what the storefront may show changes wholesale (a shop suspended or
    reinstated, a product taken down or restored); storefront cache keys include it, so every cached page drops
    out at once."""
    from django.core.cache import cache

    return cache.get(STOREFRONT_GENERATION_KEY) or 0


def storefront_changed() -> None:
    from django.core.cache import cache

    if not cache.add(STOREFRONT_GENERATION_KEY, 1, None):
        cache.incr(STOREFRONT_GENERATION_KEY)
    storefront_generation.forget()
