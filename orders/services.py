"""Writes of the buying side: cart, checkout (reservation of stock) and the order lifecycle."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.cache import products_forget
from catalog.models import Product, ProductVariant
from vendors.models import Capability, Shop
from vendors.selectors import shop_scope

from .lifecycle import (  # noqa: F401 - the lifecycle's names, importable from here as before
    TRANSITIONS,
    OrderActionForbidden,
    OrderActionInvalid,
    OrderTransitionError,
    order_ship,
    order_transition,
)
from .models import CartLine, CheckoutGroup, Order, OrderEvent, OrderLine, Review, SystemNote
from .numbers import order_number_new
from .shipping import shipping_quotes
from .stock import stock_reserve

logger = logging.getLogger(__name__)
MAX_LINE_QUANTITY = 999


class CheckoutError(Exception):
    """The checkout cannot be placed as asked; the message names what to fix. Nothing was written."""


# --- cart ------------------------------------------------------------------------------------------------


def cart_set_quantity(*, user, variant_id: int, quantity: int, add: bool = False,
                      seen_price: int | None = None) -> int:
    """Set (or with add=True, increase) a line; 0 removes it. seen_price is the unit price the buyer was just
    shown (on the product page), kept to tell them later when it changed. Returns the line's new quantity."""
    with transaction.atomic():
        line = CartLine.objects.select_for_update().filter(user=user, variant_id=variant_id).first()
        new_quantity = min(MAX_LINE_QUANTITY, max(0, quantity + (line.quantity if line and add else 0)))
        if new_quantity == 0:
            if line:
                line.delete()
            return 0
        if line is None:
            CartLine.objects.create(user=user, variant_id=variant_id, quantity=new_quantity, seen_price=seen_price)
        else:
            line.quantity = new_quantity
            if seen_price is not None:
                line.seen_price = seen_price
            line.save(update_fields=["quantity", "seen_price"])
    return new_quantity


def cart_merge(*, user, session_lines: dict[str, int], session_prices: dict[str, int]) -> None:
    """At login, the guest cart's lines join the saved cart (quantities add up; the guest saw the latest price)."""
    existing = set(ProductVariant.objects.filter(pk__in=[int(k) for k in session_lines]).values_list("pk", flat=True))
    for variant_id, quantity in session_lines.items():
        if int(variant_id) in existing:
            cart_set_quantity(user=user, variant_id=int(variant_id), quantity=quantity, add=True,
                              seen_price=session_prices.get(variant_id))


def cart_prices_acknowledge(*, user, prices: dict[int, int]) -> None:
    """The buyer was shown these current unit prices in the cart: they become the lines' seen prices (one query)."""
    if prices:
        CartLine.objects.filter(user=user, variant_id__in=prices).update(seen_price=Case(
            *[When(variant_id=variant_id, then=Value(price)) for variant_id, price in prices.items()],
            output_field=BigIntegerField()))


# --- checkout ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopChoice:
    method: str
    note: str = ""


def checkout_place(*, buyer, idempotency_key: str, address, choices: dict[int, ShopChoice]) -> CheckoutGroup:
    """Turn the buyer's cart into one checkout group with one order per shop, reserving all stock or none.

    Variants are locked in primary-key order (no deadlocks between concurrent checkouts); prices, shipping and
    totals come from the database; a repeated idempotency key returns the group made the first time.
    """
    existing = CheckoutGroup.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _checkout_place(buyer=buyer, idempotency_key=idempotency_key, address=address, choices=choices)
    except IntegrityError:
        # A double tap raced us to the unique idempotency key: the other request's group is the answer.
        existing = CheckoutGroup.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing


