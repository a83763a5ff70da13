import io
import os
import signal
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.models import ProductImage
from catalog.services import product_image_render
from tests.factories import make_product, make_shop, make_user

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(2000, 2000), color=(180, 40, 60), **options) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.putpixel((5, 5), (0, 0, 0))
    image.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def webp_bytes(size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buffer, "WEBP", quality=70)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in its header: a decompression bomb without the memory cost."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(
        b"IEND", b"")


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.fixture
def seller(client):
    shop = make_shop()
    client.force_login(shop.owner)
    return make_product(shop=shop)


BAD_PHOTOS = {
    "truncated-jpeg": (jpeg_bytes()[:20_000], "Foto rusak atau tidak lengkap"),
    "truncated-progressive-jpeg": (jpeg_bytes(progressive=True)[:-3000], "Foto rusak atau tidak lengkap"),
    "truncated-webp": (webp_bytes()[:-500], "Foto rusak atau tidak lengkap"),
    "decompression-bomb": (png_header_only(30_000, 30_000), "Resolusi foto terlalu besar"),
    "svg-with-script": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                        "bukan foto"),
    "text-renamed-jpg": (b"Ini bukan foto, hanya teks biasa.\n" * 20, "bukan foto"),
    "empty-file": (b"", "Berkas kosong"),
}


@pytest.mark.parametrize("kind", BAD_PHOTOS)
def test_bad_photo_is_refused_with_a_message_and_nothing_is_stored(client, seller, kind):
    content, message = BAD_PHOTOS[kind]
    before = stored_files()
    response = client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                           {"photo": SimpleUploadedFile("foto.jpg", content, content_type="image/jpeg")})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ProductImage.objects.exists()
    assert stored_files() == before


def test_good_photo_is_stored_and_rendered_and_becomes_the_cover(client, seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                               {"photo": SimpleUploadedFile("kain.jpg", jpeg_bytes(), content_type="image/jpeg")})
    assert response.status_code == 302
    image = ProductImage.objects.get()
    assert image.status == ProductImage.Status.READY  # the eager Celery of the tests ran the task on commit
    assert len(image.renditions) == 3
    seller.refresh_from_db()
    assert seller.cover == image.renditions
    page = client.get(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk])).content.decode()
    assert "srcset" in page and "250w" in page  # the 2000 px JPEG: 1000, 500, 250


@pytest.mark.parametrize("content", [jpeg_bytes(progressive=True), webp_bytes()], ids=["progressive-jpeg", "webp"])
def test_a_complete_progressive_jpeg_or_webp_is_accepted(client, seller, content):
    response = client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                           {"photo": SimpleUploadedFile("foto.jpg", content, content_type="image/jpeg")})
    assert response.status_code == 302
    assert ProductImage.objects.filter(product=seller).count() == 1


