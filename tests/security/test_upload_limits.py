"""Identity documents get the photo checks; an oversized request is refused before it is read."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_shop
from vendors.models import ShopDocument

pytestmark = pytest.mark.django_db


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a huge canvas in a few hundred bytes: one compressed row, the rest never sent."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * (1 + 3 * 64)))
            + chunk(b"IEND", b""))


def real_png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height), 200).save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


@pytest.fixture
def draft_shop(client):
    shop = make_shop(status="draft")
    client.force_login(shop.owner)
    return shop


def post_ktp(client, shop, content: bytes):
    return client.post(reverse("vendors:step", args=[shop.pk, "documents"]),
                       {"doc_ktp": SimpleUploadedFile("ktp.png", content)})


def test_a_decompression_bomb_ktp_is_a_clear_422_not_a_500(client, draft_shop):
    response = post_ktp(client, draft_shop, png_header(100_000, 100_000))
    assert response.status_code == 422
    assert "Resolusi foto terlalu besar (maksimal 40 megapiksel)" in response.text
    assert not ShopDocument.objects.exists()


def test_a_ktp_over_the_pixel_limit_is_refused_without_decoding_it(client, draft_shop, monkeypatch):
    from PIL import ImageFile

    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or original_load(self))
    response = post_ktp(client, draft_shop, real_png(8900, 8900))  # 79 MP, ~300 MB decoded; 100 kB compressed
    assert response.status_code == 422 and "maksimal 40 megapiksel" in response.text
    assert decoded == []  # refused from the header
    assert not ShopDocument.objects.exists()


def test_a_normal_ktp_photo_is_still_accepted(client, draft_shop):
    from tests.vendors.helpers import image_bytes

    response = client.post(reverse("vendors:step", args=[draft_shop.pk, "documents"]),
                           {"doc_ktp": SimpleUploadedFile("ktp.jpg", image_bytes(size=(856, 540)))})
    assert response.status_code == 302
    assert ShopDocument.objects.get().file.name.endswith(".jpg")


class UnreadableBody(io.RawIOBase):
    def read(self, size=-1):
        raise AssertionError("the body of an oversized request was read")

    readinto = read


def test_a_60_mb_request_is_refused_with_413_before_its_body_is_read(client, draft_shop, settings):
    settings.PB_MAX_REQUEST_BYTES = 25 * 2**20
    response = client.generic("POST", reverse("vendors:step", args=[draft_shop.pk, "documents"]), b"",
                              content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(60 * 2**20), **{"wsgi.input": UnreadableBody()})
    assert response.status_code == 413
    text = response.content.decode()
    assert "Berkas terlalu besar" in text and "lebih dari 25 MB" in text
