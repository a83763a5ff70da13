import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from catalog.models import Category
from plazabanten.models import Notification
from tests.browser import fits_the_phone
from tests.factories import make_user
from vendors.models import Shop

from .helpers import make_verifikator, shop_wizard_walk, wizard_documents


def log_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_seller_onboards_gets_a_revision_fixes_it_and_is_verified(live_server, page, screenshot, tmp_path,
                                                                   celery_worker, wait_until):
    Category.objects.create(name="Fashion & Batik", slug="fashion-batik", level=1)
    seller, verifikator = make_user(name="Siti Aminah"), make_verifikator(name="Budi Verifikator")
    documents = wizard_documents(tmp_path)

    def snap(step: str) -> None:
        if step in ("profile", "review"):
            fits_the_phone(page)
        if step == "submitted":
            expect(page.locator(".status-card")).to_contain_text("3 hari kerja")
        if step != "bank":
            screenshot(step)

    # 1–5. The seller opens a shop and walks the wizard: profile down to the desa, identity (NIK, NIB, NPWP,
    # capital, turnover), documents, bank account, review and submit; the status page says what happens next.
    log_in_as(page, live_server, seller)
    page.goto(live_server.url + "/penjual/")
    shop_wizard_walk(page, documents=documents, nib="9120001234560", snap=snap, kecamatan="36.02.01")
    shop = Shop.objects.get(owner=seller)

    # 6. The verifikator finds it in the queue, looks at the documents, asks for a revision of the NIB.
    log_in_as(page, live_server, verifikator)
    page.goto(live_server.url + "/verifikasi/")
    expect(page.locator(".queue")).to_contain_text("Batik Rangkasbitung")
    expect(page.locator(".queue")).to_contain_text("0 hari menunggu")
    screenshot("console-queue")
    page.locator(".queue a", has_text="Batik Rangkasbitung").click()
    ktp_image = page.locator(".docs img").first
    expect(ktp_image).to_have_js_property("complete", True)
    assert ktp_image.evaluate("img => img.naturalWidth") == 856  # streamed through the permission-checked view
    # the wizard's NIB is a page-less PDF: no first-page image, the link to open it
    expect(page.locator(".docs a", has_text="Buka PDF lengkap")).to_have_count(1)
    fits_the_phone(page)
    screenshot("console-shop")
    page.locator("summary", has_text="Minta perbaikan").click()
    page.fill("#id_reason_nib", "NIB di formulir berbeda dengan dokumen NIB (angka terakhir 7).")
    page.get_by_role("button", name="Kirim permintaan perbaikan").click()
    expect(page.locator("h1 .tag")).to_have_text("Perlu perbaikan")
    screenshot("revision-requested")

    # 7. The seller sees the reason next to the NIB field, fixes it and sends again.
    log_in_as(page, live_server, seller)
    page.goto(live_server.url + f"/penjual/{shop.pk}/status/")
    expect(page.locator(".reasons")).to_contain_text("angka terakhir 7")
    screenshot("seller-sees-reason")
    page.click(".reasons >> text=Perbaiki")
    expect(page.locator("#field-nib .reason")).to_contain_text("angka terakhir 7")
    page.locator("#field-nib").scroll_into_view_if_needed()
    screenshot("reason-next-to-field")
    page.fill("#id_nib", "9120001234567")
    page.get_by_role("button", name="Simpan & lanjut").click()
    page.goto(live_server.url + f"/penjual/{shop.pk}/kirim/")
    page.get_by_role("button", name="Kirim ulang untuk verifikasi").click()
    expect(page.locator(".status-card")).to_contain_text("Menunggu verifikasi")

    # 8. The verifikator ticks the checklist and verifies.
    log_in_as(page, live_server, verifikator)
    page.goto(live_server.url + f"/verifikasi/{shop.pk}/")
    expect(page.locator(".facts")).to_contain_text("9120001234567")
    for box in page.locator(".checklist input[type=checkbox]").all():
        box.check()
    screenshot("checklist")
    page.get_by_role("button", name="Verifikasi toko").click()
    expect(page.locator("h1 .tag")).to_have_text("Terverifikasi")

    # 9. The worker delivers the notice; the seller reads it.
    assert wait_until(lambda: Notification.objects.filter(user=seller, subject__contains="terverifikasi").exists())
    log_in_as(page, live_server, seller)
    page.goto(live_server.url + "/notifikasi/")
    expect(page.locator(".notice").first).to_contain_text("Toko Batik Rangkasbitung terverifikasi")
    expect(page.locator("body")).to_contain_text("perlu perbaikan")
    fits_the_phone(page)
    screenshot("seller-notified")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_numbers_public_page_and_members_fit_a_phone(live_server, page, screenshot):
    from tests.factories import make_product, make_shop
    from vendors import services

    from .helpers import make_complete_draft

    verifikator = make_verifikator()
    for kabkota in ("36.01", "36.03", "36.03", "36.74", "36.74", "36.74"):
        make_shop(kabkota=kabkota)
    shop = make_complete_draft(name="Kopi Baduy")
    services.shop_request_revision(shop=services.shop_submit(shop=shop, actor=shop.owner), actor=verifikator,
                                   reasons={"nib": "Tidak terbaca"})
    verified = make_shop(name="Batik Krakatau", whatsapp="+6281234567890", umkm_class="mikro", rating_avg=4.8,
                         rating_count=31)
    make_product(shop=verified, name="Kain Batik Krakatau")

    log_in_as(page, live_server, verifikator)
    page.goto(live_server.url + "/verifikasi/angka/")
    expect(page.locator(".bars").first).to_contain_text("Terverifikasi")
    assert page.locator(".bars svg.bar").count() >= 6 + 3
    fits_the_phone(page)
    screenshot("numbers")

    page.goto(live_server.url + f"/toko/{verified.slug}/")
    expect(page.locator(".btn-wa")).to_have_attribute("href", re.compile(r"^https://wa\.me/6281234567890\?text="))
    fits_the_phone(page)
    screenshot("public-shop")

    log_in_as(page, live_server, shop.owner)
    page.goto(live_server.url + f"/penjual/{shop.pk}/anggota/")
    page.fill("#id_email", "staf@example.test")
    page.check("text=Keuangan")
    page.get_by_role("button", name="Kirim undangan").click()
    expect(page.locator(".queue")).to_contain_text("staf@example.test")
    fits_the_phone(page)
    screenshot("members")
