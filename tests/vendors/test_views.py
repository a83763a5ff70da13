import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Category
from plazabanten.models import AuditLog
from regions.models import Region
from tests.factories import make_shop, make_user
from vendors import services
from vendors.models import Shop, ShopDocument, ShopIdentity

from .helpers import PDF_BYTES, image_bytes, make_complete_draft, make_verifikator

pytestmark = pytest.mark.django_db


def private_files() -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def draft(client):
    owner = make_user()
    shop = services.shop_create_draft(owner=owner, name="Emping Menes", slug="emping-menes")
    client.force_login(owner)
    return shop


def test_wizard_saves_every_step_and_submits(client, draft):
    desa = Region.objects.filter(code__startswith="36.01.", level=4).first()
    category = Category.objects.create(name="Makanan", slug="makanan", level=1)
    step = lambda name: reverse("vendors:step", args=[draft.pk, name])  # noqa: E731

    response = client.post(step("profile"), {
        "name": "Emping Menes Bu Ani", "slug": "emping-menes", "description": "Emping melinjo",
        "region_1": "36", "region_2": desa.code[:5], "region_3": desa.code[:8], "region_4": desa.code,
        "street": "Jl. Raya Menes 1", "postal_code": "42262", "whatsapp": "0812-3456-7890",
        "categories": [category.pk]})
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert (draft.whatsapp, draft.kabkota_id, draft.region_id) == ("+6281234567890", "36.01", desa.code)

    response = client.post(step("identity"), {
        "owner_name": "Ani Suryani", "owner_nik": "3601 0157 0895 0001", "entity_type": "individual",
        "nib": "9120001234567", "npwp": "01.300.066.6-091.000", "capital": "1.500.000.000", "turnover": "900jt"})
    assert response.status_code == 302
    identity = ShopIdentity.objects.get(shop=draft)
    assert identity.owner_nik == "3601015708950001" and identity.npwp == "013000666091000"
    assert (identity.capital, identity.turnover) == (1_500_000_000, 900_000_000)
    draft.refresh_from_db()
    assert draft.umkm_class == "kecil"

    response = client.post(step("documents"), {
        "doc_ktp": SimpleUploadedFile("ktp.jpg", image_bytes()),
        "doc_nib": SimpleUploadedFile("nib.pdf", PDF_BYTES),
        "doc_npwp": SimpleUploadedFile("npwp.png", image_bytes("PNG"))})
    assert response.status_code == 302
    kinds = dict(draft.documents.values_list("kind", "content_type"))
    assert kinds == {"ktp": "image/jpeg", "nib": "application/pdf", "npwp": "image/png"}

    response = client.post(step("bank"), {"bank": "bank_banten", "number": "0123 4567 89", "holder_name": "Ani"})
    assert response.status_code == 302
    assert draft.bank_account.number == "0123456789"

    assert client.get(reverse("vendors:review", args=[draft.pk])).status_code == 200
    response = client.post(reverse("vendors:review", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Shop.Status.SUBMITTED
    page = client.get(reverse("vendors:status", args=[draft.pk])).content.decode()
    assert "Menunggu verifikasi" in page and "3 hari kerja" in page


def test_identity_step_shows_the_errors_next_to_the_fields(client, draft):
    response = client.post(reverse("vendors:step", args=[draft.pk, "identity"]), {
        "owner_name": "Ani", "owner_nik": "3699011708950001", "entity_type": "business", "nib": "123",
        "npwp": "013000667091000", "capital": "20000000000", "turnover": "0"})
    assert response.status_code == 422
    page = response.content.decode()
    for text in ("Kode wilayah 36.99", "NIB harus 13 angka", "Angka pemeriksa NPWP", "nama badan usaha",
                 "usaha besar"):
        assert text in page
    assert not ShopIdentity.objects.filter(shop=draft).exists()


def test_identity_step_refuses_an_ambiguous_capital_and_shows_typed_amounts_back_as_rupiah(client, draft):
    response = client.post(reverse("vendors:step", args=[draft.pk, "identity"]), {
        "owner_name": "Ani", "owner_nik": "3602015708950001", "entity_type": "individual", "nib": "123",
        "npwp": "013000666091000", "capital": "50.000.000,5", "turnover": "300.000.000"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Tulis modal seperti 350.000 atau 350rb." in page and 'value="Rp300.000.000"' in page
    assert "tanpa titik" not in page
    assert not ShopIdentity.objects.filter(shop=draft).exists()


def test_identity_step_keeps_odd_nik_with_a_warning(client, draft):
    response = client.post(reverse("vendors:step", args=[draft.pk, "identity"]), {
        "owner_name": "Ani", "owner_nik": "3674017708950001", "entity_type": "individual", "nib": "9120001234567",
        "npwp": "013000666091000", "capital": "10000000", "turnover": "10000000"})
    assert response.status_code == 302
    assert "tidak lazim" in ShopIdentity.objects.get(shop=draft).warnings[0]


BAD_UPLOADS = [
    ("exe renamed", "foto.jpg", b"MZ\x90\x00\x03" + os.urandom(2000), "JPEG/PNG atau PDF"),
    ("20 MB", "besar.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (20 * 1024 * 1024), "maksimal 5 MB"),
    ("svg", "ktp.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "JPEG/PNG atau PDF"),
    ("html", "ktp.jpg", b"<!doctype html><html><script>alert(1)</script></html>", "JPEG/PNG atau PDF"),
    ("truncated jpeg", "ktp.jpg", image_bytes(size=(800, 600))[:1500], "rusak"),
    ("truncated pdf", "nib.pdf", PDF_BYTES[:40], "rusak"),
]


@pytest.mark.parametrize(("case", "name", "content", "message"), BAD_UPLOADS, ids=[case[0] for case in BAD_UPLOADS])
def test_bad_uploads_are_refused_with_a_message_and_nothing_is_stored(client, draft, case, name, content, message):
    before = private_files()
    response = client.post(reverse("vendors:step", args=[draft.pk, "documents"]),
                           {"doc_ktp": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ShopDocument.objects.exists()
    assert private_files() == before


def test_path_in_a_file_name_never_reaches_the_storage(client, draft):
    # A script renamed with a path is refused by its content like any other.
    response = client.post(reverse("vendors:step", args=[draft.pk, "documents"]),
                           {"doc_ktp": SimpleUploadedFile("../../../etc/cron.d/x.jpg", b"* * * * * root sh")})
    assert response.status_code == 422
    assert not ShopDocument.objects.exists()
    # A real photo with a path in its name: the name is only shown, the file gets a random name in the private folder.
    client.post(reverse("vendors:step", args=[draft.pk, "documents"]),
                {"doc_ktp": SimpleUploadedFile("../../../ktp.jpg", image_bytes())})
    document = ShopDocument.objects.get()
    assert ".." not in document.file.name and "/" not in document.original_name
    assert document.file.name.startswith(f"shops/{draft.pk}/ktp-")
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"]).resolve()
    assert Path(document.file.path).resolve().is_relative_to(root)


def test_replacing_a_document_removes_the_old_file(client, draft, django_capture_on_commit_callbacks):
    url = reverse("vendors:step", args=[draft.pk, "documents"])
    client.post(url, {"doc_ktp": SimpleUploadedFile("a.jpg", image_bytes())})
    old = Path(ShopDocument.objects.get().file.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"doc_ktp": SimpleUploadedFile("b.png", image_bytes("PNG"))})
    assert not old.exists()
    assert ShopDocument.objects.get().content_type == "image/png"


# ---- access -----------------------------------------------------------------------------------------------------

@pytest.fixture
def two_shops():
    shop_a, shop_b = make_complete_draft(name="Toko A"), make_complete_draft(name="Toko B")
    return shop_a, shop_b


def test_members_see_their_own_documents_and_verifikator_sees_all(client, two_shops):
    shop_a, _shop_b = two_shops
    document = shop_a.documents.get(kind="ktp")
    url = reverse("vendors:document", args=[shop_a.pk, document.pk])
    client.force_login(shop_a.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    client.force_login(make_verifikator())
    assert client.get(url).status_code == 200


def test_shop_a_member_gets_404_for_shop_b(client, two_shops):
    shop_a, shop_b = two_shops
    client.force_login(shop_a.owner)
    document = shop_b.documents.get(kind="ktp")
    assert client.get(reverse("vendors:document", args=[shop_b.pk, document.pk])).status_code == 404
    # the right shop id with another shop's document id is a 404 too
    assert client.get(reverse("vendors:document", args=[shop_a.pk, document.pk])).status_code == 404
    for step in ("profile", "identity", "documents", "bank"):
        assert client.get(reverse("vendors:step", args=[shop_b.pk, step])).status_code == 404
    assert client.get(reverse("vendors:review", args=[shop_b.pk])).status_code == 404
    assert client.post(reverse("vendors:review", args=[shop_b.pk])).status_code == 404
    assert client.get(reverse("vendors:status", args=[shop_b.pk])).status_code == 404
    shop_b.refresh_from_db()
    assert shop_b.status == Shop.Status.DRAFT


def test_buyer_gets_403_on_the_console(client, two_shops):
    shop_a, _ = two_shops
    client.force_login(make_user())
    assert client.get(reverse("vendors:console_queue")).status_code == 403
    assert client.get(reverse("vendors:console_shop", args=[shop_a.pk])).status_code == 403
    assert client.get(reverse("vendors:console_numbers")).status_code == 403
    assert client.post(reverse("vendors:console_action", args=[shop_a.pk, "verify"])).status_code == 403
    # a shop owner is not a verifikator either
    client.force_login(shop_a.owner)
    assert client.get(reverse("vendors:console_queue")).status_code == 403


def test_anonymous_is_sent_to_login(client, two_shops):
    shop_a, _ = two_shops
    document = shop_a.documents.first()
    for url in (reverse("vendors:console_queue"), reverse("vendors:console_shop", args=[shop_a.pk]),
                reverse("vendors:document", args=[shop_a.pk, document.pk]), reverse("vendors:seller_home"),
                reverse("vendors:step", args=[shop_a.pk, "profile"]), reverse("vendors:status", args=[shop_a.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/akun/login/"), url


def test_documents_are_never_under_media(client, two_shops):
    shop_a, _ = two_shops
    document = shop_a.documents.get(kind="ktp")
    assert not Path(document.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(document.file.url).status_code == 404  # whatever URL the storage would make, none serves it
    client.force_login(make_verifikator())
    page = client.get(reverse("vendors:console_shop", args=[shop_a.pk]))
    assert page.status_code == 200 and "/media/" not in page.content.decode()


# ---- console ----------------------------------------------------------------------------------------------------

@pytest.fixture
def submitted(two_shops):
    shop_a, shop_b = two_shops
    return [services.shop_submit(shop=shop, actor=shop.owner) for shop in (shop_a, shop_b)]


def test_console_queue_filters_and_shows_days_waiting(client, submitted):
    shop_a, shop_b = submitted
    Shop.objects.filter(pk=shop_a.pk).update(submitted_at=shop_a.submitted_at - timedelta(days=5))
    Shop.objects.filter(pk=shop_b.pk).update(kabkota_id="36.74")
    client.force_login(make_verifikator())
    page = client.get(reverse("vendors:console_queue")).content.decode()
    assert page.index("Toko A") < page.index("Toko B")  # longest waiting first
    assert "5 hari menunggu" in page
    assert "Toko A" not in client.get(reverse("vendors:console_queue"), {"kabkota": "36.74"}).content.decode()
    assert "Toko B" not in client.get(reverse("vendors:console_queue"), {"min_days": "3"}).content.decode()
    assert "Toko A" not in client.get(reverse("vendors:console_queue"), {"status": "verified"}).content.decode()


def test_console_shop_page_embeds_the_documents_beside_the_data(client, submitted):
    shop_a, _ = submitted
    pdf = shop_a.documents.get(kind="nib")
    ShopDocument.objects.filter(pk=pdf.pk).update(content_type="application/pdf")
    client.force_login(make_verifikator())
    page = client.get(reverse("vendors:console_shop", args=[shop_a.pk])).content.decode()
    assert f'<img src="/penjual/{shop_a.pk}/dokumen/' in page
    # A PDF: its first page as an image once the worker made it (tests/vendors/test_console_review.py), and the link
    assert f'href="/penjual/{shop_a.pk}/dokumen/{pdf.pk}/" target="_blank" rel="noopener">Buka PDF lengkap' in page
    assert "3602015708950001" in page and "Daftar periksa" in page


def test_verify_needs_the_whole_checklist(client, submitted):
    shop_a, _ = submitted
    client.force_login(make_verifikator())
    url = reverse("vendors:console_action", args=[shop_a.pk, "verify"])
    response = client.post(url, {"check": ["nik", "nib"]})
    assert response.status_code == 422
    shop_a.refresh_from_db()
    assert shop_a.status == Shop.Status.SUBMITTED
    response = client.post(url, {"check": ["nik", "nib", "address", "bank"]})
    assert response.status_code == 302
    shop_a.refresh_from_db()
    assert shop_a.status == Shop.Status.VERIFIED
    assert AuditLog.objects.filter(action="shop.verify", target_id=str(shop_a.pk)).count() == 1
    # the same decision again is a conflict, not a second audit row
    assert client.post(url, {"check": ["nik", "nib", "address", "bank"]}).status_code == 409
    assert AuditLog.objects.filter(action="shop.verify", target_id=str(shop_a.pk)).count() == 1


def test_revision_reasons_appear_next_to_the_fields_for_the_seller(client, submitted):
    shop_a, _ = submitted
    client.force_login(make_verifikator())
    response = client.post(reverse("vendors:console_action", args=[shop_a.pk, "request_revision"]),
                           {"reason_nib": "NIB tidak sama dengan dokumen", "reason_doc_ktp": "Foto KTP buram"})
    assert response.status_code == 302
    client.force_login(shop_a.owner)
    status_page = client.get(reverse("vendors:status", args=[shop_a.pk])).content.decode()
    assert "NIB tidak sama dengan dokumen" in status_page and "Foto KTP buram" in status_page
    identity_page = client.get(reverse("vendors:step", args=[shop_a.pk, "identity"])).content.decode()
    nib_field = identity_page[identity_page.index('id="field-nib"'):]
    assert nib_field.index("NIB tidak sama dengan dokumen") < nib_field.index('name="nib"')
    documents_page = client.get(reverse("vendors:step", args=[shop_a.pk, "documents"])).content.decode()
    assert "Foto KTP buram" in documents_page


def test_revision_without_any_reason_is_refused(client, submitted):
    shop_a, _ = submitted
    client.force_login(make_verifikator())
    response = client.post(reverse("vendors:console_action", args=[shop_a.pk, "request_revision"]), {"note": "x"})
    assert response.status_code == 422
    assert "minimal satu data" in response.content.decode()


def test_suspend_needs_a_reason_and_suspends(client):
    shop = make_shop()
    client.force_login(make_verifikator())
    url = reverse("vendors:console_action", args=[shop.pk, "suspend"])
    assert client.post(url, {"reason": ""}).status_code == 422
    assert client.post(url, {"reason": "Produk palsu"}).status_code == 302
    shop.refresh_from_db()
    assert shop.status == Shop.Status.SUSPENDED


def test_numbers_page_draws_bars(client, submitted):
    shop_a, shop_b = submitted
    verifikator = make_verifikator()
    services.shop_request_revision(shop=shop_a, actor=verifikator, reasons={"nib": "salah"})
    client.force_login(verifikator)
    response = client.get(reverse("vendors:console_numbers"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg class=\"bar\"" in page and "Perlu perbaikan" in page
    Shop.objects.filter(pk=shop_b.pk).update(submitted_at=shop_b.submitted_at - timedelta(days=4))
    page = client.get(reverse("vendors:console_numbers")).content.decode()
    assert '<strong class="big late">1</strong> / 1' in page  # one shop waiting, and waiting too long


def test_console_shop_page_query_count_is_pinned(client, submitted, django_assert_max_num_queries):
    shop_a, _ = submitted
    client.force_login(make_verifikator())
    client.get(reverse("vendors:console_shop", args=[shop_a.pk]))  # warm the session and groups
    # the SPPKP row is one query more (a PKP sends it with its documents)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("vendors:console_shop", args=[shop_a.pk])).status_code == 200


def test_slug_taken_between_form_check_and_save_is_a_field_error(draft):
    from vendors.services import shop_update_profile

    make_shop(slug="rebutan")
    with pytest.raises(ValidationError) as error:
        shop_update_profile(shop=draft, actor=draft.owner, name="X", slug="rebutan", description="", region=None,
                            street="", postal_code="", whatsapp="", categories=[])
    assert error.value.message_dict == {"slug": ["Alamat toko ini sudah dipakai toko lain."]}
    draft.refresh_from_db()
    assert draft.slug == "emping-menes"


def test_a_document_whose_file_vanished_is_a_404(client, two_shops):
    shop_a, _ = two_shops
    document = shop_a.documents.get(kind="ktp")
    document.file.storage.delete(document.file.name)
    client.force_login(shop_a.owner)
    assert client.get(reverse("vendors:document", args=[shop_a.pk, document.pk])).status_code == 404


def test_a_verified_shop_links_its_products_orders_and_balance_from_the_seller_home(client):
    """Regression (seller journey): a verified seller had no way from "Toko saya" to add products or see the
    balance; a draft shop shows none of these links."""
    shop = make_shop(name="Batik Krakatau")
    draft = services.shop_create_draft(owner=shop.owner, name="Emping Menes", slug="emping-menes")
    client.force_login(shop.owner)
    page = client.get(reverse("vendors:seller_home")).content.decode()
    for name in ("catalog:seller_products", "orders:shop_list", "orders:shop_shipping", "payments:shop_balance"):
        assert f'href="{reverse(name, args=[shop.pk])}"' in page
        assert f'href="{reverse(name, args=[draft.pk])}"' not in page
