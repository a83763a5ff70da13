"""What a new seller sees on a phone (390×844): the product list's table inside its card, a new product saved as a
draft that continues to its photos (several at once, with progress), activation only with a ready photo."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Product, ProductVariant
from tests.browser import fits_the_phone, log_in
from tests.factories import make_category, make_product, make_shop

from .test_photos import jpeg_bytes


def inputs_show_their_values(page) -> None:
    """Each price and stock input is wide enough for the number in it (nothing cut off at the right)."""
    cut = page.evaluate("""() => Array.from(document.querySelectorAll('.seller-products .variants input'))
        .filter(input => input.type !== 'hidden' && input.scrollWidth > input.clientWidth).map(input => input.value)""")
    assert cut == [], cut


def no_card_overflows(page) -> None:
    """Every price/stock table ends inside its card (the document may not scroll, but a table can spill out)."""
    spills = page.evaluate("""() => Array.from(document.querySelectorAll('.seller-products .card')).flatMap(card => {
        const box = card.getBoundingClientRect();
        return Array.from(card.querySelectorAll('table, input:not([type=hidden])')).filter(el => {
            const r = el.getBoundingClientRect(); return r.right > box.right + 0.5 || r.left < box.left - 0.5;
        }).map(el => el.outerHTML.slice(0, 80));
    })""")
    assert spills == [], spills


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_price_and_stock_table_stays_inside_its_card_on_a_phone(live_server, page, screenshot):
    shop = make_shop(name="Batik Serpong")
    product = make_product(shop=shop, name="Kemeja Batik Tulis Motif Surosowan Lengan Panjang", price=1_250_000)
    ProductVariant.objects.create(product=product, sku="KBT-SUROSOWAN-XXL-PANJANG", name="Ukuran XXL lengan panjang",
                                  price=1_350_000, stock=120)
    ProductVariant.objects.create(product=product, sku="KBT-SUROSOWAN-XXXL-PANJANG-2026", name="", price=1_450_000,
                                  stock=100_000, allocated=12)
    make_product(shop=shop, name="Kopi Robusta Pandeglang", price=35_000, stock=4)
    log_in(page, live_server.url, shop.owner.email)
    page.goto(f"{live_server.url}/penjual/{shop.pk}/produk/")
    expect(page.locator(".seller-products .card")).to_have_count(2)
    fits_the_phone(page)
    no_card_overflows(page)
    inputs_show_their_values(page)
    screenshot("product-list-390")
    page.set_viewport_size({"width": 320, "height": 700})  # a small phone: still inside the card (a six-digit
    fits_the_phone(page)                                    # stock count is cut there, not spilled)
    no_card_overflows(page)
    screenshot("product-list-320")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_product_is_a_draft_then_photos_several_at_once_then_active(live_server, page, screenshot, tmp_path):
    root = make_category(name="Makanan & Minuman", slug="makanan", level=1)
    make_category(name="Kopi", slug="makanan-kopi", level=3, parent=root)
    shop = make_shop(name="Kopi Baduy")
    log_in(page, live_server.url, shop.owner.email)
    page.goto(f"{live_server.url}/penjual/{shop.pk}/produk/baru/")
    category = page.get_by_label("Kategori")
    expect(category.locator("option").first).to_have_text("Pilih kategori")
    expect(page.locator("input[name=status], select[name=status]")).to_have_count(0)
    page.get_by_label("Nama produk").fill("Kopi Robusta Baduy")
    category.select_option(label="Makanan & Minuman › Kopi")
    rows = page.locator(".variant-row")
    expect(rows.locator("visible=true")).to_have_count(1)
    page.fill("#id_varian-0-name", "250 gram")
    page.fill("#id_varian-0-sku", "KRB-250")
    page.fill("#id_varian-0-price", "45.000")
    page.fill("#id_varian-0-stock", "12")
    url_before = page.url
    page.get_by_role("button", name="+ Tambah varian").click()  # a further row, no reload
    expect(rows.locator("visible=true")).to_have_count(2)
    assert page.url == url_before
    expect(page.locator("#id_varian-1-name")).to_be_focused()
    page.fill("#id_varian-1-name", "1 kg")
    page.fill("#id_varian-1-sku", "KRB-1000")
    page.fill("#id_varian-1-price", "160rb")
    page.fill("#id_varian-1-stock", "5")
    fits_the_phone(page)
    screenshot("new-product-two-variants")
    page.get_by_role("button", name="Simpan draf & lanjut ke foto").click()

    product = Product.objects.get(name="Kopi Robusta Baduy")
    expect(page).to_have_url(re.compile(rf"/penjual/{shop.pk}/produk/{product.pk}/foto/$"))
    expect(page.locator(".msg-success")).to_contain_text("tersimpan sebagai draf")
    assert product.status == Product.Status.DRAFT and product.variants.count() == 2

    page.get_by_role("button", name="Aktifkan produk").click()  # no photo yet
    expect(page.locator(".msg-error")).to_contain_text("Produk belum bisa diaktifkan")
    screenshot("activation-refused-without-photo")

    files = []
    for n, color in enumerate([(150, 60, 30), (40, 110, 60), (30, 60, 150)]):
        path = tmp_path / f"kopi-{n}.jpg"
        path.write_bytes(jpeg_bytes((1200, 1200), color))
        files.append(path)
    page.evaluate("""() => { window.uploadSeen = [];
        document.addEventListener('htmx:xhr:progress', () => {
            const bar = document.querySelector('form[data-upload-progress] progress');
            window.uploadSeen.push([bar.hidden, bar.value]); }); }""")
    page.set_input_files("input[name=photo]", files)
    page.get_by_role("button", name="Unggah foto").click()
    expect(page.locator(".photos .photo-ready")).to_have_count(3)
    for n in range(3):
        expect(page.locator(".photos .photo-ready img").nth(n)).to_have_js_property("complete", True)
        assert page.locator(".photos .photo-ready img").nth(n).evaluate("img => img.naturalWidth") > 0
    seen = page.evaluate("window.uploadSeen")  # no reload happened (htmx), and the bar moved up to 100
    assert seen and all(hidden is False for hidden, _ in seen) and seen[-1][1] == 100, seen
    screenshot("three-photos-ready")

    page.get_by_role("button", name="Aktifkan produk").click()
    expect(page.locator(".msg-success")).to_contain_text("sekarang aktif")
    expect(page.locator(".product-state .tag")).to_have_text("Aktif")
    fits_the_phone(page)
    screenshot("product-active")
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE and product.images.count() == 3
