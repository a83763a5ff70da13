from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Product
from orders.models import Order
from orders.services import (
    ReviewError,
    order_transition,
    orders_cancel_unaccepted,
    orders_complete_delivered,
    review_create,
    review_reply,
)
from plazabanten.models import OutboxMessage
from tests.factories import make_product, make_shop, make_user, order_walk
from tests.orders.test_checkout import buy
from vendors.models import Shop

pytestmark = pytest.mark.django_db
S = Order.Status


def paid_order(**product_fields):
    order = buy(make_user(), make_product(**product_fields).variants.get()).orders.get()
    return order_transition(order_id=order.pk, to_status=S.PAID)


def test_a_shop_that_does_not_accept_in_two_days_loses_the_order_and_the_stock_comes_back():
    order = paid_order(stock=4)
    assert orders_cancel_unaccepted(now=timezone.now() + timedelta(hours=47)) == 0
    assert orders_cancel_unaccepted(now=timezone.now() + timedelta(hours=49)) == 1
    order.refresh_from_db()
    assert order.status == S.CANCELLED and "batas waktu" in order.reason
    assert order.lines.get().variant.stock == 4


def test_delivered_orders_complete_after_three_days_without_complaint():
    order = paid_order()
    order_walk(order, to=S.DELIVERED)
    assert orders_complete_delivered(now=timezone.now() + timedelta(days=2)) == 0
    assert orders_complete_delivered(now=timezone.now() + timedelta(days=3, minutes=1)) == 1
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED


def test_every_transition_notifies_the_other_party():
    order = paid_order()
    before = OutboxMessage.objects.count()
    order_transition(order_id=order.pk, to_status=S.ACCEPTED, actor=order.shop.owner)
    message = OutboxMessage.objects.order_by("-pk").first()
    assert OutboxMessage.objects.count() == before + 1 and message.recipient == order.buyer
    assert "Dikemas" in message.subject


def test_invoice_numbers_count_up_per_shop_and_month_without_gaps():
    shop, other = make_shop(), make_shop()
    first, second = paid_order(shop=shop), paid_order(shop=shop)
    elsewhere = paid_order(shop=other)
    month = timezone.localdate().strftime("%Y/%m")
    assert first.invoice_number == f"INV/T{shop.pk:06d}/{month}/000001"
    assert second.invoice_number == f"INV/T{shop.pk:06d}/{month}/000002"
    assert elsewhere.invoice_number == f"INV/T{other.pk:06d}/{month}/000001"


def test_invoice_page_and_pdf_for_buyer_and_shop_only(client):
    order = paid_order(price=756000)
    client.force_login(order.buyer)
    page = client.get(f"/pesanan/{order.number}/invoice/")
    assert page.status_code == 200
    assert "tujuh ratus lima puluh enam ribu rupiah" in page.content.decode()
    pdf = client.get(f"/pesanan/{order.number}/invoice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 1000
    client.force_login(order.shop.owner)
    assert client.get(f"/pesanan/{order.number}/invoice/").status_code == 200
    assert client.get(f"/penjual/{order.shop_id}/pesanan/{order.number}/slip/").status_code == 200
    client.force_login(make_user())
    assert client.get(f"/pesanan/{order.number}/invoice.pdf").status_code == 404


def test_reviews_come_after_completion_once_and_aggregate_to_product_and_shop():
    shop = make_shop()
    orders = [paid_order(shop=shop) for _ in range(2)]
    line = orders[0].lines.get()
    with pytest.raises(ReviewError, match="setelah pesanan selesai"):
        review_create(buyer=orders[0].buyer, line_id=line.pk, rating=5)
    for order in orders:
        order_walk(order, to=S.COMPLETED)
    review_create(buyer=orders[0].buyer, line_id=line.pk, rating=5, text="Batiknya halus")
    with pytest.raises(ReviewError, match="sudah Anda ulas"):
        review_create(buyer=orders[0].buyer, line_id=line.pk, rating=1)
    with pytest.raises(ReviewError):
        review_create(buyer=orders[1].buyer, line_id=line.pk, rating=1)  # not their line
    review_create(buyer=orders[1].buyer, line_id=orders[1].lines.get().pk, rating=4)
    shop.refresh_from_db()
    assert (float(shop.rating_avg), shop.rating_count) == (4.5, 2)
    product = Product.objects.get(pk=line.variant.product_id)
    assert (float(product.rating_avg), product.rating_count) == (5.0, 1)


def test_the_shop_replies_once_and_only_to_its_own_reviews():
    order = paid_order()
    order_walk(order, to=S.COMPLETED)
    review = review_create(buyer=order.buyer, line_id=order.lines.get().pk, rating=3)
    with pytest.raises(ReviewError):
        review_reply(shop=order.shop, user=make_shop().owner, review_id=review.pk, text="Bukan toko saya")
    stranger = make_shop()
    with pytest.raises(ReviewError):
        review_reply(shop=stranger, user=stranger.owner, review_id=review.pk, text="Bukan toko saya")
    review_reply(shop=order.shop, user=order.shop.owner, review_id=review.pk, text="Terima kasih, Kak")
    with pytest.raises(ReviewError, match="sudah dibalas"):
        review_reply(shop=order.shop, user=order.shop.owner, review_id=review.pk, text="Lagi")
    assert Shop.objects.get(pk=order.shop_id).rating_count == 1


def test_a_review_and_its_reply_show_on_the_cached_product_page_at_once(client, django_capture_on_commit_callbacks):
    """Regression: the product page (cached for every visitor) kept saying "Belum ada ulasan" after a review."""
    order = paid_order()
    product = order.lines.get().variant.product
    path = f"/p/{product.shop.slug}/{product.slug}/"
    assert "Belum ada ulasan" in client.get(path).content.decode()  # now in the cache
    order_walk(order, to=S.COMPLETED)
    with django_capture_on_commit_callbacks(execute=True):
        review = review_create(buyer=order.buyer, line_id=order.lines.get().pk, rating=4, text="Kainnya tebal")
    assert "Kainnya tebal" in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        review_reply(shop=order.shop, user=order.shop.owner, review_id=review.pk, text="Terima kasih, Kak")
    assert "Terima kasih, Kak" in client.get(path).content.decode()
