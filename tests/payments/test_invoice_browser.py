import pytest
from playwright.sync_api import expect

from tests.browser import fits_the_phone, log_in
from tests.factories import make_user
from tests.proof.axe import assert_no_serious_axe_violations
from vendors.models import ShopIdentity

from .conftest import place_checkout
from .test_invoice_paid import pay


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_reads_lunas_the_payment_method_and_the_sellers_numbers_on_the_invoice(client, live_server, page,
                                                                                   screenshot):
    buyer = make_user(email="ani@example.test", name="Ani Lestari")
    group = place_checkout(prices=(350000,), buyer=buyer)
    order = group.orders.get()
    ShopIdentity.objects.create(shop=order.shop, owner_name="Budi Santoso", owner_nik="3674011203850004",
                                nib="9120001234567", npwp="0123456789012345", capital=50_000_000,
                                turnover=300_000_000)
    pay(client, group, "qris")
    log_in(page, live_server.url, "ani@example.test")
    page.goto(f"{live_server.url}/pesanan/{order.number}/invoice/")
    expect(page.locator(".paid-stamp")).to_contain_text("LUNAS")
    expect(page.locator(".paid-stamp")).to_contain_text("lewat QRIS")
    expect(page.locator(".invoice")).to_contain_text("9120001234567")
    fits_the_phone(page)
    screenshot("invoice")
    assert_no_serious_axe_violations(page)
