import pytest
from playwright.sync_api import expect

from tests.browser import fits_the_phone, log_in
from tests.factories import make_user
from tests.proof.axe import assert_no_serious_axe_violations

from .conftest import place_checkout


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_saves_the_qr_as_a_picture_and_the_countdown_stops_once_paid(live_server, page, screenshot):
    buyer = make_user(email="ani@example.test", name="Ani Lestari")
    group = place_checkout(prices=(45000,), buyer=buyer)
    log_in(page, live_server.url, "ani@example.test")
    page.goto(f"{live_server.url}/bayar/{group.pk}/")
    page.get_by_label("QRIS").check()
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator("img.qris")).to_be_visible()
    expect(page.locator(".countdown")).to_contain_text("sisa")
    fits_the_phone(page)
    screenshot("qris-with-save-button")
    assert_no_serious_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Simpan QR").click()
    download = download_info.value
    name = download.suggested_filename
    assert name.startswith("QRIS-Plaza-Banten-PB") and name.endswith(".png")
    with open(download.path(), "rb") as saved:
        assert saved.read(8) == b"\x89PNG\r\n\x1a\n"

    page.get_by_role("link", name="Simulator pembayaran (sandbox)").click()
    page.get_by_role("button", name="Bayar", exact=True).click()
    expect(page.locator("#pay-status")).to_contain_text("Pembayaran diterima", timeout=15000)
    expect(page.locator(".pay-done")).to_have_text("Lunas")
    expect(page.locator(".countdown")).to_have_count(0)
    screenshot("paid-lunas")
