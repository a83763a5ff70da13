"""Webhook throughput with dedupe: `.venv/bin/pytest bench/bench_webhooks.py -s -q` (DJANGO_SETTINGS_MODULE=
plazabanten.settings.test). Prints figures; asserts only correctness, never time (the goal is ≥ 200/s)."""

import json
import threading
import time

import pytest
from django.db import connections
from django.test import Client

from payments.models import Journal, PaymentEvent
from payments.services import payment_start
from tests.factories import make_user
from tests.payments.conftest import place_checkout, sandbox_body, sandbox_set

DISTINCT = 100
DUPLICATES = 1000
THREADS = 4


def post(client, body):
    return client.post("/payments/webhooks/sandbox/", data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db(transaction=True)
def test_bench_webhook_throughput():
    buyer = make_user()
    bodies = []
    for n in range(DISTINCT):
        group = place_checkout(prices=(15000,), buyer=buyer, key=f"bench-{n}")
        attempt = payment_start(group_id=group.pk, buyer=buyer, method="qris")
        sandbox_set(attempt.attempt_ref, status="settlement")
        bodies.append(sandbox_body(attempt.attempt_ref))
    client = Client()

    started = time.perf_counter()
    assert all(post(client, body).json()["result"] == "paid" for body in bodies)
    fresh = DISTINCT / (time.perf_counter() - started)

    started = time.perf_counter()
    assert all(post(client, bodies[n % DISTINCT]).json()["result"] == "duplicate" for n in range(DUPLICATES))
    duplicate = DUPLICATES / (time.perf_counter() - started)

    def worker(offset):
        local = Client()
        for n in range(DUPLICATES // THREADS):
            assert post(local, bodies[(n + offset) % DISTINCT]).status_code == 200
        connections.close_all()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    concurrent = DUPLICATES / (time.perf_counter() - started)

    assert PaymentEvent.objects.count() == DISTINCT and Journal.objects.count() == DISTINCT
    print(f"\nwebhooks/s — new payments (verify, status re-fetch, lock, 1 order paid, ledger): {fresh:.0f}; "
          f"duplicates (stored, verified, deduped): {duplicate:.0f}; duplicates with {THREADS} threads: "
          f"{concurrent:.0f}")
