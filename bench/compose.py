"""The checks for bench/compose.sh: docker-compose.yml running (two web replicas, two workers, one beat, the
replica, nginx), every HTTP request through nginx's published port. The database and the bucket are looked at
through `docker-compose exec` (psql in the postgres containers, the app's own shell in a web container).
Prints a table; exits 1 when any check failed."""

import json
import os
import secrets
import subprocess
import sys
import time

from bench.browser import Browser, jpeg

BASE = os.environ["PB_COMPOSE_URL"]
PROJECT = os.environ["PB_COMPOSE_PROJECT"]
MARK = f"compose-check-{secrets.token_hex(4)}"  # the User-Agent of this run's requests, found in access logs
PASSWORD = secrets.token_urlsafe(12)
results: list[tuple[str, bool, str]] = []


def check(label: str, ok: bool, detail: str = "") -> None:
    results.append((label, ok, detail))
    print(f"  {'ok    ' if ok else 'FAILED'} {label}{': ' + detail if detail else ''}", flush=True)


def compose(*args: str) -> str:
    return subprocess.run(["docker-compose", "-p", PROJECT, *args], capture_output=True, text=True).stdout


def containers(service: str) -> list[str]:
    return subprocess.run(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={PROJECT}",
                           "--filter", f"label=com.docker.compose.service={service}"],
                          capture_output=True, text=True).stdout.split()


def logs(container: str) -> str:
    done = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
    return done.stdout + done.stderr


def app_shell(code: str) -> dict:
    """Run code in the app's Django shell on a web replica; it prints one JSON line."""
    out = compose("exec", "-T", "web", "python", "manage.py", "shell", "-v", "0", "-c", code).strip()
    return json.loads(out.splitlines()[-1]) if out else {}


def psql(service: str, sql: str) -> str:
    return compose("exec", "-T", service, "psql", "-h", "127.0.0.1", "-U", "plazabanten", "-d", "plazabanten",
                   "-tAc", sql).strip()


