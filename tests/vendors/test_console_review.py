"""The verifikator's console: a PDF's first page as an image, history in words, refused decisions at the top."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from fpdf import FPDF
from PIL import Image

from tests.factories import make_user
from vendors import services
from vendors.models import ShopDocument

from .helpers import PDF_BYTES, make_complete_draft, make_verifikator, upload

pytestmark = pytest.mark.django_db


def nib_pdf(text: str = "NOMOR INDUK BERUSAHA 9120001234567") -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_fill_color(20, 90, 160)
    pdf.rect(10, 10, 190, 40, style="F")
    pdf.set_font("helvetica", size=20)
    pdf.text(20, 80, text)
    return bytes(pdf.output())


@pytest.fixture
def shop_with_pdf(django_capture_on_commit_callbacks):
    shop = make_complete_draft()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's job runs (eager Celery)
        services.shop_save_document(shop=shop, actor=shop.owner, kind="nib",
                                    upload=upload(nib_pdf(), "application/pdf", "pdf", name="nib-oss"))
    return services.shop_submit(shop=shop, actor=shop.owner)


def test_the_nib_pdf_is_shown_as_its_first_page_with_a_link_to_the_whole_pdf(client, shop_with_pdf):
    document = shop_with_pdf.documents.get(kind="nib")
    assert document.preview.name.endswith("-hal1.png") and document.preview.name != document.file.name
    client.force_login(make_verifikator())
    page = client.get(reverse("vendors:console_shop", args=[shop_with_pdf.pk])).content.decode()
    url = f"/penjual/{shop_with_pdf.pk}/dokumen/{document.pk}/"
    assert f'<img src="{url}?pratinjau=1" alt="Dokumen NIB, halaman pertama"' in page
    assert f'href="{url}" target="_blank" rel="noopener">Buka PDF lengkap</a>' in page
    assert "<object" not in page  # Chromium showed an empty box
    response = client.get(f"{url}?pratinjau=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.width == services.PREVIEW_WIDTH
    assert image.getpixel((500, 100))[2] > 120  # the blue band at the top of the page was drawn
    assert client.get(url)["Content-Type"] == "application/pdf"


def test_the_preview_is_as_private_as_the_document(client, shop_with_pdf):
    document = shop_with_pdf.documents.get(kind="nib")
    url = f"/penjual/{shop_with_pdf.pk}/dokumen/{document.pk}/?pratinjau=1"
    assert client.get(url).status_code == 302  # to the login
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.force_login(shop_with_pdf.owner)
    assert client.get(url).status_code == 200
    assert not Path(document.preview.path).is_relative_to(Path(settings.MEDIA_ROOT))
    assert client.get(document.preview.url).status_code == 404  # no other URL serves it


def test_a_replaced_pdf_takes_its_old_preview_along(shop_with_pdf, django_capture_on_commit_callbacks):
    shop = shop_with_pdf
    services.shop_request_revision(shop=shop, actor=make_verifikator(), reasons={"doc_nib": "Buram"})
    old = shop.documents.get(kind="nib")
    old_preview, storage = old.preview.name, old.preview.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.shop_save_document(shop=shop, actor=shop.owner, kind="nib",
                                    upload=upload(nib_pdf("NIB BARU"), "application/pdf", "pdf"))
    new = shop.documents.get(kind="nib")
    assert new.preview.name and new.preview.name != old_preview
    assert not storage.exists(old_preview)


def test_a_pdf_pdfium_cannot_draw_keeps_the_link_and_says_so(client, django_capture_on_commit_callbacks):
    shop = make_complete_draft()
    with django_capture_on_commit_callbacks(execute=True):
        services.shop_save_document(shop=shop, actor=shop.owner, kind="nib",
                                    upload=upload(PDF_BYTES, "application/pdf", "pdf"))  # a PDF without pages
    document = shop.documents.get(kind="nib")
    assert document.preview.name == ""
    assert services.shop_document_preview_render(document_id=document.pk) is False
    client.force_login(make_verifikator())
    page = client.get(reverse("vendors:console_shop", args=[shop.pk])).content.decode()
    assert "Pratinjau halaman pertama belum tersedia" in page and "Buka PDF lengkap" in page
    assert client.get(f"/penjual/{shop.pk}/dokumen/{document.pk}/?pratinjau=1").status_code == 404


def test_history_names_the_fields_a_revision_asked_about(client):
    shop = make_complete_draft()
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    services.shop_request_revision(shop=shop, actor=make_verifikator(),
                                   reasons={"region": "Desa tidak cocok", "doc_ktp": "Foto KTP buram"})
    client.force_login(make_verifikator())
    page = client.get(reverse("vendors:console_shop", args=[shop.pk])).content.decode()
    history = page[page.index('class="timeline"'):]
    assert "<strong>Alamat</strong>: Desa tidak cocok" in history
    assert "<strong>Foto KTP</strong>: Foto KTP buram" in history
    assert "region:" not in history and "doc_ktp" not in history


@pytest.mark.parametrize(("action", "data", "message"), [
    ("verify", {"check": ["nik"]}, "Centang semua butir daftar periksa"),
    ("request_revision", {"note": "x"}, "Tuliskan alasan perbaikan untuk minimal satu data."),
    ("reject", {"reason": ""}, "Alasan: Tuliskan alasannya."),
])
def test_a_refused_decision_lists_what_is_missing_at_the_top_of_the_decision_form(client, action, data, message):
    shop = make_complete_draft()
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    client.force_login(make_verifikator())
    response = client.post(reverse("vendors:console_action", args=[shop.pk, action]), data)
    assert response.status_code == 422
    page = response.content.decode()
    summary = page.index('id="decision-errors"')
    assert page.index('id="decide"') < summary < page.index('class="checklist"')
    assert message in page[summary:page.index("</div>", summary)]
    assert 'role="alert" tabindex="-1"' in page
    # every decision form comes back to its own errors
    assert page.count(f'/verifikasi/{shop.pk}/') and f"/verifikasi/{shop.pk}/{action}/#decide" in page
    assert ShopDocument.objects.filter(shop=shop).count() == 3


def test_a_preview_whose_job_never_reached_the_broker_is_drawn_by_the_beat_job(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from vendors import tasks

    monkeypatch.setattr("vendors.services.task_enqueue", lambda *args, **kwargs: False)  # Redis down
    shop = make_complete_draft()
    services.shop_save_document(shop=shop, actor=shop.owner, kind="nib",
                                upload=upload(nib_pdf(), "application/pdf", "pdf"))
    document = shop.documents.get(kind="nib")
    assert document.preview.name == ""
    assert tasks.shop_document_previews_pending() == 0  # just uploaded: its own job may still come
    ShopDocument.objects.filter(pk=document.pk).update(uploaded_at=timezone.now() - timedelta(minutes=5))
    assert tasks.shop_document_previews_pending() == 1
    document.refresh_from_db()
    assert document.preview.name.endswith("-hal1.png")
    assert tasks.shop_document_previews_pending() == 0
