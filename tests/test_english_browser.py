"""English in the browser at 390×844: the language switch, the home page's categories and badges, an order's
timeline."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from catalog.models import Category
from catalog.services import category_tree_ensure
from orders.models import Order
from tests.browser import fits_the_phone, log_in
from tests.catalog.test_browser import batik_with_sizes
from tests.factories import make_shop, make_user, order_walk
from tests.orders.test_checkout import buy
from tests.payments.test_money_back import pay


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_buyer_switches_to_english_and_sees_categories_badges_and_the_order_history_in_english(
        live_server, page, screenshot, client):
    category_tree_ensure()
    shirts = Category.objects.get(slug="fashion-batik-batik-kemeja-batik")
    product = batik_with_sizes(make_shop(kabkota="36.73", name="Batik Banten Mukarnas"), shirts,
                               "Kemeja Batik Surosowan", (60, 120, 60))
    buyer = make_user(name="Rina Wulandari")
    group = buy(buyer, product.variants.first(), method="jne:REG")
    pay(client, group)
    with translation.override("en"):
        order = order_walk(group.orders.get(), Order.Status.SHIPPED, resi="JP1234567890")

    log_in(page, live_server.url, buyer.email)
    page.goto(live_server.url + "/")
    expect(page.locator("#language option")).to_have_text(["Bahasa Indonesia", "English"])
    page.select_option("#language", "en")
    page.get_by_role("button", name="Ganti").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language option")).to_have_text(["Bahasa Indonesia", "English"])
    chips = page.locator(".chips")
    expect(chips).to_contain_text("Food & Drinks")
    expect(chips).not_to_contain_text("Makanan & Minuman")
    card = page.locator(".pcard", has_text="Kemeja Batik Surosowan").first
    expect(card).to_contain_text("Made in Banten")
    expect(card).to_contain_text("Local content 60%")
    fits_the_phone(page)
    screenshot("home-en")

    page.goto(f"{live_server.url}/pesanan/{order.number}/")
    timeline = page.locator(".timeline")
    for text in ("Awaiting payment", "Paid", "Payment received.", "Shipped with JNE, tracking number JP1234567890."):
        expect(timeline).to_contain_text(text)
    expect(timeline).not_to_contain_text("Dikirim")
    fits_the_phone(page)
    screenshot("order-en")
