"""The PP's draft page in Chromium: lines removed and a product of the same shop added through "Ubah draf" at
desktop width (1366×768), then a negotiation offer typed on a phone (390×844). Screenshots in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from procurement.models import Paket
from tests.browser import fits_the_phone, log_in
from tests.factories import make_product
from tests.procurement.helpers import Team

DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "id-ID"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pp_edits_the_draft_lines_then_offers_a_price_on_a_phone(live_server, browser, page, screenshot):
    url = live_server.url
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    first = paket.lines.get()
    folder = make_product(shop=team.shop, name="Map Arsip Batik", price=45_000, stock=30).variants.get()
    context = browser.new_context(**DESKTOP)

    def snap(name, target=page):
        target.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        screenshot(name, target)

    try:
        desk = context.new_page()
        log_in(desk, url, team.pp.email)
        desk.goto(f"{url}/pengadaan/paket/{paket.pk}/")
        desk.get_by_text("Ubah draf").click()
        desk.select_option("#add-variant", str(folder.pk))
        desk.fill("#add-quantity", "10")
        snap("pp-draft-edit-desktop", desk)
        desk.get_by_role("button", name="Simpan draf").click()
        expect(desk.locator("table.variants").first).to_contain_text("Map Arsip Batik")
        expect(desk.locator("table.variants").first).to_contain_text("Rp1.050.000")  # 600.000 + 450.000
        desk.get_by_text("Ubah draf").click()
        desk.check(f"input[name=remove-{first.pk}]")
        desk.get_by_role("button", name="Simpan draf").click()
        expect(desk.locator("table.variants").first).not_to_contain_text(first.product_name)
        expect(desk.locator(".timeline")).to_contain_text("Dihapus")
        snap("pp-draft-edited-desktop", desk)
        assert desk.evaluate("document.documentElement.scrollWidth") <= 1366
    finally:
        context.close()
    paket.refresh_from_db()
    line = paket.lines.get()
    assert (paket.total, line.variant_id, line.quantity) == (450_000, folder.pk, 10)

    log_in(page, url, team.pp.email)
    page.goto(f"{url}/pengadaan/paket/{paket.pk}/")
    page.fill(f"#id_offer-price-{line.pk}", "40rb")
    page.fill("#id_offer-note", "Sesuai pagu DPA")
    fits_the_phone(page)
    snap("pp-offer-form-phone")
    page.get_by_role("button", name="Ajukan negosiasi ke penyedia").click()
    expect(page.locator(".tag").first).to_have_text("Negosiasi")
    expect(page.locator(".offers")).to_contain_text("Rp400.000")
    fits_the_phone(page)
    snap("pp-offered-phone")
    assert Paket.objects.get(pk=paket.pk).offers.get().total == 400_000
