"""Checking an uploaded image by its content, at a cost that does not grow with its pixels.

Shared by product photos (catalog.images.photo_validate) and identity documents (vendors.forms.document_check):
the same pixel limit, the same bounded integrity checks, the same messages. Nothing here decodes a whole image.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
DRAFT_SIDE = 100  # a baseline JPEG is decoded at its 1/8 scale, at least this many pixels a side

# Pillow refuses to open anything above twice this (DecompressionBombError) and warns above it; image_check
# refuses above it before any decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def image_check(upload, *, formats=ACCEPTED_FORMATS, min_side: int = 0) -> tuple[str, int, int]:
    """Return (format, width, height) of an image judged by content, or raise a ValidationError in Indonesian.

    The header gives format and size cheaply; then the check whose cost does not grow with the pixels: a baseline
    JPEG is decoded at 1/8 scale (entropy decoding only), a PNG verified by its chunk checksums. A progressive
    JPEG costs 4-5× that at any scale and a WebP can only be decoded whole (~1 s at 40 MP), so for them only the
    completeness is checked (the end-of-image marker; libwebp refuses to open a cut RIFF). A decompression bomb
    (a 100000×100000 header) is refused from its header.
    """
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in formats:
                raise ValidationError(_("Format tidak didukung. Unggah foto JPEG, PNG atau WebP."), code="format")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("Resolusi foto terlalu besar (maksimal 40 megapiksel)."), code="pixels")
            if width < min_side or height < min_side:
                raise ValidationError(_("Foto terlalu kecil (minimal 200×200 piksel)."), code="too_small")
            if image.format == "JPEG" and image.info.get("progressive"):
                size = upload.seek(0, 2)
                upload.seek(max(0, size - 1024))
                if b"\xff\xd9" not in upload.read():  # scan data never holds this marker: the file was cut
                    raise OSError("JPEG without its end-of-image marker")
            elif image.format == "JPEG":
                image.draft("RGB", (DRAFT_SIDE, DRAFT_SIDE))  # decoded at 1/8 scale: fast
                image.load()
            elif image.format == "PNG":
                image.verify()  # every chunk's checksum, without inflating the pixels
            return image.format, width, height
    except Image.DecompressionBombError as error:
        raise ValidationError(_("Resolusi foto terlalu besar (maksimal 40 megapiksel)."), code="pixels") from error
    except UnidentifiedImageError as error:
        raise ValidationError(_("Berkas ini bukan foto. Unggah foto JPEG, PNG atau WebP."), code="not_image") from error
    except (OSError, SyntaxError, EOFError, ValueError) as error:  # truncated or corrupt data
        raise ValidationError(_("Foto rusak atau tidak lengkap. Coba unggah ulang."), code="corrupt") from error
    finally:
        upload.seek(0)
