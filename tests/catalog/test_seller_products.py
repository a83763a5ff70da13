import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product, ProductVariant
from tests.catalog.test_photos import jpeg_bytes
from tests.factories import make_category, make_product, make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(client):
    shop = make_shop(kabkota="36.73")
    client.force_login(shop.owner)
    return shop


def product_post(category, **overrides):
    data = {
        "name": "Kemeja Batik Surosowan", "category": category.pk,
        "description": "<b>Batik</b> tulis <script>x</script>",
        "condition": "new", "status": "active", "weight_grams": 250, "min_order": 1, "tkdn_percent": 55,
        "varian-TOTAL_FORMS": 2, "varian-INITIAL_FORMS": 0,
        "varian-0-name": "Ukuran M", "varian-0-sku": "KBS-M", "varian-0-price": "150.000", "varian-0-stock": 4,
        "varian-1-name": "Ukuran L", "varian-1-sku": "KBS-L", "varian-1-price": "Rp165.000", "varian-1-stock": 0,
    }
    return {**data, **overrides}


def test_seller_creates_a_product_with_variants_and_it_appears_in_the_shop(client, shop,
                                                                         django_capture_on_commit_callbacks):
    category = make_category()
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]), product_post(category))
    assert response.status_code == 302
    product = Product.objects.get()
    # A draft first, on to its photos (tests/catalog/test_product_activation.py); active once a photo is ready.
    assert product.status == Product.Status.DRAFT
    assert response["Location"] == reverse("catalog:product_photos", args=[shop.pk, product.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"photo": SimpleUploadedFile("kemeja.jpg", jpeg_bytes((600, 600)))})
    assert client.post(reverse("catalog:seller_product_status", args=[shop.pk, product.pk]),
                       {"status": "active"}).status_code == 302
    product.refresh_from_db()
    assert (product.shop, product.slug, product.price_min, product.price_max, product.stock_total) == (
        shop, "kemeja-batik-surosowan", 150_000, 165_000, 4)
    assert product.is_banten and product.kabkota_id == "36.73"  # derived from the shop's location
    assert "<" not in product.description and "Batik tulis" in product.description
    assert list(product.variants.values_list("sku", flat=True)) == ["KBS-M", "KBS-L"]
    assert client.get(reverse("catalog:product", args=[shop.slug, product.slug])).status_code == 200


def test_bad_product_input_is_refused_next_to_the_field(client, shop):
    category = make_category()
    data = product_post(category, name="", **{"varian-1-sku": "KBS-M", "varian-0-price": 50})
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nama produk wajib diisi." in body and "Harga minimal Rp100." in body
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]),
                           product_post(category, **{"varian-1-sku": "KBS-M"}))
    assert response.status_code == 422
    assert "SKU tiap varian harus berbeda." in response.content.decode()
    assert not Product.objects.exists() and not ProductVariant.objects.exists()


def test_a_price_typed_with_dots_is_saved_as_that_many_rupiah(client, shop):
    category = make_category()
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]),
                            product_post(category, **{"varian-0-price": "350.000", "varian-1-price": "1,5jt"}))
    assert response.status_code == 302
    assert list(ProductVariant.objects.order_by("position").values_list("price", flat=True)) == [350_000, 1_500_000]


def test_an_ambiguous_price_is_refused_with_how_to_write_it_and_nothing_is_written(client, shop):
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]),
                           product_post(make_category(), **{"varian-0-price": "350,5"}))
    assert response.status_code == 422
    assert "Tulis harga seperti 350.000 atau 350rb." in response.content.decode()
    assert not Product.objects.exists() and not ProductVariant.objects.exists()


def test_a_form_shown_again_shows_the_parsed_price_as_rupiah_which_submits_unchanged(client, shop):
    category = make_category()
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]),
                           product_post(category, name="", **{"varian-0-price": "350rb"}))
    assert response.status_code == 422
    assert 'value="Rp350.000"' in response.content.decode()
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]),
                           product_post(category, **{"varian-0-price": "Rp350.000"}))
    assert response.status_code == 302
    assert ProductVariant.objects.get(sku="KBS-M").price == 350_000


