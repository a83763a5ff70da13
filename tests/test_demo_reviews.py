"""Demo ratings come from real reviews: no "★ 4,8 · 112 ulasan" beside "Belum ada ulasan"."""

import pytest

from catalog.models import Product
from orders.models import Order, Review
from orders.services import product_ratings_recount
from plazabanten.demo.reviews import PRODUCTS_PER_SHOP, demo_reviews_seed
from plazabanten.management.commands.seed_demo import Command
from tests.factories import make_product, make_shop, make_user
from vendors.models import Shop

pytestmark = pytest.mark.django_db


def test_demo_reviews_are_real_completed_orders_and_the_ratings_count_them():
    shops = [make_shop(name=f"Toko Demo {i}") for i in range(2)]
    for shop in shops:
        for _ in range(PRODUCTS_PER_SHOP + 1):
            make_product(shop=shop)
    buyers = [make_user(name=name) for name in ("Andi Pratama", "Rina Marlina", "Dinas Koperasi")]
    made = demo_reviews_seed(shops=shops, buyers=buyers)
    assert made == Review.objects.count() >= 2 * PRODUCTS_PER_SHOP
    for review in Review.objects.select_related("line__order"):
        assert review.line.order.status == Order.Status.COMPLETED and review.line.order.invoice_number
        assert review.line.order.buyer_id == review.buyer_id and review.line.variant.product_id == review.product_id
    for product in Product.objects.all():
        reviews = list(Review.objects.filter(product=product).values_list("rating", flat=True))
        assert product.rating_count == len(reviews)
        assert float(product.rating_avg) == (round(sum(reviews) / len(reviews), 2) if reviews else 0)
        assert product.sold_count >= product.rating_count
    for shop in Shop.objects.filter(pk__in=[s.pk for s in shops]):
        assert shop.rating_count == Review.objects.filter(product__shop=shop).count()

    counts = (Review.objects.count(), Order.objects.count())
    assert demo_reviews_seed(shops=shops, buyers=buyers) == 0  # a second run adds nothing
    assert (Review.objects.count(), Order.objects.count()) == counts


def test_a_made_up_rating_without_reviews_is_cleared_and_the_page_says_no_reviews(client):
    product = make_product(name="Emping Melinjo Menes", rating_avg=4.8, rating_count=112)
    Shop.objects.filter(pk=product.shop_id).update(rating_avg=4.8, rating_count=112)
    product_ratings_recount()
    product.refresh_from_db()
    assert (product.rating_count, float(product.rating_avg)) == (0, 0)
    assert Shop.objects.get(pk=product.shop_id).rating_count == 0
    html = client.get(f"/p/{product.shop.slug}/{product.slug}/").text
    assert "Belum ada ulasan" in html and "112 ulasan" not in html and "★ 4,8" not in html


def test_the_product_page_shows_the_demo_reviews_it_counts(client):
    shop = make_shop()
    product = make_product(shop=shop, name="Kopi Robusta Pandeglang")
    demo_reviews_seed(shops=[shop], buyers=[make_user(name="Andi Pratama"), make_user(name="Rina Marlina")])
    product.refresh_from_db()
    assert product.rating_count >= 1
    html = client.get(f"/p/{shop.slug}/{product.slug}/").text
    assert f"{product.rating_count} ulasan" in html and "Belum ada ulasan" not in html
    for review in Review.objects.filter(product=product):
        assert review.text in html


def test_the_bulk_catalog_copies_no_ratings():
    for name in ("Batik Tulis Cikadu", "Kopi Robusta Pandeglang"):
        make_product(name=name, slug=name.lower().replace(" ", "-"), rating_avg=4.5, rating_count=3)
    Command().seed_bulk(6)
    bulk = Product.objects.filter(name__contains="#")
    assert bulk.count() == 4 and not bulk.filter(rating_count__gt=0).exists()
