"""Every URL pattern × every role, each parameter filled with the OTHER party's real ids: no 5xx anywhere, nobody
reaches another party's private objects, nothing of theirs changes, and a shop member gets only what the role's
capabilities allow (vendors.models.ROLE_CAPABILITIES)."""

import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import roles
from accounts.services import user_grant_role
from catalog.models import Product, ProductImage, ProductImport, ProductVariant
from orders.models import Order, Review, ShopShipping
from orders.services import order_transition
from payments.models import Payout
from payments.services import payment_start
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import buy
from tests.vendors.helpers import image_bytes, make_complete_draft
from vendors.models import (
    ROLE_CAPABILITIES,
    Capability,
    Shop,
    ShopBankAccount,
    ShopBankChange,
    ShopDocument,
    ShopInvitation,
    ShopMember,
)
from vendors.views import STEP_CAPABILITIES

# Parameters that name someone's private object: another party must never get a 200 for them.
PRIVATE_PARAMS = {"shop_id", "number", "document_id", "member_id", "pk", "line_id", "review_id", "image_id",
                  "product_id", "import_id", "change_id", "ref", "rest", "payment_id", "payout_id", "group_id"}
SKIP = re.compile(r"^(admin/|media/|static/|i18n/|healthz)")  # healthz is 503 by design without a worker
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
STEPS = tuple(STEP_CAPABILITIES)
# A POST body that would change something if any handler let it through.
POST_DATA = {"reply": "diretas", "action": "delete", "reason": "diretas", "note": "diretas", "email": "x@example.test",
             "role": "admin", "courier": "JNE", "tracking_number": "JNE0099887766", "amount": "1000",
             "name": "Diretas", "bank": "bca", "number": "1234567890", "holder_name": "Peretas", "pickup": "on",
             "text": "diretas", "rating": "1"}


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def fill(route: str, values: dict) -> list[tuple[str, dict]]:
    """Turn 'penjual/<int:shop_id>/<wizardstep:step>/' into real paths from the world's values: one path per value
    of a parameter that has several (the wizard's steps). Returns (path, the parameters used with their values)."""
    names = [match.group(2) for match in PARAM.finditer(route)]
    variants = [{}]
    for name in names:
        choices = values.get(name, "1" if f"int:{name}" in route else "x")
        choices = choices if isinstance(choices, tuple) else (choices,)
        variants = [{**used, name: choice} for used in variants for choice in choices]
    paths = []
    for used in variants:
        path = PARAM.sub(lambda match, used=used: str(used[match.group(2)]), route)
        paths.append(("/" + path.lstrip("^").rstrip("$").replace("\\", ""), used))
    return paths


def route_values(route: str, values: dict) -> dict:
    """`pk` and `rest` name different objects on different routes."""
    if "saldo/sandbox" in route:
        return {**values, "pk": values["payout_pk"]}
    if route.startswith("kelola/produk/"):
        return {**values, "rest": f"{values['product_id']}/"}
    if route.startswith("penjual/pesanan/"):
        return {**values, "rest": f"{values['number']}/"}
    if "bukti-potong" in route:
        return {**values, "pk": values["order_tax_pk"]}
    if "pengadaan/" in route:  # a government package of shop B and its Surat Pesanan
        return {**values, "pk": values["paket_pk"], "document_id": values["paket_document_id"]}
    return values


def required_capability(route: str, pattern: URLPattern, used: dict) -> str | None:
    """What a seller route asks of the person's role; None for a route that is not a seller page."""
    if pattern.default_args.get("capability"):
        return pattern.default_args["capability"]  # an old URL without the shop: it redirects
    if not route.startswith("penjual/<int:shop_id>/"):
        return None
    if pattern.name == "step":
        return STEP_CAPABILITIES[used["step"]]
    if pattern.name == "document":
        return Capability.IDENTITY
    return getattr(pattern.callback, "shop_capability", "MISSING")


@dataclass
class World:
    shop_a: Shop
    shop_b: Shop
    values_b: dict  # every parameter, filled with shop B's (and its buyer's) real objects
    attackers: dict  # people who have nothing to do with shop B
    staff_b: dict  # role → a member of shop B with that role


