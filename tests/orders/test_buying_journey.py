import pytest
from playwright.sync_api import expect

from orders.models import Order
from tests.factories import make_product, make_shop, make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_adds_from_two_shops_enters_an_address_and_places_one_checkout(live_server, page, screenshot):
    batik = make_product(shop=make_shop(name="Batik Krakatau", kabkota="36.72"), name="Kain Batik Tulis", price=350000)
    kopi = make_product(shop=make_shop(name="Kopi Gunung Karang", kabkota="36.01"), name="Kopi Robusta", price=45000)
    make_user(email="ani@example.test", name="Ani Lestari", password="rahasia-123")

    for product in (batik, kopi):
        page.goto(f"{live_server.url}/p/{product.shop.slug}/{product.slug}/")
        page.get_by_role("button", name="+ Keranjang").click()
    expect(page.locator("#cart-count")).to_have_text("2")
    expect(page.locator(".cart-shop")).to_have_count(2)
    page.get_by_label("Jumlah").first.fill("2")
    page.get_by_label("Jumlah").first.dispatch_event("change")
    expect(page.locator("#cart-count")).to_have_text("3")
    screenshot("cart")

    page.get_by_role("link", name="Lanjut ke checkout").click()
    page.fill("#id_login", "ani@example.test")
    page.fill("#id_password", "rahasia-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("h1")).to_have_text("Alamat baru")
    page.fill("#id_recipient", "Ani Lestari")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_street", "Jl. Pahlawan Seribu No. 5")
    page.select_option("#id_region_2", label="Kota Tangerang Selatan")
    page.select_option("#id_region_3", label="Serpong")  # appears through htmx after the kab/kota choice
    page.select_option("#id_region_4", index=1)
    page.fill("#id_postal_code", "15310")
    screenshot("address")
    page.get_by_role("button", name="Simpan alamat").click()

    expect(page.locator("h1")).to_have_text("Checkout")
    page.get_by_label("JNE REG", exact=False).first.check()
    expect(page.locator(".subtotal").first).not_to_contain_text("ongkir Rp0")  # the summary follows the choice
    screenshot("checkout")
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page.locator("h1")).to_have_text("Pesanan dibuat")
    screenshot("placed")
    assert Order.objects.filter(buyer__email="ani@example.test").count() == 2
    expect(page.locator("#cart-count")).to_have_text("0")
