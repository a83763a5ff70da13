"""Stock as orders move it: physical stock plus allocations (the two-stage stock of django-oscar and Saleor).

``ProductVariant.stock`` is the physical count on hand, ``ProductVariant.allocated`` the units unpaid orders hold
(the sum of their ``StockAllocation`` rows), ``available`` = stock − allocated; CHECK constraints keep
allocated ≥ 0 and stock ≥ allocated. ``Product.stock_total`` is the available units of the product's variants on
sale (what listings show). What each order transition does:

- checkout **reserves**: one allocation row per order line, allocated += q (available − q);
- an unpaid order that **expires or is cancelled** releases: rows deleted, allocated −= q (available + q);
- **payment consumes**: rows deleted, stock −= q and allocated −= q (available unchanged);
- a **paid order cancelled before it is shipped** (the shop rejects it or does not accept it in time, the payment
  is reversed) puts its units back on the shelf: stock += q. A refund after delivery (complaint upheld) does not:
  the goods are with the buyer; a seller who gets them back adds them with a stock edit;
- ``sold_count`` moves +q when an order becomes sold (completed, or a complaint closed without refund) and −q if a
  sold order is later refunded.

Locks, everywhere (checkout, transitions, seller edits, CSV import): orders in pk order, then variants in pk order,
then products in pk order, each level optional. A transition also locks its group's later orders that are in the
same state, so that paying (or reversing) a multi-shop checkout in one transaction takes its variants in one
pk-ordered sweep instead of one order at a time.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Sum
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from catalog.cache import products_forget
from catalog.models import Product, ProductVariant
from catalog.services import product_stock_refresh

from .models import CheckoutGroup, Order, OrderLine, StockAllocation

S = Order.Status
UNPAID = S.AWAITING_PAYMENT
RELEASES = {S.EXPIRED, S.CANCELLED}  # an unpaid order ending this way gives its allocation back
SHELF = {S.PAID, S.ACCEPTED, S.READY_FOR_PICKUP}  # paid, the goods still in the shop
RESTOCKS = {S.CANCELLED, S.EXPIRED, S.REFUNDED}  # ended from SHELF: the goods never left, they go back on sale
SOLD = {S.COMPLETED, S.CLOSED}  # the buyer kept the goods and the shop is paid


def stock_reserve(*, group: CheckoutGroup, variants: list[ProductVariant], quantities: dict[int, int]) -> None:
    """Called by checkout inside its transaction, after it created the group's orders and lines, with the variants
    locked in primary-key order and their availability checked. Enforces the unpaid limits (CheckoutError, the
    whole checkout rolls back) and allocates every line."""
    from .services import CheckoutError

    # One buyer's checkouts one at a time (the cart is the same, so the variant locks mostly do it already).
    list(get_user_model().objects.select_for_update(no_key=True).filter(pk=group.buyer_id).values_list("pk"))
    unpaid = (CheckoutGroup.objects.filter(buyer_id=group.buyer_id, orders__status=UNPAID)
              .exclude(pk=group.pk).distinct().count())
    if unpaid >= settings.ORDER_MAX_UNPAID_CHECKOUTS:
        raise CheckoutError(
            _("Anda masih punya %(n)s checkout yang belum dibayar (paling banyak %(max)s). Bayar atau batalkan "
              "salah satunya dulu.") % {"n": unpaid, "max": settings.ORDER_MAX_UNPAID_CHECKOUTS})
    held = dict(StockAllocation.objects.filter(order_line__order__buyer_id=group.buyer_id, variant_id__in=quantities)
                .values("variant_id").annotate(units=Sum("quantity")).values_list("variant_id", "units"))
    limit = settings.ORDER_MAX_UNPAID_UNITS_PER_VARIANT
    problems = []
    for variant in variants:
        wanted, already = quantities[variant.pk], held.get(variant.pk, 0)
        if wanted + already > limit:
            name = f"{variant.product.name} {variant.name}".strip()
            if already:
                problems.append(_("Anda sudah memesan %(held)s %(name)s yang belum dibayar; paling banyak %(max)s "
                                  "unit per barang boleh menunggu pembayaran.")
                                % {"held": already, "name": name, "max": limit})
            else:
                problems.append(_("Paling banyak %(max)s unit %(name)s per pesanan yang belum dibayar; Anda memesan "
                                  "%(wanted)s.") % {"max": limit, "name": name, "wanted": wanted})
    if problems:
        raise CheckoutError(" ".join(problems))

    lines = OrderLine.objects.filter(order__group=group).values_list("pk", "variant_id", "quantity")
    StockAllocation.objects.bulk_create([StockAllocation(order_line_id=line_id, variant_id=variant_id,
                                                         quantity=quantity) for line_id, variant_id, quantity in lines])
    for variant in variants:
        ProductVariant.objects.filter(pk=variant.pk).update(allocated=F("allocated") + quantities[variant.pk])
    product_stock_refresh(product_ids=[variant.product_id for variant in variants])


def stock_follow_order(*, order: Order, previous: str) -> None:
    """Called by the order transition, inside its transaction (the order row locked), after the order took its new
    status. Each effect is driven by the rows it finds, so calling it twice moves nothing twice."""
    status = order.status
    if previous == status:
        return
    leaves_unpaid = previous == UNPAID
    restock = previous in SHELF and status in RESTOCKS
    sold_move = (status in SOLD) - (previous in SOLD)
    if not (leaves_unpaid or restock or sold_move):
        return
    consume_only = leaves_unpaid and status not in RELEASES and not sold_move  # available does not change
    _lock(order=order, previous=previous, products=not consume_only)
    lines = [] if consume_only else list(
        OrderLine.objects.filter(order=order).values_list("variant_id", "variant__product_id", "quantity"))
    if leaves_unpaid:
        rows = list(StockAllocation.objects.filter(order_line__order=order).values_list("pk", "variant_id", "quantity"))
        held: dict[int, int] = defaultdict(int)
        for _pk, variant_id, quantity in rows:
            held[variant_id] += quantity
        StockAllocation.objects.filter(pk__in=[row[0] for row in rows]).delete()
        consumed = status not in RELEASES
        for variant_id, quantity in sorted(held.items()):
            ProductVariant.objects.filter(pk=variant_id).update(
                allocated=F("allocated") - quantity, **({"stock": F("stock") - quantity} if consumed else {}))
        if not consumed:
            product_stock_refresh(product_ids=[product_id for _v, product_id, _q in lines])
    if restock:
        back: dict[int, int] = defaultdict(int)
        for variant_id, _product_id, quantity in lines:
            back[variant_id] += quantity
        for variant_id, quantity in sorted(back.items()):
            ProductVariant.objects.filter(pk=variant_id).update(stock=F("stock") + quantity)
        product_stock_refresh(product_ids=[product_id for _v, product_id, _q in lines])
    if sold_move:
        sold: dict[int, int] = defaultdict(int)
        for _variant_id, product_id, quantity in lines:
            sold[product_id] += quantity
        for product_id, quantity in sorted(sold.items()):
            Product.objects.filter(pk=product_id).update(
                sold_count=Greatest(F("sold_count") + sold_move * quantity, 0))
        products_forget(product_ids=sold)  # the page shows how many were sold


def _lock(*, order: Order, previous: str, products: bool) -> None:
    """Orders → variants → products, each in primary-key order (see the module docstring)."""
    later = list(Order.objects.select_for_update().filter(group_id=order.group_id, status=previous, pk__gt=order.pk)
                 .order_by("pk").values_list("pk", flat=True))
    variant_ids = set(OrderLine.objects.filter(order_id__in=[order.pk, *later]).values_list("variant_id", flat=True))
    locked = list(ProductVariant.objects.select_for_update().filter(pk__in=variant_ids).order_by("pk")
                  .values_list("product_id", flat=True))
    if products:
        list(Product.objects.select_for_update().filter(pk__in=set(locked)).order_by("pk").values_list("pk"))
