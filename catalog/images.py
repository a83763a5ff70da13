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
WEBP_QUALITY = 75
JPEG_QUALITY = 80
# Pillow frees its 16 MB pixel blocks at once by default; a render worker keeps 4 (64 MB) so the next photo's
# decode and resizes reuse them: the fresh pages cost ~10% of a 2000×2000 photo's CPU in page faults.
WORKER_PIXEL_BLOCKS = 4
MAX_PIXELS = 40_000_000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def photo_validate(upload) -> None:
    """Accept a JPEG, PNG or WebP photo judged by its content, never by its name; raise a message in Indonesian.

    The header gives format and size cheaply; then the check whose cost does not grow with the pixels, so the
    request stays fast for any photo (bench/images.py prints it for 40 MP files): a baseline JPEG is decoded at
    1/8 scale (entropy decoding only), a PNG verified by its chunk checksums. A progressive JPEG costs 4-5× that
    at any scale and a WebP can only be decoded whole (~1 s at 40 MP), so for them the request checks that the
    file is complete (the end-of-image marker; libwebp refuses to open a cut RIFF) and a bitstream error is left
    to the render task, which marks the photo failed for the seller to replace.
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
            if image.format == "JPEG" and image.info.get("progressive"):
                upload.seek(max(0, upload.size - 1024))
                if b"\xff\xd9" not in upload.read():  # scan data never holds this marker: the file was cut
                    raise OSError("JPEG without its end-of-image marker")
            elif image.format == "JPEG":
                image.draft("RGB", (FALLBACK_WIDTH // 4, FALLBACK_WIDTH // 4))  # decoded at 1/8 scale: fast
                image.load()
            elif image.format == "PNG":
                image.verify()  # every chunk's checksum, without inflating the pixels
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

    Speed matters (a seller uploads 8 photos at once; bench/images.py): the JPEG is decoded at reduced scale where
    it can be, the largest size is scaled with the bilinear filter (as fast as BOX once the encoder is counted:
    BOX keeps the noise, which WebP then pays for in time and bytes) and each smaller one from the next larger:
    an exact halving is a 2×2 average (`reduce(2)`, ~6× faster than a filter pass). Every WebP uses the fastest
    encoder method at quality 75 and the JPEG fallback skips Huffman optimisation. Names come from the
    original's unique name, so nothing is checked or deleted before a write (on S3 each check is a round trip);
    a redo after a killed worker gets fresh names.
    """
    with default_storage.open(original_name, "rb") as handle:
        image = Image.open(handle)
        image.draft("RGB", (max(RENDITION_WIDTHS), max(RENDITION_WIDTHS)))  # fast JPEG downscale on decode
        image.load()
    ImageOps.exif_transpose(image, in_place=True)  # no copy of the pixels; EXIF is dropped: we never copy it over
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
        current = _scaled(current, target, height * target / width)
        entry = {"webp": _save(current, f"{folder}/{stem}-{target}.webp", "WEBP", quality=WEBP_QUALITY, method=0)}
        if target == FALLBACK_WIDTH or (target == RENDITION_WIDTHS[0] and width < FALLBACK_WIDTH):
            entry["jpeg"] = _save(current, f"{folder}/{stem}-{target}.jpg", "JPEG", quality=JPEG_QUALITY)
        renditions[str(target)] = entry
    return dict(sorted(renditions.items(), key=lambda item: int(item[0]))), width, height


def _scaled(image: Image.Image, width: int, height: float) -> Image.Image:
    if image.width <= width:  # never enlarged: a photo narrower than 320 px keeps its width
        return image
    if image.width == 2 * width:
        return image.reduce(2)
    return image.resize((width, max(1, round(height))), Image.Resampling.BILINEAR)


def _save(image: Image.Image, name: str, fmt: str, **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return default_storage.save(name, ContentFile(buffer.getvalue()))
