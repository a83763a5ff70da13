"""Product photo renditions: WebP at a few widths plus a JPEG fallback, EXIF stripped, orientation applied."""

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

RENDITION_WIDTHS = (320, 640, 1280)
FALLBACK_WIDTH = 640
MAX_PIXELS = 40_000_000

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def render_renditions(original_name: str) -> tuple[dict, int, int]:
    """Write the renditions of a stored original; return ({width: {"webp": name, "jpeg": name?}}, w, h)."""
    with default_storage.open(original_name, "rb") as handle:
        image = Image.open(handle)
        image.draft("RGB", (max(RENDITION_WIDTHS), max(RENDITION_WIDTHS)))  # fast JPEG downscale on decode
        image = ImageOps.exif_transpose(image).convert("RGB")  # EXIF is dropped: we never copy it over
    width, height = image.size
    stem = PurePosixPath(original_name).stem
    folder = f"products/renditions/{stem[:2]}"
    renditions: dict[str, dict[str, str]] = {}
    for target in RENDITION_WIDTHS:
        if target > width and target != RENDITION_WIDTHS[0]:
            continue
        scaled = image if target >= width else image.resize(
            (target, max(1, round(height * target / width))), Image.Resampling.LANCZOS)
        entry = {"webp": _save(scaled, f"{folder}/{stem}-{target}.webp", "WEBP", quality=80, method=4)}
        if target == FALLBACK_WIDTH or (target == RENDITION_WIDTHS[0] and width < FALLBACK_WIDTH):
            entry["jpeg"] = _save(scaled, f"{folder}/{stem}-{target}.jpg", "JPEG", quality=82, optimize=True)
        renditions[str(target)] = entry
    return renditions, width, height


def _save(image: Image.Image, name: str, fmt: str, **options) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(buffer.getvalue()))
