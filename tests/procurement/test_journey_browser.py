"""The government buying journey in headless Chromium at desktop width (1366×768, government staff use desktops):
the Admin OPD invites the PP, PPK and Bendahara → the PP builds a package from the cart of one shop and negotiates
(offers a lower price; the seller counters on a phone, 390×844; the PP accepts) → the PPK
signs the SP → the seller signs within the deadline and ships → the PPK inspects and signs the BAST, the seller
co-signs → the Bendahara pays by VA on the sandbox (the signed notification travels over HTTP to our webhook) →
the shop's money is released. Every person acts in a browser context of their own, through forms and buttons;
the PDFs are opened and checked for their numbers and amounts. Screenshots in test-artifacts/<test>/."""

import re
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders.services import cart_set_quantity
from payments.ledger import shop_balances
from procurement.models import Paket, Role
from procurement.payment import paket_close_paid
from tests.browser import fits_the_phone, log_in
from tests.factories import DEFAULT_PASSWORD, make_product, make_shop, make_user
from tests.procurement.helpers import add_member, make_opd

DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "id-ID"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "device_scale_factor": 2, "locale": "id-ID"}


def pdf_text(content: bytes) -> str:
    """The text drawn in an fpdf2 PDF: its content streams inflated."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            text.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            text.append(stream.decode("latin-1"))
    return "\n".join(text)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_government_journey_invite_to_payout_at_desktop_width(live_server, browser, page, screenshot):
    url = live_server.url
    opd = make_opd(name="Dinas Koperasi dan UKM Provinsi Banten", kode_satker="1.26.0.00.0.00.01.0000")
    admin = opd.members.get().user
    pp = make_user(email="pp@dinkop.test", name="Andi Pejabat Pengadaan")
    ppk = make_user(email="ppk@dinkop.test", name="Budi PPK")
    bendahara = make_user(email="bendahara@dinkop.test", name="Citra Bendahara")
    shop = make_shop(name="Alat Tulis Kramatwatu")
    variant = make_product(shop=shop, name="Map Arsip Batik", price=45_000, stock=50).variants.get()
    contexts = []

    def person(user, device=DESKTOP):
        context = browser.new_context(**device)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{url}/akun/login/")
        page.fill("#id_login", user.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.locator("header .menu summary")).to_be_visible()
        return page

    def snap(name, page):
        page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        screenshot(name, page)

    try:
        # 1. The Admin OPD invites the PP, the PPK and the Bendahara; each accepts on their own page.
        a = person(admin)
        a.goto(f"{url}/pengadaan/satker/")
        for user, role in ((pp, "pp"), (ppk, "ppk"), (bendahara, "bendahara")):
            a.fill("#id_email", user.email)
            a.select_option("#id_role", role)
            a.get_by_role("button", name="Kirim undangan").click()
            expect(a.locator(".msg, .messages").first).to_contain_text(user.email)
        snap("admin-invited", a)
        pages = {}
        for user in (pp, ppk, bendahara):
            their = person(user)
            their.goto(f"{url}/pengadaan/")
            their.get_by_role("button", name="Terima undangan").click()
            expect(their.locator("h1")).to_have_text(opd.name)
            pages[user.pk] = their
        p, k, b = pages[pp.pk], pages[ppk.pk], pages[bendahara.pk]

        # 2. The PP's cart holds one shop's goods (the consumer cart, tested in tests/orders); "Buat paket".
        cart_set_quantity(user=pp, variant_id=variant.pk, quantity=12)
        p.goto(f"{url}/pengadaan/")
        snap("pp-dashboard", p)
        p.get_by_role("link", name="Buat paket").click()
        p.fill("#id_nama", "Map arsip bidang UMKM")
        p.fill("#id_kode_rup", "RUP5608")
        p.fill("#id_alamat_kirim", "Jl. Syekh Nawawi Al Bantani, KP3B, Serang")
        p.fill("#id_permintaan_tiba", "2026-12-30")
        p.select_option("#id_ppk", str(ppk.pk))
        p.get_by_role("button", name="Simpan sebagai draf").click()
        expect(p.locator(".errorlist").first).to_contain_text("Kode RUP hanya berisi angka")
        snap("pp-kode-rup-refused", p)
        p.fill("#id_kode_rup", "56082744")
        p.get_by_role("button", name="Simpan sebagai draf").click()
        expect(p.locator(".tag").first).to_have_text("Draf")
        paket = Paket.objects.get()
        line = paket.lines.get()

        # 2b. Negotiation: the PP offers Rp40.000 a unit (catalog Rp45.000); the seller, on a phone, counters at
        # Rp42.000; the PP accepts, which sends the package to the PPK at the agreed price.
        p.fill(f"#id_offer-price-{line.pk}", "50.000")
        p.get_by_role("button", name="Ajukan negosiasi ke penyedia").click()
        expect(p.locator(".msg-error")).to_contain_text("melebihi harga katalog Rp45.000")
        p.fill(f"#id_offer-price-{line.pk}", "40.000")
        p.fill("#id_offer-note", "Pagu DPA Rp480.000")
        p.get_by_role("button", name="Ajukan negosiasi ke penyedia").click()
        expect(p.locator(".tag").first).to_have_text("Negosiasi")
        snap("pp-offered", p)
        phone = person(shop.owner, PHONE)
        phone.goto(f"{url}/penjual/{shop.pk}/pengadaan/")
        phone.get_by_role("link", name="Map arsip bidang UMKM").click()
        expect(phone.locator(".offers")).to_contain_text("Pagu DPA Rp480.000")
        expect(phone.locator(f"#id_offer-price-{line.pk}")).to_have_value("Rp40.000")
        phone.fill(f"#id_offer-price-{line.pk}", "42.000")
        phone.fill("#id_offer-note", "Harga kertas naik")
        phone.get_by_role("button", name="Kirim tawaran balik").click()
        expect(phone.locator(".offers li")).to_have_count(2)
        fits_the_phone(phone)
        snap("seller-countered-phone", phone)
        p.reload()
        expect(p.locator(".offers")).to_contain_text("Harga kertas naik")
        snap("pp-counter-received", p)
        p.get_by_role("button", name="Setujui tawaran & ajukan ke PPK").click()
        expect(p.locator(".tag").first).to_have_text("Menunggu persetujuan PPK")
        expect(p.locator("table.variants").first).to_contain_text("Rp504.000")

        # 3. The PPK signs the Surat Pesanan with their password.
        k.goto(f"{url}/pengadaan/")
        k.get_by_role("link", name="Map arsip bidang UMKM").first.click()
        snap("ppk-review", k)
        k.fill("#password-terbitkan-sp", "salah")
        k.get_by_role("button", name="Setujui & tandatangani Surat Pesanan").click()
        expect(k.locator(".msg-error")).to_contain_text("Kata sandi salah")
        k.fill("#password-terbitkan-sp", DEFAULT_PASSWORD)
        k.get_by_role("button", name="Setujui & tandatangani Surat Pesanan").click()
        expect(k.locator(".tag").first).to_have_text("Menunggu konfirmasi penyedia")
        expect(k.locator(".documents")).to_contain_text("SP/1.26.0.00.0.00.01.0000/2026/000001")
        snap("ppk-sp-signed", k)

        # 4. The seller accepts and signs within the deadline, then ships with its own courier.
        s = person(shop.owner)
        s.goto(f"{url}/penjual/{shop.pk}/pengadaan/")
        snap("seller-list", s)
        s.get_by_role("link", name="Map arsip bidang UMKM").click()
        expect(s.locator(".msg").first).to_contain_text("3 hari kerja")
        snap("seller-sp", s)
        sp_link = s.locator(".documents a").first
        with s.expect_download() as download:
            sp_link.click()
        sp_pdf = Path(download.value.path()).read_bytes()
        text = pdf_text(sp_pdf)
        assert "SP/1.26.0.00.0.00.01.0000/2026/000001" in text and "Rp504.000" in text and "56082744" in text
        assert "Rp42.000" in text  # the agreed unit price, not the catalog's Rp45.000
        s.fill("#password-terima", DEFAULT_PASSWORD)
        s.get_by_role("button", name="Terima & tandatangani Surat Pesanan").click()
        expect(s.locator(".tag").first).to_have_text("Diproses penyedia")
        s.get_by_role("button", name="Kirim barang").click()
        expect(s.locator(".tag").first).to_have_text("Dikirim")

        # 5. The PPK inspects (all 12 arrived in good condition) and signs the BAST; the seller co-signs.
        k.reload()
        snap("ppk-inspection", k)
        k.get_by_role("button", name="Catat pemeriksaan").click()
        expect(k.locator(".tag").first).to_have_text("Diterima, lolos pemeriksaan")
        k.fill("#password-tandatangani-bast", DEFAULT_PASSWORD)
        k.get_by_role("button", name="Buat & tandatangani BAST").click()
        expect(k.locator(".tag").first).to_have_text("BAST ditandatangani PPK")
        s.reload()
        s.fill("#password-tandatangani-bast", DEFAULT_PASSWORD)
        s.get_by_role("button", name="Tandatangani BAST").click()
        expect(s.locator(".tag").first).to_have_text("Menunggu pembayaran")
        snap("seller-bast-signed", s)

        # 6. The Bendahara pays by BRI virtual account; the sandbox bank pays it and notifies our webhook.
        b.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        snap("bendahara-invoice", b)
        kuitansi = b.locator(".documents a", has_text="Kuitansi")
        with b.expect_download() as download:
            kuitansi.click()
        text = pdf_text(Path(download.value.path()).read_bytes())
        assert "KWT/1.26.0.00.0.00.01.0000/2026/000001" in text and "lima ratus empat ribu rupiah" in text.lower()
        b.select_option("#bank", "bri")
        b.get_by_role("button", name="Buat nomor virtual account").click()
        expect(b.locator(".va-number")).to_be_visible()
        snap("bendahara-va", b)
        with b.expect_navigation():  # the form posts and comes back; reloading mid-way detaches the page
            b.get_by_role("button", name="Sandbox: bayar VA ini").click()
        b.reload()
        expect(b.locator(".tag").first).to_have_text("Pembayaran berhasil")
        snap("bendahara-paid", b)

        # 7. The shop's money: released by the settle job (payments.orders_settle, run by beat), then closed.
        assert paket_close_paid() == 1
        # the 1% fee and PPh 22 0,5% collected by the platform (a non-PKP shop: no PPN)
        assert shop_balances(shop_id=shop.pk)["available"] == 504_000 - 5_040 - 2_520
        s.goto(f"{url}/penjual/{shop.pk}/pengadaan/{paket.pk}/")
        expect(s.locator(".tag").first).to_have_text("Selesai")
        snap("seller-done", s)
        assert s.evaluate("document.documentElement.scrollWidth") <= 1366

        # 8. The Auditor (APIP) reads the whole package on a phone (390×844): documents, timeline, no buttons.
        auditor = add_member(opd, Role.AUDITOR, email="auditor@dinkop.test", name="Dewi Auditor")
        log_in(page, url, auditor.email)
        page.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        expect(page.locator(".documents li")).to_have_count(4)
        expect(page.locator(".offers li")).to_have_count(2)
        expect(page.get_by_text("hanya baca")).to_be_visible()
        fits_the_phone(page)
        snap("auditor-phone", page)
    finally:
        for context in contexts:
            context.close()
