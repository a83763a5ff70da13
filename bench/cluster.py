"""The checks and the fault table for bench/cluster.sh (which starts the cluster and sets the environment).

Every HTTP request goes through nginx; its X-Upstream header says which web node answered. Django is set up here
with the cluster's own settings to look at the database and the bucket (never to serve a request).
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.storage import default_storage, storages  # noqa: E402
from django.db import transaction  # noqa: E402

from bench.browser import Browser, jpeg  # noqa: E402
from catalog.models import Product, ProductImage, ProductVariant  # noqa: E402
from plazabanten.models import OutboxMessage  # noqa: E402
from plazabanten.services import outbox_enqueue  # noqa: E402
from vendors.models import ShopDocument  # noqa: E402

CLUSTER = Path(sys.argv[1]).resolve()
PORTS = dict(item.split("=") for item in os.environ["PB_CLUSTER_PORTS"].split())
LB = f"https://127.0.0.1:{PORTS['lb']}"
results: list[tuple[str, str]] = []


def check(label: str, ok: bool, detail: str = "") -> None:
    results.append((label, "ok" if ok else "FAILED"))
    print(f"  {'ok    ' if ok else 'FAILED'} {label}{': ' + detail if detail else ''}", flush=True)


def wait(condition, timeout=120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.5)
    return False


def journeys() -> None:
    print("Across the nodes:", flush=True)
    buyer = Browser(LB)
    check("buyer signs in", buyer.login("pembeli@plazabanten.test") == 302)
    variant = (ProductVariant.objects.filter(product__status=Product.Status.ACTIVE, stock__gt=5, archived_at=None)
               .select_related("product").order_by("pk").first())
    _, _, page = buyer.get(f"/p/{variant.product.shop.slug}/{variant.product.slug}/")
    status, _, _ = buyer.post("/keranjang/tambah/", {"csrfmiddlewaretoken": buyer.csrf(page), "variant": variant.pk,
                                                       "quantity": 1})
    check("add to cart with the CSRF token of a page from the other node", status == 302)
    status, _, cart = buyer.get("/keranjang/")
    check("the cart and the flash message come back on the next node",
          status == 200 and "masuk keranjang" in cart and variant.product.name in cart)
    nodes = {upstream for upstream in buyer.upstreams if upstream}
    check("consecutive requests landed on both nodes", len(nodes) == 2, ", ".join(sorted(nodes)))

    seller = Browser(LB)
    product = Product.objects.filter(shop__owner__email="penjual01@plazabanten.test").order_by("pk").first()
    check("seller signs in", seller.login("penjual01@plazabanten.test") == 302)
    photos = f"/penjual/{product.shop_id}/produk/{product.pk}/foto/"
    _, _, page = seller.get(photos)
    before = set(ProductImage.objects.filter(product=product).values_list("pk", flat=True))
    status, _, _ = seller.post(photos, {"csrfmiddlewaretoken": seller.csrf(page)},
                               {"photo": ("kamera.jpg", jpeg(), "image/jpeg")})
    check("photo uploaded through one node", status == 302, seller.upstreams[-1])
    image = ProductImage.objects.filter(product=product).exclude(pk__in=before).first()
    rendered = image is not None and wait(lambda: ProductImage.objects.get(pk=image.pk).renditions)
    check("a worker rendered it", rendered)
    if rendered:
        renditions = ProductImage.objects.get(pk=image.pk).renditions
        name = next(iter(renditions.values()))["webp"]
        check("the rendition is in the bucket", default_storage.size(name) > 0,
              f"{settings.AWS_STORAGE_BUCKET_NAME}/media/{name}")
        _, _, page = seller.get(photos)
        src = re.search(rf'src="(https://localhost:{PORTS["media"]}/media/[^"]+)"', page)
        check("the page shows it from the media origin", src is not None)
        if src:
            answer = urllib.request.urlopen(src.group(1), timeout=10)  # noqa: S310 - the media origin
            check("the media origin serves it", answer.status == 200 and answer.headers["Content-Type"].startswith(
                "image/"), answer.headers["Content-Type"])
    document = ShopDocument.objects.order_by("pk").first()
    if document:
        private = f"https://localhost:{PORTS['media']}/private/{document.file.name}"
        try:
            status = urllib.request.urlopen(private, timeout=10).status  # noqa: S310 - the media origin
        except urllib.error.HTTPError as error:
            status = error.code
        check("a private document is not on the media origin", status == 404, str(status))
        check("in the bucket it is a Fernet token, not the image",
              storages["private"].raw_read(document.file.name).startswith(b"gAAAAA"))
        verifikator = Browser(LB)
        verifikator.login("verifikator@plazabanten.test")
        url = f"/penjual/{document.shop_id}/dokumen/{document.pk}/"
        status, headers, _ = verifikator.get(url)
        check("the verifikator reads it through the permission-checked view", status == 200,
              headers.get("Content-Type", ""))
        status, _, _ = Browser(LB).get(url)
        check("an anonymous visitor cannot", status in (302, 403, 404), str(status))
    local = [path for path in CLUSTER.glob("*/media") if path.exists()] + \
            [path for path in CLUSTER.glob("*/private") if path.exists()]
    check("no node wrote to a local media folder", not local, ", ".join(map(str, local)))


def wrk(url: str, seconds: int, during=None, after: float = 3.0) -> tuple[int, int]:
    """wrk against nginx; `during` runs `after` seconds in. Returns (requests sent, failed)."""
    run = subprocess.Popen(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", url],
                           stdout=subprocess.PIPE, text=True)
    if during:
        time.sleep(after)
        during()
    out = run.communicate()[0]
    sent = int(re.search(r"(\d+) requests in", out).group(1))
    failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed += sum(int(n) for n in errors.groups()) if errors else 0
    return sent, failed


def pids_of(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def node_kill(node: str) -> None:
    for pid in pids_of(f"gunicorn plazabanten.wsgi -b 127.0.0.1:{PORTS[node]}"):
        os.kill(pid, signal.SIGKILL)


def pg_ctl(action: str, data: str, port: str) -> None:
    binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
    options = (["-o", f"-h 127.0.0.1 -p {port} -k /tmp -c max_connections=200 -c hot_standby_feedback=on"]
               if action == "start" else ["-m", "fast"])
    subprocess.run(["runuser", "-u", "postgres", "--", str(binary), "-D", str(CLUSTER / data), "-w",
                    "-l", str(CLUSTER / "log" / f"{data}.log"), *options, action], check=True,
                   capture_output=True)


def faults() -> list[tuple[str, int, int, int]]:
    print("Faults under load:", flush=True)
    table = []
    product = Product.objects.filter(status=Product.Status.ACTIVE).select_related("shop").order_by("pk").first()
    product_url = f"{LB}/p/{product.shop.slug}/{product.slug}/"

    sent, failed = wrk(f"{LB}/cari/?q=batik", 8, during=lambda: node_kill("a"))
    table.append(("kill web node A (SIGKILL) under load", sent, failed, 0))
    subprocess.Popen(["sh", "-c", f"cd {CLUSTER.parent.parent} && PB_VAR_DIR={CLUSTER}/node-a PB_NODE=a "
                      f"{sys.prefix}/bin/gunicorn plazabanten.wsgi -b 127.0.0.1:{PORTS['a']} -w 2 "
                      f">>{CLUSTER}/log/web-a.log 2>&1"])
    wait(lambda: subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{PORTS['a']}/ping"]).returncode
         == 0, 30)

    sent, failed = wrk(product_url, 8, during=lambda: pg_ctl("stop", "pg-replica", PORTS["replica"]))
    table.append(("stop the replica under load (storefront reads)", sent, failed, 0))
    pg_ctl("start", "pg-replica", PORTS["replica"])

    # Worker: photos to render; the worker busy with one is killed (its whole process tree, SIGKILL).
    product = Product.objects.filter(status=Product.Status.ACTIVE).order_by("-pk").first()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.services import product_images_add

    with transaction.atomic():
        images = product_images_add(product=product, uploads=[
            SimpleUploadedFile(f"besar-{n}.jpg", jpeg((4000, 3000)), "image/jpeg") for n in range(4)])
    busy = [pid for pid in pids_of("celery -A plazabanten worker -n w1@") if pid]
    time.sleep(1.0)
    for pid in busy:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in pids_of("celery -A plazabanten worker -n w1@"):
        os.kill(pid, signal.SIGKILL)
    ids = [image.pk for image in images]
    done = wait(lambda: ProductImage.objects.filter(pk__in=ids).exclude(renditions={}).count() == len(ids),
                timeout=float(settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]) + 120)
    lost = len(ids) - ProductImage.objects.filter(pk__in=ids).exclude(renditions={}).count()
    table.append(("kill worker 1 (SIGKILL) while it renders photos", len(ids), 0, lost))
    check("worker 2 rendered every photo", done)

    # Redis restarted while notifications are written: the outbox rows wait; the beat and worker catch up.
    redis_port = PORTS["redis"]

    def restart_redis():
        subprocess.run(["redis-cli", "-p", redis_port, "shutdown", "nosave"], capture_output=True)
        with transaction.atomic():
            for n in range(5):
                outbox_enqueue(email=f"uji{n}@example.test", subject=f"Uji {n}", body="Redis dimulai ulang")
        subprocess.run(["redis-server", "--port", redis_port, "--bind", "127.0.0.1", "--daemonize", "yes",
                        "--dir", str(CLUSTER), "--appendonly", "yes", "--save", "",
                        "--logfile", str(CLUSTER / "log" / "redis.log")], check=True)

    sent, failed = wrk(f"{LB}/", 8, during=restart_redis)
    pending = OutboxMessage.objects.filter(subject__startswith="Uji ", delivered_at=None)
    wait(lambda: not pending.exists(), timeout=180)
    table.append(("restart Redis under load, 5 notifications written meanwhile", sent, failed, pending.count()))
    return table


def main() -> int:
    journeys()
    table = faults()
    print("\n| fault | requests sent | failed | lost |\n|---|---|---|---|")
    for label, sent, failed, lost in table:
        print(f"| {label} | {sent} | {failed} | {lost} |")
    failures = [label for label, outcome in results if outcome != "ok"]
    failures += [label for label, *_, lost in table if lost]
    print("\nAll checks passed." if not failures else f"\nFAILED: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