def edit_post(product, price, **extra):
    variant = product.variants.get()
    return product_post(product.category, **{
        "varian-TOTAL_FORMS": 1, "varian-INITIAL_FORMS": 1, "varian-0-id": variant.pk, "varian-0-sku": variant.sku,
        "varian-0-price": price, "varian-1-sku": "", "varian-1-price": "", "varian-1-stock": "", **extra})


def test_a_price_ten_times_away_from_the_saved_one_is_saved_only_once_confirmed(client, shop):
    product = make_product(shop=shop, price=35_000, stock=4)
    url = reverse("catalog:seller_product_edit", args=[shop.pk, product.pk])
    response = client.post(url, edit_post(product, "3.500.000"))  # two zeros too many?
    body = response.content.decode()
    assert response.status_code == 422 and "lebih dari 10 kali" in body
    assert "Ya, harga Rp3.500.000 sudah benar" in body
    assert 'name="varian-0-price_ok" value="3500000"' in body
    assert product.variants.get().price == 35_000
    # A tick given for another amount does not count.
    response = client.post(url, edit_post(product, "35.000.000", **{"varian-0-price_ok": "3500000"}))
    assert response.status_code == 422 and "Ya, harga Rp35.000.000 sudah benar" in response.content.decode()
    assert product.variants.get().price == 35_000
    response = client.post(url, edit_post(product, "Rp3.500.000", **{"varian-0-price_ok": "3500000"}))
    assert response.status_code == 302
    assert product.variants.get().price == 3_500_000
    # Down by more than 10× asks too; exactly 10× or less does not.
    assert client.post(url, edit_post(product, "300rb")).status_code == 422
    assert client.post(url, edit_post(product, "350.000")).status_code == 302
    assert product.variants.get().price == 350_000


def test_seller_edits_only_its_own_products(client, shop):
    own = make_product(shop=shop)
    other = make_product(shop=make_shop())
    assert client.get(reverse("catalog:seller_product_edit", args=[shop.pk, own.pk])).status_code == 200
    assert client.get(reverse("catalog:seller_product_edit", args=[shop.pk, other.pk])).status_code == 404
    assert client.post(reverse("catalog:seller_product_edit", args=[shop.pk, other.pk]),
                       product_post(own.category)).status_code == 404
    listing = client.get(reverse("catalog:seller_products", args=[shop.pk])).content.decode()
    assert own.name in listing and other.name not in listing


def test_bulk_price_and_stock_edit_is_all_or_nothing_and_stays_in_the_shop(client, shop):
    own = make_product(shop=shop, price=10_000, stock=1)
    other = make_product(shop=make_shop(), price=20_000, stock=2)
    own_variant, other_variant = own.variants.get(), other.variants.get()
    url = reverse("catalog:seller_variant_bulk", args=[shop.pk])
    client.post(url, {f"harga-{own_variant.pk}": 12_000, f"stok-{own_variant.pk}": 7,
                      f"harga-{other_variant.pk}": 1_000, f"stok-{other_variant.pk}": 0})
    own_variant.refresh_from_db(), other_variant.refresh_from_db(), own.refresh_from_db()
    assert (own_variant.price, own_variant.stock, own.price_min, own.stock_total) == (12_000, 7, 12_000, 7)
    assert (other_variant.price, other_variant.stock) == (20_000, 2)  # another shop's variant is not touched

    response = client.post(url, {f"harga-{own_variant.pk}": 15_000, f"stok-{own_variant.pk}": -3}, follow=True)
    assert "Tidak ada yang diubah" in response.content.decode()
    own_variant.refresh_from_db()
    assert (own_variant.price, own_variant.stock) == (12_000, 7)


