import pytest
from playwright.sync_api import expect

from orders.models import Order
from orders.services import order_transition
from tests.factories import make_product, make_shop, make_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_adds_from_two_shops_enters_an_address_and_places_one_checkout(live_server, page, screenshot):
    batik = make_product(shop=make_shop(name="Batik Krakatau", kabkota="36.72"), name="Kain Batik Tulis", price=350000)
    kopi = make_product(shop=make_shop(name="Kopi Gunung Karang", kabkota="36.01"), name="Kopi Robusta", price=45000)
    make_user(email="ani@example.test", name="Ani Lestari", password="rahasia-123")

    for product in (batik, kopi):
        page.goto(f"{live_server.url}/p/{product.shop.slug}/{product.slug}/")
        page.get_by_role("button", name="+ Keranjang").click()
    expect(page.locator("#cart-count")).to_have_text("2")
    expect(page.locator(".cart-shop")).to_have_count(2)
    page.get_by_label("Jumlah").first.fill("2")
    page.get_by_label("Jumlah").first.dispatch_event("change")
    expect(page.locator("#cart-count")).to_have_text("3")
    screenshot("cart")

    page.get_by_role("link", name="Lanjut ke checkout").click()
    page.fill("#id_login", "ani@example.test")
    page.fill("#id_password", "rahasia-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("h1")).to_have_text("Alamat baru")
    page.fill("#id_recipient", "Ani Lestari")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_street", "Jl. Pahlawan Seribu No. 5")
    page.select_option("#id_region_2", label="Kota Tangerang Selatan")
    page.select_option("#id_region_3", label="Serpong")  # appears through htmx after the kab/kota choice
    page.select_option("#id_region_4", index=1)
    page.fill("#id_postal_code", "15310")
    screenshot("address")
    page.get_by_role("button", name="Simpan alamat").click()

    expect(page.locator("h1")).to_have_text("Checkout")
    page.get_by_label("JNE REG", exact=False).first.check()
    expect(page.locator(".subtotal").first).not_to_contain_text("ongkir Rp0")  # the summary follows the choice
    screenshot("checkout")
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page.locator("h1")).to_have_text("Pesanan dibuat")
    folder = screenshot("placed").parent
    assert Order.objects.filter(buyer__email="ani@example.test").count() == 2
    expect(page.locator("#cart-count")).to_have_text("0")

    # Paid (the payments journey has its own test); each shop accepts and ships in its own browser session.
    orders = list(Order.objects.filter(buyer__email="ani@example.test").select_related("shop__owner"))
    for order in orders:
        order_transition(order_id=order.pk, to_status=Order.Status.PAID)
        shop_page = page.context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        seller = shop_page.new_page()
        seller.goto(f"{live_server.url}/akun/login/")
        order.shop.owner.set_password("toko-123")
        order.shop.owner.save()
        seller.fill("#id_login", order.shop.owner.email)
        seller.fill("#id_password", "toko-123")
        seller.get_by_role("button", name="Masuk").click()
        seller.goto(f"{live_server.url}/penjual/{order.shop_id}/pesanan/{order.number}/")
        seller.get_by_role("button", name="Terima & kemas").click()
        if order.shipping_method == "pickup":
            seller.get_by_role("button", name="Siap diambil").click()
            expect(seller.locator(".tag").first).to_have_text("Siap diambil")
            shop_page.close()
            continue
        expect(seller.locator("#id_courier")).to_have_value(order.shipping_method.split(":")[0])  # as paid for
        seller.fill("#id_tracking_number", f"jne {order.pk:04d}-{order.pk:04d}")
        seller.get_by_role("button", name="Kirim").click()
        expect(seller.locator(".tag").first).to_have_text("Dikirim")
        if order.shop.name == "Batik Krakatau":
            seller.screenshot(path=str(folder / "05-shop-shipped.png"), full_page=True)
        shop_page.close()

    batik_order = next(o for o in orders if o.shop.name == "Batik Krakatau")
    page.goto(f"{live_server.url}/pesanan/{batik_order.number}/")
    expect(page.locator(".resi")).to_have_text(f"JNE{batik_order.pk:04d}{batik_order.pk:04d}")
    page.get_by_role("link", name="Pesanan diterima").click()  # a page of its own says what it gives up
    expect(page.get_by_text("Anda tidak bisa mengajukan komplain lagi")).to_be_visible()
    page.get_by_role("button", name="Ya, pesanan sudah saya terima").click()
    expect(page.locator(".tag").first).to_have_text("Selesai")
    page.get_by_label("Nilai").select_option("5")
    page.get_by_label("Ulasan (opsional)").fill("Batiknya halus, warnanya sesuai foto.")
    page.get_by_role("button", name="Kirim ulasan").click()
    expect(page.get_by_text("Terima kasih atas ulasan Anda.")).to_be_visible()
    screenshot("reviewed")
    batik.refresh_from_db()
    assert (batik.rating_count, float(batik.rating_avg)) == (1, 5.0)