def _checkout_place(*, buyer, idempotency_key, address, choices) -> CheckoutGroup:
    quantities = dict(CartLine.objects.filter(user=buyer).values_list("variant_id", "quantity"))
    if not quantities:
        raise CheckoutError(_("Keranjang Anda kosong."))
    variants = list(
        ProductVariant.objects.select_for_update(of=("self",))
        .select_related("product", "product__shop")
        .filter(pk__in=quantities).order_by("pk")
    )
    problems = []
    by_shop: dict[int, list[ProductVariant]] = defaultdict(list)
    for variant in variants:
        product, wanted = variant.product, quantities[variant.pk]
        name = f"{product.name} {variant.name}".strip()
        if (product.status != Product.Status.ACTIVE or product.shop.status != Shop.Status.VERIFIED
                or variant.is_archived):
            problems.append(_("%(name)s sudah tidak dijual.") % {"name": name})
        elif variant.available < wanted:
            problems.append(_("Stok %(name)s tinggal %(stock)s, Anda memesan %(wanted)s.")
                            % {"name": name, "stock": variant.available, "wanted": wanted})
        elif wanted < product.min_order:
            problems.append(_("Minimal pembelian %(name)s adalah %(min)s.") % {"name": name, "min": product.min_order})
        by_shop[product.shop_id].append(variant)
    if len(variants) != len(quantities):
        problems.append(_("Ada produk di keranjang yang sudah dihapus penjual."))
    if problems:
        raise CheckoutError(" ".join(problems))

    deadline = timezone.now() + timedelta(hours=settings.ORDER_PAYMENT_HOURS)
    plans = []
    grouped = [shop_variants for _shop_id, shop_variants in sorted(by_shop.items())]
    parcels = [(shop_variants[0].product.shop, sum(v.product.weight_grams * quantities[v.pk] for v in shop_variants))
               for shop_variants in grouped]
    every_quotes = shipping_quotes(parcels=parcels, destination_kabkota=address.kabkota_code)
    for shop_variants, (shop, _weight), shop_quotes in zip(grouped, parcels, every_quotes, strict=True):
        choice = choices.get(shop.pk)
        quotes = {q.method: q for q in shop_quotes}
        if choice is None or choice.method not in quotes:
            raise CheckoutError(_("Pilih pengiriman untuk %(shop)s.") % {"shop": shop.name})
        subtotal = sum(v.price * quantities[v.pk] for v in shop_variants)
        plans.append((shop, shop_variants, quotes[choice.method], choice.note[:300], subtotal))

    group = CheckoutGroup.objects.create(
        buyer=buyer, idempotency_key=idempotency_key, payment_deadline=deadline,
        total=sum(plan[4] + plan[2].fee for plan in plans), address=_address_snapshot(address),
    )
    for shop, shop_variants, quote, note, subtotal in plans:
        order = Order.objects.create(
            group=group, shop=shop, buyer=buyer, number=order_number_new(), subtotal=subtotal, shipping_fee=quote.fee,
            total=subtotal + quote.fee, shipping_method=quote.method, shipping_label=quote.label, note=note,
            payment_deadline=deadline,
        )
        OrderLine.objects.bulk_create([
            OrderLine(order=order, variant=v, product_name=v.product.name, variant_name=v.name, sku=v.sku,
                      unit_price=v.price, quantity=quantities[v.pk], weight_grams=v.product.weight_grams)
            for v in shop_variants
        ])
        OrderEvent.objects.create(order=order, actor=buyer, to_status=Order.Status.AWAITING_PAYMENT)
    stock_reserve(group=group, variants=variants, quantities=quantities)
    CartLine.objects.filter(user=buyer).delete()
    return group


def checkout_paid_via_record(*, group_id: int, paid_via: str) -> None:
    """The payments app says how the checkout was paid (inside its payment transaction): printed on invoices."""
    CheckoutGroup.objects.filter(pk=group_id).update(paid_via=paid_via[:60])


def _address_snapshot(address) -> dict:
    from regions.selectors import region_labels

    return {"recipient": address.recipient, "phone": address.phone, "street": address.street,
            "region_code": address.region_id, "region": region_labels(codes=[address.region_id])[address.region_id],
            "postal_code": address.postal_code}


# --- lifecycle: the table and order_transition live in orders.lifecycle; the beat jobs are here ----------

S = Order.Status


def orders_expire_unpaid(*, now=None) -> int:
    """Beat job: unpaid orders past their deadline expire and give their stock back."""
    now = now or timezone.now()
    ids = list(Order.objects.filter(status=S.AWAITING_PAYMENT, payment_deadline__lt=now).values_list("pk", flat=True))
    return _sweep(ids, S.EXPIRED, _("Batas waktu pembayaran terlewati."))


