"""Stock with allocations: reserve at checkout, release, consume on payment, seller edits of the physical count,
unpaid limits, archived variants and sold_count (orders/stock.py)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse

from catalog.models import Product, ProductVariant
from catalog.services import product_import_run, product_save, variant_bulk_update
from orders.models import CartLine, CheckoutGroup, Order, OrderLine, StockAllocation
from orders.services import CheckoutError, cart_set_quantity, order_transition, orders_expire_unpaid
from orders.stock import stock_follow_order
from tests.factories import make_product, make_shop, make_user, order_walk
from tests.orders.test_checkout import buy, make_address

pytestmark = pytest.mark.django_db
S = Order.Status


def counts(variant) -> tuple[int, int, int, int]:
    """(physical stock, allocated, available, the product's stock_total)"""
    variant = ProductVariant.objects.select_related("product").get(pk=variant.pk)
    return variant.stock, variant.allocated, variant.available, variant.product.stock_total


def pay(order):
    return order_transition(order_id=order.pk, to_status=S.PAID)


# --- arithmetic ------------------------------------------------------------------------------------------------


def test_checkout_reserves_without_touching_the_physical_stock():
    variant = make_product(stock=10).variants.get()
    order = buy(make_user(), variant, quantity=3).orders.get()
    assert counts(variant) == (10, 3, 7, 7)
    allocation = StockAllocation.objects.get()
    assert (allocation.order_line, allocation.variant_id, allocation.quantity) == (order.lines.get(), variant.pk, 3)


def test_payment_consumes_the_allocation():
    variant = make_product(stock=10).variants.get()
    order = buy(make_user(), variant, quantity=3).orders.get()
    pay(order)
    assert counts(variant) == (7, 0, 7, 7)
    assert not StockAllocation.objects.exists()


def test_expiry_and_cancellation_of_an_unpaid_order_release_only_what_it_held():
    variant = make_product(stock=10).variants.get()
    first = buy(make_user(), variant, quantity=3).orders.get()
    second = buy(make_user(), variant, quantity=2).orders.get()
    assert counts(variant) == (10, 5, 5, 5)
    order_transition(order_id=first.pk, to_status=S.CANCELLED, actor=first.buyer)
    assert counts(variant) == (10, 2, 8, 8)
    Order.objects.filter(pk=second.pk).update(payment_deadline=first.created_at)
    assert orders_expire_unpaid() == 1
    assert counts(variant) == (10, 0, 10, 10)
    assert not StockAllocation.objects.exists()


def test_a_release_after_the_seller_recounted_adds_nothing_that_is_not_there():
    """The bug of issue 11: a seller's edit overwrote units held by an unpaid order, its expiry then added them."""
    variant = make_product(stock=5).variants.get()
    order = buy(make_user(), variant, quantity=3).orders.get()
    variant_bulk_update(shops=[variant.product.shop], changes={variant.pk: (variant.price, 4)})  # counted 4
    assert counts(variant) == (4, 3, 1, 1)
    order_transition(order_id=order.pk, to_status=S.EXPIRED)
    assert counts(variant) == (4, 0, 4, 4)


def test_a_paid_order_cancelled_before_shipping_puts_the_units_back_on_the_shelf():
    variant = make_product(stock=10).variants.get()
    order = pay(buy(make_user(), variant, quantity=3).orders.get())
    order_transition(order_id=order.pk, to_status=S.ACCEPTED, actor=order.shop.owner)
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=order.shop.owner, note="Barang rusak")
    assert counts(variant) == (10, 0, 10, 10)


def test_a_refund_after_delivery_leaves_the_stock_and_sold_count_alone():
    variant = make_product(stock=10).variants.get()
    order = pay(buy(make_user(), variant, quantity=3).orders.get())
    order = order_walk(order, to=S.COMPLAINT)
    order_transition(order_id=order.pk, to_status=S.REFUNDED, actor=order.shop.owner)
    assert counts(variant) == (7, 0, 7, 7)  # the goods are with the buyer
    assert Product.objects.get(pk=variant.product_id).sold_count == 0


def test_sold_count_moves_when_an_order_completes_and_back_when_a_sold_order_is_refunded():
    variant = make_product(stock=10).variants.get()
    Product.objects.filter(pk=variant.product_id).update(sold_count=5)
    order = pay(buy(make_user(), variant, quantity=3).orders.get())
    order = order_walk(order, to=S.DELIVERED)
    assert Product.objects.get(pk=variant.product_id).sold_count == 5  # not sold until it completes
    order_transition(order_id=order.pk, to_status=S.COMPLETED, actor=order.buyer)
    assert Product.objects.get(pk=variant.product_id).sold_count == 8
    # A refund of a completed order (a chargeback, say) takes it back; the seam the transition calls does it.
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order.status = S.REFUNDED
        order.save(update_fields=["status"])
        stock_follow_order(order=order, previous=S.COMPLETED)
    assert Product.objects.get(pk=variant.product_id).sold_count == 5


