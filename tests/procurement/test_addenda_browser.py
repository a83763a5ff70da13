"""An addendum and two deliveries in headless Chromium: the PPK's request waits on the seller's page, the seller
accepts it by signing (password) and ships in two parts to two addresses, the pemeriksa inspects the first; the
package page shows the addendum, both deliveries and the timeline at desktop width (1366×768) and on a phone
(390×844), and the auditor downloads the addendum's PDF. Screenshots in test-artifacts/<test>/."""

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from procurement.addenda import paket_addendum_request
from procurement.models import Opd, Paket, Role
from tests.browser import fits_the_phone, log_in
from tests.factories import DEFAULT_PASSWORD
from tests.procurement.helpers import Team, add_member
from tests.procurement.test_journey_browser import DESKTOP, pdf_text

UPT = "UPT Pelatihan Koperasi dan UKM, Jl. Raya Serang–Pandeglang Km 4, Kota Serang"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_addendum_and_two_deliveries_on_the_package_page(live_server, browser, page, screenshot):
    url = live_server.url
    team = Team(stock=50, price=85_000)
    Opd.objects.filter(pk=team.opd.pk).update(name="Dinas Koperasi dan UKM Provinsi Banten")
    team.shop.name = "Konveksi Pondok Aren"
    team.shop.save(update_fields=["name"])
    for user, name in ((team.ppk, "Budi Santoso (PPK)"), (team.pp, "Andi Pejabat Pengadaan"),
                       (team.seller, "Siti Konveksi")):
        user.name = name
        user.save(update_fields=["name"])
    inspector = add_member(team.opd, Role.PEMERIKSA, name="Rudi Pemeriksa")
    paket = team.walk(team.paket(quantity=10, nama="Kaos kegiatan Hari Koperasi", alamat_lain=UPT),
                      Paket.Status.DIPROSES)
    line = paket.lines.get()
    paket_addendum_request(paket_id=paket.pk, actor=team.ppk, quantities={line.pk: 12},
                           tiba=paket.permintaan_tiba + timedelta(days=7), reason="Peserta bertambah dari UPT.")
    contexts = []

    def person(user, viewport=DESKTOP):
        context = browser.new_context(**viewport)
        contexts.append(context)
        p = context.new_page()
        log_in(p, url, user.email)
        expect(p.locator("header .menu summary")).to_be_visible()
        return p

    try:
        # The seller accepts the PPK's addendum by signing it, then ships 6 to the UPT and 4 to the office.
        s = person(team.seller)
        s.goto(f"{url}/penjual/{team.shop.pk}/pengadaan/{paket.pk}/")
        expect(s.locator(".addenda")).to_contain_text("Peserta bertambah dari UPT.")
        screenshot("seller-addendum-request", s)
        s.locator(".addenda input[type=password]").fill(DEFAULT_PASSWORD)
        s.get_by_role("button", name="Setujui & tandatangani addendum").click()
        expect(s.locator(".addenda")).to_contain_text("Addendum 1")
        s.fill(f"#quantity-{line.pk}", "6")
        s.select_option("#address", UPT)
        s.get_by_role("button", name="Kirim barang").click()
        expect(s.locator(".tag").first).to_have_text("Dikirim")
        s.fill(f"#quantity-{line.pk}", "4")
        s.fill("#courier", "JNE")
        s.fill("#tracking", "JNE0123456789")
        s.get_by_role("button", name="Kirim barang lagi").click()
        expect(s.locator(".deliveries > li")).to_have_count(2)

        # The PPK names the pemeriksa; the pemeriksa inspects the first delivery (6, as shipped).
        k = person(team.ppk)
        k.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        k.locator("summary", has_text="Tunjuk pemeriksa").click()
        k.select_option("#inspector", str(inspector.pk))
        k.get_by_role("button", name="Simpan pemeriksa").click()
        i = person(inspector)
        i.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        first = i.locator("form", has_text="Pemeriksaan pengiriman 1")
        first.get_by_role("button", name="Catat pemeriksaan").click()
        expect(i.locator("#pengiriman-1 .tag")).to_have_text("Diperiksa, sesuai")
        expect(i.locator(".tag").first).to_have_text("Dikirim")  # the second delivery is still out

        k.reload()
        expect(k.locator("#pengiriman-2 .tag")).to_have_text("Dalam pengiriman")
        expect(k.locator(".documents")).to_contain_text("Addendum 1")
        assert k.evaluate("document.documentElement.scrollWidth") <= 1366
        screenshot("ppk-desktop-addendum-two-deliveries", k)
        phone = person(team.ppk, {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "locale": "id-ID"})
        phone.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        fits_the_phone(phone)
        screenshot("ppk-phone-addendum-two-deliveries", phone)

        # The auditor reads it and downloads the addendum: its number and the new total are in the PDF.
        log_in(page, url, team.auditor.email)
        page.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        expect(page.get_by_text("hanya baca")).to_be_visible()
        fits_the_phone(page)
        screenshot("auditor-phone", page)
        with page.expect_download() as download:
            page.locator(".documents a", has_text="Addendum 1").click()
        text = pdf_text(Path(download.value.path()).read_bytes())
        number = paket.addenda.get().document.number
        assert number in text and "Rp1.020.000" in text and "10 menjadi 12" in text
    finally:
        for context in contexts:
            context.close()
