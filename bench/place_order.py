"""Place-order benchmark: N buyers place their checkout at the same moment over HTTP.

    .venv/bin/python bench/place_order.py [--buyers 200] [--workers 4]

Runs against gunicorn with production settings on a separate database (plazabanten_bench) of the embedded
Postgres (or of DATABASE_URL's server). Prints requests/s, p50/p99 latency, status counts, and checks that every
order was placed exactly once and no stock went below zero. It prints figures; it asserts nothing about time.
"""

import argparse
import concurrent.futures
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_database_url() -> tuple[str, str]:
    from plazabanten import embedded

    base = os.environ.get("DATABASE_URL") or embedded.postgres_url()
    redis = os.environ.get("REDIS_URL") or embedded.redis_url()
    parsed = urllib.parse.urlparse(base)
    admin = parsed._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-qc", "DROP DATABASE IF EXISTS plazabanten_bench"], check=True,
                   capture_output=True)
    subprocess.run(["psql", admin, "-qc", "CREATE DATABASE plazabanten_bench"], check=True, capture_output=True)
    return parsed._replace(path="/plazabanten_bench").geturl(), redis


def prepare(buyers: int) -> list[dict]:
    """Buyers with an address, a cart line each (different products over 10 shops) and a logged-in session."""
    import django
    from django.conf import settings

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.models import User
    from accounts.services import address_save
    from catalog.models import Category, Product, ProductVariant
    from orders.models import CartLine
    from regions.models import Region
    from vendors.models import Shop

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    desa = Region.objects.filter(code__startswith="36.74.", level=4).order_by("code").first()
    category = Category.objects.create(name="Bench", slug="bench", level=1)
    owner = User.objects.create_user(email="bench-owner@example.test", name="Owner")
    shops = [Shop.objects.create(owner=owner, name=f"Bench {i}", slug=f"bench-{i}", kabkota_id="36.74",
                                 status=Shop.Status.VERIFIED) for i in range(10)]
    people = []
    for i in range(buyers):
        product = Product.objects.create(shop=shops[i % 10], category=category, name=f"Produk {i}", slug=f"p-{i}",
                                         status=Product.Status.ACTIVE, price_min=15000, price_max=15000, stock_total=5)
        variant = ProductVariant.objects.create(product=product, sku=f"B-{i}", price=15000, stock=5)
        user = User.objects.create_user(email=f"bench{i}@example.test", name=f"Pembeli {i}")
        address = address_save(user=user, data={"recipient": user.name, "phone": "+6281234567890",
                                                "street": "Jl. Bench 1", "region": desa, "postal_code": "15310"})
        CartLine.objects.create(user=user, variant=variant, quantity=2)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append({"session": session.session_key, "address": address.pk, "shop": product.shop_id,
                       "csrf": f"bench{i:027d}".ljust(32, "x")[:32]})
    return people


def place(port: int, person: dict) -> tuple[int, float]:
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": person["csrf"], "key": f"bench-{person['session']}",
                                   "address": person["address"], f"shipping_{person['shop']}": "pickup"})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1",
               "Cookie": f"sessionid={person['session']}; csrftoken={person['csrf']}"}
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/checkout/", body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8177)
    args = parser.parse_args()

    database_url, redis_url = bench_database_url()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plazabanten.settings.production", "DATABASE_URL": database_url,
           "REDIS_URL": redis_url, "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
           "PB_ALLOW_SANDBOX_GATEWAY": "true", "SECURE_SSL_REDIRECT": "false", "EMAIL_BACKEND":
           "django.core.mail.backends.locmem.EmailBackend", "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    people = prepare(args.buyers)
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "plazabanten.wsgi", "-b", f"127.0.0.1:{args.port}",
                               "-w", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", args.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(people)) as pool:
            results = list(pool.map(lambda person: place(args.port, person), people))
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from catalog.models import ProductVariant
    from orders.models import Order

    latencies = sorted(latency for _, latency in results)
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(f"place order: {len(results)} concurrent requests, gunicorn sync -w {args.workers}, production settings")
    print(f"  requests/s {len(results) / elapsed:.0f}   p50 {statistics.median(latencies) * 1000:.0f} ms   "
          f"p99 {p99 * 1000:.0f} ms   statuses {statuses}")
    print(f"  orders placed {Order.objects.count()} (expected {len(people)}), "
          f"variants below zero: {ProductVariant.objects.filter(stock__lt=0).count()}")
    return 0 if statuses == {302: len(people)} and Order.objects.count() == len(people) else 1


if __name__ == "__main__":
    sys.exit(main())
