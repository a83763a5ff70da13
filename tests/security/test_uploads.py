"""Stored XSS through uploads: every stored file is named by us from its content, and media never run."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.models import ProductImage
from tests.factories import make_product, make_shop
from vendors import services as vendor_services
from vendors.services import DocumentUpload

pytestmark = pytest.mark.django_db

RANDOM_JPG = re.compile(r"products/originals/\d{4}/\d{2}/[0-9a-f]{32}\.jpg")
SCRIPT = b"*/alert(document.cookie)/*<script>fetch('/verifikasi/')</script>"


def polyglot_jpeg() -> bytes:
    """A valid 400×400 JPEG whose comment segment is script and HTML: what the attacker uploaded."""
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (120, 30, 60)).save(buffer, "JPEG", comment=SCRIPT)
    assert SCRIPT in buffer.getvalue()
    return buffer.getvalue()


@pytest.fixture
def seller(client):
    shop = make_shop()
    client.force_login(shop.owner)
    return make_product(shop=shop)


@pytest.mark.parametrize("filename", ["x.js", "x.html", "../../x.svg", "x", "0123456789abcdef0123456789abcdef.pdf"])
def test_a_jpeg_uploaded_under_any_name_is_stored_as_a_random_jpg_and_served_as_an_image(client, seller, filename):
    response = client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                           {"photo": SimpleUploadedFile(filename, polyglot_jpeg(), content_type="text/html")})
    assert response.status_code == 302
    image = ProductImage.objects.get(product=seller)
    assert RANDOM_JPG.fullmatch(image.original.name), image.original.name
    assert "0123456789abcdef" not in image.original.name
    served = client.get(image.original.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    assert not served.get("Content-Disposition", "").startswith("attachment")


@pytest.mark.parametrize("filename, content", [
    ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("x.html", b"<!doctype html><script>alert(1)</script>"),
    ("x.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'),
])
def test_svg_and_html_uploads_are_refused_and_nothing_is_stored(client, seller, filename, content):
    response = client.post(reverse("catalog:product_photos", args=[seller.shop_id, seller.pk]),
                           {"photo": SimpleUploadedFile(filename, content)})
    assert response.status_code == 422 and "bukan foto" in response.text
    assert not ProductImage.objects.exists()


def test_media_that_are_not_images_are_served_as_attachments_with_nosniff(client):
    for name in ("legacy/x.html", "legacy/x.js", "legacy/x.svg", "legacy/x.bin"):
        default_storage.save(name, ContentFile(b"<script>alert(1)</script>"))
        response = client.get(f"/media/{name}")
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment" and response["X-Content-Type-Options"] == "nosniff"
    stored = default_storage.save("legacy/photo.webp", ContentFile(b"RIFF"))
    response = client.get(f"/media/{stored}")
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_non_image_assigned_directly_gets_a_bin_name_never_the_given_one(seller):
    for name in ("x.html", "0123456789abcdef0123456789abcdef.jpg"):
        image = ProductImage.objects.create(product=seller, original=SimpleUploadedFile(name, b"<script>"))
        assert re.fullmatch(r"products/originals/\d{4}/\d{2}/[0-9a-f]{32}\.bin", image.original.name)
        assert "0123456789abcdef" not in image.original.name


def test_a_logo_named_like_a_page_is_stored_under_the_extension_of_its_content(client):
    from tests.vendors.helpers import image_bytes

    shop = make_shop()
    shop.logo = SimpleUploadedFile("logo.html", image_bytes("PNG"))
    shop.save()
    assert re.fullmatch(r"shops/logos/[0-9a-f]{32}\.png", shop.logo.name)


def test_private_documents_are_named_from_content_and_a_pdf_is_an_attachment(client):
    from tests.vendors.helpers import PDF_BYTES, image_bytes

    shop = make_shop(status="draft")
    pdf = vendor_services.shop_save_document(shop=shop, actor=shop.owner, kind="nib", upload=DocumentUpload(
        content=PDF_BYTES, content_type="application/pdf", extension="pdf", original_name="nib.html"))
    ktp = vendor_services.shop_save_document(shop=shop, actor=shop.owner, kind="ktp", upload=DocumentUpload(
        content=image_bytes(), content_type="image/jpeg", extension="jpg", original_name="ktp.jpg"))
    assert re.fullmatch(rf"shops/{shop.pk}/nib-[0-9a-f]{{32}}\.pdf", pdf.file.name)
    assert re.fullmatch(rf"shops/{shop.pk}/ktp-[0-9a-f]{{32}}\.jpg", ktp.file.name)
    client.force_login(shop.owner)
    response = client.get(reverse("vendors:document", args=[shop.pk, pdf.pk]))
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    response = client.get(reverse("vendors:document", args=[shop.pk, ktp.pk]))
    assert response["Content-Disposition"].startswith("inline") and response["X-Content-Type-Options"] == "nosniff"
