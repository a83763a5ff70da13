"""The Bendahara pays a package's invoice by KKPD in headless Chromium: the pay page offers both methods (1366×768,
government staff use desktops), the card form's script gets the token from the sandbox gateway (the number never
reaches our server), a declined card says so, a 3-D Secure card goes to the issuer's OTP page (checked at 390×844,
a card holder may confirm on a phone), and the signed notification over HTTP marks the package paid."""

from datetime import date

import pytest
from playwright.sync_api import expect

from payments.models import PaymentAttempt
from procurement.models import Paket
from tests.browser import fits_the_phone
from tests.factories import DEFAULT_PASSWORD
from tests.procurement.helpers import Team

DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "id-ID"}


def fill_card(page, number: str) -> None:
    page.fill("#kkpd-number", number)
    page.fill("#kkpd-month", "12")
    page.fill("#kkpd-year", str(date.today().year + 2))
    page.fill("#kkpd-cvv", "123")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_bendahara_pays_by_kkpd_with_3ds_in_the_browser(live_server, browser, screenshot):
    url = live_server.url
    team = Team(price=150_000)
    paket = team.walk(team.paket(quantity=4), Paket.Status.MENUNGGU_PEMBAYARAN)
    context = browser.new_context(**DESKTOP)
    try:
        b = context.new_page()
        b.goto(f"{url}/akun/login/")
        b.fill("#id_login", team.bendahara.email)
        b.fill("#id_password", DEFAULT_PASSWORD)
        b.get_by_role("button", name="Masuk").click()
        expect(b.locator("header .menu summary")).to_be_visible()
        b.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        expect(b.get_by_role("heading", name="Virtual account")).to_be_visible()
        expect(b.get_by_role("heading", name="KKPD (Kartu Kredit Pemerintah Daerah)")).to_be_visible()
        screenshot("bendahara-pay-both-methods-desktop", b)
        assert b.evaluate("document.documentElement.scrollWidth") <= 1366

        # A card the bank declines: said on the page, the invoice stays payable.
        fill_card(b, "4711 1111 1111 1115")
        b.get_by_role("button", name="Bayar Rp600.000 dengan KKPD").click()
        expect(b.locator(".msg-error, .messages").first).to_contain_text("ditolak bank penerbit")
        b.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        screenshot("bendahara-card-declined", b)

        # A 3-D Secure card: the issuer's OTP page, on a phone-sized screen.
        fill_card(b, "4811 1111 1111 1114")
        b.get_by_role("button", name="Bayar Rp600.000 dengan KKPD").click()
        expect(b.get_by_role("heading", name="Verifikasi 3-D Secure")).to_be_visible()
        b.set_viewport_size({"width": 390, "height": 844})
        expect(b.get_by_text("481111-1114")).to_be_visible()
        expect(b.get_by_text("Rp600.000")).to_be_visible()
        fits_the_phone(b)
        screenshot("sandbox-3ds-page-phone", b)
        b.fill("#otp", "112233")
        with b.expect_navigation():
            b.get_by_role("button", name="Kirim").click()
        b.set_viewport_size({"width": 1366, "height": 768})
        b.reload()
        expect(b.locator(".tag").first).to_have_text("Pembayaran berhasil")
        expect(b.get_by_text("KKPD •••• 1114")).to_be_visible()
        b.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        screenshot("bendahara-paid-by-kkpd", b)
        assert not PaymentAttempt.objects.filter(card_last4="").exists()  # both card tries kept their last four
    finally:
        context.close()
