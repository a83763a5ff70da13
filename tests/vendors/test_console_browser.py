"""The verifikator at a desk (1366×768): the menu's tools, the NIB PDF as a picture of its first page, history in
words, a refused decision shown where the page lands; the seller's home on a phone with the new-shop form folded."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.browser import fits_the_phone
from tests.factories import make_product, make_shop
from vendors import services

from .helpers import make_complete_draft, make_verifikator, upload
from .test_console_review import nib_pdf


def signed_in_context(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="id-ID", **options)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_verifikator_reviews_a_pdf_nib_by_its_first_page_on_a_desktop(live_server, browser, screenshot):
    shop = make_complete_draft(name="Emping Menes")
    services.shop_save_document(shop=shop, actor=shop.owner, kind="nib",  # the worker's job runs on commit (eager)
                                upload=upload(nib_pdf(), "application/pdf", "pdf", name="nib-oss"))
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    verifikator = make_verifikator(name="Budi Verifikator")
    services.shop_request_revision(shop=shop, actor=verifikator, reasons={"region": "Desa tidak cocok dengan KTP"})
    services.shop_submit(shop=shop, actor=shop.owner)
    product = make_product(name="Kopi Robusta Pandeglang")

    context = signed_in_context(browser, live_server, verifikator, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.locator(".menu summary").click()
        menu = page.locator(".menu ul")
        for name, url in (("Verifikasi toko", "/verifikasi/"), ("Komplain (banding)", "/verifikasi/komplain/"),
                          ("Keuangan", "/keuangan/")):
            expect(menu.get_by_role("link", name=name)).to_have_attribute("href", url)
        screenshot("verifikator-menu", page)
        menu.get_by_role("link", name="Verifikasi toko").click()
        page.locator(".queue a", has_text="Emping Menes").click()

        preview = page.locator(".docs img[alt='Dokumen NIB, halaman pertama']")
        preview.scroll_into_view_if_needed()
        expect(preview).to_have_js_property("complete", True)
        assert preview.evaluate("img => img.naturalWidth") == services.PREVIEW_WIDTH
        assert preview.evaluate("img => img.getBoundingClientRect().height") > 200  # not an empty box
        expect(page.get_by_role("link", name="Buka PDF lengkap")).to_have_attribute(
            "href", f"/penjual/{shop.pk}/dokumen/{shop.documents.get(kind='nib').pk}/")
        expect(page.locator(".timeline")).to_contain_text("Alamat: Desa tidak cocok dengan KTP")
        expect(page.locator(".timeline")).not_to_contain_text("region:")
        screenshot("console-pdf-first-page", page)

        page.locator("summary", has_text="Minta perbaikan").click()
        page.get_by_role("button", name="Kirim permintaan perbaikan").click()  # no reason given
        errors = page.locator("#decision-errors")
        expect(errors).to_contain_text("Tuliskan alasan perbaikan untuk minimal satu data.")
        expect(errors).to_be_in_viewport()  # the form's #decide anchor: the page lands on the errors (an alert)
        header_bottom = page.locator("header.top").evaluate("h => h.getBoundingClientRect().bottom")
        assert errors.evaluate("e => e.getBoundingClientRect().top") >= header_bottom  # not under the header
        page.screenshot(path=str(screenshot("refused-decision-full", page).with_name("refused-decision-viewport.png")))

        page.goto(f"{live_server.url}/p/{product.shop.slug}/{product.slug}/")
        moderation = page.get_by_role("link", name="Moderasi produk ini")
        expect(moderation).to_be_in_viewport()
        screenshot("product-with-moderation-on-top", page)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_s_home_folds_the_new_shop_form_and_links_shipping(live_server, browser, screenshot):
    shop = make_shop(name="Batik Serpong", slug="batik-serpong")
    context = signed_in_context(browser, live_server, shop.owner, viewport={"width": 390, "height": 844},
                                is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/penjual/")
        expect(page.get_by_label("Nama toko baru")).to_be_hidden()
        expect(page.locator(".shop-switch").get_by_role("link", name="Pengiriman")).to_have_attribute(
            "href", f"/penjual/{shop.pk}/pengiriman/")
        fits_the_phone(page)
        screenshot("owner-home-folded", page)
        page.get_by_text("Buka toko lain").click()
        page.get_by_label("Nama toko baru").fill("Batik Serpong")
        page.get_by_role("button", name="Buka toko").click()
        expect(page.locator("#id_slug")).to_have_value("batik-serpong-2")  # the counter, not a random suffix
        screenshot("second-shop-profile", page)
    finally:
        context.close()
