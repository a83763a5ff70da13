"""Product photo renditions: WebP at a few widths plus a JPEG fallback, EXIF stripped, orientation applied."""

import io
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from plazabanten.images import image_check

# The largest rendition is between LARGE_MIN and LARGE_MAX pixels wide whenever the photo is, the others are its
# successive halvings (~320 to ~1280 px in all): a JPEG is then decoded straight at the largest size by the
# decoder's own 1/2, 1/4 or 1/8 scaling (DCT scaling), with no resize at all.
LARGE_MAX = 1280
LARGE_MIN = 960
SIZES = 3
SMALLEST = 200  # the minimum upload: no rendition is halved below it
WEBP_QUALITY = 75
JPEG_QUALITY = 80
# Pillow frees its 16 MB pixel blocks at once by default; a render worker keeps 4 (64 MB) so the next photo's
# decode and resizes reuse them: the fresh pages cost ~10% of a 2000×2000 photo's CPU in page faults.
WORKER_PIXEL_BLOCKS = 4
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def photo_validate(upload) -> None:
    """Accept a JPEG, PNG or WebP photo judged by its content, never by its name; raise a message in Indonesian.

    The pixel limit and the checks whose cost does not grow with the pixels are plazabanten.images.image_check
    (shared with the identity documents); a photo must also be at least SMALLEST pixels a side.
    """
    if not upload.size:
        raise ValidationError(_("Berkas kosong. Pilih foto produk."), code="empty")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Foto terlalu besar (maksimal 10 MB)."), code="too_large")
    image_check(upload, min_side=SMALLEST)


def render_renditions(original_name: str) -> tuple[dict, int, int]:
    """Write the renditions of a stored original; return ({width: {"webp": name, "jpeg": name?}}, width, height of
    the original as displayed).

    Speed matters (a seller uploads 8 photos at once; bench/images.py). A JPEG is decoded straight at the largest
    rendition's size where a 1/2, 1/4 or 1/8 scale lands between LARGE_MIN and LARGE_MAX (a 2000 px photo gives
    1000/500/250): that skips most of the decode and the resize, about 3× less CPU than decoding in full and
    scaling to 1280. Otherwise the largest is scaled to LARGE_MAX with the bilinear filter. Each smaller size is an
    exact 2×2 average of the next (`reduce(2)`). WebP uses the fastest encoder method at quality 75; the middle size
    also gets a JPEG fallback. Names come from the original's unique name, so nothing is checked or deleted before
    a write (on S3 each check is a round trip); a redo after a killed worker gets fresh names.
    """
    with default_storage.open(original_name, "rb") as handle:
        image = Image.open(handle)
        sideways = image.getexif().get(0x0112) in (5, 6, 7, 8)  # displayed width is the stored height
        original_size = image.size[::-1] if sideways else image.size
        image.draft("RGB", (1, LARGE_MIN) if sideways else (LARGE_MIN, 1))
        image.load()
    ImageOps.exif_transpose(image, in_place=True)  # no copy of the pixels; EXIF is dropped: we never copy it over
    if image.mode != "RGB":
        image = image.convert("RGB")
    if image.width > LARGE_MAX:
        image = image.resize((LARGE_MAX, max(1, round(image.height * LARGE_MAX / image.width))),
                             Image.Resampling.BILINEAR)
    sizes = [image]
    while len(sizes) < SIZES and sizes[-1].width // 2 >= SMALLEST:
        sizes.append(sizes[-1].reduce(2))
    stem = PurePosixPath(original_name).stem
    folder = f"products/renditions/{stem[:2]}"
    renditions: dict[str, dict[str, str]] = {}
    for index, current in enumerate(sizes):
        name = f"{folder}/{stem}-{current.width}"
        entry = {"webp": _save(current, f"{name}.webp", "WEBP", quality=WEBP_QUALITY, method=0)}
        if index == min(1, len(sizes) - 1):
            entry["jpeg"] = _save(current, f"{name}.jpg", "JPEG", quality=JPEG_QUALITY)
        renditions[str(current.width)] = entry
    return dict(sorted(renditions.items(), key=lambda item: int(item[0]))), *original_size


def _save(image: Image.Image, name: str, fmt: str, **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return default_storage.save(name, ContentFile(buffer.getvalue()))
