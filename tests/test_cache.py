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
    assert cache.delete_many(["a", "b"]) is None  # a product page forgotten while Redis is down (checkout)


def test_a_live_redis_caches(settings):
    cache = ResilientRedisCache(settings.CACHES["default"]["LOCATION"], {})
    cache.set("resilient-test", 42, 5)
    assert cache.get("resilient-test") == 42
    cache.delete("resilient-test")


def test_cache_calls_share_one_redis_client_per_pool_across_threads(settings):
    import threading

    cache = ResilientRedisCache(settings.CACHES["default"]["LOCATION"], {})
    clients, errors = [], []

    def use():
        try:
            for n in range(50):
                cache.set(f"shared-{threading.get_ident()}-{n}", n, 5)
                assert cache.get(f"shared-{threading.get_ident()}-{n}") == n
            clients.append(cache._cache.get_client(write=True))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(clients) == 4 and all(client is clients[0] for client in clients)


def test_reference_data_is_kept_in_the_process_until_it_expires_or_is_cleared(monkeypatch):
    from catalog import cache as catalog_cache
    from plazabanten import cache as plazabanten_cache

    calls = []
    answer = plazabanten_cache.kept_in_process(60)(lambda: calls.append(1) or len(calls))
    assert answer() == answer() == 1
    catalog_cache.local_clear()
    assert answer() == 2
    answer.forget()
    assert answer() == 3 and answer() == 3
    expired = plazabanten_cache.kept_in_process(-1)(lambda: calls.append(1) or len(calls))
    assert expired() == 4 and expired() == 5  # each answer expired as soon as kept


def test_the_storefront_generation_is_kept_a_second_and_a_change_is_seen_at_once_by_its_process():
    from django.core.cache import cache

    from plazabanten.cache import STOREFRONT_GENERATION_KEY, storefront_changed, storefront_generation

    first = storefront_generation()
    cache.set(STOREFRONT_GENERATION_KEY, first + 10, None)  # another process's change
    assert storefront_generation() == first  # seen within GENERATION_LOCAL_SECONDS, not on every request
    storefront_changed()  # this process's own change
    assert storefront_generation() == first + 11
