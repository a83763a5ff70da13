"""Small factories for tests: real rows, sensible defaults, keyword overrides."""

import itertools

from allauth.account.models import EmailAddress

from accounts.models import User
from catalog.models import Category, Product, ProductVariant
from vendors.models import Shop, ShopMember

_seq = itertools.count(1)
DEFAULT_PASSWORD = "rahasia-123"


def make_user(*, email_verified: bool = True, **fields) -> User:
    """A user whose email is verified (as after allauth's confirmation link) unless email_verified=False."""
    n = next(_seq)
    fields.setdefault("email", f"user{n}@example.test")
    fields.setdefault("name", f"Pengguna {n}")
    password = fields.pop("password", DEFAULT_PASSWORD)
    user = User.objects.create_user(password=password, **fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


def make_shop(*, owner=None, status=Shop.Status.VERIFIED, kabkota="36.74", turnover_statement=True,
              **fields) -> Shop:
    """A shop; by default a small UMKM whose turnover statement (≤ Rp500 juta) for this year was accepted, so its
    consumer sales carry no PPh 22 (PMK 37/2025). Pass turnover_statement=False for a shop that is withheld."""
    n = next(_seq)
    owner = owner or make_user()
    fields.setdefault("name", f"Toko Uji {n}")
    fields.setdefault("slug", f"toko-uji-{n}")
    shop = Shop.objects.create(owner=owner, status=status, kabkota_id=kabkota, **fields)
    ShopMember.objects.create(shop=shop, user=owner, role=ShopMember.Role.ADMIN)
    if turnover_statement:
        from django.utils import timezone

        from vendors.models import ShopTaxDeclaration

        ShopTaxDeclaration.objects.create(shop=shop, kind=ShopTaxDeclaration.Kind.TURNOVER,
                                          year=timezone.localdate().year, file=f"shops/{shop.pk}/omzet-uji.pdf",
                                          original_name="pernyataan-omzet.pdf", content_type="application/pdf",
                                          size=1, status=ShopTaxDeclaration.Status.APPROVED)
    return shop


def make_category(**fields) -> Category:
    n = next(_seq)
    fields.setdefault("name", f"Kategori {n}")
    fields.setdefault("slug", f"kategori-{n}")
    fields.setdefault("level", 3)
    return Category.objects.create(**fields)


def make_product(*, shop=None, price=15000, stock=10, **fields) -> Product:
    n = next(_seq)
    shop = shop or make_shop()
    fields.setdefault("name", f"Produk Uji {n}")
    fields.setdefault("slug", f"produk-uji-{n}")
    fields.setdefault("category", make_category())
    fields.setdefault("status", Product.Status.ACTIVE)
    fields.setdefault("shop_is_umk", shop.is_umk)  # what catalog.services.product_save projects
    product = Product.objects.create(shop=shop, price_min=price, price_max=price, stock_total=stock,
                                     kabkota_id=shop.kabkota_id, **fields)
    ProductVariant.objects.create(product=product, sku=f"SKU-{n}", price=price, stock=stock)
    return product


def order_walk(order, to: str, *, reason: str = "Barang tidak sesuai pesanan", resi: str = "JP1234567890"):
    """Move an order along the ordinary path up to `to`, each step taken by whoever the lifecycle lets take it:
    paid (system) → accepted (shop) → shipped (shop, with a resi) or ready for pickup (shop) → delivered (the
    system by tracking, or the shop when picked up) → completed (system) or complaint (buyer, with a reason)."""
    from orders.lifecycle import order_ship, order_transition
    from orders.models import Order

    s = Order.Status
    order = Order.objects.select_related("shop__owner", "buyer").get(pk=order.pk)
    pickup = order.shipping_method == "pickup"
    path = [s.PAID, s.ACCEPTED, s.READY_FOR_PICKUP if pickup else s.SHIPPED, s.DELIVERED,
            s.COMPLAINT if to == s.COMPLAINT else s.COMPLETED]
    if to == s.SHIPPED and pickup:
        to = s.READY_FOR_PICKUP
    start = path.index(order.status) + 1 if order.status in path else 0
    owner = order.shop.owner
    for status in path[start:path.index(to) + 1]:
        if status == s.SHIPPED:
            order_ship(order_id=order.pk, actor=owner, tracking=resi)
        elif status in (s.ACCEPTED, s.READY_FOR_PICKUP) or (status == s.DELIVERED and pickup):
            order_transition(order_id=order.pk, to_status=status, actor=owner)
        elif status == s.COMPLAINT:
            order_transition(order_id=order.pk, to_status=status, actor=order.buyer, note=reason)
        else:
            order_transition(order_id=order.pk, to_status=status)
    return Order.objects.get(pk=order.pk)
