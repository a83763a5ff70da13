import csv
import io

import pytest
from django.urls import reverse

from catalog.models import Product, ProductVariant
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
        "varian-0-name": "Ukuran M", "varian-0-sku": "KBS-M", "varian-0-price": 150000, "varian-0-stock": 4,
        "varian-1-name": "Ukuran L", "varian-1-sku": "KBS-L", "varian-1-price": 165000, "varian-1-stock": 0,
    }
    return {**data, **overrides}


def test_seller_creates_a_product_with_variants_and_it_appears_in_the_shop(client, shop):
    category = make_category()
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]), product_post(category))
    assert response.status_code == 302
    product = Product.objects.get()
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


def test_csv_export_lists_every_variant_of_the_shop(client, shop):
    make_product(shop=shop, name="Emping Melinjo", price=25_000, stock=9)
    make_product(shop=make_shop(), name="Produk Toko Lain")
    response = client.get(reverse("catalog:seller_product_export", args=[shop.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:6] == ["sku", "nama_produk", "varian", "kategori", "harga", "stok"]
    assert [(row[1], row[4], row[5]) for row in rows[1:]] == [("Emping Melinjo", "25000", "9")]
