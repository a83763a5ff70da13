"""A product goes on sale only with a ready photo; new products start as drafts and go on to their photos, which
can be uploaded several at once; variant rows are added without a reload; the category asks in Indonesian."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Product, ProductImage, ProductVariant
from catalog.services import product_image_render
from tests.catalog.test_photos import jpeg_bytes
from tests.factories import make_category, make_product, make_shop

from .test_seller_products import product_post

pytestmark = pytest.mark.django_db
NO_PHOTO = "Produk belum bisa diaktifkan: unggah minimal satu foto"


@pytest.fixture
def shop(client):
    shop = make_shop()
    client.force_login(shop.owner)
    return shop


@pytest.fixture
def draft(shop):
    return make_product(shop=shop, name="Kopi Robusta Pandeglang", status=Product.Status.DRAFT)


def photo(name="kopi.jpg", color=(120, 60, 20)):
    return SimpleUploadedFile(name, jpeg_bytes((600, 600), color), content_type="image/jpeg")


def status_url(product):
    return reverse("catalog:seller_product_status", args=[product.shop_id, product.pk])


def test_a_new_product_is_a_draft_and_continues_to_its_photos(client, shop):
    page = client.get(reverse("catalog:seller_product_new", args=[shop.pk])).content.decode()
    assert 'name="status"' not in page and "Simpan draf & lanjut ke foto" in page
    assert '<option value="" selected>Pilih kategori</option>' in page and "---------" not in page
    response = client.post(reverse("catalog:seller_product_new", args=[shop.pk]),
                           product_post(make_category(), status="active"))
    product = Product.objects.get()
    assert product.status == Product.Status.DRAFT  # "active" posted for a new product is not a field there
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:product_photos", args=[shop.pk, product.pk])
    assert "lalu aktifkan" in client.get(response["Location"]).content.decode()


def test_activating_without_a_ready_photo_is_refused_with_a_message_and_nothing_changes(client, draft):
    response = client.post(status_url(draft), {"status": "active"})
    assert response.status_code == 422
    assert NO_PHOTO in response.content.decode()
    ProductImage.objects.create(product=draft, position=0, original=photo())  # still being processed
    assert client.post(status_url(draft), {"status": "active"}).status_code == 422
    draft.refresh_from_db()
    assert draft.status == Product.Status.DRAFT


def test_a_ready_photo_lets_the_product_go_on_sale_and_off_again(client, draft):
    image = ProductImage.objects.create(product=draft, position=0, original=photo())
    product_image_render(image_id=image.pk)
    response = client.post(status_url(draft), {"status": "active"}, follow=True)
    # its page shows it at once; the cached listings later, and the seller is told when
    assert "hasil pencarian dan kategori menyusul paling lambat 1 menit" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Product.Status.ACTIVE
    assert client.get(reverse("catalog:product", args=[draft.shop.slug, draft.slug])).status_code == 200
    assert client.post(status_url(draft), {"status": "inactive"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Product.Status.INACTIVE
    assert client.post(status_url(draft), {"status": "taken_down"}).status_code == 422  # only a verifikator


def test_the_edit_form_refuses_activation_without_a_photo_and_writes_nothing(client, draft):
    variant = draft.variants.get()
    data = {"name": "Kopi Robusta Baru", "category": draft.category_id, "description": "", "condition": "new",
            "status": "active", "weight_grams": 500, "min_order": 1, "tkdn_percent": 0,
            "varian-TOTAL_FORMS": 1, "varian-INITIAL_FORMS": 1, "varian-0-id": variant.pk, "varian-0-name": "",
            "varian-0-sku": variant.sku, "varian-0-price": "20.000", "varian-0-stock": 3}
    response = client.post(reverse("catalog:seller_product_edit", args=[draft.shop_id, draft.pk]), data)
    assert response.status_code == 422
    assert NO_PHOTO in response.content.decode()
    draft.refresh_from_db()
    variant.refresh_from_db()
    assert (draft.status, draft.name, variant.price) == (Product.Status.DRAFT, "Kopi Robusta Pandeglang", 15_000)
    response = client.post(reverse("catalog:seller_product_edit", args=[draft.shop_id, draft.pk]),
                           {**data, "status": "draft"})
    assert response.status_code == 302  # a draft may have no photo


def test_the_last_ready_photo_of_an_active_product_cannot_be_deleted(client, shop):
    product = make_product(shop=shop)
    image = ProductImage.objects.create(product=product, position=0, original=photo())
    product_image_render(image_id=image.pk)
    response = client.post(reverse("catalog:product_photo_action", args=[shop.pk, image.pk]), {"action": "delete"})
    assert response.status_code == 422
    assert "Produk aktif perlu minimal satu foto yang siap" in response.content.decode()
    assert ProductImage.objects.filter(pk=image.pk).exists()
    pending = ProductImage.objects.create(product=product, position=1, original=photo("b.jpg"))
    assert client.post(reverse("catalog:product_photo_action", args=[shop.pk, pending.pk]),
                       {"action": "delete"}).status_code == 302  # a photo still being processed may go
    bare = make_product(shop=shop)  # active from before this rule, with only a pending photo
    stuck = ProductImage.objects.create(product=bare, position=0, original=photo("c.jpg"))
    assert client.post(reverse("catalog:product_photo_action", args=[shop.pk, stuck.pk]),
                       {"action": "delete"}).status_code == 302


def test_several_photos_are_uploaded_at_once(client, draft, django_capture_on_commit_callbacks):
    url = reverse("catalog:product_photos", args=[draft.shop_id, draft.pk])
    page = client.get(url).content.decode()
    assert 'type="file" name="photo"' in page and " multiple " in page
    assert 'hx-encoding="multipart/form-data"' in page and "<progress" in page and "js/photos.js" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"photo": [photo("a.jpg"), photo("b.jpg", (20, 90, 40)), photo("c.jpg")]})
    assert response.status_code == 302
    assert list(draft.images.order_by("position").values_list("position", "status")) == [
        (0, "ready"), (1, "ready"), (2, "ready")]


def test_one_bad_photo_among_several_is_named_and_none_is_stored(client, draft):
    url = reverse("catalog:product_photos", args=[draft.shop_id, draft.pk])
    bad = SimpleUploadedFile("catatan.jpg", b"bukan foto\n" * 50, content_type="image/jpeg")
    response = client.post(url, {"photo": [photo("a.jpg"), bad]})
    assert response.status_code == 422
    assert "catatan.jpg: Berkas ini bukan foto" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_more_photos_than_there_is_room_for_are_refused_together(client, draft):
    for position in range(6):
        ProductImage.objects.create(product=draft, original=SimpleUploadedFile(f"{position}.jpg", b"x"),
                                    position=position)
    response = client.post(reverse("catalog:product_photos", args=[draft.shop_id, draft.pk]),
                           {"photo": [photo("a.jpg"), photo("b.jpg"), photo("c.jpg")]})
    assert response.status_code == 422
    assert "bisa menambah 2 foto lagi, Anda memilih 3" in response.content.decode()
    assert draft.images.count() == 6


def test_the_form_carries_empty_variant_rows_for_tambah_varian_and_saves_a_filled_one(client, draft):
    url = reverse("catalog:seller_product_edit", args=[draft.shop_id, draft.pk])
    page = client.get(url).content.decode()
    assert page.count("data-extra") == 4 and 'id="add-variant"' in page and "js/product-form.js" in page
    variant = draft.variants.get()
    data = {"name": draft.name, "category": draft.category_id, "description": "", "condition": "new",
            "status": "draft", "weight_grams": 500, "min_order": 1, "tkdn_percent": 0,
            "varian-TOTAL_FORMS": 5, "varian-INITIAL_FORMS": 1, "varian-0-id": variant.pk, "varian-0-name": "",
            "varian-0-sku": variant.sku, "varian-0-price": "15.000", "varian-0-stock": 10,
            "varian-2-name": "250 gram", "varian-2-sku": "KOPI-250", "varian-2-price": "45rb", "varian-2-stock": 7}
    assert client.post(url, data).status_code == 302  # rows 1, 3 and 4 stayed empty
    assert sorted(ProductVariant.objects.filter(product=draft).values_list("sku", "price")) == [
        ("KOPI-250", 45_000), (variant.sku, 15_000)]
