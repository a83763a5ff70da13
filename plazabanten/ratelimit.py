"""A fixed-window rate limit in the cache; with the cache down it lets requests through (fail open)."""

from django.core.cache import cache


def rate_limit_exceeded(*, key: str, limit: int, window_seconds: int) -> bool:
    cache_key = f"rl:{key}"
    cache.add(cache_key, 0, window_seconds)
    try:
        return cache.incr(cache_key) > limit
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window_seconds)
        return False