def test_a_complaint_closed_without_refund_counts_as_sold():
    variant = make_product(stock=10).variants.get()
    order = pay(buy(make_user(), variant, quantity=2).orders.get())
    order = order_walk(order, to=S.COMPLAINT)
    order_transition(order_id=order.pk, to_status=S.CLOSED, actor=order.buyer)
    assert Product.objects.get(pk=variant.product_id).sold_count == 2


def test_following_the_same_step_twice_moves_nothing_twice():
    variant = make_product(stock=10).variants.get()
    order = buy(make_user(), variant, quantity=3).orders.get()
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=order.buyer)
    with transaction.atomic():
        stock_follow_order(order=Order.objects.select_for_update().get(pk=order.pk), previous=S.AWAITING_PAYMENT)
    assert counts(variant) == (10, 0, 10, 10)


def test_one_payment_for_a_checkout_of_two_shops_consumes_both_orders():
    buyer = make_user()
    a, b = make_product(stock=4).variants.get(), make_product(stock=6).variants.get()
    group = buy(buyer, a, b, quantity=2)
    with transaction.atomic():  # as payments applies a payment: every order of the group in one transaction
        for order in group.orders.order_by("pk"):
            pay(order)
    assert (counts(a), counts(b)) == ((2, 0, 2, 2), (4, 0, 4, 4))


# --- the constraint ---------------------------------------------------------------------------------------------


