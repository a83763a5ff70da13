import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from catalog.models import ProductImage, ProductVariant
from catalog.services import product_image_render, product_refresh_summary
from tests.catalog.test_photos import jpeg_bytes
from tests.factories import make_category, make_product, make_shop


def batik_with_sizes(shop, category, name, color):
    product = make_product(shop=shop, name=name, category=category, price=150_000,
                           description="Batik tulis khas Banten, pewarna alami.", is_halal=False, tkdn_percent=60,
                           is_banten=True)
    for position, (size, price, stock) in enumerate([("M", 150_000, 4), ("L", 165_000, 2), ("XL", 180_000, 0)]):
        ProductVariant.objects.create(product=product, sku=f"{product.slug}-{size}", name=f"Ukuran {size}",
                                      price=price, stock=stock, position=position + 1)
    product.variants.filter(name="").delete()
    product_refresh_summary(product=product)
    image = ProductImage.objects.create(product=product, position=0, original=SimpleUploadedFile(
        f"{product.slug}.jpg", jpeg_bytes((900, 900), color)))
    product_image_render(image_id=image.pk)
    return product


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_shopper_searches_batik_filters_by_kota_opens_a_product_and_picks_a_variant(live_server, page, screenshot):
    root = make_category(name="Fashion & Batik", slug="fashion-batik", level=1)
    leaf = make_category(name="Kemeja Batik", slug="fashion-batik-kemeja", level=3, parent=root)
    tangsel, serang = make_shop(kabkota="36.74", name="Batik Serpong"), make_shop(kabkota="36.73", name="Batik Serang")
    batik_with_sizes(tangsel, leaf, "Kemeja Batik Pamulang", (150, 60, 30))
    batik_with_sizes(tangsel, leaf, "Blus Batik Ciputat", (30, 80, 150))
    batik_with_sizes(serang, leaf, "Kemeja Batik Surosowan", (60, 120, 60))
    make_product(shop=tangsel, name="Kopi Robusta Pandeglang")

    page.goto(live_server.url + "/")
    page.fill("#q", "batik")
    page.press("#q", "Enter")
    expect(page.locator("h1")).to_contain_text("batik")
    expect(page.locator("#result-count")).to_have_text("3 produk")
    screenshot("search-batik")

    page.locator(".facets summary").click()
    # htmx swaps the results in place
    page.locator(".facets").get_by_role("link", name="Kota Tangerang Selatan").click()
    expect(page.locator("#result-count")).to_have_text("2 produk")
    expect(page).to_have_url(re.compile(r"/cari/\?q=batik&kabkota=36\.74$"))  # a shareable URL
    expect(page.locator(".active-filters")).to_contain_text("Kota Tangerang Selatan")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("filtered-tangsel")

    page.locator(".pcard a", has_text="Kemeja Batik Pamulang").click()
    expect(page.locator("h1")).to_have_text("Kemeja Batik Pamulang")
    expect(page.locator(".gallery img").first).to_have_js_property("complete", True)
    assert page.locator(".gallery img").first.evaluate("img => img.naturalWidth") > 0
    expect(page.locator("#variant-price")).to_have_text("Rp150.000 – Rp180.000")
    expect(page.locator(".variant-picker input").nth(2)).to_be_disabled()  # XL is sold out
    page.locator(".variant", has_text="Ukuran L").click()
    expect(page.locator("#variant-price")).to_have_text("Rp165.000")
    expect(page.locator("#variant-stock")).to_have_text("Stok 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("product-variant-L")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_seller_types_prices_with_dots_in_the_product_list_and_confirms_a_tenfold_one(live_server, page, screenshot):
    from tests.browser import fits_the_phone, log_in

    shop = make_shop(name="Batik Serpong")
    kopi = make_product(shop=shop, name="Kopi Robusta Pandeglang", price=35_000, stock=4)
    emping = make_product(shop=shop, name="Emping Melinjo Menes", price=20_000, stock=9)
    kopi_price = page.get_by_label(f"Harga {kopi.variants.get().sku}")
    emping_price = page.get_by_label(f"Harga {emping.variants.get().sku}")

    log_in(page, live_server.url, shop.owner.email)
    page.goto(live_server.url + "/kelola/produk/")
    expect(kopi_price).to_have_value("Rp35.000")
    kopi_price.fill("")
    kopi_price.press_sequentially("3.500.000")  # a zero or two too many?
    emping_price.fill("")
    emping_price.press_sequentially("22.500")
    page.get_by_role("button", name="Simpan harga & stok").click()
    expect(page.get_by_text("Tidak ada yang diubah")).to_be_visible()
    expect(page.get_by_text("lebih dari 10 kali")).to_be_visible()
    fits_the_phone(page)
    screenshot("confirm-tenfold-price")
    assert sorted(ProductVariant.objects.values_list("price", flat=True)) == [20_000, 35_000]

    page.get_by_label("Ya, harga Rp3.500.000 sudah benar").check()  # no script: the box is posted with the form
    page.get_by_role("button", name="Simpan harga & stok").click()
    expect(page.get_by_text("2 varian diperbarui.")).to_be_visible()
    expect(kopi_price).to_have_value("Rp3.500.000")
    expect(emping_price).to_have_value("Rp22.500")
    assert sorted(ProductVariant.objects.values_list("price", flat=True)) == [22_500, 3_500_000]
