import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product, ProductImport, ProductVariant
from tests.factories import make_category, make_product, make_shop

pytestmark = pytest.mark.django_db

HEADER = "sku,nama_produk,varian,kategori,harga,stok\n"


@pytest.fixture
def shop(client):
    shop = make_shop()
    client.force_login(shop.owner)
    return shop


def upload(client, text: str, *, shop, valid_rows_only=False, capture=None):
    data = {"file": SimpleUploadedFile("produk.csv", text.encode(), content_type="text/csv")}
    if valid_rows_only:
        data["valid_rows_only"] = "on"
    with capture(execute=True):
        response = client.post(reverse("catalog:seller_import", args=[shop.pk]), data)
    assert response.status_code == 302
    return ProductImport.objects.latest("pk")


def test_csv_import_creates_and_updates_variants_and_reports_progress(client, shop,
                                                                       django_capture_on_commit_callbacks):
    category = make_category(slug="kain-batik-tulis")
    existing = make_product(shop=shop, price=10_000, stock=1)
    sku = existing.variants.get().sku
    job = upload(client, HEADER + f"{sku},{existing.name},,kain-batik-tulis,12000,5\n"
                                  "SB-M,Syal Batik,Merah,kain-batik-tulis,85000,3\n"
                                  "SB-B,Syal Batik,Biru,kain-batik-tulis,90000,0\n",
                 shop=shop, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.created_count, job.updated_count, job.errors) == ("done", 3, 2, 1, [])
    existing.refresh_from_db()
    assert (existing.price_min, existing.stock_total) == (12_000, 5)
    syal = Product.objects.get(shop=shop, name="Syal Batik")
    assert (syal.status, syal.category, syal.price_min, syal.price_max) == ("draft", category, 85_000, 90_000)
    page = client.get(reverse("catalog:seller_import_status", args=[shop.pk, job.pk]), headers={"HX-Request": "true"})
    assert "hx-trigger" not in page.content.decode() and 'value="100"' in page.content.decode()


def test_csv_import_reads_prices_as_sellers_write_them(client, shop, django_capture_on_commit_callbacks):
    make_category(slug="kain-batik-tulis")
    job = upload(client, HEADER + 'SB-M,Syal Batik,Merah,kain-batik-tulis,"350.000",3\n'
                                  "SB-B,Syal Batik,Biru,kain-batik-tulis,350rb,1\n"
                                  'SB-H,Syal Batik,Hijau,kain-batik-tulis,"Rp1.250.000,00",1\n',
                 shop=shop, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.errors) == ("done", 3, [])
    prices = dict(ProductVariant.objects.filter(product__shop=shop).values_list("sku", "price"))
    assert prices == {"SB-M": 350_000, "SB-B": 350_000, "SB-H": 1_250_000}


def test_a_csv_price_that_is_ambiguous_is_a_row_error(client, shop, django_capture_on_commit_callbacks):
    make_category(slug="kain-batik-tulis")
    job = upload(client, HEADER + 'SB-M,Syal Batik,Merah,kain-batik-tulis,"350,5",3\n'
                                  "SB-B,Syal Batik,Biru,kain-batik-tulis,3.50.000,1\n",
                 shop=shop, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed" and [error["row"] for error in job.errors] == [2, 3]
    assert all(error["message"].endswith("Tulis harga seperti 350.000 atau 350rb.") for error in job.errors)
    assert not ProductVariant.objects.filter(product__shop=shop).exists()


BAD_CSV = (HEADER + "A-1,Kopi Robusta,,kain-batik-tulis,45000,10\n"
           "A-2,Kopi Arabika,,tidak-ada,45000,10\n"
           "A-3,Kopi Luwak,,kain-batik-tulis,murah,10\n"
           "A-1,Kopi Robusta Lagi,,kain-batik-tulis,45000,10\n")


def test_a_bad_row_means_nothing_is_imported_and_every_error_is_listed(client, shop,
                                                                        django_capture_on_commit_callbacks):
    make_category(slug="kain-batik-tulis")
    job = upload(client, BAD_CSV, shop=shop, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed"
    assert [error["row"] for error in job.errors] == [3, 4, 5]
    assert not ProductVariant.objects.filter(product__shop=shop).exists()
    page = client.get(reverse("catalog:seller_import_status", args=[shop.pk, job.pk])).content.decode()
    assert "Baris 3" in page and "tidak dikenal" in page and "Tulis harga seperti 350.000 atau 350rb." in page


def test_the_seller_may_choose_to_import_the_valid_rows(client, shop, django_capture_on_commit_callbacks):
    make_category(slug="kain-batik-tulis")
    job = upload(client, BAD_CSV, valid_rows_only=True, shop=shop, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.created_count, len(job.errors)) == ("done", 1, 3)
    assert list(ProductVariant.objects.filter(product__shop=shop).values_list("sku", flat=True)) == ["A-1"]


def test_not_a_csv_is_refused_and_another_shops_import_is_404(client, shop):
    response = client.post(reverse("catalog:seller_import", args=[shop.pk]),
                           {"file": SimpleUploadedFile("produk.csv", b"\x89PNG\r\n\x1a\n\0\0binary")})
    assert response.status_code == 422
    assert "UTF-8" in response.content.decode() or "bukan berkas CSV" in response.content.decode()
    other = ProductImport.objects.create(shop=make_shop(), content=HEADER)
    assert client.get(reverse("catalog:seller_import_status", args=[shop.pk, other.pk])).status_code == 404
