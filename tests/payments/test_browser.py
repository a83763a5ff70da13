import pytest
from playwright.sync_api import expect

from orders.models import Order
from payments.ledger import ledger_release_for_order
from payments.models import Payout
from tests.browser import log_in
from tests.factories import make_user, order_walk
from vendors.models import ShopBankAccount

from .conftest import place_checkout


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pay_a_two_shop_checkout_by_qris_in_the_sandbox_then_the_shop_is_paid_out(live_server, page, screenshot):
    buyer = make_user(email="ani@example.test", name="Ani Lestari")
    group = place_checkout(prices=(45000, 350000), buyer=buyer)
    log_in(page, live_server.url, "ani@example.test")
    page.goto(f"{live_server.url}/checkout/{group.pk}/")
    page.get_by_role("link", name="Bayar sekarang").click()
    expect(page.locator("h1")).to_have_text("Pembayaran")
    page.get_by_label("QRIS").check()
    screenshot("methods")
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator("img.qris")).to_be_visible()
    expect(page.locator("#qris-payload")).to_contain_text("000201010212")
    expect(page.locator(".countdown")).to_contain_text("sisa")
    expect(page.locator("#pay-status")).to_contain_text("Menunggu pembayaran")
    screenshot("qris")

    # The "customer's phone": the sandbox simulator settles the charge and notifies our webhook over HTTP, then
    # sends the buyer back to the pay page, whose htmx poll shows the result. (A second tab in the same context
    # once hung Chromium for minutes in CI, so the simulator opens in this tab.)
    page.get_by_role("link", name="Simulator pembayaran (sandbox)").click()
    page.get_by_role("button", name="Bayar", exact=True).click()

    expect(page.locator("#pay-status")).to_contain_text("Pembayaran diterima", timeout=15000)  # htmx poll
    screenshot("paid")
    assert set(Order.objects.filter(group=group).values_list("status", flat=True)) == {"paid"}

    big = Order.objects.get(group=group, subtotal=350000)
    order_walk(big, to="completed")
    ledger_release_for_order(big.pk)

    ShopBankAccount.objects.create(shop=big.shop, bank="bca", number="1234567890", holder_name="Budi Santoso")

    page.context.clear_cookies()
    log_in(page, live_server.url, big.shop.owner.email)
    page.goto(f"{live_server.url}/penjual/{big.shop_id}/saldo/")
    expect(page.locator("#balance-available")).to_have_text("Rp346.500")  # 350.000 − 1% commission
    page.get_by_label("Nominal pencairan (Rp)").fill("300.000")
    page.get_by_role("button", name="Ajukan pencairan").click()
    expect(page.locator(".payout")).to_contain_text("Diproses bank")
    expect(page.locator("#balance-available")).to_have_text("Rp46.500")
    screenshot("payout-processing")
    page.get_by_role("button", name="Selesaikan (sandbox)").click()
    expect(page.locator(".payout")).to_contain_text("Terkirim")
    screenshot("payout-paid")
    assert Payout.objects.get().status == "paid"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_virtual_account_number_is_copied_and_a_wrong_amount_is_not_paid(live_server, page, screenshot):
    buyer = make_user(email="budi@example.test", name="Budi")
    group = place_checkout(prices=(75000,), buyer=buyer)
    log_in(page, live_server.url, "budi@example.test")
    page.goto(f"{live_server.url}/bayar/{group.pk}/")
    page.get_by_label("Virtual account BCA").check()
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator("#va-number")).to_have_text(group.payment.attempts.get().va_number)
    page.locator("[data-copy=va-number]").click()
    expect(page.locator("[data-copy=va-number]")).to_have_text("Tersalin ✓")
    screenshot("va")
    page.get_by_role("link", name="Simulator pembayaran (sandbox)").click()
    screenshot("simulator")
    page.get_by_role("button", name="Bayar dengan nominal salah").click()
    expect(page.locator("#pay-status")).to_contain_text("Menunggu pembayaran")
    assert Order.objects.get(group=group).status == "awaiting_payment"
