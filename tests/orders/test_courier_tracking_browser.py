"""A JNE order finishes by itself: placed, paid in the sandbox, accepted and shipped with a resi typed the way it
is read off a receipt; then nobody clicks anything. Time passes (the beat jobs are called with now=): tracking says
delivered, the complaint window closes, the order completes and the shop's balance shows the money available."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Order
from orders.services import orders_complete_delivered, orders_track_shipments
from payments.ledger import commission_of
from payments.tasks import orders_settle
from plazabanten.money import format_rupiah as rupiah
from tests.browser import fits_the_phone, log_in
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import make_address


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_jne_order_is_delivered_by_tracking_and_pays_the_shop_without_another_click(live_server, page,
                                                                                      screenshot, browser,
                                                                                      browser_context_args):
    url = live_server.url
    shop = make_shop(name="Batik Krakatau", kabkota="36.74")
    product = make_product(shop=shop, name="Kain Batik Tulis", price=350000)
    buyer = make_user(email="ani@example.test", name="Ani Lestari")
    make_address(buyer)

    # The buyer: add to cart, JNE REG at checkout, pay with the sandbox simulator (its notification reaches our
    # webhook over HTTP, as the gateway's would).
    log_in(page, url, "ani@example.test")
    page.goto(f"{url}/p/{shop.slug}/{product.slug}/")
    page.get_by_role("button", name="+ Keranjang").click()
    page.get_by_role("link", name="Lanjut ke checkout").click()
    page.get_by_label("JNE REG", exact=False).first.check()
    expect(page.locator(".subtotal").first).not_to_contain_text("ongkir Rp0")
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page.locator("h1")).to_have_text("Pesanan dibuat")
    order = Order.objects.get(buyer=buyer)
    assert order.shipping_method == "jne:REG"
    page.get_by_role("link", name="Bayar sekarang").click()
    page.get_by_label("QRIS").check()
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("link", name="Simulator pembayaran (sandbox)").click()
    page.get_by_role("button", name="Bayar", exact=True).click()
    expect(page.locator("#pay-status")).to_contain_text("Pembayaran diterima", timeout=15000)

    # The shop, in its own browser: accept, then ship; the courier is what the buyer paid for, the resi typed with
    # spaces and dashes.
    context = browser.new_context(**browser_context_args)
    seller = context.new_page()
    log_in(seller, url, shop.owner.email)
    seller.goto(f"{url}/penjual/{order.shop_id}/pesanan/{order.number}/")
    seller.get_by_role("button", name="Terima & kemas").click()
    expect(seller.locator(".tag").first).to_have_text("Dikemas")
    expect(seller.locator("#id_courier")).to_have_value("jne")
    seller.fill("#id_tracking_number", "jne 0123-4567-89")
    screenshot("shop-ship-form", seller)
    seller.get_by_role("button", name="Kirim").click()
    expect(seller.locator(".tag").first).to_have_text("Dikirim")
    expect(seller.locator(".resi")).to_have_text("JNE0123456789")
    fits_the_phone(seller)
    screenshot("shop-shipped", seller)

    # The buyer sees the resi; "Pesanan diterima" would ask on a page of its own (looked at, not confirmed).
    page.goto(f"{url}/pesanan/{order.number}/")
    expect(page.locator(".resi")).to_have_text("JNE0123456789")
    expect(page.locator(".tag").first).to_have_text("Dikirim")
    fits_the_phone(page)
    screenshot("buyer-shipped")
    page.get_by_role("link", name="Pesanan diterima").click()
    expect(page.get_by_text("Dengan menekan tombol ini, dana diteruskan ke penjual dan Anda tidak bisa "
                            "mengajukan komplain lagi.")).to_be_visible()
    fits_the_phone(page)
    screenshot("buyer-received-confirm")
    page.get_by_role("link", name="Kembali ke pesanan").click()

    # Time passes; only the beat jobs run.
    shipped_at = Order.objects.get(pk=order.pk).status_changed_at
    assert orders_track_shipments(now=shipped_at + timedelta(minutes=settings.SANDBOX_TRACKING_MINUTES / 2)) == 0
    assert orders_track_shipments(now=shipped_at + timedelta(minutes=settings.SANDBOX_TRACKING_MINUTES + 1)) == 1
    page.reload()
    expect(page.locator(".tag").first).to_have_text("Sampai tujuan")
    expect(page.get_by_text("Sampai menurut pelacakan JNE")).to_be_visible()
    expect(page.get_by_role("button", name="Ajukan komplain")).to_be_visible()
    screenshot("buyer-delivered")
    later = timezone.now() + timedelta(days=settings.ORDER_COMPLAINT_DAYS, minutes=1)
    assert orders_complete_delivered(now=later) == 1
    assert orders_settle() == {"released": 1, "refunded": 0}
    page.reload()
    expect(page.locator(".tag").first).to_have_text("Selesai")
    screenshot("buyer-completed")

    order.refresh_from_db()
    net = order.total - commission_of(order.subtotal)
    seller.goto(f"{url}/penjual/{order.shop_id}/saldo/")
    expect(seller.locator("#balance-available")).to_have_text(rupiah(net))
    expect(seller.locator("#balance-pending")).to_have_text("Rp0")
    screenshot("shop-balance", seller)
    context.close()
