"""Order numbers (a sequence through a bijection, with a check character) and the per-shop invoice series
(gapless under concurrent payments and rollbacks, UNIQUE in the database)."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from orders.models import Order
from orders.numbers import (
    CROCKFORD,
    check_char,
    number_scramble,
    order_number_format,
    order_number_new,
    order_number_valid,
    shop_code,
)
from orders.services import ShopChoice, cart_set_quantity, checkout_place, order_transition
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import buy, make_address

S = Order.Status


def run_threads(target, args_list):
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- order numbers --------------------------------------------------------------------------------------

def test_order_number_format_and_check_character():
    import datetime

    number = order_number_format(sequence_value=1, day=datetime.date(2026, 12, 3))
    assert number.startswith("PB261203") and len(number) == 17 and order_number_valid(number)
    assert order_number_format(sequence_value=2, day=datetime.date(2026, 12, 3))[8:14] != number[8:14]
    body = number[8:]
    # Any single wrong character is caught by the check character.
    for position in range(len(body)):
        for char in CROCKFORD:
            if char != body[position]:
                typo = number[:8] + body[:position] + char + body[position + 1:]
                assert not order_number_valid(typo), typo
    assert check_char("0000") == "0"


def test_the_scramble_is_a_bijection_so_sequence_values_never_share_a_number():
    values = range(0, 200_000)
    assert len({number_scramble(value) for value in values}) == len(values)
    assert all(0 <= number_scramble(value) < 2**40 for value in (0, 2**40 - 1, 12345))


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_never_collide():
    buyers = [make_user() for _ in range(16)]
    variants = [make_product(price=10000, stock=5).variants.get() for _ in buyers]
    for buyer, variant in zip(buyers, variants, strict=True):
        make_address(buyer)
        cart_set_quantity(user=buyer, variant_id=variant.pk, quantity=1)
    barrier, numbers, errors = threading.Barrier(16), [], []

    def checkout(buyer, variant):
        try:
            barrier.wait()
            group = checkout_place(buyer=buyer, idempotency_key="n", address=buyer.addresses.get(),
                                   choices={variant.product.shop_id: ShopChoice("pickup")})
            numbers.append(group.orders.get().number)
            numbers.extend(order_number_new() for _ in range(20))
        except Exception as error:  # noqa: BLE001 - a collision would be an IntegrityError here
            errors.append(repr(error))
        finally:
            connection.close()

    run_threads(checkout, list(zip(buyers, variants, strict=True)))
    assert errors == []
    assert len(numbers) == 16 * 21 == len(set(numbers))
    assert all(order_number_valid(number) for number in numbers)


@pytest.mark.django_db
def test_a_sequence_set_back_skips_the_numbers_already_taken():
    first = order_number_new()
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM orders_order_number_seq")
        (last,) = cursor.fetchone()
    group = buy(make_user(), make_product().variants.get())
    Order.objects.filter(pk=group.orders.get().pk).update(number=first)  # an order holds that number
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('orders_order_number_seq', %s, false)", [last])  # the next nextval = last
    again = order_number_new()
    assert again != first and order_number_valid(again)


# --- invoice numbers ------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_of_one_shop_number_invoices_without_gaps_or_duplicates():
    shop, other = make_shop(), make_shop()
    orders = [buy(make_user(), make_product(shop=shop, stock=2).variants.get()).orders.get() for _ in range(12)]
    elsewhere = [buy(make_user(), make_product(shop=other, stock=2).variants.get()).orders.get() for _ in range(3)]
    doomed = orders.pop()
    barrier, errors = threading.Barrier(len(orders) + len(elsewhere) + 1), []

    def pay(order):
        try:
            barrier.wait()
            order_transition(order_id=order.pk, to_status=S.PAID)
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    def pay_then_roll_back(order):
        # Takes a number, holds the counter while the others wait, then its transaction fails.
        try:
            barrier.wait()
            with transaction.atomic():
                order_transition(order_id=order.pk, to_status=S.PAID)
                time.sleep(0.3)
                raise RuntimeError("the payment transaction failed after numbering")
        except RuntimeError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(order,)) for order in orders + elsewhere]
    threads.append(threading.Thread(target=pay_then_roll_back, args=(doomed,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    doomed.refresh_from_db()
    assert (doomed.status, doomed.invoice_number) == (S.AWAITING_PAYMENT, "")
    code = shop_code(shop.pk)
    numbers = sorted(Order.objects.filter(shop=shop).exclude(invoice_number="").values_list("invoice_number",
                                                                                            flat=True))
    month = timezone.localdate().strftime("%Y/%m")
    assert numbers == [f"INV/{code}/{month}/{n:06d}" for n in range(1, len(orders) + 1)]
    other_numbers = sorted(Order.objects.filter(shop=other).values_list("invoice_number", flat=True))
    assert other_numbers == [f"INV/{shop_code(other.pk)}/{month}/{n:06d}" for n in (1, 2, 3)]
    # The rolled-back order, paid later, takes the next number: still no gap.
    order_transition(order_id=doomed.pk, to_status=S.PAID)
    assert Order.objects.get(pk=doomed.pk).invoice_number == f"INV/{code}/{month}/{len(orders) + 1:06d}"


@pytest.mark.django_db
def test_an_invoice_number_is_unique_in_the_database():
    first = buy(make_user(), make_product().variants.get()).orders.get()
    second = buy(make_user(), make_product().variants.get()).orders.get()
    Order.objects.filter(pk=first.pk).update(invoice_number="INV/T000001/2026/12/000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=second.pk).update(invoice_number="INV/T000001/2026/12/000001")
    Order.objects.filter(pk=second.pk).update(invoice_number="")  # many unpaid orders have none: allowed


def test_shop_code_is_stable_and_short():
    assert shop_code(123) == "T000123" and shop_code(1234567) == "T1234567"
