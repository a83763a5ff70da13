"""On a phone: the owner finds who opened their KTP, the download/delete page, and the privacy page from the footer;
at a desk: the Pemprov's access-log search."""

import pytest
from playwright.sync_api import expect

from tests.browser import fits_the_phone
from tests.factories import DEFAULT_PASSWORD
from tests.vendors.helpers import make_complete_draft, make_verifikator
from tests.vendors.test_console_browser import signed_in_context
from vendors import services


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_owner_sees_who_opened_the_ktp_and_the_pemprov_searches_the_log(live_server, browser, page, screenshot):
    shop = make_complete_draft(name="Batik Rangkasbitung")
    services.shop_submit(shop=shop, actor=shop.owner)
    verifikator = make_verifikator(name="Budi Verifikator")

    desk = signed_in_context(browser, live_server, verifikator, viewport={"width": 1366, "height": 768})
    console = desk.new_page()
    try:
        console.goto(f"{live_server.url}/verifikasi/{shop.pk}/")  # the documents shown inline: each one logged
        expect(console.locator(".docs img").first).to_have_js_property("complete", True)
        console.locator(".menu summary").click()
        console.locator(".menu ul").get_by_role("link", name="Log akses dokumen pribadi").click()
        console.fill("#id_owner", "Rangkasbitung")
        console.get_by_role("button", name="Saring").click()
        expect(console.locator(".access-log tbody tr").first).to_contain_text("Budi Verifikator")
        expect(console.locator(".access-log")).to_contain_text("Foto KTP pemilik")
        assert console.evaluate("document.documentElement.scrollWidth") <= 1366
        screenshot("pemprov-access-log-search-1366", console)
    finally:
        desk.close()

    phone = signed_in_context(browser, live_server, shop.owner, viewport={"width": 390, "height": 844},
                              is_mobile=True, device_scale_factor=2)
    mine = phone.new_page()
    try:
        mine.goto(f"{live_server.url}/")
        mine.locator(".menu summary").click()
        mine.locator(".menu ul").get_by_role("link", name="Data pribadi saya").click()
        expect(mine.locator("h1")).to_have_text("Data pribadi saya")
        fits_the_phone(mine)
        screenshot("my-data-export-delete-390", mine)
        mine.get_by_role("link", name="Lihat log akses").click()
        expect(mine.locator(".access-log li").first).to_contain_text("Budi Verifikator")
        expect(mine.locator(".access-log")).to_contain_text("Verifikasi identitas oleh Pemprov")
        fits_the_phone(mine)
        screenshot("my-document-access-log-390", mine)
        mine.goto(f"{live_server.url}/data-saya/")
        mine.fill("#id_export-password", DEFAULT_PASSWORD)
        with mine.expect_download() as download:
            mine.get_by_role("button", name="Unduh ZIP").click()
        assert download.value.suggested_filename.startswith("plazabanten-data-saya-")
        mine.get_by_role("link", name="Kebijakan Privasi").first.click()
        expect(mine.locator("h1")).to_have_text("Kebijakan Privasi")
        fits_the_phone(mine)
        screenshot("privacy-page-390", mine)
    finally:
        phone.close()
