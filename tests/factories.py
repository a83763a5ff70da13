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


def make_shop(*, owner=None, status=Shop.Status.VERIFIED, kabkota="36.74", **fields) -> Shop:
    n = next(_seq)
    owner = owner or make_user()
    fields.setdefault("name", f"Toko Uji {n}")
    fields.setdefault("slug", f"toko-uji-{n}")
    shop = Shop.objects.create(owner=owner, status=status, kabkota_id=kabkota, **fields)
    ShopMember.objects.create(shop=shop, user=owner, role=ShopMember.Role.ADMIN)
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
    product = Product.objects.create(shop=shop, price_min=price, price_max=price, stock_total=stock,
                                     kabkota_id=shop.kabkota_id, **fields)
    ProductVariant.objects.create(product=product, sku=f"SKU-{n}", price=price, stock=stock)
    return product
