import pytest
from playwright.sync_api import expect

from catalog.models import Product
from tests.browser import fits_the_phone
from tests.factories import make_product, make_shop


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cart_total_remove_a_line_and_a_fractional_quantity_on_a_phone(live_server, page, screenshot):
    batik = make_product(shop=make_shop(name="Batik Krakatau"), name="Kain Batik Tulis", price=350000)
    kopi = make_product(shop=make_shop(name="Kopi Gunung Karang"), name="Kopi Robusta", price=45000)
    secret = make_product(shop=make_shop(name="Toko Tersembunyi"), name="Batik Rahasia", price=777000)
    for product in (batik, kopi, secret):
        page.goto(f"{live_server.url}/p/{product.shop.slug}/{product.slug}/")
        page.get_by_role("button", name="+ Keranjang").click()
    Product.objects.filter(pk=secret.pk).update(status=Product.Status.TAKEN_DOWN)

    page.goto(f"{live_server.url}/keranjang/")
    total = page.locator(".cart-total")
    expect(total).to_contain_text("Total belanja")
    expect(total).to_contain_text("Rp395.000")
    expect(page.locator(".cart-gone")).to_contain_text("Produk ini sudah tidak dijual.")
    expect(page.locator("#cart-body")).not_to_contain_text("Batik Rahasia")
    expect(page.locator("#cart-body")).not_to_contain_text("Rp777.000")
    fits_the_phone(page)
    screenshot("cart-with-total")

    quantity = page.get_by_label("Jumlah").nth(1)  # Kopi Robusta
    quantity.fill("2.5")
    quantity.press("Tab")  # the change event, as leaving the field gives
    expect(page.get_by_role("alert")).to_have_text("Jumlah harus bilangan bulat.")
    expect(page.get_by_label("Jumlah").nth(1)).to_have_value("1")  # the old quantity, nothing saved
    expect(total).to_contain_text("Rp395.000")
    fits_the_phone(page)
    screenshot("fractional-quantity-refused")

    quantity = page.get_by_label("Jumlah").nth(1)
    quantity.fill("2")
    quantity.press("Tab")
    expect(page.locator(".cart-total")).to_contain_text("Rp440.000")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#cart-count")).to_have_text("4")  # 1 + 2 + the line no longer sold

    page.locator(".cart-gone").get_by_role("button", name="Hapus").click()
    expect(page.locator(".cart-gone")).to_have_count(0)
    page.get_by_role("button", name="Hapus Kain Batik Tulis").click()
    expect(page.locator(".cart-shop")).to_have_count(1)
    expect(page.locator(".cart-total")).to_contain_text("Rp90.000")
    expect(page.locator("#cart-count")).to_have_text("2")
    fits_the_phone(page)
    screenshot("after-removing")