def test_bulk_edit_reads_prices_with_dots_and_refuses_ambiguous_ones_row_by_row(client, shop):
    first, second = make_product(shop=shop, price=10_000, stock=1), make_product(shop=shop, price=20_000, stock=2)
    one, two = first.variants.get(), second.variants.get()
    url = reverse("catalog:seller_variant_bulk", args=[shop.pk])
    response = client.post(url, {f"harga-{one.pk}": "12.500", f"stok-{one.pk}": 3,
                                 f"harga-{two.pk}": "Rp25rb", f"stok-{two.pk}": 4})
    assert response.status_code == 302
    assert sorted(ProductVariant.objects.values_list("price", "stock")) == [(12_500, 3), (25_000, 4)]
    response = client.post(url, {f"harga-{one.pk}": "13.000", f"stok-{one.pk}": 3,
                                 f"harga-{two.pk}": "26,5", f"stok-{two.pk}": 4})
    body = response.content.decode()
    assert response.status_code == 422 and "Tidak ada yang diubah" in body
    assert "Tulis harga seperti 350.000 atau 350rb." in body and 'value="26,5"' in body
    assert 'value="Rp13.000"' in body  # the other row shows what was typed, as rupiah
    assert sorted(ProductVariant.objects.values_list("price", "stock")) == [(12_500, 3), (25_000, 4)]


def test_bulk_edit_asks_to_confirm_a_price_ten_times_away_per_row(client, shop):
    first, second = make_product(shop=shop, price=35_000, stock=1), make_product(shop=shop, price=20_000, stock=2)
    one, two = first.variants.get(), second.variants.get()
    url = reverse("catalog:seller_variant_bulk", args=[shop.pk])
    data = {f"harga-{one.pk}": "3.500.000", f"stok-{one.pk}": 1, f"harga-{two.pk}": "21.000", f"stok-{two.pk}": 2}
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 422 and body.count("Ya, harga") == 1
    assert f'name="harga-{one.pk}_ok" value="3500000"' in body and "Ya, harga Rp3.500.000 sudah benar" in body
    assert sorted(ProductVariant.objects.values_list("price", flat=True)) == [20_000, 35_000]
    response = client.post(url, {**data, f"harga-{one.pk}_ok": "3500000"})
    assert response.status_code == 302
    assert sorted(ProductVariant.objects.values_list("price", flat=True)) == [21_000, 3_500_000]


def test_csv_export_lists_every_variant_of_the_shop(client, shop):
    make_product(shop=shop, name="Emping Melinjo", price=25_000, stock=9)
    make_product(shop=make_shop(), name="Produk Toko Lain")
    response = client.get(reverse("catalog:seller_product_export", args=[shop.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:6] == ["sku", "nama_produk", "varian", "kategori", "harga", "stok"]
    assert [(row[1], row[4], row[5]) for row in rows[1:]] == [("Emping Melinjo", "25000", "9")]


def test_csv_export_escapes_cells_a_spreadsheet_would_run_as_a_formula(client, shop):
    product = make_product(shop=shop, name='=HYPERLINK("http://evil.example","Klik")', price=25_000, stock=9)
    product.variants.update(name="@SUM(1+1)", sku="-2+3")
    response = client.get(reverse("catalog:seller_product_export", args=[shop.pk]))
    row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1]
    assert row[:3] == ["'-2+3", '\'=HYPERLINK("http://evil.example","Klik")', "'@SUM(1+1)"]
    assert row[4:6] == ["25000", "9"]  # numbers stay numbers


def test_formula_escape_touches_only_text_and_reads_back_from_the_import():
    from catalog.services import _import_row
    from plazabanten.spreadsheet import cell_safe

    assert [cell_safe(v) for v in ("=1+1", "+62", "-x", "@a", "\tx", "\rx", "Batik", -5, 0)] == [
        "'=1+1", "'+62", "'-x", "'@a", "'\tx", "'\rx", "Batik", -5, 0]
    category = make_category()
    data, error = _import_row({"sku": "'-2+3", "nama_produk": "'=Batik", "varian": "'@M", "kategori": category.slug,
                               "harga": "25000", "stok": "1"}, {category.slug: category.pk})
    assert error == "" and (data["sku"], data["name"], data["variant"]) == ("-2+3", "=Batik", "@M")
    assert _import_row({"sku": "'abc", "nama_produk": "'Batik", "kategori": category.slug, "harga": "25000",
                        "stok": "1"}, {category.slug: category.pk})[0]["name"] == "'Batik"
