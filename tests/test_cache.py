import socket

from plazabanten.cache import ResilientRedisCache


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_down_redis_means_no_cache_not_an_error():
    cache = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0",
                                {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.incr("k") == 1
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("k") is False


def test_a_live_redis_caches(settings):
    cache = ResilientRedisCache(settings.CACHES["default"]["LOCATION"], {})
    cache.set("resilient-test", 42, 5)
    assert cache.get("resilient-test") == 42
    cache.delete("resilient-test")