def test_the_database_refuses_allocating_more_than_the_physical_stock():
    variant = make_product(stock=3).variants.get()
    with pytest.raises(IntegrityError, match="variant_stock_covers_allocated"), transaction.atomic():
        ProductVariant.objects.filter(pk=variant.pk).update(allocated=F("stock") + 1)
    with pytest.raises(IntegrityError, match="variant_allocated_nonnegative"), transaction.atomic():
        ProductVariant.objects.filter(pk=variant.pk).update(allocated=-1)
    buy(make_user(), variant, quantity=2)
    with pytest.raises(IntegrityError, match="variant_stock_covers_allocated"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_productvariant SET stock = 1 WHERE id = %s", [variant.pk])
    assert counts(variant) == (3, 2, 1, 1)


# --- seller edits -----------------------------------------------------------------------------------------------


@pytest.fixture
def held():
    """A variant "Ukuran L" with 3 units held by an unpaid order; its seller signed in."""
    shop = make_shop()
    product = make_product(shop=shop, stock=5)
    variant = product.variants.get()
    ProductVariant.objects.filter(pk=variant.pk).update(name="Ukuran L", sku="KBS-L")
    buy(make_user(), variant, quantity=3)
    variant.refresh_from_db()
    return variant


REFUSED = "Stok Ukuran L tidak bisa kurang dari 3 unit yang sedang dipesan (belum dibayar)."


def form_post(variant, **overrides):
    product = variant.product
    data = {"name": product.name, "category": product.category_id, "description": "", "condition": "new",
            "status": "active", "weight_grams": 500, "min_order": 1, "tkdn_percent": 0,
            "varian-TOTAL_FORMS": 1, "varian-INITIAL_FORMS": 1, "varian-0-id": variant.pk,
            "varian-0-name": variant.name, "varian-0-sku": variant.sku, "varian-0-price": variant.price,
            "varian-0-stock": variant.stock}
    return {**data, **overrides}


def test_the_product_form_shows_the_held_units_and_refuses_a_stock_below_them(client, held):
    client.force_login(held.product.shop.owner)
    url = reverse("catalog:seller_product_edit", args=[held.product.shop_id, held.product_id])
    assert "3 dipesan (belum dibayar)" in client.get(url).content.decode()
    response = client.post(url, form_post(held, **{"varian-0-stock": 2, "varian-0-price": 99_000}))
    assert response.status_code == 422
    assert REFUSED in response.content.decode()
    held.refresh_from_db()
    assert (held.stock, held.allocated, held.price) == (5, 3, 15_000)  # nothing written
    response = client.post(url, form_post(held, **{"varian-0-stock": 3}))
    assert response.status_code == 302
    assert counts(held) == (3, 3, 0, 0)


def test_the_bulk_edit_and_the_list_know_the_held_units(client, held):
    client.force_login(held.product.shop.owner)
    listing = client.get(reverse("catalog:seller_products", args=[held.product.shop_id])).content.decode()
    assert "3 dipesan (belum dibayar)" in listing
    other = make_product(shop=held.product.shop, price=10_000, stock=1).variants.get()
    response = client.post(reverse("catalog:seller_variant_bulk", args=[held.product.shop_id]), {
        f"harga-{held.pk}": 15_000, f"stok-{held.pk}": 1, f"harga-{other.pk}": 12_000, f"stok-{other.pk}": 9},
        follow=True)
    assert REFUSED in response.content.decode()
    assert counts(held) == (5, 3, 2, 2) and counts(other) == (1, 0, 1, 1)  # all or nothing
    with pytest.raises(ValidationError, match="Ukuran L"):
        variant_bulk_update(shops=[held.product.shop], changes={held.pk: (15_000, 2)})


def test_a_csv_import_changes_physical_stock_and_refuses_a_count_below_the_held_units(held):
    from catalog.models import ProductImport

    shop, category = held.product.shop, held.product.category
    category.level = 3
    category.save()
    content = ("sku,nama_produk,varian,kategori,harga,stok\n"
               f"KBS-L,{held.product.name},Ukuran L,{category.slug},15000,2\n"
               f"NEW-1,Produk Baru,,{category.slug},20000,4\n")
    job = product_import_run(import_id=ProductImport.objects.create(shop=shop, content=content).pk)
    assert job.status == "failed" and job.errors == [{"row": 2, "message": REFUSED}]
    assert counts(held) == (5, 3, 2, 2) and not ProductVariant.objects.filter(sku="NEW-1").exists()
    job = product_import_run(import_id=ProductImport.objects.create(shop=shop, content=content,
                                                                    valid_rows_only=True).pk)
    assert job.status == "done" and job.created_count == 1 and job.errors == [{"row": 2, "message": REFUSED}]
    ok = content.replace("15000,2", "15000,8")
    job = product_import_run(import_id=ProductImport.objects.create(shop=shop, content=ok.replace("NEW-1", "NEW-2")).pk)
    assert job.status == "done" and counts(held) == (8, 3, 5, 5)


def test_a_page_left_open_while_units_sell_neither_brings_them_back_nor_loses_new_ones(client):
    product = make_product(stock=10)
    variant = product.variants.get()
    client.force_login(product.shop.owner)
    url = reverse("catalog:seller_product_edit", args=[product.shop_id, product.pk])
    assert 'name="varian-0-stock_seen" value="10"' in client.get(url).content.decode()
    pay(buy(make_user(), variant, quantity=3).orders.get())  # while the page is open: 10 → 7
    response = client.post(url, form_post(variant, **{"varian-0-stock": 10, "varian-0-stock_seen": 10,
                                                       "varian-0-price": 18_000}))
    assert response.status_code == 302
    assert counts(variant)[0] == 7  # stock untouched, only the price changed
    pay(buy(make_user(), variant, quantity=2).orders.get())  # 7 → 5
    client.post(url, form_post(variant, **{"varian-0-stock": 17, "varian-0-stock_seen": 7}))  # 10 new units
    assert counts(variant)[0] == 15
    pay(buy(make_user(), variant, quantity=1).orders.get())  # 15 → 14, the product list still shows 15
    bulk = reverse("catalog:seller_variant_bulk", args=[product.shop_id])
    client.post(bulk, {f"harga-{variant.pk}": 18_000, f"stok-{variant.pk}": 20, f"stok_awal-{variant.pk}": 15})
    assert counts(variant)[0] == 19
    client.post(bulk, {f"harga-{variant.pk}": 18_000, f"stok-{variant.pk}": 4})
    assert counts(variant)[0] == 4  # without the shown count the number typed is the count


# --- limits -----------------------------------------------------------------------------------------------------


def test_a_buyer_may_hold_only_so_many_unpaid_units_of_one_variant(client, settings):
    settings.ORDER_MAX_UNPAID_UNITS_PER_VARIANT = 3
    buyer = make_user()
    variant = make_product(name="Kopi Gunung Karang", stock=50).variants.get()
    buy(buyer, variant, quantity=2, key="a")
    with pytest.raises(CheckoutError, match="Anda sudah memesan 2 Kopi Gunung Karang yang belum dibayar"):
        buy(buyer, variant, quantity=2, key="b")
    assert CheckoutGroup.objects.count() == 1 and counts(variant) == (50, 2, 48, 48)
    assert CartLine.objects.filter(user=buyer).exists()  # nothing written, the cart is kept
    with pytest.raises(CheckoutError, match="Paling banyak 3 unit Kopi Gunung Karang"):
        buy(make_user(), variant, quantity=4, key="c")
    client.force_login(buyer)  # through the page: a message, not a 500
    response = client.post(reverse("orders:checkout"), {"key": "d", "address": buyer.addresses.first().pk,
                                                        f"shipping_{variant.product.shop_id}": "pickup"})
    assert response.status_code == 409
    assert "Anda sudah memesan 2 Kopi Gunung Karang yang belum dibayar" in response.content.decode()


def test_a_buyer_may_have_only_so_many_unpaid_checkouts(settings):
    settings.ORDER_MAX_UNPAID_CHECKOUTS = 2
    buyer = make_user()
    variant = make_product(stock=50).variants.get()
    first = buy(buyer, variant, key="1")
    buy(buyer, variant, key="2")
    with pytest.raises(CheckoutError, match="2 checkout yang belum dibayar"):
        buy(buyer, variant, key="3")
    assert CheckoutGroup.objects.filter(buyer=buyer).count() == 2
    pay(first.orders.get())
    buy(buyer, variant, key="4")  # paying one frees a place
    assert counts(variant) == (49, 2, 47, 47)


# --- archived variants ------------------------------------------------------------------------------------------


def test_deleting_an_ordered_variant_archives_it_and_keeps_the_order_history(client):
    shop = make_shop()
    product = make_product(shop=shop, stock=5)
    ordered = product.variants.get()
    spare = ProductVariant.objects.create(product=product, sku="SPARE", name="Biru", price=20_000, stock=2)
    never = ProductVariant.objects.create(product=product, sku="NEVER", name="Hijau", price=20_000, stock=2)
    buyer = make_user()
    order = pay(buy(buyer, ordered).orders.get())
    client.force_login(shop.owner)
    url = reverse("catalog:seller_product_edit", args=[product.shop_id, product.pk])
    data = form_post(ordered, **{"varian-TOTAL_FORMS": 3, "varian-INITIAL_FORMS": 3, "varian-0-stock": 4,
                                 "varian-0-DELETE": "on",
                                 "varian-1-id": spare.pk, "varian-1-name": "Biru", "varian-1-sku": "SPARE",
                                 "varian-1-price": 20_000, "varian-1-stock": 2,
                                 "varian-2-id": never.pk, "varian-2-name": "Hijau", "varian-2-sku": "NEVER",
                                 "varian-2-price": 20_000, "varian-2-stock": 2, "varian-2-DELETE": "on"})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "diarsipkan" in response.content.decode()
    ordered.refresh_from_db()
    assert ordered.is_archived and not ProductVariant.objects.filter(pk=never.pk).exists()
    assert OrderLine.objects.get(order=order).variant_id == ordered.pk
    assert client.get(reverse("orders:shop_detail", args=[shop.pk, order.number])).status_code == 200
    assert Product.objects.get(pk=product.pk).stock_total == 2  # only the variant on sale counts
    # Hidden from the storefront, the seller's form, the cart and checkout.
    page = client.get(reverse("catalog:product", args=[shop.slug, product.slug])).content.decode()
    offered = re.findall(r'name="variant" form="add-to-cart" value="(\d+)"', page)
    assert offered == [str(spare.pk)]
    assert f'value="{ordered.pk}"' not in client.get(url).content.decode()
    client.force_login(buyer)
    assert client.post(reverse("orders:cart_add"), {"variant": ordered.pk, "quantity": 1}).status_code == 404
    cart_set_quantity(user=buyer, variant_id=ordered.pk, quantity=1)  # was in the cart before it was archived
    assert "sudah tidak dijual" in client.get(reverse("orders:cart")).content.decode()
    with pytest.raises(CheckoutError, match="sudah tidak dijual"):
        from orders.services import ShopChoice, checkout_place

        checkout_place(buyer=buyer, idempotency_key="late", address=make_address(buyer),
                       choices={shop.pk: ShopChoice("pickup")})
    # Typing the archived SKU again brings the variant back.
    data = form_post(spare, **{"varian-TOTAL_FORMS": 2, "varian-INITIAL_FORMS": 1,
                               "varian-1-name": "Merah", "varian-1-sku": ordered.sku, "varian-1-price": 16_000,
                               "varian-1-stock": 6})
    client.force_login(shop.owner)
    assert client.post(url, data).status_code == 302
    ordered.refresh_from_db()
    assert not ordered.is_archived and (ordered.name, ordered.stock) == ("Merah", 6)


def test_a_product_needs_one_variant_on_sale():
    product = make_product(stock=2)
    variant = product.variants.get()
    buy(make_user(), variant)
    with pytest.raises(ValidationError, match="minimal satu varian"):
        product_save(shop=product.shop, product=product, fields={}, variants=[
            {"id": variant.pk, "delete": True}])
