import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from catalog.models import ProductImage
from catalog.services import product_image_render
from plazabanten.demo.photos import draw_product_photo
from tests.browser import fits_the_phone, log_in
from tests.factories import make_product, make_shop, make_user, order_walk
from tests.orders.test_checkout import buy
from tests.proof.axe import assert_no_serious_axe_violations


def with_photo(product):
    image = ProductImage.objects.create(product=product, position=0, original=SimpleUploadedFile(
        f"{product.slug}.jpg", draw_product_photo(product.name, seed=product.pk)))
    product_image_render(image_id=image.pk)
    return product


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_sees_products_and_photos_in_the_order_list_and_filters_by_status(live_server, page, screenshot):
    buyer = make_user(email="ani@example.test", name="Ani Lestari")
    kopi_shop = make_shop(name="Kopi Gunung Karang", kabkota="36.01")
    kopi = with_photo(make_product(shop=kopi_shop, name="Kopi Robusta Pandeglang", price=45000))
    gula = with_photo(make_product(shop=kopi_shop, name="Gula Aren Lebak", price=25000))
    batik = with_photo(make_product(shop=make_shop(name="Batik Krakatau", kabkota="36.72"),
                                    name="Kain Batik Tulis Krakatau", price=350000))
    buy(buyer, kopi.variants.get(), gula.variants.get(), key="kopi", method="jne:REG")
    shipped = buy(buyer, batik.variants.get(), key="batik", method="jne:REG").orders.get()
    order_walk(shipped, to="shipped")

    log_in(page, live_server.url, "ani@example.test")
    page.goto(f"{live_server.url}/pesanan/")
    expect(page.locator(".order-card")).to_have_count(2)
    expect(page.locator(".order-card").first).to_contain_text("Kain Batik Tulis Krakatau")
    expect(page.locator(".order-card").nth(1)).to_contain_text("1 × Kopi Robusta Pandeglang, 1 × Gula Aren Lebak")
    expect(page.locator(".order-card img").first).to_have_attribute("alt", "Kain Batik Tulis Krakatau")
    fits_the_phone(page)
    screenshot("all-orders")
    assert_no_serious_axe_violations(page)

    tabs = page.get_by_role("navigation", name="Status pesanan")
    tabs.get_by_role("link", name="Dikirim").click()
    expect(page).to_have_url(f"{live_server.url}/pesanan/?status=dikirim")
    expect(page.locator(".order-card")).to_have_count(1)
    expect(page.locator(".order-card")).to_contain_text("Batik Krakatau")
    screenshot("shipped-tab")
    tabs.get_by_role("link", name="Belum bayar").click()
    expect(page.locator(".order-card")).to_have_count(1)
    expect(page.locator(".order-card")).to_contain_text("Kopi Gunung Karang")
