"""Every URL pattern × every role: no 5xx anywhere, and nobody reaches another party's private objects."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import roles
from accounts.services import user_grant_role
from orders.models import Order
from orders.services import order_transition
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import buy
from vendors.models import ShopMember

# Parameters that name someone's private object: another party must never get a 200 for them.
PRIVATE_PARAMS = {"shop_id", "number", "document_id", "member_id", "pk", "line_id", "review_id", "image_id",
                  "payment_id", "payout_id", "group_id"}
SKIP = re.compile(r"^(admin/|media/|static/|i18n/|healthz)")  # healthz is 503 by design without a worker


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def fill(route: str, values: dict) -> tuple[str, set[str]]:
    """Turn 'pesanan/<str:number>/' into a real path using the world's values; returns the parameters used."""
    used = set()

    def value(match):
        name = match.group(2)
        used.add(name)
        return str(values.get(name, "1" if match.group(1) == "int" else "x"))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: value(re.match(r"<(?:(\w+):)?(\w+)>", m.group(0))), route)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", ""), used


@pytest.fixture
def world(db):
    shop_a = make_shop(name="Toko A")
    staff_b = make_user()
    shop_b = make_shop(name="Toko B")
    ShopMember.objects.create(shop=shop_b, user=staff_b, role=ShopMember.Role.OPERATIONS)
    buyer = make_user()
    user_grant_role(user=buyer, role=roles.BUYER)
    product = make_product(shop=shop_a)
    order = buy(buyer, product.variants.get()).orders.get()
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    verifikator = make_user()
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)
    values = {"shop_id": shop_a.pk, "number": order.number, "pk": order.group_id, "slug": shop_a.slug,
              "shop_slug": shop_a.slug, "product_slug": product.slug, "line_id": order.lines.get().pk,
              "action": "accept", "step": "profil", "provider": "sandbox"}
    people = {"anonymous": None, "buyer": buyer, "owner_a": shop_a.owner, "staff_b": staff_b,
              "verifikator": verifikator}
    return values, people


def test_no_url_answers_5xx_to_any_role_and_private_objects_stay_private(client, world):
    values, people = world
    routes = [(route, pattern) for route, pattern in walk() if not SKIP.match(route)]
    assert len(routes) >= 20
    checked, leaks, errors = 0, [], []
    for role, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, _pattern in routes:
            path, used = fill(route, values)
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                checked += 1
                if response.status_code >= 500:
                    errors.append(f"{role} {method.upper()} {path} → {response.status_code}")
                private = used & PRIVATE_PARAMS
                if (method == "get" and private and role in {"buyer", "staff_b", "anonymous"}
                        and response.status_code == 200 and not _buyer_owns(role, used)):
                    leaks.append(f"{role} GET {path} → 200")
    assert not errors, errors
    assert not leaks, leaks
    print(f"permission matrix: {len(routes)} URL patterns × {len(people)} roles × GET/POST = {checked} requests")


def _buyer_owns(role: str, used: set[str]) -> bool:
    # The buyer's own order and checkout pages are theirs to see.
    return role == "buyer" and used <= {"number", "pk", "line_id", "action"}
