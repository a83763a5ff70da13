from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Address
from catalog.models import Product, ProductVariant
from plazabanten.prepared import PreparedRead, any_of
from vendors.models import Capability, Shop
from vendors.selectors import shop_scope

from .models import CheckoutGroup, Order, OrderEvent, OrderLine, Review


@PreparedRead
def _cart_variants(*, ids: list[int]) -> QuerySet[ProductVariant]:
    return (ProductVariant.objects.filter(any_of("pk", ids))
            .select_related("product", "product__shop", "product__shop__kabkota")
            .defer("product__search_vector", "product__description")  # the widest columns; neither page shows them
            .order_by("product__shop_id", "pk"))


@PreparedRead
def addresses_with_regions(*, user_id: int) -> QuerySet[Address]:
    """The person's address book, each address with its region's chain up to the provinsi (for regions.selectors
    .region_label): one prepared read, planned once per database session."""
    return Address.objects.filter(user_id=user_id).select_related("region__parent__parent__parent")


def cart_view(*, quantities: dict[int, int], seen_prices: dict[int, int] | None = None) -> list[dict]:
    """The cart grouped by shop, each line checked against today's stock, price and product state (1 query).
    A line whose unit price differs from the one the buyer last saw (seen_prices) carries a "price" notice.

    Lines of products no longer for sale (draft, inactive, taken down, or the shop not verified) are not shown with
    their name, photo or price: they come last, in one group with ``gone`` set and no shop, as variant id and
    quantity only, so the buyer can remove them. Every other group has ``gone`` False."""
    seen_prices = seen_prices or {}
    variants = _cart_variants(ids=list(quantities)) if quantities else []
    shops: dict[int, dict] = {}
    gone = {"shop": None, "gone": True, "lines": [], "subtotal": 0, "weight": 0}
    for variant in variants:
        product, quantity = variant.product, quantities[variant.pk]
        if (product.status != Product.Status.ACTIVE or product.shop.status != Shop.Status.VERIFIED
                or variant.is_archived):
            gone["lines"].append({"variant_id": variant.pk, "quantity": quantity, "notices": ["unavailable"]})
            continue
        notices = []
        if variant.available < quantity:
            notices.append("stock")
        if quantity < product.min_order:
            notices.append("min_order")
        seen_price = seen_prices.get(variant.pk)
        if seen_price is not None and seen_price != variant.price:
            notices.append("price")
        group = shops.setdefault(product.shop_id, {"shop": product.shop, "gone": False, "lines": [], "subtotal": 0,
                                                   "weight": 0})
        group["lines"].append({"variant": variant, "product": product, "quantity": quantity,
                               "subtotal": variant.price * quantity, "notices": notices,
                               "seen_price": seen_price})
        group["subtotal"] += variant.price * quantity
        group["weight"] += product.weight_grams * quantity
    return list(shops.values()) + ([gone] if gone["lines"] else [])


def variant_for_sale(*, variant_id: int) -> ProductVariant | None:
    """A variant the cart may take: not archived, its product active and its shop verified; None for anything else."""
    return (ProductVariant.objects.select_related("product")
            .filter(pk=variant_id, archived_at__isnull=True, product__status=Product.Status.ACTIVE,
                    product__shop__status=Shop.Status.VERIFIED)
            .first())


def checkouts_unpaid(*, user) -> list[CheckoutGroup]:
    """The buyer's checkouts still waiting for payment and still payable, newest first, with their orders' shops
    (2 queries): what an emptied cart shows instead of "empty" after "Buat pesanan" (as Tokopedia's
    "Menunggu pembayaran")."""
    if not user.is_authenticated:
        return []
    return list(CheckoutGroup.objects.filter(
        buyer=user, payment_deadline__gt=timezone.now(),
        pk__in=Order.objects.filter(buyer=user, status=Order.Status.AWAITING_PAYMENT).values("group_id"),
    ).prefetch_related(Prefetch("orders", queryset=Order.objects.select_related("shop").order_by("pk")))
        .order_by("-created_at")[:settings.ORDER_MAX_UNPAID_CHECKOUTS])


