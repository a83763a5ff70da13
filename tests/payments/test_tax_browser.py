"""The tax pages in a browser: the Pemprov's monthly report at a desk (1366×768) with the invoice and the bukti potong
rendered as pictures (pypdfium2, PDFium as in Chromium), and the seller's balance and tax page on a phone."""

import pypdfium2
import pytest
from playwright.sync_api import expect

from payments.documents import bukti_potong_pdf
from payments.models import OrderTax
from payments.selectors import order_tax_period
from procurement.models import Paket, PaketDocument
from tests.browser import fits_the_phone
from tests.factories import make_product
from tests.procurement.helpers import Team
from tests.vendors.helpers import make_verifikator
from tests.vendors.test_console_browser import signed_in_context

from .taxes import paid_consumer_checkout, pay_paket, taxed_shop


def pdf_picture(content: bytes, path) -> None:
    pdf = pypdfium2.PdfDocument(content)
    try:
        pdf[0].render(scale=1366 / pdf[0].get_size()[0]).to_pil().save(path)
    finally:
        pdf.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_tax_report_on_a_desk_and_the_sellers_tax_lines_on_a_phone(live_server, browser, client, screenshot,
                                                                        request):
    pkp = taxed_shop(pkp=True, name="Sinar Banten", npwp="012345678901234")
    team = Team(price=333_000, shop=pkp)
    paket = team.walk(team.paket(quantity=4), Paket.Status.MENUNGGU_PEMBAYARAN)
    pay_paket(client, team, paket)
    umkm = taxed_shop(pkp=False, name="Kerajinan Baduy", npwp="098765432109876")
    other = Team(price=150_000, shop=umkm)
    pay_paket(client, other, other.walk(other.paket(quantity=10, kode_rup="56082745"),
                                        Paket.Status.MENUNGGU_PEMBAYARAN))
    emping = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    paid_consumer_checkout(client, variants=[make_product(shop=emping, name="Emping Melinjo Menes 1 kg",
                                                          price=250_000).variants.get()], key="b1")

    from tests.conftest import ARTIFACTS

    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    invoice = paket.documents.get(kind=PaketDocument.Kind.INVOICE)
    pdf_picture(invoice.file.read(), folder / "invoice-pkp-rendered.png")
    tax = OrderTax.objects.get(shop=emping)
    pdf_picture(bukti_potong_pdf(tax, period=order_tax_period(order_id=tax.order_id)),
                folder / "bukti-potong-rendered.png")

    context = signed_in_context(browser, live_server, make_verifikator(name="Budi Verifikator"),
                                viewport={"width": 1366, "height": 768})
    desk = context.new_page()
    try:
        desk.goto(live_server.url + "/verifikasi/")
        desk.get_by_role("link", name="Laporan pajak").click()
        expect(desk.locator("#provisional")).to_contain_text("SEMENTARA")
        # PPN 132.000 (the PKP invoice); PPh 22 6.000 + 7.500 + 1.250
        expect(desk.locator("#total-ppn")).to_have_text("Rp132.000")
        expect(desk.locator("#total-pph22")).to_have_text("Rp14.750")
        expect(desk.locator("#ledger-check")).to_contain_text("Sama dengan jumlah laporan.")
        expect(desk.locator(".tax-row")).to_have_count(3)
        expect(desk.get_by_role("link", name="XLSX")).to_be_visible()
        screenshot("tax-report-desk", desk)
    finally:
        context.close()

    seller = signed_in_context(browser, live_server, emping.owner, viewport={"width": 390, "height": 844},
                               is_mobile=True, device_scale_factor=2)
    phone = seller.new_page()
    try:
        phone.goto(f"{live_server.url}/penjual/{emping.pk}/saldo/")
        expect(phone.locator(".tax-line")).to_contain_text("PPh 22 dipotong Rp1.250")
        fits_the_phone(phone)
        screenshot("seller-balance-tax-line", phone)
        slip = phone.get_by_role("link", name="bukti potong", exact=True).get_attribute("href")
        response = phone.request.get(live_server.url + slip)  # with the seller's session
        assert response.ok and response.headers["content-type"] == "application/pdf"
        phone.goto(f"{live_server.url}/penjual/{emping.pk}/pajak/")
        expect(phone.locator("#year-pph22")).to_have_text("Rp1.250")
        fits_the_phone(phone)
        screenshot("seller-tax-page", phone)
    finally:
        seller.close()
