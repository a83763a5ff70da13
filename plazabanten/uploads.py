"""Stored files are named by us, never by the uploader, and media is served so that a browser never runs it.

Every stored upload (product photos, shop logos, identity documents) gets a random name and an extension derived
from its content: Pillow's detected format for images (jpg, png, webp), the `%PDF-` signature for a PDF. A file
called `x.js` or `x.html` that is also a valid JPEG is stored as `<random>.jpg` and served as `image/jpeg`.
Media responses carry `X-Content-Type-Options: nosniff`, and anything that is not an image is an attachment.
"""

import contextlib
import re
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.static import serve
from PIL import Image, UnidentifiedImageError

IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
INLINE_EXTENSIONS = {"jpg", "jpeg", "png", "webp"}  # served inline; everything else is an attachment
_OUR_NAME = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp)")  # what upload_name(file, "image") returns


def content_extension(file, kind: str) -> str:
    """The extension the content itself declares; ValidationError when it is not what `kind` accepts.

    kind "image": a JPEG, PNG or WebP by Pillow's detected format; kind "document": also a PDF (`%PDF-`).
    """
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if kind == "document" and head == b"%PDF-":
        return "pdf"
    try:
        with Image.open(file) as image:
            detected = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        detected = None
    finally:
        file.seek(0)
    if detected not in IMAGE_EXTENSIONS:
        raise ValidationError(_("Format berkas tidak didukung."), code="format")
    return IMAGE_EXTENSIONS[detected]


def upload_name(file, kind: str) -> str:
    """A random file name with the extension of the content: `3f9a…c2.jpg`. Nothing of the uploader's name."""
    return f"{secrets.token_hex(16)}.{content_extension(file, kind)}"


@deconstructible
class UploadTo:
    """`upload_to` for an image field: the folder (strftime allowed) + a random name with the content's extension.

    The file being assigned is looked at, whatever it is called (`x.js`, a test's `x.jpg`, a name shaped like ours):
    content that is not a JPEG/PNG/WebP becomes `<random>.bin`, which is only ever served as an attachment. Only
    `field.save(upload_name(content, kind), content)`, where the field holds no content yet, keeps the given name.
    """

    def __init__(self, folder: str, field: str):
        self.folder, self.field = folder.strip("/"), field

    def __call__(self, instance, filename: str) -> str:
        content = getattr(getattr(instance, self.field), "_file", None)
        name = f"{secrets.token_hex(16)}.bin"
        if content is not None:
            with contextlib.suppress(ValidationError):  # not an image: stays <random>.bin
                name = upload_name(content, "image")
        elif _OUR_NAME.fullmatch(PurePosixPath(filename).name):
            name = PurePosixPath(filename).name
        return f"{timezone.now().strftime(self.folder)}/{name}"

    def __eq__(self, other):
        return isinstance(other, UploadTo) and (self.folder, self.field) == (other.folder, other.field)


def storage_walk(storage, folder: str = ""):
    """Every stored file name under `folder`, depth first: a local folder and an S3 prefix alike (listdir)."""
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_walk(storage, f"{folder}/{sub}" if folder else sub)


def media_headers(response, name: str):
    """nosniff always; inline only for an image extension, an attachment otherwise."""
    response["X-Content-Type-Options"] = "nosniff"
    if PurePosixPath(name).suffix.lower().lstrip(".") not in INLINE_EXTENSIONS:
        response["Content-Disposition"] = "attachment"
    return response


@require_safe
def media_serve(request, path: str):
    """Local media (no S3): Django serves var/media, with DEBUG on or off, under the rules above."""
    return media_headers(serve(request, path, document_root=settings.MEDIA_ROOT), path)