def _with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return queryset.select_related("shop", "shop__kabkota", "group", "buyer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("review").order_by("pk")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")))


S = Order.Status
# The buyer's order list tabs (?status=<slug>), as marketplaces group them: (slug, label, statuses).
BUYER_TABS = [
    ("belum-bayar", _("Belum bayar"), [S.AWAITING_PAYMENT]),
    ("dikemas", _("Dikemas"), [S.PAID, S.ACCEPTED]),
    ("dikirim", _("Dikirim"), [S.SHIPPED, S.READY_FOR_PICKUP, S.DELIVERED]),
    ("selesai", _("Selesai"), [S.COMPLETED]),
    ("komplain-batal", _("Komplain/Dibatalkan"), [S.COMPLAINT, S.COMPLAINT_REJECTED, S.COMPLAINT_ESCALATED,
                                                  S.REFUNDED, S.CLOSED, S.CANCELLED, S.EXPIRED]),
]


def orders_of_buyer(*, user, tab: str = "") -> QuerySet[Order]:
    """The buyer's orders, newest first, in one tab (a BUYER_TABS slug; anything else is every order), each with
    its shop and its lines with the product's cover for the thumbnail (2 queries however many orders)."""
    queryset = Order.objects.filter(buyer=user)
    statuses = next((statuses for slug, _label, statuses in BUYER_TABS if slug == tab), None)
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    lines = (OrderLine.objects.select_related("variant__product").order_by("pk")
             .only("order_id", "product_name", "variant_name", "quantity", "variant__product__cover",
                   "variant__product__name"))
    return queryset.select_related("shop").prefetch_related(Prefetch("lines", queryset=lines))


def order_of_buyer(*, user, number: str) -> Order | None:
    return _with_details(Order.objects.filter(buyer=user, number=number)).first()


def orders_of_shop(*, shop: Shop, status: str = "") -> QuerySet[Order]:
    """Orders of the shop the seller URL names (checked by vendors.selectors.shop_for); no other shop's."""
    queryset = Order.objects.filter(shop=shop)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("shop", "buyer").prefetch_related("lines")


def order_of_shop(*, shop: Shop, number: str) -> Order | None:
    return _with_details(Order.objects.filter(shop=shop, number=number)).first()


def order_of_shop_side(*, user, number: str) -> Order | None:
    """An order of a shop where this person handles orders or money (its invoice is both sides' paper)."""
    shops = shop_scope(user=user, capability=Capability.ORDERS) | shop_scope(user=user, capability=Capability.FINANCE)
    return _with_details(Order.objects.filter(shop__in=shops, number=number)).first()


def order_shop_id(*, rest: str) -> int | None:
    """The shop of the order an old `/penjual/pesanan/<number>/…` path names (0 if there is no such order); the
    caller keeps it to the person's own shops."""
    number = rest.split("/", 1)[0]
    return Order.objects.filter(number=number).values_list("shop_id", flat=True).first() or 0


def complaints_escalated() -> QuerySet[Order]:
    """The verifikator's queue: complaints the buyer escalated after the shop rejected them, oldest first."""
    return (Order.objects.filter(status=Order.Status.COMPLAINT_ESCALATED).select_related("shop", "buyer")
            .order_by("status_changed_at"))


def complaint_for_verifikator(*, number: str) -> Order | None:
    """An order whose complaint reached the verifikator (still open or decided); any other order is not there."""
    return _with_details(Order.objects.filter(
        number=number, events__to_status=Order.Status.COMPLAINT_ESCALATED)).first()


@PreparedRead
def product_reviews(*, product_id: int) -> QuerySet[Review]:
    """The newest ten reviews of a product (a list: a prepared read runs its SQL as soon as it is called)."""
    return Review.objects.filter(product_id=product_id).select_related("buyer").order_by("-created_at")[:10]