def _stock_shop_b(owner) -> tuple[Shop, dict]:
    """A verified shop with one of everything a seller URL can name."""
    shop = make_complete_draft(owner=owner, name="Toko B")
    Shop.objects.filter(pk=shop.pk).update(status=Shop.Status.VERIFIED)
    shop.refresh_from_db()
    product = make_product(shop=shop)
    image = ProductImage.objects.create(product=product, original=SimpleUploadedFile("b.jpg", image_bytes()))
    job = ProductImport.objects.create(shop=shop, content="sku,nama_produk\n")
    change = ShopBankChange.objects.create(shop=shop, bank="bca", number="8800112233", holder_name="Siti Aminah",
                                           requested_by=owner)
    buyer_b = make_user()
    user_grant_role(user=buyer_b, role=roles.BUYER)
    group = buy(buyer_b, product.variants.get(), key="matrix-b")
    attempt = payment_start(group_id=group.pk, buyer=buyer_b, method="qris")
    order = group.orders.get()
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    line = order.lines.get()
    review = Review.objects.create(line=line, product=product, buyer=buyer_b, rating=4, text="Bagus")
    payout = Payout.objects.create(shop=shop, amount=5000, status=Payout.Status.PROCESSING, bank="bri",
                                   account_number="012301000123567", account_name="Siti Aminah", requested_by=owner)
    ShopShipping.objects.create(shop=shop, pickup=True, couriers=["jne"])
    document = shop.documents.get(kind="ktp")
    paket = _paket_for(shop)
    # the order's PPh 22 (no turnover statement) posted as when it is paid: its bukti potong exists
    from payments.ledger import ledger_post_payment
    from payments.services import consumer_taxes_fix

    order.refresh_from_db()
    consumer_taxes_fix(orders=[order])
    ledger_post_payment(payment=attempt.payment, orders=[order])
    values = {"paket_pk": paket.pk, "order_tax_pk": order.tax.pk, "paket_document_id": paket.documents.get().pk,
              "shop_id": shop.pk, "number": order.number, "pk": group.pk, "payout_pk": payout.pk,
              "line_id": line.pk, "product_id": product.pk, "image_id": image.pk, "import_id": job.pk,
              "change_id": change.pk, "document_id": document.pk, "review_id": review.pk, "ref": attempt.attempt_ref,
              "slug": shop.slug, "shop_slug": shop.slug, "product_slug": product.slug, "step": STEPS,
              "action": "accept", "decision": "tolak", "outcome": "berhasil", "provider": "sandbox"}
    return shop, values


def _paket_for(shop: Shop):
    """A government package for shop B, its Surat Pesanan issued (the seller's to answer)."""
    from procurement.models import Paket
    from tests.procurement.helpers import Team

    team = Team(shop=shop, stock=50)
    return team.walk(team.paket(quantity=2), Paket.Status.SP_TERBIT)


@pytest.fixture
def world(db, settings):
    settings.PAYMENT_GATEWAY = "sandbox"
    shop_a = make_shop(name="Toko A")
    make_product(shop=shop_a)
    ops_a, fin_a = make_user(), make_user()
    ShopMember.objects.create(shop=shop_a, user=ops_a, role=ShopMember.Role.OPERATIONS)
    ShopMember.objects.create(shop=shop_a, user=fin_a, role=ShopMember.Role.FINANCE)
    buyer_a = make_user()
    user_grant_role(user=buyer_a, role=roles.BUYER)
    buy(buyer_a, shop_a.products.get().variants.get(), key="matrix-a")
    verifikator = make_user()
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)

    shop_b, values_b = _stock_shop_b(make_user())
    staff_b = {}
    for role in (ShopMember.Role.OPERATIONS, ShopMember.Role.FINANCE):
        staff_b[role] = make_user()
        member = ShopMember.objects.create(shop=shop_b, user=staff_b[role], role=role)
    values_b["member_id"] = member.pk
    attackers = {"anonymous": None, "buyer_a": buyer_a, "owner_a": shop_a.owner, "operations_a": ops_a,
                 "finance_a": fin_a, "verifikator": verifikator}
    return World(shop_a=shop_a, shop_b=shop_b, values_b=values_b, attackers=attackers, staff_b=staff_b)


def snapshot(shop: Shop) -> dict:
    """Everything of shop B a request from another party could change."""
    products = Product.objects.filter(shop=shop)
    return {
        "shop": Shop.objects.filter(pk=shop.pk).values("status", "name", "slug", "description").get(),
        "members": sorted(ShopMember.objects.filter(shop=shop).values_list("user_id", "role")),
        "invitations": ShopInvitation.objects.filter(shop=shop).count(),
        "products": sorted(products.values_list("pk", "name", "status", "price_min", "stock_total")),
        "variants": sorted(ProductVariant.objects.filter(product__shop=shop).values_list("pk", "price", "stock")),
        "images": sorted(ProductImage.objects.filter(product__shop=shop).values_list("pk", "position", "status")),
        "imports": ProductImport.objects.filter(shop=shop).count(),
        "orders": sorted(Order.objects.filter(shop=shop).values_list("pk", "status", "tracking_number")),
        "reviews": sorted(Review.objects.filter(product__shop=shop).values_list("pk", "reply")),
        "bank_account": list(ShopBankAccount.objects.filter(shop=shop).values_list("bank", "number")),
        "bank_changes": sorted(ShopBankChange.objects.filter(shop=shop).values_list("pk", "status")),
        "payouts": sorted(Payout.objects.filter(shop=shop).values_list("pk", "status", "amount")),
        "documents": sorted(ShopDocument.objects.filter(shop=shop).values_list("pk", "file")),
        "shipping": list(ShopShipping.objects.filter(shop=shop).values_list("pickup", "couriers")),
        "pakets": sorted(shop.pakets.values_list("pk", "status")),
    }