def orders_cancel_unaccepted(*, now=None) -> int:
    """Beat job: a paid order the shop has not accepted in time is cancelled (refund by the payments app)."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.ORDER_ACCEPT_HOURS)
    ids = list(Order.objects.filter(status=S.PAID, status_changed_at__lt=cutoff).values_list("pk", flat=True))
    return _sweep(ids, S.CANCELLED, _("Penjual tidak memproses pesanan dalam batas waktu."))


def orders_track_shipments(*, now=None, tracker=None) -> int:
    """Beat job: courier orders on their way become delivered when tracking says so (the note names the
    checkpoint), or, when tracking never says delivered, at the service's longest estimate + 2 days after
    shipping. The complaint window starts then. Returns how many orders became delivered."""
    from .shipping import longest_estimate_days
    from .tracking import Shipment, TrackingError, courier_tracker

    now = now or timezone.now()
    tracker = tracker if tracker is not None else courier_tracker()
    done = 0
    shipped = (Order.objects.filter(status=S.SHIPPED, shipping_method__contains=":")
               .select_related("shop", "group").order_by("pk"))
    for order in shipped:
        courier, service = order.shipping_method.split(":", 1)
        courier = order.courier if order.courier and order.courier != "own" else courier
        note = None
        if tracker is not None and order.tracking_number:
            try:
                result = tracker.track(Shipment(resi=order.tracking_number, courier=courier,
                                                shipped_at=order.status_changed_at,
                                                recipient_phone=order.group.address.get("phone", "")), now=now)
            except TrackingError as problem:
                logger.info("orders: tracking %s (%s) failed: %s", order.number, order.tracking_number, problem)
            else:
                delivered = result.delivered
                if delivered is not None and delivered.at <= now:
                    note = SystemNote(gettext_noop("Sampai menurut pelacakan %(courier)s: %(what)s (%(when)s)."), {
                        "courier": order.courier_name, "what": delivered.description,
                        "when": timezone.localtime(delivered.at).strftime("%d-%m-%Y %H:%M")})
        if not note:
            days = longest_estimate_days(
                courier=courier, service=service, origin_kabkota=order.shop.kabkota_id or "",
                destination_kabkota=str(order.group.address.get("region_code", ""))[:5]) + 2
            if now >= order.status_changed_at + timedelta(days=days):
                note = SystemNote(gettext_noop("Dianggap sampai: %(days)s hari sejak dikirim (estimasi terlama + 2 "
                                               "hari) tanpa kabar dari kurir."), {"days": days})
        if note:
            try:
                order_transition(order_id=order.pk, to_status=S.DELIVERED, note=note)
                done += 1
            except OrderTransitionError:
                pass  # moved on by someone else since we listed it
    return done


def orders_complete_delivered(*, now=None) -> int:
    """Beat job: delivered orders without a complaint complete after the complaint window."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ORDER_COMPLAINT_DAYS)
    ids = list(Order.objects.filter(status=S.DELIVERED, status_changed_at__lt=cutoff).values_list("pk", flat=True))
    return _sweep(ids, S.COMPLETED, SystemNote(gettext_noop("Selesai otomatis setelah masa komplain.")))


def orders_complaints_timeout(*, now=None) -> int:
    """Beat job: a complaint the shop has not answered goes to the verifikator; a rejection the buyer has not
    escalated stands (the complaint closes and the shop is paid). Both after the complaint window."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ORDER_COMPLAINT_DAYS)
    stale = Order.objects.filter(status_changed_at__lt=cutoff)
    unanswered = list(stale.filter(status=S.COMPLAINT).values_list("pk", flat=True))
    unescalated = list(stale.filter(status=S.COMPLAINT_REJECTED).values_list("pk", flat=True))
    return (_sweep(unanswered, S.COMPLAINT_ESCALATED,
                   SystemNote(gettext_noop("Penjual tidak menjawab komplain dalam batas waktu.")))
            + _sweep(unescalated, S.CLOSED, SystemNote(gettext_noop("Pembeli tidak mengajukan banding dalam batas "
                                                                   "waktu."))))


def _sweep(ids: list[int], to_status: str, note: SystemNote) -> int:
    done = 0
    for order_id in ids:
        try:
            order_transition(order_id=order_id, to_status=to_status, note=note)
            done += 1
        except OrderTransitionError:
            pass  # moved on by someone else since we listed it
    return done


# --- complaints ----------------------------------------------------------------------------------------
# Each step is one order_transition: one transaction, the order row locked, an event, an audit row, the outbox.


class ComplaintError(Exception):
    """Bad input for a complaint step (a missing reason, not a verifikator). Nothing was written."""


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ComplaintError(_("Tuliskan alasannya."))
    return reason[:300]


def complaint_accept(*, order_id: int, actor) -> Order:
    """The shop upholds the buyer's complaint: the order is refunded in full (by payments.orders_settle)."""
    return order_transition(order_id=order_id, to_status=S.REFUNDED, actor=actor,
                            note=SystemNote(gettext_noop("Komplain diterima penjual; dana dikembalikan ke pembeli.")))


def complaint_reject(*, order_id: int, actor, reason: str) -> Order:
    return order_transition(order_id=order_id, to_status=S.COMPLAINT_REJECTED, actor=actor,
                            note=_reason_required(reason))


def complaint_escalate(*, order_id: int, actor, reason: str) -> Order:
    """The buyer disagrees with the shop's rejection: the verifikator (Pemprov) decides."""
    return order_transition(order_id=order_id, to_status=S.COMPLAINT_ESCALATED, actor=actor,
                            note=_reason_required(reason))


def complaint_withdraw(*, order_id: int, actor) -> Order:
    """The buyer withdraws the complaint or accepts the shop's rejection: the order closes and the shop is paid."""
    return order_transition(order_id=order_id, to_status=S.CLOSED, actor=actor,
                            note=SystemNote(gettext_noop("Pembeli menutup komplain.")))


