"""One continuous browser journey per role, in headless Chromium at 390×844, against the real Postgres and Redis.
The seller journey runs a real Celery worker (renditions, the gateway's notification); the buyer and verifikator
journeys keep the suite's eager tasks (the buyer's payment notification still travels over HTTP to the webhook).

Each journey is one test that walks its role's whole path through the UI: forms filled, buttons clicked. Only
another party's steps happen elsewhere: in a second browser context when that party acts in the UI, or through the
services when that step is the subject of that party's own journey here (said in a comment at each place).
Every page a journey shows gets a screenshot (test-artifacts/<test>/) and an axe-core check: no serious or
critical violation.

Payment in the sandbox is driven the way a buyer's phone would: the pay page's "Simulator pembayaran (sandbox)"
button settles the charge at the sandbox gateway, which sends its signed notification over HTTP to our webhook
(payments.simulator → payments.tasks.sandbox_notify), and the pay page's htmx poll shows the result.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import address_save
from catalog.services import product_image_add
from orders.models import Order
from orders.services import (
    ShopChoice,
    cart_set_quantity,
    checkout_place,
    order_ship,
    order_transition,
    orders_complete_delivered,
    orders_track_shipments,
)
from orders.shipping import shipping_quotes
from payments.ledger import commission_of
from payments.models import OrderTax
from payments.services import payment_start
from payments.simulator import simulator_act
from payments.tasks import orders_settle
from plazabanten.money import format_rupiah as rupiah
from regions.models import Region
from tests.browser import fits_the_phone
from tests.browser import log_in as log_in_form
from tests.factories import make_category, make_product, make_shop, make_user
from tests.vendors.helpers import (
    make_complete_draft,
    make_verifikator,
    shop_wizard_walk,
    wizard_documents,
)
from vendors.models import Shop
from vendors.services import shop_submit

from .axe import assert_no_serious_axe_violations
from .conftest import photo

PASSWORD = "rahasia-123"


@pytest.fixture
def look(screenshot):
    """look("step") after a page settles: a screenshot, then axe (no serious or critical violation)."""

    def check(name: str, target) -> None:
        # Back to the top first: after a click lower down, the sticky header would land mid-page in the PNG.
        target.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        screenshot(name, target)
        assert_no_serious_axe_violations(target)

    return check


@pytest.fixture
def other_party(browser, browser_context_args, live_server):
    """other_party(email) → a page in a browser context of its own, logged in through the login form."""
    contexts = []

    def open_as(email: str):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_server.url, email)
        return page

    yield open_as
    for context in contexts:
        context.close()


def log_in(page, url: str, email: str) -> None:
    log_in_form(page, url, email, PASSWORD)
    expect(page.locator("header .menu summary")).to_be_visible()


def open_menu(page, item: str) -> None:
    page.locator("header .menu summary").click()
    page.locator("header .menu").get_by_role("link", name=item).click()


def batik_categories():
    root = make_category(name="Fashion & Batik", slug="fashion-batik", level=1)
    middle = make_category(name="Batik", slug="fashion-batik-batik", level=2, parent=root)
    return make_category(name="Kain Batik", slug="fashion-batik-kain", level=3, parent=middle)


def buyer_with_address(email: str, name: str):
    buyer = make_user(email=email, name=name)
    desa = Region.objects.filter(code__startswith="36.74.", level=4).order_by("code").first()
    address = address_save(user=buyer, data={"recipient": name, "phone": "+6281234567890",
                                             "street": "Jl. Pahlawan Seribu 1", "region": desa,
                                             "postal_code": "15322"})
    return buyer, address


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_seller_journey_sign_up_to_balance(live_server, page, look, other_party, celery_worker, wait_until,
                                           tmp_path):
    """Sign up → shop wizard with documents → (verifikator verifies) → product with 3 photos → renditions appear
    → (an order arrives) → accept → ship with a tracking number → (buyer confirms) → balance shows the amount."""
    url = live_server.url
    leaf = batik_categories()
    make_verifikator(email="vera@example.test", name="Vera Verifikator", password=PASSWORD)
    documents = wizard_documents(tmp_path)

    # 1. Sign up from the home page.
    page.goto(url + "/")
    look("home", page)
    page.get_by_role("link", name="Daftar").click()
    page.fill("#id_name", "Siti Aminah")
    page.fill("#id_email", "siti@example.test")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_password1", "Batik-Lebak-2026")
    page.fill("#id_password2", "Batik-Lebak-2026")
    look("signup", page)
    page.get_by_role("button", name="Daftar").click()
    # Sign-up ends at "check your email" (mandatory verification hides which addresses are registered); the link
    # in the mail confirms the address and signs in.
    look("verify-email", page)
    link = re.search(r"https?://\S+/akun/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Konfirmasi").click()
    expect(page.locator("header .menu summary")).to_have_text("Siti")

    # 2. Open a shop: the wizard, profile → identity → documents → bank → send.
    open_menu(page, "Buka toko")  # a newcomer's menu invites them to open a shop
    look("seller-home", page)
    def snap(step: str) -> None:
        if step == "profile":
            fits_the_phone(page)
        look("submitted" if step == "submitted" else f"wizard-{step}", page)

    shop_wizard_walk(page, documents=documents, nib="9120001234567", snap=snap)
    shop = Shop.objects.get(owner__email="siti@example.test")

    # 3. Another party: the verifikator checks the documents and verifies, in the console (its own journey asks
    #    for a revision first; here it verifies straight away).
    console = other_party("vera@example.test")
    console.goto(url + "/verifikasi/")
    console.locator(".queue a", has_text="Batik Rangkasbitung").click()
    for box in console.locator(".checklist input[type=checkbox]").all():
        box.check()
    console.get_by_role("button", name="Verifikasi toko").click()
    expect(console.locator("h1 .tag")).to_have_text("Terverifikasi")
    look("verifikator-verified", console)

    # 4. The seller sees the shop verified and adds a product.
    page.reload()
    expect(page.locator(".status-card .tag")).to_have_text("Terverifikasi")
    look("verified", page)
    open_menu(page, "Toko saya")
    page.locator(".shop-switch").get_by_role("link", name="Produk").click()
    look("products-empty", page)
    page.get_by_role("link", name="+ Produk baru (Batik Rangkasbitung)").click()
    page.fill("#id_name", "Kain Batik Tulis Baduy")
    page.select_option("#id_category", str(leaf.pk))
    page.fill("#id_description", "Kain batik tulis 2 m, pewarna alami, motif Baduy.")
    page.fill("#id_weight_grams", "400")
    page.fill("#id_varian-0-name", "2 meter")
    page.fill("#id_varian-0-sku", "BADUY-2M")
    page.locator("#id_varian-0-price").press_sequentially("350.000")  # typed the Indonesian way, dots and all
    page.fill("#id_varian-0-stock", "5")
    look("product-new", page)
    page.get_by_role("button", name="Simpan draf & lanjut ke foto").click()  # a draft, on to its photos
    expect(page.get_by_text("Produk tersimpan sebagai draf.")).to_be_visible()
    look("product-saved", page)

    # 5. Three photos; the real worker makes the renditions while the tiles poll (htmx). Then it goes on sale.
    for i, color in enumerate([(120, 40, 30), (30, 60, 120), (60, 110, 50)]):
        upload = photo(color)
        path = tmp_path / f"foto-{i}.jpg"
        path.write_bytes(upload.read())
        page.set_input_files("#id_photo", str(path))
        page.get_by_role("button", name="Unggah foto").click()
        expect(page.locator(".grid.photos .photo")).to_have_count(i + 1)
    look("photos-uploaded", page)
    expect(page.locator(".photo-ready")).to_have_count(3)
    expect(page.locator(".photo-ready img").first).to_have_js_property("complete", True)
    assert page.locator(".photo-ready img").first.evaluate("img => img.naturalWidth") > 0
    expect(page.locator(".photo-ready").first).to_contain_text("sampul")
    expect(page.get_by_role("button", name="Jadikan sampul")).to_have_count(2)
    look("photos-ready", page)
    page.get_by_role("button", name="Aktifkan produk").click()
    expect(page.locator(".product-state .tag")).to_have_text("Aktif")
    page.get_by_role("link", name="Data & varian").click()
    expect(page.locator("#id_varian-0-price")).to_have_value("Rp350.000")

    # 6. The shop's public page shows it with its cover.
    open_menu(page, "Toko saya")
    page.get_by_role("link", name="Lihat toko").click()
    page.locator(".pcard a", has_text="Kain Batik Tulis Baduy").click()
    expect(page.locator("h1")).to_have_text("Kain Batik Tulis Baduy")
    expect(page.locator("#variant-price")).to_have_text("Rp350.000")
    expect(page.locator(".gallery img")).to_have_count(3)
    look("public-product", page)

    # 7. Another party: a buyer orders and pays (the buyer journey does this in the UI). The sandbox gateway's
    #    notification reaches our webhook over HTTP from the worker, as Midtrans's would.
    buyer, address = buyer_with_address("ani@example.test", "Ani Lestari")
    variant = shop.products.get().variants.get()
    cart_set_quantity(user=buyer, variant_id=variant.pk, quantity=1)
    (quotes,) = shipping_quotes(parcels=[(shop, 400)], destination_kabkota="36.74")
    quote = next(q for q in quotes if q.method.startswith("jne:"))
    group = checkout_place(buyer=buyer, idempotency_key="seller-journey", address=address,
                           choices={shop.pk: ShopChoice(method=quote.method)})
    attempt = payment_start(group_id=group.pk, buyer=buyer, method="qris")
    simulator_act(attempt_ref=attempt.attempt_ref, action="pay", webhook_url=url + "/payments/webhooks/sandbox/")
    order = group.orders.get()
    assert wait_until(lambda: Order.objects.filter(pk=order.pk, status=Order.Status.PAID).exists())
    # A new shop has filed no turnover statement: PPh 22 0,5% of its goods (PMK 37/2025) is withheld.
    pph22 = OrderTax.objects.get(order_id=order.pk).pph22
    assert pph22 == order.subtotal // 200
    net = order.total - commission_of(order.subtotal) - pph22

    # 8. The order arrives: accept, pack, ship with a tracking number.
    open_menu(page, "Pesanan toko")
    expect(page.locator(".order-row", has_text=order.number)).to_contain_text("Dibayar")
    expect(page.locator(".order-row", has_text=order.number)).to_contain_text(rupiah(order.total))
    look("orders-incoming", page)
    page.locator(".order-row", has_text=order.number).click()
    look("order-paid", page)
    page.get_by_role("button", name="Terima & kemas").click()
    expect(page.locator(".tag").first).to_have_text("Dikemas")
    expect(page.locator("#id_courier")).to_have_value("jne")  # what the buyer paid for
    page.fill("#id_tracking_number", "jne 0123-4567-89")  # as read off the receipt
    look("order-accepted", page)
    page.get_by_role("button", name="Kirim").click()
    expect(page.locator(".tag").first).to_have_text("Dikirim")
    expect(page.locator(".resi")).to_have_text("JNE0123456789")
    look("order-shipped", page)

    # 9. The balance: held while the order is under way.
    open_menu(page, "Toko saya")
    page.locator(".shop-switch").get_by_role("link", name="Saldo").click()
    expect(page.locator("#balance-pending")).to_have_text(rupiah(net))
    expect(page.locator("#balance-available")).to_have_text("Rp0")
    look("balance-pending", page)

    # 10. Nobody clicks anything more: time passes and the beat jobs run (called here with now=). The sandbox
    #     tracker says the parcel was delivered, the complaint window closes, and orders_settle releases the money.
    shipped_at = Order.objects.get(pk=order.pk).status_changed_at
    assert orders_track_shipments(now=shipped_at + timedelta(minutes=settings.SANDBOX_TRACKING_MINUTES + 1)) == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.DELIVERED
    assert orders_complete_delivered(now=timezone.now() + timedelta(days=settings.ORDER_COMPLAINT_DAYS,
                                                                     minutes=1)) == 1
    assert orders_settle() == {"released": 1, "refunded": 0}
    page.reload()
    expect(page.locator("#balance-available")).to_have_text(rupiah(net))
    expect(page.locator("#balance-pending")).to_have_text("Rp0")
    assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})+", rupiah(net))
    fits_the_phone(page)
    look("balance-available", page)


def shop_with_batik(*, shop_name: str, kabkota: str, product_name: str, price: int, color, category):
    """A verified shop with one batik product and its photo (the seller journey makes these in the UI)."""
    shop = make_shop(name=shop_name, slug=shop_name.lower().replace(" ", "-"), kabkota=kabkota)
    product = make_product(shop=shop, name=product_name, slug=product_name.lower().replace(" ", "-"), price=price,
                           category=category, description=f"{product_name}, buatan UMKM Banten.")
    product_image_add(product=product, upload=photo(color))  # renditions by the eager task, before the worker
    return product


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_journey_search_to_review(live_server, page, look):
    """Search "batik" → filter by Kota Tangerang Selatan → product → add from two shops → checkout → pay by QRIS in
    the sandbox → paid → (the shops ship) → confirm receipt → review."""
    url = live_server.url
    leaf = batik_categories()
    cisadane = shop_with_batik(shop_name="Batik Cisadane", kabkota="36.74", product_name="Kain Batik Tulis Cisadane",
                               price=350_000, color=(120, 40, 30), category=leaf)
    pamulang = shop_with_batik(shop_name="Tenun Pamulang", kabkota="36.74", product_name="Kemeja Batik Pamulang",
                               price=185_000, color=(30, 60, 120), category=leaf)
    shop_with_batik(shop_name="Batik Surosowan", kabkota="36.73", product_name="Batik Cap Surosowan", price=150_000,
                    color=(60, 110, 50), category=leaf)
    make_user(email="ani@example.test", name="Ani Lestari", password=PASSWORD)

    # 1. Search, then narrow to Kota Tangerang Selatan (htmx swaps the results in place).
    page.goto(url + "/")
    look("home", page)
    page.fill("#q", "batik")
    page.press("#q", "Enter")
    expect(page.locator("#result-count")).to_have_text("3 produk")
    look("search-batik", page)
    page.locator(".facets summary").click()
    page.locator(".facets").get_by_role("link", name="Kota Tangerang Selatan").click()
    expect(page.locator("#result-count")).to_have_text("2 produk")
    expect(page).to_have_url(re.compile(r"/cari/\?q=batik&kabkota=36\.74$"))
    expect(page.locator(".pcard", has_text="Kain Batik Tulis Cisadane")).to_contain_text("Rp350.000")
    fits_the_phone(page)
    look("filtered-tangsel", page)

    # 2. A product from each of two shops into the cart: the first from the results; back from the cart, the second
    #    from the first one's "Produk terkait".
    for count, product in enumerate((cisadane, pamulang), start=1):
        page.locator(".pcard a", has_text=product.name).click()
        expect(page.locator("h1")).to_have_text(product.name)
        expect(page.locator(".gallery img").first).to_have_js_property("complete", True)
        look(f"product-{product.slug}", page)
        page.get_by_role("button", name="+ Keranjang").click()
        expect(page.get_by_text(f"{product.name} masuk keranjang.")).to_be_visible()
        expect(page.locator("#cart-count")).to_have_text(str(count))
        expect(page.locator(".cart-shop")).to_have_count(count)
        if count == 1:
            page.go_back()
    expect(page.locator(".cart-shop", has_text="Batik Cisadane").locator(".subtotal")).to_contain_text("Rp350.000")
    expect(page.locator(".cart-shop", has_text="Tenun Pamulang").locator(".subtotal")).to_contain_text("Rp185.000")
    look("cart", page)

    # 3. Checkout: log in, a delivery address down to the desa, a courier per shop, place the orders.
    page.get_by_role("link", name="Lanjut ke checkout").click()
    look("login", page)
    page.fill("#id_login", "ani@example.test")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("h1")).to_have_text("Alamat baru")
    page.fill("#id_recipient", "Ani Lestari")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_street", "Jl. Pahlawan Seribu No. 5")
    page.select_option("#id_region_2", label="Kota Tangerang Selatan")
    page.select_option("#id_region_3", label="Serpong")
    page.select_option("#id_region_4", index=1)
    page.fill("#id_postal_code", "15310")
    look("address", page)
    page.get_by_role("button", name="Simpan alamat").click()
    expect(page.locator("h1")).to_have_text("Checkout")
    jne = page.locator(".choice", has_text="JNE REG")
    for index in range(jne.count()):  # each choice redraws the totals with htmx: check, then wait for it to stick
        jne.nth(index).locator("input").check()
        expect(jne.nth(index).locator("input")).to_be_checked()
    for index in range(jne.count()):
        expect(jne.nth(index).locator("input")).to_be_checked()
    expect(page.locator(".subtotal").first).not_to_contain_text("ongkir Rp0")
    look("checkout", page)
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page.locator("h1")).to_have_text("Pesanan dibuat")
    orders = list(Order.objects.filter(buyer__email="ani@example.test").order_by("pk"))
    total = sum(order.total for order in orders)
    expect(page.locator(".summary .price")).to_have_text(rupiah(total))
    look("placed", page)

    # 4. Pay by QRIS; the "customer's phone" is the sandbox simulator, which notifies our webhook like the gateway.
    page.get_by_role("link", name="Bayar sekarang").click()
    expect(page.locator("h1")).to_have_text("Pembayaran")
    look("pay-methods", page)
    page.get_by_label("QRIS").check()
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator("img.qris")).to_be_visible()
    expect(page.locator("#pay-status")).to_contain_text("Menunggu pembayaran")
    look("pay-qris", page)
    page.get_by_role("link", name="Simulator pembayaran (sandbox)").click()
    look("sandbox-simulator", page)
    page.get_by_role("button", name="Bayar", exact=True).click()
    expect(page.locator("#pay-status")).to_contain_text("Pembayaran diterima")
    look("paid", page)
    assert {order.status for order in Order.objects.filter(buyer__email="ani@example.test")} == {"paid"}

    # 5. Other parties: both shops accept and ship (the seller journey does this in the UI).
    for order in orders:
        order_transition(order_id=order.pk, to_status=Order.Status.ACCEPTED, actor=order.shop.owner)
        order_ship(order_id=order.pk, actor=order.shop.owner, tracking=f"CGK{order.pk:010d}")

    # 6. The parcel from Batik Cisadane arrives: confirm receipt and review.
    cisadane_order = next(order for order in orders if order.shop_id == cisadane.shop_id)
    open_menu(page, "Pesanan saya")
    expect(page.locator(".order-row")).to_have_count(2)
    expect(page.locator(".order-row", has_text="Batik Cisadane")).to_contain_text("Dikirim")
    look("my-orders", page)
    page.locator(".order-row", has_text="Batik Cisadane").click()
    expect(page.locator(".resi")).to_have_text(f"CGK{cisadane_order.pk:010d}")
    look("order-shipped", page)
    page.get_by_role("link", name="Pesanan diterima").click()  # a page of its own says what it gives up
    expect(page.get_by_text("Anda tidak bisa mengajukan komplain lagi")).to_be_visible()
    look("order-received-confirm", page)
    page.get_by_role("button", name="Ya, pesanan sudah saya terima").click()
    expect(page.locator(".tag").first).to_have_text("Selesai")
    look("order-completed", page)
    page.get_by_label("Nilai").select_option("5")
    page.get_by_label("Ulasan (opsional)").fill("Batiknya halus, warnanya sesuai foto.")
    page.get_by_role("button", name="Kirim ulasan").click()
    expect(page.get_by_text("Terima kasih atas ulasan Anda.")).to_be_visible()
    look("reviewed", page)

    # 7. The review shows on the product page.
    page.goto(f"{url}/p/{cisadane.shop.slug}/{cisadane.slug}/")
    expect(page.locator("main")).to_contain_text("Batiknya halus, warnanya sesuai foto.")
    look("product-with-review", page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_verifikator_journey_queue_to_take_down(live_server, page, look, other_party):
    """Queue → documents → request a revision → (the seller fixes it) → verify → take a product down."""
    url = live_server.url
    make_verifikator(email="vera@example.test", name="Vera Verifikator", password=PASSWORD)
    seller = make_user(email="siti@example.test", name="Siti Aminah", password=PASSWORD)
    # The seller journey fills the wizard in the UI; here the shop arrives in the queue ready-made.
    shop_submit(shop=make_complete_draft(owner=seller, name="Batik Rangkasbitung"), actor=seller)
    leaf = batik_categories()
    ivory = make_product(shop=make_shop(name="Kerajinan Pesisir", slug="kerajinan-pesisir", kabkota="36.72"),
                         name="Gelang Gading Gajah Asli", slug="gelang-gading-gajah-asli", price=2_500_000,
                         category=leaf, description="Gelang dari gading gajah asli.")

    # 1. Log in and open the verification console from the account menu.
    log_in(page, url, "vera@example.test")
    open_menu(page, "Verifikasi toko")
    expect(page.locator(".queue")).to_contain_text("Batik Rangkasbitung")
    expect(page.locator(".queue li", has_text="Batik Rangkasbitung")).to_contain_text("Menunggu verifikasi")
    fits_the_phone(page)
    look("queue", page)

    # 2. The documents, streamed through the permission-checked view.
    page.locator(".queue a", has_text="Batik Rangkasbitung").click()
    expect(page.locator(".facts")).to_contain_text("9120001234567")
    for image in page.locator(".docs img").all():
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
    fits_the_phone(page)
    look("documents", page)

    # 3. Ask for a revision of the NIB.
    page.locator("summary", has_text="Minta perbaikan").click()
    page.fill("#id_reason_nib", "NIB di formulir berbeda dengan dokumen NIB (angka terakhir 8).")
    look("revision-form", page)
    page.get_by_role("button", name="Kirim permintaan perbaikan").click()
    expect(page.locator("h1 .tag")).to_have_text("Perlu perbaikan")
    look("revision-requested", page)

    # 4. Another party: the seller reads the reason next to the field, fixes the NIB and sends again (in the UI).
    seller_page = other_party("siti@example.test")
    open_menu(seller_page, "Toko saya")
    seller_page.get_by_role("link", name="Batik Rangkasbitung").click()
    expect(seller_page.locator(".reasons")).to_contain_text("angka terakhir 8")
    look("seller-sees-reason", seller_page)
    seller_page.locator(".reasons").get_by_role("link", name="Perbaiki").click()
    expect(seller_page.locator("#field-nib .reason")).to_contain_text("angka terakhir 8")
    seller_page.fill("#id_nib", "9120001234568")
    look("seller-fixes-nib", seller_page)
    seller_page.get_by_role("button", name="Simpan & lanjut").click()
    expect(seller_page.locator("h2", has_text="Dokumen")).to_be_visible()
    open_menu(seller_page, "Toko saya")
    seller_page.get_by_role("link", name="Batik Rangkasbitung").click()
    seller_page.get_by_role("link", name="Kirim ulang").click()
    seller_page.get_by_role("button", name="Kirim ulang untuk verifikasi").click()
    expect(seller_page.locator(".status-card")).to_contain_text("Menunggu verifikasi")
    look("seller-sent-again", seller_page)

    # 5. Back in the console: the fixed NIB; tick the checklist and verify.
    page.get_by_role("link", name="Antrean verifikasi").click()
    expect(page.locator(".queue li", has_text="Batik Rangkasbitung")).to_contain_text("1× perbaikan")
    page.locator(".queue a", has_text="Batik Rangkasbitung").click()
    expect(page.locator(".facts")).to_contain_text("9120001234568")
    for box in page.locator(".checklist input[type=checkbox]").all():
        box.check()
    look("checklist", page)
    page.get_by_role("button", name="Verifikasi toko").click()
    expect(page.locator("h1 .tag")).to_have_text("Terverifikasi")
    look("verified", page)

    # 6. A product that may not be sold (ivory): found through the storefront search, taken down with a reason.
    page.fill("#q", "gading")
    page.press("#q", "Enter")
    expect(page.locator("#result-count")).to_have_text("1 produk")
    page.locator(".pcard a", has_text=ivory.name).click()
    look("product-reported", page)
    page.get_by_role("link", name="Moderasi produk ini").click()
    look("moderation", page)
    page.get_by_label("Alasan").fill("Gading gajah: satwa dilindungi, dilarang diperdagangkan (UU 5/1990).")
    page.get_by_role("button", name="Turunkan produk").click()
    expect(page.get_by_text("Produk diturunkan.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Diturunkan")
    look("taken-down", page)
    page.fill("#q", "gading")
    page.press("#q", "Enter")
    expect(page.locator("#result-count")).to_have_text("0 produk")
    look("search-after-take-down", page)