def routes():
    found = [(route, pattern) for route, pattern in walk() if not SKIP.match(route)]
    assert len(found) >= 20
    return found


def _legit(role: str, route: str) -> bool:
    # The verifikator's console, product moderation and the private documents are the verifikator's, for every shop.
    return role == "verifikator" and (route.startswith(("verifikasi/", "moderasi/")) or "dokumen/" in route)


def test_every_seller_route_names_the_capability_it_needs():
    missing = [route for route, pattern in routes() if route.startswith("penjual/<int:shop_id>/")
               and pattern.name not in ("step", "document") and not getattr(pattern.callback, "shop_capability", None)]
    assert not missing, missing


def test_no_url_answers_5xx_and_the_other_partys_objects_stay_private_and_unchanged(client, world):
    before = snapshot(world.shop_b)
    b = world.shop_b.pk
    checked, leaks, errors = 0, [], []
    for role, user in world.attackers.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for route, _pattern in routes():
            for path, used in fill(route, route_values(route, world.values_b)):
                private = set(used) & PRIVATE_PARAMS
                for method in ("get", "post"):
                    if method == "post" and _legit(role, route):
                        continue  # the verifikator deciding is the console working, not a leak
                    response = client.post(path, POST_DATA) if method == "post" else client.get(path)
                    checked += 1
                    if user is not None and "_auth_user_id" not in client.session:
                        client.force_login(user)  # the logout URL was posted to: stay the same person
                    if response.status_code >= 500:
                        errors.append(f"{role} {method.upper()} {path} → {response.status_code}")
                    if not private or _legit(role, route) or method == "post":
                        continue
                    location = response.get("Location", "")
                    if response.status_code == 200 or location.startswith(f"/penjual/{b}/"):
                        leaks.append(f"{role} GET {path} → {response.status_code} {location}")
                    elif role != "anonymous" and response.status_code not in (302, 403, 404, 405):
                        leaks.append(f"{role} GET {path} → {response.status_code}")
    assert not errors, errors
    assert not leaks, leaks
    assert snapshot(world.shop_b) == before  # no POST from another party changed anything of shop B
    print(f"permission matrix: {checked} requests against shop B's objects")


def test_own_shop_in_the_url_with_the_other_shops_object_ids_is_a_404(client, world):
    """Owner (and staff) of shop A put their own shop in the URL and shop B's object ids after it."""
    before = snapshot(world.shop_b)
    values = {**world.values_b, "shop_id": world.shop_a.pk}
    problems = []
    for role in ("owner_a", "operations_a", "finance_a"):
        client.force_login(world.attackers[role])
        for route, _pattern in routes():
            if not route.startswith("penjual/<int:shop_id>/"):
                continue
            for path, used in fill(route, route_values(route, values)):
                if not (set(used) & PRIVATE_PARAMS) - {"shop_id"}:
                    continue  # shop A's own page
                response = client.get(path)
                if response.status_code not in (403, 404, 405):
                    problems.append(f"{role} GET {path} → {response.status_code}")
                response = client.post(path, POST_DATA)
                if response.status_code >= 500:
                    problems.append(f"{role} POST {path} → {response.status_code}")
    assert not problems, problems
    assert snapshot(world.shop_b) == before


def test_each_role_of_the_shop_reaches_exactly_its_capabilities(client, world):
    """Shop B's own operations and finance members on every page of shop B: a page beyond the role is a 403
    (GET and POST, nothing changes); a page within it opens."""
    problems = []
    for role, user in world.staff_b.items():
        client.force_login(user)
        allowed = ROLE_CAPABILITIES[role]
        for route, pattern in routes():
            for path, used in fill(route, route_values(route, world.values_b)):
                capability = required_capability(route, pattern, used)
                if capability is None:
                    continue
                before = snapshot(world.shop_b)
                get = client.get(path)
                if pattern.default_args.get("capability"):  # an old URL: the shop's page only if the role has it
                    opens_b = get.get("Location", "").startswith(f"/penjual/{world.shop_b.pk}/")
                    if opens_b != (capability in allowed):
                        problems.append(f"{role} GET {path} → {get.status_code} {get.get('Location')}")
                elif capability not in allowed:
                    post = client.post(path, POST_DATA)
                    if get.status_code not in (403, 405) or post.status_code not in (403, 405):
                        problems.append(f"{role} {path} needs {capability}: GET {get.status_code}, "
                                        f"POST {post.status_code}")
                    if snapshot(world.shop_b) != before:
                        problems.append(f"{role} POST {path} changed shop B")
                elif get.status_code not in (200, 405):
                    problems.append(f"{role} GET {path} ({capability}) → {get.status_code}")
    assert not problems, problems