def complaint_decide(*, order_id: int, actor, refund: bool, reason: str) -> Order:
    """The verifikator's final word on an escalated complaint: refund the buyer, or close it and pay the shop."""
    if not actor.is_verifikator:
        raise ComplaintError(_("Hanya verifikator yang memutuskan komplain."))
    return order_transition(order_id=order_id, to_status=S.REFUNDED if refund else S.CLOSED, actor=actor,
                            note=_reason_required(reason))


# --- reviews -------------------------------------------------------------------------------------------

REVIEWABLE = {S.COMPLETED}


class ReviewError(Exception):
    """The review cannot be written (not bought, not completed, already reviewed, already replied)."""


def review_create(*, buyer, line_id: int, rating: int, text: str = "") -> Review:
    if not 1 <= rating <= 5:
        raise ReviewError(_("Beri nilai 1 sampai 5 bintang."))
    with transaction.atomic():
        line = (OrderLine.objects.select_related("order", "variant").filter(pk=line_id, order__buyer=buyer).first())
        if line is None or line.order.status not in REVIEWABLE:
            raise ReviewError(_("Ulasan bisa ditulis setelah pesanan selesai."))
        if Review.objects.filter(line=line).exists():
            raise ReviewError(_("Produk ini sudah Anda ulas."))
        product = Product.objects.select_for_update().get(pk=line.variant.product_id)
        review = Review.objects.create(line=line, product=product, buyer=buyer, rating=rating, text=text[:1000])
        _ratings_refresh(product=product)
        products_forget(product_ids=[product.pk])  # the writer sees their review at once
    return review


def review_reply(*, shop: Shop, user, review_id: int, text: str) -> Review:
    """The shop answers a review of one of its products; the person must handle that shop's orders."""
    shops = shop_scope(user=user, capability=Capability.ORDERS).filter(pk=shop.pk)
    with transaction.atomic():
        review = (Review.objects.select_for_update(of=("self",))
                  .filter(pk=review_id, product__shop__in=shops).first())
        if review is None:
            raise ReviewError(_("Ulasan tidak ditemukan."))
        if review.reply:
            raise ReviewError(_("Ulasan ini sudah dibalas."))
        review.reply, review.replied_at = text[:1000], timezone.now()
        review.save(update_fields=["reply", "replied_at"])
        products_forget(product_ids=[review.product_id])
    return review


def _ratings_refresh(*, product: Product) -> None:
    from django.db.models import Avg, Count

    mine = Review.objects.filter(product=product).aggregate(avg=Avg("rating"), count=Count("pk"))
    Product.objects.filter(pk=product.pk).update(rating_avg=round(mine["avg"] or 0, 2), rating_count=mine["count"])
    shop = Review.objects.filter(product__shop_id=product.shop_id).aggregate(avg=Avg("rating"), count=Count("pk"))
    Shop.objects.filter(pk=product.shop_id).update(rating_avg=round(shop["avg"] or 0, 2), rating_count=shop["count"])


def product_ratings_recount() -> None:
    """Every product's and shop's rating from its reviews, in two statements that write only the rows that
    differ (demo data, a repair): a count no review backs goes back to zero. Every storefront page is dropped
    (product pages show ratings and are kept long)."""
    from django.db import connection

    from plazabanten.cache import storefront_changed

    changed = 0
    with connection.cursor() as cursor:
        for table, key in (("catalog_product", "product_id"), ("vendors_shop", "shop_id")):
            source = ("SELECT product_id AS id, rating FROM orders_review" if key == "product_id" else
                      "SELECT p.shop_id AS id, r.rating FROM orders_review r JOIN catalog_product p "
                      "ON p.id = r.product_id")
            cursor.execute(f"""
                UPDATE {table} t SET rating_avg = COALESCE(r.avg, 0), rating_count = COALESCE(r.n, 0)
                FROM {table} t2 LEFT JOIN (SELECT id, round(avg(rating), 2) AS avg, count(*) AS n
                                           FROM ({source}) s GROUP BY id) r ON r.id = t2.id
                WHERE t.id = t2.id AND (t.rating_count <> COALESCE(r.n, 0) OR t.rating_avg <> COALESCE(r.avg, 0))
            """)  # noqa: S608 - table names and subqueries are constants above
            changed += cursor.rowcount
    if changed:
        transaction.on_commit(storefront_changed)


def shop_shipping_save(*, shop, pickup: bool, couriers: list[str], own_courier_fees: dict[str, int]):
    from .models import ShopShipping

    if not (pickup or couriers or own_courier_fees):
        raise CheckoutError(_("Pilih paling tidak satu cara pengiriman."))
    shipping, _created = ShopShipping.objects.update_or_create(
        shop=shop, defaults={"pickup": pickup, "couriers": couriers, "own_courier_fees": own_courier_fees})
    return shipping
