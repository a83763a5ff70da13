import pytest
from playwright.sync_api import expect

from orders.models import CheckoutGroup
from tests.browser import fits_the_phone, log_in
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import make_address
from tests.proof.axe import assert_no_serious_axe_violations


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_checkout_starts_on_a_courier_and_back_after_placing_shows_the_pay_link(live_server, page, screenshot):
    batik = make_product(shop=make_shop(name="Batik Krakatau", kabkota="36.72"), name="Kain Batik Tulis", price=350000)
    buyer = make_user(email="ani@example.test", name="Ani Lestari")
    make_address(buyer)
    log_in(page, live_server.url, "ani@example.test")
    page.goto(f"{live_server.url}/p/{batik.shop.slug}/{batik.slug}/")
    page.get_by_role("button", name="+ Keranjang").click()
    page.get_by_role("link", name="Lanjut ke checkout").click()

    expect(page.locator("h1")).to_have_text("Checkout")
    expect(page.get_by_label("Ambil di toko", exact=False)).not_to_be_checked()
    expect(page.get_by_label("POS Indonesia Kilat Khusus", exact=False)).to_be_checked()  # cheapest to Tangsel
    expect(page.locator(".checkout .choice").first).to_contain_text("Kota Tangerang Selatan")
    expect(page.locator(".subtotal")).to_contain_text("ongkir Rp9.500")
    fits_the_phone(page)
    screenshot("checkout-cheapest-courier")

    page.get_by_role("button", name="Buat pesanan").click()
    expect(page.locator("h1")).to_have_text("Pesanan dibuat")
    group = CheckoutGroup.objects.get(buyer=buyer)

    page.go_back()
    expect(page.locator("h1")).to_have_text("Keranjang")
    expect(page.get_by_text("Keranjang Anda masih kosong")).to_have_count(0)
    expect(page.locator(".unpaid")).to_contain_text("Batik Krakatau")
    pay = page.get_by_role("link", name="Bayar", exact=True)
    expect(pay).to_have_attribute("href", f"/bayar/{group.pk}/")
    fits_the_phone(page)
    screenshot("back-shows-unpaid")
    assert_no_serious_axe_violations(page)
    pay.click()
    expect(page.locator("h1")).to_have_text("Pembayaran")
