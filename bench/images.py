"""Image pipeline benchmark: N distinct photos of each kind → all renditions, by a 2-process Celery worker.

    bench/images.sh [--count 100]   (sets up .venv like bin/run, then runs this file)

The kinds, reported separately: 2000×2000 baseline JPEGs (--count of them), and --count ÷ 4 each of 4000×3000
baseline JPEGs, 4000×3000 progressive JPEGs and 4000×3000 PNGs: photos that do not take the decoder's fast path
(a baseline JPEG decodes at 1/2 or 1/4 scale; a progressive one, less so; a PNG is decoded whole).
Uses the embedded Postgres and Redis (started if needed); starts and stops its own worker. Prints images/s and
the worker's CPU per photo for each kind, then the server time of the upload request (the photo page's POST
through the whole Django stack, multipart parsing included, the body already in memory) for 40 MP photos of about
10 MB.
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plazabanten.settings.local")


def photo(seed: int, size: tuple[int, int] = (2000, 2000), fmt: str = "JPEG", **options) -> bytes:
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.radial_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(image, noise, 0.3 if fmt == "JPEG" else 0.05)  # a noisy PNG would be ~30 MB
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (seed * 37 + i * 97) % (width - 100), (seed * 53 + i * 61) % (height - 100)
        draw.ellipse((x, y, x + 100, y + 100), fill=((seed * 7 + i * 30) % 255, 90, (i * 11) % 255))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 88} if fmt == "JPEG" else {}), **options)
    return buffer.getvalue()


# (label, file extension, how many per --count, photo() arguments)
KINDS = (("2000×2000 JPEG", "jpg", 1, {}),
         ("4000×3000 JPEG", "jpg", 0.25, {"size": (4000, 3000)}),
         ("4000×3000 progressive JPEG", "jpg", 0.25, {"size": (4000, 3000), "progressive": True}),
         ("4000×3000 PNG", "png", 0.25, {"size": (4000, 3000), "fmt": "PNG"}))


def big_photos() -> dict[str, bytes]:
    """40-megapixel photos close to the 10 MB limit, in each format the upload accepts but PNG (>10 MB at 40 MP)."""
    from PIL import Image

    size = (7296, 5472)
    image = Image.blend(Image.radial_gradient("L").resize(size).convert("RGB"),
                        Image.effect_noise(size, 40).convert("RGB"), 0.25)
    photos = {}
    for label, fmt, options in (("JPEG baseline", "JPEG", {"quality": 80}),
                                ("JPEG progressive", "JPEG", {"quality": 80, "progressive": True}),
                                ("WebP", "WEBP", {"quality": 60, "method": 0})):
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        photos[f"{label} 40 MP {len(buffer.getvalue()) / 1e6:.1f} MB"] = buffer.getvalue()
    photos["JPEG 2000×2000"] = photo(0)
    return photos


def upload_times(product) -> dict[str, float]:
    """Median ms of 3 uploads of each photo; every upload is removed again (its render job finds nothing)."""
    from django.test import Client
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from django.urls import reverse

    from catalog.models import ProductImage
    from catalog.services import product_image_delete

    client = Client(SERVER_NAME="localhost")
    client.force_login(product.shop.owner)
    url = reverse("catalog:product_photos", args=[product.shop_id, product.pk])
    times = {}
    for label, data in big_photos().items():
        body = encode_multipart(BOUNDARY, {"photo": io.BytesIO(data)})
        runs = []
        for _ in range(3):
            before = set(ProductImage.objects.filter(product=product).values_list("pk", flat=True))
            started = time.perf_counter()
            response = client.generic("POST", url, body, content_type=MULTIPART_CONTENT)
            runs.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, (label, response.status_code)
            for image in ProductImage.objects.filter(product=product).exclude(pk__in=before):
                product_image_delete(image=image)
        times[label] = sorted(runs)[1]
    return times


def worker_cpu_seconds(pid: int) -> float:
    """User + system CPU of the worker and its pool processes: the figure other jobs on the box do not inflate."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def render_run(product, label: str, extension: str, originals: list[bytes], worker_pid: int) -> None:
    """Store the originals, queue their renders, wait for all of them; print the rate and the CPU per photo."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from catalog.models import ProductImage
    from catalog.tasks import product_image_render

    count = len(originals)
    with transaction.atomic():
        images = [ProductImage.objects.create(product=product, position=100 + i,
                                              original=ContentFile(data, name=f"bench-{i}.{extension}"))
                  for i, data in enumerate(originals)]
    try:
        ids = [image.pk for image in images]
        cpu_before = worker_cpu_seconds(worker_pid)
        started = time.monotonic()
        for image_id in ids:
            product_image_render.delay(image_id)
        while ProductImage.objects.filter(pk__in=ids).exclude(status=ProductImage.Status.PENDING).count() < count:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        cpu = worker_cpu_seconds(worker_pid) - cpu_before
        ready = ProductImage.objects.filter(pk__in=ids, status=ProductImage.Status.READY).count()
    finally:
        for image in ProductImage.objects.filter(pk__in=[image.pk for image in images]):
            for entry in image.renditions.values():
                for name in entry.values():
                    image.original.storage.delete(name)
            image.original.delete(save=False)
            image.delete()
    print(f"{label} ({sum(map(len, originals)) / count / 1e6:.1f} MB each): {ready}/{count} ready in "
          f"{elapsed:.2f}s, {count / elapsed:.1f} images/s (2-process worker; WebP 1000/500/250 + JPEG 500 each); "
          f"worker CPU {cpu * 1000 / count:.0f} ms per photo (= {2 * count / cpu:.1f} images/s if both cores "
          f"were the worker's)", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    count = parser.parse_args().count
    subprocess.run([sys.executable, "-m", "plazabanten.embedded", "start"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    import django

    django.setup()
    from catalog.models import Product

    product = Product.objects.order_by("pk").first()
    if product is None:
        print("seed first: manage.py seed_demo", file=sys.stderr)
        return 1
    uploads = upload_times(product)  # before the worker starts: it drains their jobs while it warms up
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "plazabanten", "worker", "-c", "2", "-P", "prefork",
         "-l", "warning", "--without-gossip", "--without-mingle", "-n", f"bench-images-{os.getpid()}@%h"],
        cwd=ROOT, start_new_session=True)
    try:
        time.sleep(4)  # the worker connects and forks its two processes
        for label, extension, share, arguments in KINDS:
            originals = [photo(seed, **arguments) for seed in range(max(2, round(count * share)))]
            render_run(product, label, extension, originals, worker.pid)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    for label, ms in uploads.items():
        print(f"upload request, {label}: {ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
