import re

import pytest
from playwright.sync_api import expect

from accounts import roles
from accounts.services import user_grant_role
from catalog.models import Product
from tests.browser import fits_the_phone, log_in
from tests.catalog.test_browser import batik_with_sizes
from tests.factories import make_category, make_product, make_shop, make_user
from tests.proof.axe import assert_no_serious_axe_violations
from vendors.models import Shop


def government_catalogue():
    root = make_category(name="Fashion & Batik", slug="fashion-batik", level=1)
    leaf = make_category(name="Kemeja Batik", slug="fashion-batik-kemeja", level=3, parent=root)
    umk = make_shop(kabkota="36.73", name="Batik Surosowan", umkm_class=Shop.UmkmClass.MIKRO)
    menengah = make_shop(kabkota="36.74", name="Batik Serpong Jaya", umkm_class=Shop.UmkmClass.MENENGAH,
                         is_pkp=True)
    popular = batik_with_sizes(menengah, leaf, "Kemeja Batik Serpong Impor", (30, 80, 150))
    Product.objects.filter(pk=popular.pk).update(tkdn_percent=5, sold_count=900)
    pdn_umk = batik_with_sizes(umk, leaf, "Kemeja Batik Surosowan", (60, 120, 60))
    Product.objects.filter(pk=pdn_umk.pk).update(tkdn_percent=32, bmp_percent=12, sold_count=3)
    pdn = batik_with_sizes(menengah, leaf, "Blus Batik Ciputat", (150, 60, 30))
    Product.objects.filter(pk=pdn.pk).update(tkdn_percent=45, bmp_percent=0, sold_count=40)
    make_product(shop=umk, category=leaf, name="Selendang Batik Kawung", tkdn_percent=27, sold_count=70,
                 is_banten=True, price=85_000)
    return pdn


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_government_buyer_finds_pdn_and_umk_products_first(live_server, page, browser, browser_context_args,
                                                              screenshot):
    pdn = government_catalogue()
    buyer = make_user(name="Pejabat Pengadaan Dinas Kominfo")
    user_grant_role(user=buyer, role=roles.GOVERNMENT)

    log_in(page, live_server.url, buyer.email)
    page.goto(live_server.url + "/cari/?q=batik")
    expect(page.locator("#result-count")).to_have_text("4 produk")
    names = page.locator(".pcard .pname").all_inner_texts()
    # PDN (TKDN+BMP ≥ 40%) with a local UMK first, the popular import last
    assert names == ["Kemeja Batik Surosowan", "Blus Batik Ciputat", "Selendang Batik Kawung",
                     "Kemeja Batik Serpong Impor"]
    first = page.locator(".pcard").first
    for badge in ("TKDN+BMP ≥ 40%", "UMK", "Produk Banten", "Non-PKP"):
        expect(first.locator(".gov-tags")).to_contain_text(badge)
    expect(page.locator("#urut")).to_have_value("pengadaan")
    fits_the_phone(page)
    screenshot("government-search-390")
    page.locator(".facets summary").click()
    assert_no_serious_axe_violations(page)  # the badges' colours, the government facets

    page.locator(".facets").get_by_role("link", name="PDN: TKDN+BMP ≥ 40%").click()
    expect(page.locator("#result-count")).to_have_text("2 produk")
    expect(page).to_have_url(re.compile(r"/cari/\?q=batik&pdn=1$"))
    page.locator(".facets summary").click()  # the redrawn results start with the filters folded
    page.locator(".facets").get_by_role("link", name="Toko UMK (mikro/kecil)").click()
    expect(page.locator("#result-count")).to_have_text("1 produk")
    expect(page.locator(".active-filters")).to_contain_text("TKDN+BMP ≥ 40%")
    fits_the_phone(page)
    screenshot("government-pdn-umk-390")

    page.goto(f"{live_server.url}/p/{pdn.shop.slug}/{pdn.slug}/")
    expect(page.locator("#pkp-status")).to_have_text("Harga termasuk PPN (PKP)")
    expect(page.locator("article .gov-tags").first).to_contain_text("TKDN+BMP ≥ 40%")
    fits_the_phone(page)
    screenshot("government-product-390")
    assert_no_serious_axe_violations(page)

    desktop = browser.new_context(**{**browser_context_args, "viewport": {"width": 1366, "height": 768},
                                     "is_mobile": False, "device_scale_factor": 1})
    try:
        office = desktop.new_page()
        log_in(office, live_server.url, buyer.email)
        office.goto(live_server.url + "/cari/")
        expect(office.locator("#result-count")).to_have_text("4 produk")
        expect(office.locator(".pcard .pname").first).to_have_text("Kemeja Batik Surosowan")
        assert office.evaluate("document.documentElement.scrollWidth") <= 1366
        screenshot("government-search-1366", office)
    finally:
        desktop.close()

    # the same search for a consumer: no government badges, the usual order
    consumer = browser.new_context(**browser_context_args)
    try:
        shopper = consumer.new_page()
        shopper.goto(live_server.url + "/cari/?q=batik")
        expect(shopper.locator("#result-count")).to_have_text("4 produk")
        expect(shopper.locator(".gov-tags")).to_have_count(0)
        screenshot("consumer-search-390", shopper)
    finally:
        consumer.close()
