"""The read-replica router against a real streaming replica of the embedded Postgres (pg_basebackup -R): anonymous
storefront reads go to the replica; signed-in users, writers (read-your-writes) and everything else go to the
primary; a lagging or stopped replica is skipped."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import views as catalog_views
from plazabanten import embedded, replica
from tests.factories import make_product, make_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", replica.REPLICA])


@pytest.fixture(scope="module")
def replica_port(django_db_setup):
    from django.conf import settings

    if not settings.PB_EMBEDDED:
        pytest.skip("the replica is made from the embedded Postgres")
    port = embedded.replica_start()
    # The alias exists before the test case checks its `databases`; as a "mirror" it is never flushed (a standby
    # is read-only: the primary's flush reaches it by replication).
    connections.settings[replica.REPLICA] = {**connections["default"].settings_dict, "PORT": port,
                                             "TEST": {"MIRROR": "default"}}
    yield port
    del connections.settings[replica.REPLICA]
    embedded.replica_stop()


@pytest.fixture
def streaming(replica_port, settings, wait_until, monkeypatch):
    """The `replica` alias pointing at the replica's copy of the test database, for this test only."""
    settings.PB_REPLICA_CHECK_SECONDS = 0  # ask the replica on every request: the tests change its state
    monkeypatch.setattr(catalog_views, "CACHE_SECONDS", 0)  # every page built from the database
    monkeypatch.setattr(catalog_views, "PRODUCT_CACHE_SECONDS", 0)
    yield wait_until
    replica.replica_mark(ok=False)  # closes this thread's connection too


def on_replica(sql: str, params=()):
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def caught_up():
    """A condition: has the replica replayed every commit the primary has made until now? (A product's row may
    arrive before its variants' later commits, and a lag of 0 only says the replica replayed what it has received
    so far. The insert position, not the written one: the test server commits asynchronously, so a commit may
    still sit in the WAL buffers.)"""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (position,) = cursor.fetchone()
    return lambda: on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position]) == (True,)


def page_reads(client, url: str) -> dict[str, list[str]]:
    with (CaptureQueriesContext(connections["default"]) as primary,
          CaptureQueriesContext(connections[replica.REPLICA]) as copy):
        response = client.get(url)
    assert response.status_code == 200
    return {"primary": [q["sql"] for q in primary.captured_queries],
            "replica": [q["sql"] for q in copy.captured_queries if "pg_is_in_recovery" not in q["sql"]]}


def url(product) -> str:
    return reverse("catalog:product", args=[product.shop.slug, product.slug])


def catalog_reads(sqls: list[str]) -> list[str]:
    """Reads of products: compiled SQL, or a prepared read's statement (plazabanten.prepared names it by table)."""
    return [sql for sql in sqls if '"catalog_product"' in sql or "pb_catalog_product_" in sql]


def test_an_anonymous_product_page_is_read_from_the_replica(client, streaming):
    product = make_product()
    assert streaming(caught_up())
    reads = page_reads(client, url(product))
    assert catalog_reads(reads["replica"]) and not catalog_reads(reads["primary"])


def test_a_signed_in_buyer_reads_from_the_primary(client, streaming):
    product = make_product()
    assert streaming(caught_up())
    client.force_login(make_user())
    reads = page_reads(client, url(product))
    assert catalog_reads(reads["primary"]) and not reads["replica"]


def test_a_browser_that_just_wrote_reads_its_writes_from_the_primary(client, streaming, settings):
    product = make_product()
    assert streaming(caught_up())
    response = client.post("/i18n/setlang/", {"language": "id", "next": "/"})  # any write, even anonymous
    assert response.cookies[replica.WROTE_COOKIE]["max-age"] == settings.PB_REPLICA_STICKY_SECONDS
    reads = page_reads(client, url(product))
    assert catalog_reads(reads["primary"]) and not reads["replica"]
    del client.cookies[replica.WROTE_COOKIE]  # the window has passed
    assert catalog_reads(page_reads(client, url(product))["replica"])


def test_a_lagging_replica_is_skipped_until_it_catches_up(client, streaming, settings):
    settings.PB_REPLICA_MAX_LAG_SECONDS = 0.2
    make_product()  # a replayed commit, the lag is counted from its time
    assert streaming(caught_up())
    on_replica("SELECT pg_wal_replay_pause()")
    try:
        late = make_product()  # the replica receives it and does not replay it
        late_replayed = caught_up()
        assert streaming(lambda: replica.replica_lag() > 0.2)
        reads = page_reads(client, url(late))  # would be a 404 on the replica
        assert catalog_reads(reads["primary"]) and not reads["replica"]
    finally:
        on_replica("SELECT pg_wal_replay_resume()")
    assert streaming(lambda: late_replayed() and replica.replica_lag() == 0)
    assert catalog_reads(page_reads(client, url(late))["replica"])


def test_a_stopped_replica_falls_back_to_the_primary(client, streaming, settings):
    product = make_product()
    assert streaming(caught_up())
    assert catalog_reads(page_reads(client, url(product))["replica"])
    embedded.replica_stop()
    try:
        response = client.get(url(product))  # checked before the view: skipped
        assert response.status_code == 200
        settings.PB_REPLICA_CHECK_SECONDS = 60
        replica.replica_mark(ok=True)  # a check made just before it died: the view's own queries fail
        response = client.get(url(product))
        assert response.status_code == 200 and product.name.encode() in response.content
    finally:
        connections.settings[replica.REPLICA]["PORT"] = embedded.replica_start()  # for any test that follows
