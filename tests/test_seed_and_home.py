import re

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from playwright.sync_api import expect

from catalog.models import Category, Product, ProductVariant
from orders.models import Review
from vendors.models import Shop

BANTEN_KABKOTA = {"36.01", "36.02", "36.03", "36.04", "36.71", "36.72", "36.73", "36.74"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_demo_marketplace_is_seeded_once_and_the_home_page_shows_it_on_a_phone(live_server, page, screenshot):
    call_command("seed_demo")
    shops = Shop.objects.filter(status=Shop.Status.VERIFIED)
    products = Product.objects.filter(status=Product.Status.ACTIVE)
    assert shops.count() >= 30
    assert set(shops.values_list("kabkota_id", flat=True)) == BANTEN_KABKOTA
    assert products.count() >= 300
    assert products.values("category__parent__parent").distinct().count() >= 10
    assert not products.filter(price_min__lte=0).exists()
    assert products.filter(cover__has_key="320").count() == products.count()  # every demo product has a photo
    waiting = Shop.objects.filter(status=Shop.Status.SUBMITTED)
    assert waiting.count() >= 3 and all(shop.documents.count() == 3 for shop in waiting)  # the console has work
    assert all(shop.documents.get(kind="nib").preview for shop in waiting)  # the PDF's first page, for the console
    # Every rating shown is counted from reviews a visitor can read (no "★ 4,8 · 112 ulasan" without any).
    assert Review.objects.filter(line__order__status="completed").count() >= 60
    assert not products.annotate(n=Count("reviews")).exclude(rating_count=F("n")).exists()
    counts = (Shop.objects.count(), Product.objects.count(), Category.objects.count(), Review.objects.count())

    call_command("seed_demo")  # a second run adds nothing
    assert (Shop.objects.count(), Product.objects.count(), Category.objects.count(),
            Review.objects.count()) == counts
    call_command("seed_demo", "--products", counts[1] + 5)  # the benchmark's bulk path, straight in SQL
    bulk = ProductVariant.objects.filter(sku__startswith="SKU-")
    assert bulk.count() == 5 and set(bulk.values_list("stock", "allocated")) == {(20, 0)}

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    cards = page.locator(".pcard")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 12
    assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})*", cards.first.locator(".price").inner_text())
    first_photo = cards.first.locator("img")
    expect(first_photo).to_have_js_property("complete", True)
    assert first_photo.evaluate("img => img.naturalWidth") > 0  # the rendition is served
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows the phone
    screenshot("home")

    page.fill("#q", "batk")  # a typo still finds batik
    page.press("#q", "Enter")
    expect(page.locator("h1")).to_contain_text("batk")
    expect(page.locator("#corrected")).to_contain_text("batik")
    expect(page.locator(".pcard").first).to_contain_text("Batik")
    screenshot("search-typo")

    reviewed = products.filter(rating_count__gt=0).select_related("shop").order_by("pk").first()
    page.goto(f"{live_server.url}/p/{reviewed.shop.slug}/{reviewed.slug}/")
    expect(page.locator(".rating").first).to_contain_text(f"{reviewed.rating_count} ulasan")
    expect(page.get_by_text("Belum ada ulasan")).to_have_count(0)
    expect(page.get_by_text(reviewed.reviews.first().text).first).to_be_visible()
    screenshot("product-with-demo-reviews")


@pytest.mark.django_db
def test_bulk_products_are_copied_whole_with_their_top_category_and_facet_counts():
    from django.db import connection

    from catalog.models import FacetCell
    from catalog.selectors import ProductFilters, cache, product_search
    from plazabanten.management.commands.seed_demo import _copy_products
    from tests.factories import make_category, make_shop

    root = make_category(level=1)
    leaf = make_category(level=2, parent=root)
    shop = make_shop()
    text = "Tab\there, a new\nline, a back\\slash and \\N"
    products = [Product(shop=shop, category=leaf, name=f"Salinan {n}", slug=f"salinan-{n}", description=text,
                        status=Product.Status.ACTIVE, price_min=1000 * n, price_max=1000 * n, sold_count=n,
                        cover={"320": {"webp": f"c/{n}.webp"}}, kabkota_id=shop.kabkota_id) for n in (1, 2)]
    with connection.cursor() as cursor:
        _copy_products(cursor, products)
    copied = list(Product.objects.filter(shop=shop).order_by("price_min"))
    assert [(p.name, p.description, p.cover, p.category_root_id) for p in copied] == [
        (f"Salinan {n}", text, {"320": {"webp": f"c/{n}.webp"}}, root.pk) for n in (1, 2)]
    assert sum(FacetCell.objects.filter(category=leaf).values_list("products", flat=True)) == 2
    cache.clear()  # a category tree cached by another test
    assert product_search(filters=ProductFilters(category=root.slug)).total == 2