def wait(condition, timeout: float = 120.0, every: float = 2.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if found := condition():
            return found
        time.sleep(every)
    return None


FIXTURE = """
import json
from catalog.models import ProductVariant
from tests.factories import make_product, make_shop, make_user
buyer = make_user(email="pembeli-{mark}@example.test", password="{password}")
shop = make_shop(owner=make_user(email="penjual-{mark}@example.test", password="{password}"), slug="toko-{mark}")
product = make_product(shop=shop, stock=20, name="Batik {mark}", slug="batik-{mark}")
print(json.dumps({{"shop": shop.pk, "product": product.pk, "variant": ProductVariant.objects.get(product=product).pk,
                  "url": f"/p/{{shop.slug}}/{{product.slug}}/", "name": product.name}}))
"""

RENDERED = """
import json
from django.core.files.storage import default_storage
from catalog.models import ProductImage
image = ProductImage.objects.filter(product_id={product}).order_by("-pk").first()
names = [r["webp"] for r in (image.renditions if image else {{}}).values() if "webp" in r]
print(json.dumps({{"image": image and image.pk, "name": names[:1] and names[0],
                  "size": default_storage.size(names[0]) if names else 0}}))
"""


def replica_transactions() -> int:
    return int(psql("postgres-replica", "select xact_commit + xact_rollback from pg_stat_database "
                                        "where datname = 'plazabanten'") or 0)


def searches_on_the_replica(visitor: Browser) -> int:
    """Transactions the replica counted during 6 searches (each a new cache key), minus psql's own."""
    before = replica_transactions()
    for _ in range(6):
        visitor.get(f"/cari/?q=batik+{secrets.token_hex(4)}")
    time.sleep(2)  # the statistics are flushed at most once a second
    return replica_transactions() - before - 1


def main() -> int:
    print(f"Through nginx at {BASE}:", flush=True)
    browser = Browser(BASE, agent=MARK)
    status, _, body = browser.get("/healthz")
    health = json.loads(body) if status == 200 else {}
    check("/healthz through nginx: db, redis and a worker answer", status == 200 and all(
        health.get(name) == "ok" for name in ("db", "redis", "worker")), f"{status} {health}")
    status, _, page = browser.get("/")
    check("home page", status == 200 and "Plaza Banten" in page, str(status))

    fixture = app_shell(FIXTURE.format(mark=MARK, password=PASSWORD))
    check("a buyer, a verified shop and a product written on the primary", bool(fixture), json.dumps(fixture))
    if not fixture:
        return report()
    check("buyer signs in (allauth, CSRF)", browser.login(f"pembeli-{MARK}@example.test", PASSWORD) == 302)
    _, _, page = browser.get(fixture["url"])
    status, _, _ = browser.post("/keranjang/tambah/", {"csrfmiddlewaretoken": browser.csrf(page),
                                                       "variant": fixture["variant"], "quantity": 1})
    check("add to cart with the page's CSRF token", status == 302, str(status))
    status, _, cart = browser.get("/keranjang/")
    check("the cart and its flash message on the next request", status == 200 and fixture["name"] in cart
          and "masuk keranjang" in cart, str(status))
    served = {container[:12]: logs(container).count(MARK) for container in containers("web")}
    check("those requests were spread over both web replicas",
          len(served) == 2 and all(served.values()), ", ".join(f"{c}: {n}" for c, n in served.items()))

    seller = Browser(BASE, agent=MARK)
    check("seller signs in", seller.login(f"penjual-{MARK}@example.test", PASSWORD) == 302)
    photos = f"/penjual/{fixture['shop']}/produk/{fixture['product']}/foto/"
    _, _, page = seller.get(photos)
    status, _, _ = seller.post(photos, {"csrfmiddlewaretoken": seller.csrf(page)},
                               {"photo": ("kamera.jpg", jpeg(), "image/jpeg")})
    check("photo uploaded through nginx", status == 302, str(status))
    rendered = wait(lambda: (found := app_shell(RENDERED.format(product=fixture["product"]))).get("size") and found,
                    every=3.0)
    check("a worker rendered it into the S3 bucket", bool(rendered), json.dumps(rendered))
    workers = [c[:12] for c in containers("worker") if "succeeded" in logs(c)]
    check("worker containers that ran tasks", bool(workers), ", ".join(workers))

    product = int(fixture["product"])
    answer = psql("postgres-replica", f"select pg_is_in_recovery(), count(*) from catalog_product where id = {product}")  # noqa: S608, E501 - an int
    check("postgres-replica is a standby and has streamed the new product", answer == "t|1", answer)
    senders = psql("postgres", "select count(*) from pg_stat_replication where state = 'streaming'")
    check("the primary streams to it", senders == "1", senders)
    anonymous = searches_on_the_replica(Browser(BASE, agent=MARK))
    check("6 anonymous searches through nginx read from the replica", anonymous >= 6,
          f"{anonymous} transactions on the replica")
    signed_in = searches_on_the_replica(browser)
    check("the signed-in buyer's 6 searches stay on the primary", signed_in <= 1,
          f"{signed_in} transactions on the replica")

    migrate = containers("migrate")
    states = [subprocess.run(["docker", "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", c],
                             capture_output=True, text=True).stdout.strip() for c in migrate]
    check("migrate ran once, in its one-shot container, and exited 0", states == ["exited 0"], ", ".join(states))
    applied = [c[:12] for c in containers("web") + containers("worker") + containers("beat")
               if "Applying " in logs(c)]
    check("no web, worker or beat container migrated", not applied, ", ".join(applied))
    return report()


def report() -> int:
    print("\n| check | result |\n|---|---|")
    for label, ok, _detail in results:
        print(f"| {label} | {'ok' if ok else 'FAILED'} |")
    failed = [label for label, ok, _ in results if not ok]
    print("\nAll checks passed." if not failed else f"\nFAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