def test_renditions_have_their_widths_and_formats_the_orientation_applied_and_no_exif(
        seller, django_assert_num_queries):
    """A 3000×2000 phone photo stored sideways (EXIF orientation 6): renditions are upright; the largest is the
    1/2-scale decode (1000 px, between 960 and 1280: no resize), then its halvings."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "KameraHP"
    Image.new("RGB", (3000, 2000), (200, 120, 40)).save(buffer, "JPEG", quality=85, exif=exif)
    image = ProductImage.objects.create(product=seller, original=SimpleUploadedFile("hp.jpg", buffer.getvalue()))
    with django_assert_num_queries(6):  # the image; savepoint, product lock, image update, cover update, release
        product_image_render(image_id=image.pk)
    image.refresh_from_db()
    assert (image.width, image.height) == (2000, 3000)
    sizes = {}
    for width, entry in image.renditions.items():
        for kind, name in entry.items():
            with Image.open(Path(settings.MEDIA_ROOT) / name) as rendition:
                assert rendition.format == {"webp": "WEBP", "jpeg": "JPEG"}[kind]
                assert not rendition.getexif()
                sizes[(width, kind)] = rendition.size
    assert sizes == {("250", "webp"): (250, 375), ("500", "webp"): (500, 750), ("500", "jpeg"): (500, 750),
                     ("1000", "webp"): (1000, 1500)}
    seller.refresh_from_db()
    assert seller.cover == image.renditions


@pytest.mark.parametrize(("size", "fmt", "widths"), [
    ((2000, 2000), "JPEG", [250, 500, 1000]),  # decoded at 1/2 scale
    ((4000, 3000), "JPEG", [250, 500, 1000]),  # at 1/4
    ((1500, 1500), "JPEG", [320, 640, 1280]),  # no scale lands in 960–1280: decoded in full, scaled to 1280
    ((1600, 900), "PNG", [320, 640, 1280]),
    ((700, 700), "JPEG", [350, 700]),  # never enlarged, never halved below 200 px
])
def test_rendition_widths_follow_the_photo(seller, size, fmt, widths):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, fmt)
    image = ProductImage.objects.create(product=seller, original=SimpleUploadedFile("f.bin", buffer.getvalue()))
    product_image_render(image_id=image.pk)
    image.refresh_from_db()
    assert [int(width) for width in image.renditions] == widths
    assert (image.width, image.height) == size
    for width, entry in image.renditions.items():
        with Image.open(Path(settings.MEDIA_ROOT) / entry["webp"]) as rendition:
            assert rendition.width == int(width)


def test_a_narrow_photo_is_never_enlarged_and_its_fallback_is_the_small_jpeg(seller):
    image = ProductImage.objects.create(product=seller, original=SimpleUploadedFile("n.jpg", jpeg_bytes((250, 400))))
    product_image_render(image_id=image.pk)
    image.refresh_from_db()
    assert set(image.renditions) == {"250"} and set(image.renditions["250"]) == {"webp", "jpeg"}
    for name in image.renditions["250"].values():
        with Image.open(Path(settings.MEDIA_ROOT) / name) as rendition:
            assert rendition.size == (250, 400)


def test_a_shop_cannot_touch_another_shops_product_photos(client):
    other_product = make_product()
    image = ProductImage.objects.create(product=other_product, original=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    own_shop = make_shop()
    client.force_login(own_shop.owner)
    for shop_id in (own_shop.pk, other_product.shop_id):  # the other shop's ids under one's own shop, or its shop
        assert client.get(reverse("catalog:product_photos", args=[shop_id, other_product.pk])).status_code == 404
        upload = SimpleUploadedFile("kain.jpg", jpeg_bytes((400, 400)), content_type="image/jpeg")
        assert client.post(reverse("catalog:product_photos", args=[shop_id, other_product.pk]), {"photo": upload}
                           ).status_code == 404
        assert client.get(reverse("catalog:product_photo_status", args=[shop_id, image.pk])).status_code == 404
        assert client.post(reverse("catalog:product_photo_retry", args=[shop_id, image.pk])).status_code == 404
    client.force_login(make_user())  # a shopper
    assert client.get(reverse("catalog:product_photos", args=[other_product.shop_id, other_product.pk])
                      ).status_code == 404


def test_a_failed_rendition_shows_a_retry_button_that_redoes_the_work(client, seller,
                                                                     django_capture_on_commit_callbacks):
    from catalog.tasks import product_image_render as task

    image = ProductImage.objects.create(product=seller, original=SimpleUploadedFile("x.jpg", jpeg_bytes()[:5000]))
    task.delay(image.pk)
    image.refresh_from_db()
    assert image.status == ProductImage.Status.FAILED
    tile = client.get(reverse("catalog:product_photo_status", args=[seller.shop_id, image.pk])).content.decode()
    assert "Coba lagi" in tile and "hx-trigger" not in tile

    Path(image.original.path).write_bytes(jpeg_bytes())  # e.g. the storage hiccup is over
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:product_photo_retry", args=[seller.shop_id, image.pk]),
                               headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in response.content.decode()  # the tile now polls for progress
    image.refresh_from_db()
    assert image.status == ProductImage.Status.READY


def test_a_pending_photo_polls_for_its_progress(client, seller):
    image = ProductImage.objects.create(product=seller, original=SimpleUploadedFile("y.jpg", jpeg_bytes()))
    tile = client.get(reverse("catalog:product_photo_status", args=[seller.shop_id, image.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in tile and "<progress" in tile
    product_image_render(image_id=image.pk)
    tile = client.get(reverse("catalog:product_photo_status", args=[seller.shop_id, image.pk])).content.decode()
    assert "hx-trigger" not in tile and "srcset" in tile


def test_at_most_eight_photos(client, seller):
    for position in range(8):
        ProductImage.objects.create(product=seller, original=SimpleUploadedFile(f"{position}.jpg", b"x"),
                                    position=position)
    response = client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                           {"photo": SimpleUploadedFile("kain.jpg", jpeg_bytes((400, 400)))})
    assert response.status_code == 422
    assert "Maksimal 8 foto" in response.content.decode()
    assert ProductImage.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_the_real_celery_worker_makes_the_renditions(celery_worker, wait_until):
    from catalog.services import product_image_add

    product = make_product()
    image = product_image_add(product=product, upload=SimpleUploadedFile("kain.jpg", jpeg_bytes()))
    ready = wait_until(lambda: ProductImage.objects.filter(pk=image.pk, status=ProductImage.Status.READY).exists())
    assert ready
    image.refresh_from_db()
    for entry in image.renditions.values():
        for name in entry.values():
            assert (Path(settings.MEDIA_ROOT) / name).stat().st_size > 0


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _fifo_has_reader(path: Path) -> bool:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # ENXIO: nobody has it open for reading yet
        return False
    return True


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_the_job_to_be_redone(celery_eager, wait_until):
    """acks_late + reject_on_worker_lost: the message goes back to the queue and the photo is still rendered."""
    from django.db import connection

    from catalog.tasks import product_image_render as task

    product = make_product()
    image = ProductImage.objects.create(product=product, original=SimpleUploadedFile("kill.jpg", jpeg_bytes()))
    original = Path(image.original.path)
    original.unlink()
    os.mkfifo(original)  # the task blocks when it opens the photo: "mid-task", deterministically
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
           "PB_TEST_DATABASE_NAME": connection.settings_dict["NAME"], "PB_TEST_MEDIA_ROOT": settings.MEDIA_ROOT}
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "plazabanten", "worker", "-P", "prefork", "-c", "1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
         "-n", f"kill-test-{os.getpid()}@%h"], env=env, cwd=settings.BASE_DIR, start_new_session=True)
    celery_eager.conf.task_always_eager = False
    try:
        task.delay(image.pk)
        assert wait_until(lambda: _fifo_has_reader(original), timeout=60)
        busy_children = _children(worker.pid)
        assert busy_children  # the prefork child that is stuck in the task
        original.unlink()
        original.write_bytes(jpeg_bytes())  # the photo is back for whoever redoes the job
        for child in busy_children:
            os.kill(child, signal.SIGKILL)
        assert wait_until(lambda: ProductImage.objects.filter(pk=image.pk, status="ready").exists(), timeout=60)
    finally:
        celery_eager.conf.task_always_eager = True
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    image.refresh_from_db()
    assert len(image.renditions) == 3


def test_truncated_png_is_refused_too(client, seller):
    buffer = io.BytesIO()
    Image.new("RGB", (600, 600), (10, 200, 30)).save(buffer, "PNG")
    response = client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                           {"photo": SimpleUploadedFile("foto.png", buffer.getvalue()[:-40])})
    assert response.status_code == 422
    assert "Foto rusak atau tidak lengkap" in response.content.decode()


def test_each_uploaded_photo_goes_behind_the_last_and_only_the_first_is_the_cover(
        client, seller, django_capture_on_commit_callbacks):
    """Regression: the second upload also got position 0 (`max or -1` read a top position of 0 as "none")."""
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                        {"photo": SimpleUploadedFile(f"{n}.jpg", jpeg_bytes((400, 400), (n * 90, 20, 20)),
                                                     content_type="image/jpeg")})
    assert list(seller.images.order_by("pk").values_list("position", flat=True)) == [0, 1, 2]
    page = client.get(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk])).content.decode()
    assert page.count("· sampul") == 1
    assert page.count("Jadikan sampul") == 2


def test_the_product_gallery_scrolls_by_keyboard_too(client, seller, django_capture_on_commit_callbacks):
    """Regression (axe scrollable-region-focusable): with several photos the gallery scrolls sideways, so it must
    take the focus (arrow keys) and carry a name."""
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                        {"photo": SimpleUploadedFile(f"{n}.jpg", jpeg_bytes((400, 400)), content_type="image/jpeg")})
    page = client.get(reverse("catalog:product", args=[seller.shop.slug, seller.slug])).content.decode()
    assert '<div class="gallery" role="region" tabindex="0" aria-label="Foto produk">' in page


def test_seller_makes_a_photo_the_cover_and_deletes_one(client, seller, django_capture_on_commit_callbacks):
    first, second = (ProductImage.objects.create(product=seller, position=n, original=SimpleUploadedFile(
        f"{n}.jpg", jpeg_bytes((400, 400), (n * 90, 20, 20)))) for n in range(2))
    for image in (first, second):
        product_image_render(image_id=image.pk)
    seller.refresh_from_db()
    assert seller.cover == ProductImage.objects.get(pk=first.pk).renditions

    client.post(reverse("catalog:product_photo_action", args=[seller.shop_id, second.pk]), {"action": "cover"})
    assert list(seller.images.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    seller.refresh_from_db()
    assert seller.cover == ProductImage.objects.get(pk=second.pk).renditions

    second.refresh_from_db()
    files = [Path(settings.MEDIA_ROOT) / name for entry in second.renditions.values() for name in entry.values()]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("catalog:product_photo_action", args=[seller.shop_id, second.pk]), {"action": "delete"})
    assert not any(path.exists() for path in files) and not Path(second.original.path).exists()
    assert list(seller.images.values_list("pk", "position")) == [(first.pk, 0)]
    seller.refresh_from_db()
    assert seller.cover == ProductImage.objects.get(pk=first.pk).renditions

    stranger = make_shop()
    client.force_login(stranger.owner)
    for shop_id in (stranger.pk, seller.shop_id):
        assert client.post(reverse("catalog:product_photo_action", args=[shop_id, first.pk]), {"action": "delete"}
                           ).status_code == 404
    assert ProductImage.objects.filter(pk=first.pk).exists()
