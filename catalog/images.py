"""Product photo renditions: WebP at a few widths plus a JPEG fallback, EXIF stripped, orientation applied."""

import io
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

RENDITION_WIDTHS = (320, 640, 1280)
FALLBACK_WIDTH = 640
MAX_PIXELS = 40_000_000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def photo_validate(upload) -> None:
    """Accept a JPEG, PNG or WebP photo judged by its content, never by its name; raise a message in Indonesian.

    The header gives format and size cheaply. A JPEG is then decoded at 1/8 scale, a PNG verified by its
    checksums and a WebP decoded: that catches truncated files and keeps the request fast for any photo.
    """
    if not upload.size:
        raise ValidationError(_("Berkas kosong. Pilih foto produk."), code="empty")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Foto terlalu besar (maksimal 10 MB)."), code="too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("Format tidak didukung. Unggah foto JPEG, PNG atau WebP."), code="format")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("Resolusi foto terlalu besar (maksimal 40 megapiksel)."), code="pixels")
            if width < 200 or height < 200:
                raise ValidationError(_("Foto terlalu kecil (minimal 200×200 piksel)."), code="too_small")
            if image.format == "JPEG":
                image.draft("RGB", (FALLBACK_WIDTH // 4, FALLBACK_WIDTH // 4))  # decoded at 1/8 scale: fast
                image.load()
            elif image.format == "PNG":
                image.verify()  # every chunk's checksum, without inflating the pixels
            else:
                image.load()
    except Image.DecompressionBombError as error:
        raise ValidationError(_("Resolusi foto terlalu besar (maksimal 40 megapiksel)."), code="pixels") from error
    except UnidentifiedImageError as error:
        raise ValidationError(_("Berkas ini bukan foto. Unggah foto JPEG, PNG atau WebP."), code="not_image") from error
    except (OSError, SyntaxError, EOFError) as error:  # truncated or corrupt data
        raise ValidationError(_("Foto rusak atau tidak lengkap. Coba unggah ulang."), code="corrupt") from error
    finally:
        upload.seek(0)


def render_renditions(original_name: str) -> tuple[dict, int, int]:
    """Write the renditions of a stored original; return ({width: {"webp": name, "jpeg": name?}}, w, h).

    Speed matters (a seller uploads 8 photos at once): the JPEG is decoded at reduced scale where it can be, each
    size is scaled from the next larger one with the Hamming filter, and WebP uses encoder method 2 (0 for 1280).
    """
    with default_storage.open(original_name, "rb") as handle:
        image = Image.open(handle)
        image.draft("RGB", (max(RENDITION_WIDTHS), max(RENDITION_WIDTHS)))  # fast JPEG downscale on decode
        image.load()
    image = ImageOps.exif_transpose(image)  # EXIF is dropped: we never copy it over
    if image.mode != "RGB":
        image = image.convert("RGB")
    width, height = image.size
    stem = PurePosixPath(original_name).stem
    folder = f"products/renditions/{stem[:2]}"
    renditions: dict[str, dict[str, str]] = {}
    current = image
    for target in sorted(RENDITION_WIDTHS, reverse=True):
        if target > width and target != RENDITION_WIDTHS[0]:
            continue
        if target < current.width:
            current = current.resize((target, max(1, round(height * target / width))), Image.Resampling.HAMMING)
        # The large size is seldom served to phones: the fastest encoder method there (~25% of the task's time).
        method = 0 if target == max(RENDITION_WIDTHS) else 2
        entry = {"webp": _save(current, f"{folder}/{stem}-{target}.webp", "WEBP", quality=80, method=method)}
        if target == FALLBACK_WIDTH or (target == RENDITION_WIDTHS[0] and width < FALLBACK_WIDTH):
            entry["jpeg"] = _save(current, f"{folder}/{stem}-{target}.jpg", "JPEG", quality=82, optimize=True)
        renditions[str(target)] = entry
    return dict(sorted(renditions.items(), key=lambda item: int(item[0]))), width, height


def _save(image: Image.Image, name: str, fmt: str, **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(buffer.getvalue()))
