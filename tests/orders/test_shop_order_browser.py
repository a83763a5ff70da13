"""The shop's order page on a phone: "Terima & kemas", then "Kirim", each first; rejecting is folded away."""

import pytest
from playwright.sync_api import expect

from orders.lifecycle import order_transition
from orders.models import Order
from tests.browser import fits_the_phone, log_in
from tests.factories import make_product, make_user

from .test_checkout import buy


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_shop_accepts_and_ships_with_the_reject_form_folded_away(live_server, page, screenshot):
    variant = make_product(name="Kemeja Batik Surosowan", price=150_000, stock=5).variants.get()
    order = buy(make_user(), variant, method="jne:REG").orders.get()
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    log_in(page, live_server.url, variant.product.shop.owner.email)
    page.goto(f"{live_server.url}/penjual/{order.shop_id}/pesanan/{order.number}/")

    accept = page.get_by_role("button", name="Terima & kemas")
    reject_fold = page.locator("details#action-reject")
    expect(accept).to_be_visible()
    expect(page.get_by_label("Alasan")).to_be_hidden()  # folded until asked for
    assert accept.bounding_box()["y"] < reject_fold.bounding_box()["y"]
    fits_the_phone(page)
    screenshot("paid-accept-first")
    reject_fold.locator("summary").click()
    expect(page.get_by_label("Alasan")).to_be_visible()
    screenshot("reject-unfolded")
    accept.click()

    expect(page.locator(".tag").first).to_have_text("Dikemas")
    ship = page.get_by_role("button", name="Kirim", exact=True)
    assert ship.bounding_box()["y"] < page.locator("details#action-reject").bounding_box()["y"]
    expect(page.get_by_label("Alasan")).to_be_hidden()
    page.locator("details#action-reject summary").click()
    page.locator("details#action-reject").get_by_role("button", name="Tolak pesanan").click()  # no reason
    expect(page.locator("details#action-reject")).to_have_attribute("open", "")  # open again with the message
    expect(page.locator("details#action-reject .errorlist")).to_contain_text("Tuliskan alasannya.")
    fits_the_phone(page)
    screenshot("accepted-ship-first-reject-refused")
    assert Order.objects.get(pk=order.pk).status == Order.Status.ACCEPTED
