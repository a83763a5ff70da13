"""Image pipeline benchmark: N distinct 2000×2000 JPEGs → all renditions, by a 2-process Celery worker.

    .venv/bin/python bench/images.py [--count 100]

Uses the embedded Postgres and Redis (started if needed); starts and stops its own worker. Prints images/s.
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


def photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.radial_gradient("L").resize((2000, 2000)).convert("RGB")
    noise = Image.effect_noise((2000, 2000), 24).convert("RGB")
    image = Image.blend(image, noise, 0.3)
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (seed * 37 + i * 97) % 1900, (seed * 53 + i * 61) % 1900
        draw.ellipse((x, y, x + 100, y + 100), fill=((seed * 7 + i * 30) % 255, 90, (i * 11) % 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100)
    count = parser.parse_args().count
    subprocess.run([sys.executable, "-m", "plazabanten.embedded", "start"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.db import transaction

    from catalog.models import Product, ProductImage
    from catalog.tasks import product_image_render

    product = Product.objects.order_by("pk").first()
    if product is None:
        print("seed first: manage.py seed_demo", file=sys.stderr)
        return 1
    originals = [photo(seed) for seed in range(count)]
    print(f"{count} distinct 2000×2000 JPEGs, {sum(map(len, originals)) / count / 1e6:.1f} MB each on average")
    with transaction.atomic():
        images = [ProductImage.objects.create(product=product, original=ContentFile(data, name=f"bench-{i}.jpg"),
                                              position=100 + i) for i, data in enumerate(originals)]
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "plazabanten", "worker", "-c", "2", "-P", "prefork",
         "-l", "warning", "--without-gossip", "--without-mingle", "-n", f"bench-images-{os.getpid()}@%h"],
        cwd=ROOT, start_new_session=True)
    try:
        time.sleep(4)  # the worker connects and forks its two processes
        ids = [image.pk for image in images]
        cpu_before = worker_cpu_seconds(worker.pid)
        started = time.monotonic()
        for image_id in ids:
            product_image_render.delay(image_id)
        while ProductImage.objects.filter(pk__in=ids).exclude(status=ProductImage.Status.PENDING).count() < count:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        cpu = worker_cpu_seconds(worker.pid) - cpu_before
        ready = ProductImage.objects.filter(pk__in=ids, status=ProductImage.Status.READY).count()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        for image in ProductImage.objects.filter(pk__in=[image.pk for image in images]):
            for entry in image.renditions.values():
                for name in entry.values():
                    image.original.storage.delete(name)
            image.original.delete(save=False)
            image.delete()
    print(f"{ready}/{count} ready in {elapsed:.2f}s: {count / elapsed:.1f} images/s "
          f"(2-process worker; WebP 320/640/1280 + JPEG 640 each); "
          f"worker CPU {cpu * 1000 / count:.0f} ms per photo, so {2 * count / cpu:.1f} images/s on 2 idle cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
