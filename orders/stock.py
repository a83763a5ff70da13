"""Stock as orders move it: reserved at checkout, given back when an unpaid or unshipped order ends."""

from django.db.models import F

from catalog.models import Product, ProductVariant

from .models import Order

RELEASES_STOCK = {Order.Status.EXPIRED, Order.Status.CANCELLED}


def stock_reserve(*, variants: list[ProductVariant], quantities: dict[int, int]) -> None:
    """Called by checkout with the variants already locked in primary-key order."""
    for variant in variants:
        _stock_move(variant=variant, delta=-quantities[variant.pk])


def stock_follow_order(*, order: Order, previous: str) -> None:
    """Called by the order transition, inside its transaction, after the order took its new status."""
    if order.status in RELEASES_STOCK:
        lines = list(order.lines.order_by("variant_id"))
        locked = ProductVariant.objects.select_for_update(of=("self",)).filter(
            pk__in=[line.variant_id for line in lines]).order_by("pk")
        variants = {v.pk: v for v in locked}
        for line in lines:
            _stock_move(variant=variants[line.variant_id], delta=line.quantity)


def _stock_move(*, variant: ProductVariant, delta: int) -> None:
    ProductVariant.objects.filter(pk=variant.pk).update(stock=F("stock") + delta)
    Product.objects.filter(pk=variant.product_id).update(stock_total=F("stock_total") + delta)
