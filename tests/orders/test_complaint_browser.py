import pytest
from playwright.sync_api import expect

from orders.models import Order
from orders.services import complaint_escalate
from tests.browser import log_in

from .test_complaints import complained_order, verifikator


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_shop_rejects_a_complaint_and_the_verifikator_refunds_it_on_a_phone(live_server, page, screenshot):
    order = complained_order(reason="Kain batik sobek 10 cm di bagian tengah, foto terlampir di chat.")
    owner = order.shop.owner
    owner.set_password("rahasia-123")
    owner.save()

    log_in(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/penjual/{order.shop_id}/pesanan/")
    expect(page.locator("#open-complaints")).to_contain_text("1 komplain perlu dijawab")
    page.get_by_role("link", name=order.number).first.click()
    expect(page.locator(".complaint-reason")).to_contain_text("Kain batik sobek")
    screenshot("shop-complaint")
    page.get_by_role("button", name="Tolak komplain").click()
    expect(page.locator("form .errorlist")).to_contain_text("Tuliskan alasannya.")
    page.get_by_label("Alasan").fill("Kain kami periksa utuh saat dikemas; video pengemasan ada.")
    page.get_by_role("button", name="Tolak komplain").click()
    expect(page.locator(".complaint")).to_contain_text("Pembeli bisa mengajukan banding")

    complaint_escalate(order_id=order.pk, actor=order.buyer, reason="Kurir juga melihat sobekannya saat serah terima.")
    page.context.clear_cookies()
    judge = verifikator()
    log_in(page, live_server.url, judge.email)
    page.goto(f"{live_server.url}/verifikasi/komplain/")
    page.get_by_role("link", name=order.number).click()
    expect(page.locator(".complaint-thread li")).to_have_count(3)
    screenshot("verifikator-complaint")
    page.get_by_label("Kembalikan dana ke pembeli").check()
    page.get_by_label("Alasan keputusan").fill("Keterangan kurir menguatkan pembeli.")
    page.get_by_role("button", name="Simpan keputusan").click()
    expect(page.locator(".msg").first).to_contain_text("tersimpan")
    screenshot("verifikator-queue-after")
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
