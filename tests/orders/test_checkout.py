import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.services import address_save
from catalog.models import Product, ProductVariant
from orders.models import CartLine, CheckoutGroup, Order
from orders.services import (
    CheckoutError,
    OrderTransitionError,
    ShopChoice,
    cart_set_quantity,
    checkout_place,
    order_ship,
    order_transition,
    orders_expire_unpaid,
)
from regions.models import Region
from tests.factories import make_product, make_shop, make_user
from vendors.models import Shop


def make_address(user):
    desa = Region.objects.filter(code__startswith="36.74.", level=4).order_by("code").first()
    return address_save(user=user, data={"recipient": user.name, "phone": "+6281234567890",
                                         "street": "Jl. Pahlawan Seribu 1", "region": desa, "postal_code": "15322"})


def buy(buyer, *variants, quantity=1, key="k1", method="pickup"):
    for variant in variants:
        cart_set_quantity(user=buyer, variant_id=variant.pk, quantity=quantity)
    shops = {v.product.shop_id for v in variants}
    return checkout_place(buyer=buyer, idempotency_key=key, address=make_address(buyer),
                          choices={shop_id: ShopChoice(method=method) for shop_id in shops})


@pytest.mark.django_db
def test_checkout_makes_one_order_per_shop_with_server_prices_and_reserves_stock():
    buyer = make_user()
    a = make_product(price=15000, stock=5).variants.get()
    b = make_product(price=250000, stock=2).variants.get()
    group = buy(buyer, a, b, quantity=2, method="jne:REG")
    orders = list(group.orders.order_by("shop_id"))
    assert len(orders) == 2
    assert [o.subtotal for o in orders] == [30000, 500000]
    assert all(o.shipping_fee > 0 and o.total == o.subtotal + o.shipping_fee for o in orders)
    assert group.total == sum(o.total for o in orders)
    # Reserved, not taken: the physical stock stays, the units are allocated to the unpaid orders.
    assert [(v.stock, v.allocated, v.available) for v in ProductVariant.objects.filter(pk__in=[a.pk, b.pk])
            .order_by("pk")] == [(5, 2, 3), (2, 2, 0)]
    assert [p.stock_total for p in Product.objects.filter(pk__in=[a.product_id, b.product_id]).order_by("pk")] == [3, 0]
    assert not CartLine.objects.filter(user=buyer).exists()
    assert orders[0].lines.get().product_name == a.product.name  # snapshot


@pytest.mark.django_db
def test_a_shortfall_names_the_item_and_changes_nothing():
    buyer = make_user()
    plenty = make_product(stock=10).variants.get()
    scarce = make_product(name="Emping Menes Super", stock=1).variants.get()
    cart_set_quantity(user=buyer, variant_id=plenty.pk, quantity=3)
    cart_set_quantity(user=buyer, variant_id=scarce.pk, quantity=2)
    with pytest.raises(CheckoutError, match="Stok Emping Menes Super tinggal 1, Anda memesan 2"):
        checkout_place(buyer=buyer, idempotency_key="x", address=make_address(buyer),
                       choices={plenty.product.shop_id: ShopChoice("pickup"),
                                scarce.product.shop_id: ShopChoice("pickup")})
    assert ProductVariant.objects.get(pk=plenty.pk).stock == 10
    assert not CheckoutGroup.objects.exists() and not Order.objects.exists()
    assert CartLine.objects.filter(user=buyer).count() == 2


@pytest.mark.django_db
def test_products_of_a_suspended_shop_cannot_be_bought():
    buyer = make_user()
    variant = make_product(name="Kopi Gunung Karang").variants.get()
    Shop.objects.filter(pk=variant.product.shop_id).update(status=Shop.Status.SUSPENDED)
    with pytest.raises(CheckoutError, match="Kopi Gunung Karang sudah tidak dijual"):
        buy(buyer, variant)


@pytest.mark.django_db
def test_an_unknown_shipping_method_is_refused():
    buyer = make_user()
    variant = make_product().variants.get()
    with pytest.raises(CheckoutError, match="Pilih pengiriman"):
        buy(buyer, variant, method="teleport")


@pytest.mark.django_db
def test_a_repeated_idempotency_key_returns_the_same_group():
    buyer = make_user()
    variant = make_product(stock=5).variants.get()
    first = buy(buyer, variant, key="tap")
    cart_set_quantity(user=buyer, variant_id=variant.pk, quantity=1)
    again = checkout_place(buyer=buyer, idempotency_key="tap", address=make_address(buyer), choices={})
    assert again.pk == first.pk
    assert ProductVariant.objects.get(pk=variant.pk).available == 4


@pytest.mark.django_db
def test_unpaid_orders_expire_and_release_their_stock():
    buyer = make_user()
    variant = make_product(stock=3).variants.get()
    group = buy(buyer, variant, quantity=3)
    assert orders_expire_unpaid() == 0
    assert orders_expire_unpaid(now=timezone.now() + timedelta(hours=25)) == 1
    assert group.orders.get().status == Order.Status.EXPIRED
    variant.refresh_from_db()
    assert (variant.stock, variant.allocated) == (3, 0)
    assert Product.objects.get(pk=variant.product_id).stock_total == 3


@pytest.mark.django_db
def test_transitions_follow_the_table_and_the_actor():
    buyer = make_user()
    order = buy(buyer, make_product().variants.get(), method="jne:REG").orders.get()
    owner = order.shop.owner
    with pytest.raises(OrderTransitionError):
        order_transition(order_id=order.pk, to_status=Order.Status.ACCEPTED, actor=owner)  # not paid yet
    with pytest.raises(OrderTransitionError):
        order_transition(order_id=order.pk, to_status=Order.Status.PAID, actor=buyer)  # only the system
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    order_transition(order_id=order.pk, to_status=Order.Status.ACCEPTED, actor=owner)
    order_ship(order_id=order.pk, actor=owner, tracking="jne 1234-5678")
    order.refresh_from_db()
    assert (order.status, order.courier, order.tracking_number) == (Order.Status.SHIPPED, "jne", "JNE12345678")
    assert list(order.events.values_list("to_status", flat=True)) == ["awaiting_payment", "paid", "accepted",
                                                                       "shipped"]


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_the_last_ten_units():
    shop = make_shop()
    variant = make_product(shop=shop, stock=10).variants.get()
    buyers = [make_user() for _ in range(50)]
    for buyer in buyers:
        make_address(buyer)
        cart_set_quantity(user=buyer, variant_id=variant.pk, quantity=1)
    start = threading.Barrier(50)
    outcomes, lock = [], threading.Lock()

    def attempt(buyer):
        try:
            start.wait()
            address = buyer.addresses.get()
            checkout_place(buyer=buyer, idempotency_key="race", address=address,
                           choices={shop.pk: ShopChoice("pickup")})
            result = "ok"
        except CheckoutError:
            result = "short"
        except Exception as error:  # noqa: BLE001 - a deadlock or 500 would show up here
            result = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(buyer,)) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == ["ok", "short"]
    assert outcomes.count("ok") == 10 and outcomes.count("short") == 40
    assert Order.objects.count() == 10
    variant.refresh_from_db()
    assert (variant.stock, variant.allocated) == (10, 10)
