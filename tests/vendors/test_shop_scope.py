"""One permission scope for seller code: capabilities per role, the shop named in every seller URL, one person
running several shops, old URLs that still open."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from orders.models import Order, Review
from orders.services import ReviewError, order_transition, review_reply
from payments.services import payout_request
from plazabanten.models import OutboxMessage
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import buy
from vendors import services
from vendors.models import ROLE_CAPABILITIES, Capability, ShopMember
from vendors.selectors import shop_for, shop_scope

from .helpers import make_complete_draft

pytestmark = pytest.mark.django_db
Role = ShopMember.Role


def member(shop, role):
    user = make_user()
    ShopMember.objects.create(shop=shop, user=user, role=role)
    return user


def test_the_roles_capabilities_are_what_the_shop_owner_is_promised():
    assert {
        Role.ADMIN: frozenset(Capability.values),
        Role.OPERATIONS: {Capability.STATUS, Capability.PRODUCTS, Capability.ORDERS},
        Role.FINANCE: {Capability.STATUS, Capability.FINANCE},  # money, never the owner's identity documents
    } == ROLE_CAPABILITIES


def test_shop_scope_finds_only_the_shops_where_the_role_has_the_capability():
    person = make_user()
    run, stock, books, elsewhere = make_shop(owner=person), make_shop(), make_shop(), make_shop()
    ShopMember.objects.create(shop=stock, user=person, role=Role.OPERATIONS)
    ShopMember.objects.create(shop=books, user=person, role=Role.FINANCE)

    def scope(capability):
        return set(shop_scope(user=person, capability=capability))

    assert scope(Capability.STATUS) == {run, stock, books}
    assert scope(Capability.PRODUCTS) == scope(Capability.ORDERS) == {run, stock}
    assert scope(Capability.FINANCE) == {run, books}
    assert scope(Capability.IDENTITY) == scope(Capability.MEMBERS) == scope(Capability.PROFILE) == {run}
    assert elsewhere not in scope(Capability.STATUS)
    from django.contrib.auth.models import AnonymousUser

    assert not shop_scope(user=AnonymousUser(), capability=Capability.STATUS).exists()


def test_shop_for_is_404_for_a_stranger_and_403_for_a_member_without_the_capability():
    shop = make_shop()
    finance = member(shop, Role.FINANCE)
    assert shop_for(user=shop.owner, shop_id=shop.pk, capability=Capability.IDENTITY) == shop
    found = shop_for(user=finance, shop_id=shop.pk, capability=Capability.FINANCE)
    assert (found, found.member_role) == (shop, Role.FINANCE)
    with pytest.raises(PermissionDenied):
        shop_for(user=finance, shop_id=shop.pk, capability=Capability.IDENTITY)
    with pytest.raises(Http404):
        shop_for(user=make_shop().owner, shop_id=shop.pk, capability=Capability.STATUS)


@pytest.fixture
def busy_shop():
    """A verified shop with identity documents, a product and a paid order."""
    shop = make_complete_draft(name="Emping Menes")
    shop.status = shop.Status.VERIFIED
    shop.save(update_fields=["status"])
    product = make_product(shop=shop)
    order = buy(make_user(), product.variants.get()).orders.get()
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    return shop, product, order


def pages(shop, product, order) -> dict[str, str]:
    document = shop.documents.get(kind="ktp")
    return {
        "products": reverse("catalog:seller_products", args=[shop.pk]),
        "product": reverse("catalog:seller_product_edit", args=[shop.pk, product.pk]),
        "photos": reverse("catalog:product_photos", args=[shop.pk, product.pk]),
        "import": reverse("catalog:seller_import", args=[shop.pk]),
        "orders": reverse("orders:shop_list", args=[shop.pk]),
        "order": reverse("orders:shop_detail", args=[shop.pk, order.number]),
        "slip": reverse("orders:packing_slip", args=[shop.pk, order.number]),
        "shipping": reverse("orders:shop_shipping", args=[shop.pk]),
        "balance": reverse("payments:shop_balance", args=[shop.pk]),
        "bank": reverse("vendors:step", args=[shop.pk, "bank"]),
        "identity": reverse("vendors:step", args=[shop.pk, "identity"]),
        "documents": reverse("vendors:step", args=[shop.pk, "documents"]),
        "document": reverse("vendors:document", args=[shop.pk, document.pk]),
        "profile": reverse("vendors:step", args=[shop.pk, "profile"]),
        "members": reverse("vendors:members", args=[shop.pk]),
        "submit": reverse("vendors:review", args=[shop.pk]),
        "status": reverse("vendors:status", args=[shop.pk]),
    }


OPENS = {
    Role.ADMIN: {"products", "product", "photos", "import", "orders", "order", "slip", "shipping", "balance", "bank",
                 "identity", "documents", "document", "profile", "members", "submit", "status"},
    Role.OPERATIONS: {"products", "product", "photos", "import", "orders", "order", "slip", "shipping", "status"},
    Role.FINANCE: {"balance", "bank", "status"},
}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPERATIONS, Role.FINANCE])
def test_each_role_opens_its_pages_and_is_refused_the_others(client, busy_shop, role):
    shop, product, order = busy_shop
    client.force_login(shop.owner if role == Role.ADMIN else member(shop, role))
    answers = {name: client.get(url).status_code for name, url in pages(shop, product, order).items()}
    assert {name for name, status in answers.items() if status == 200} == OPENS[role]
    assert {status for name, status in answers.items() if name not in OPENS[role]} <= {403}


def test_the_invoice_is_for_the_shops_orders_and_money_people_not_for_strangers(client, busy_shop):
    shop, _product, order = busy_shop
    Order.objects.filter(pk=order.pk).update(invoice_number="INV/TEST/1")
    url = reverse("orders:invoice", args=[order.number])
    for role in (Role.OPERATIONS, Role.FINANCE):
        client.force_login(member(shop, role))
        assert client.get(url).status_code == 200
    client.force_login(make_shop().owner)
    assert client.get(url).status_code == 404


def test_services_check_the_same_scope_when_called_without_a_view(busy_shop):
    shop, product, order = busy_shop
    operations, finance = member(shop, Role.OPERATIONS), member(shop, Role.FINANCE)
    with pytest.raises(PermissionDenied):
        services.shop_member_invite(shop=shop, actor=operations, email="x@example.test", role="admin")
    with pytest.raises(PermissionDenied):
        services.shop_update_identity(shop=shop, actor=finance, owner_name="X", owner_nik="3602015708950001",
                                      entity_type="individual", business_name="", nib="9120001234567",
                                      npwp="013000666091000", capital=1, turnover=1)
    with pytest.raises(PermissionDenied):
        payout_request(shop_id=shop.pk, amount=10_000, actor=operations)
    change = services.shop_bank_change_request(shop=shop, actor=finance, bank="bni", number="1234567890",
                                               holder_name="Siti Aminah")
    assert change.requested_by == finance
    review = Review.objects.create(line=order.lines.get(), product=product, buyer=order.buyer, rating=5)
    with pytest.raises(ReviewError):
        review_reply(shop=shop, user=finance, review_id=review.pk, text="Terima kasih")
    assert review_reply(shop=shop, user=operations, review_id=review.pk, text="Terima kasih").reply


def test_old_seller_urls_open_the_only_shop_or_the_order_s_shop_or_ask_to_pick(client, busy_shop):
    shop, product, order = busy_shop
    client.force_login(shop.owner)
    assert client.get("/kelola/produk/?status=active")["Location"] == f"/penjual/{shop.pk}/produk/?status=active"
    assert client.get(f"/kelola/produk/{product.pk}/")["Location"] == f"/penjual/{shop.pk}/produk/{product.pk}/"
    assert client.get("/penjual/saldo/")["Location"] == f"/penjual/{shop.pk}/saldo/"
    assert client.get("/penjual/pengiriman/")["Location"] == f"/penjual/{shop.pk}/pengiriman/"

    second = make_shop(owner=shop.owner, name="Kopi Baduy")
    response = client.get("/penjual/saldo/", follow=True)
    assert response.redirect_chain == [(reverse("vendors:seller_home"), 302)]
    assert "Pilih toko yang ingin Anda buka." in response.content.decode()
    assert client.get(f"/kelola/produk/?toko={second.slug}")["Location"] == f"/penjual/{second.pk}/produk/"
    # an old notification link names the order: it opens in the order's shop
    assert (client.get(f"/penjual/pesanan/{order.number}/")["Location"]
            == f"/penjual/{shop.pk}/pesanan/{order.number}/")
    client.force_login(make_shop().owner)  # someone else's order number: no hint of the shop
    assert client.get(f"/penjual/pesanan/{order.number}/")["Location"] == reverse("vendors:seller_home")


def test_the_navigation_links_the_current_shop_and_switches_to_the_same_page_in_another(client):
    person = make_user()
    batik, kopi, books = make_shop(owner=person, name="Batik"), make_shop(owner=person, name="Kopi"), make_shop()
    ShopMember.objects.create(shop=books, user=person, role=Role.FINANCE)
    client.force_login(person)
    page = client.get(reverse("orders:shop_list", args=[batik.pk])).content.decode()
    nav = page[page.index('class="seller-nav"'):page.index("</nav>", page.index('class="seller-nav"'))]
    assert f'href="/penjual/{batik.pk}/produk/"' in nav and f'href="/penjual/{batik.pk}/saldo/"' in nav
    assert "Ganti toko" in nav
    assert f'href="/penjual/{kopi.pk}/pesanan/"' in nav  # the same page in the other shop
    assert f'href="/penjual/{books.pk}/status/"' in nav  # finance there: its status page, not its orders
    assert f'href="/penjual/{books.pk}/pesanan/"' not in nav
    alone = make_shop()
    client.force_login(alone.owner)
    page = client.get(reverse("orders:shop_list", args=[alone.pk])).content.decode()
    assert 'class="seller-nav"' in page and "Ganti toko" not in page


def test_notifications_link_to_the_shop_s_own_pages(busy_shop):
    shop, _product, order = busy_shop
    order_transition(order_id=order.pk, to_status=Order.Status.ACCEPTED, actor=shop.owner)
    notice = OutboxMessage.objects.filter(recipient=shop.owner).latest("pk")
    assert notice.url == f"/penjual/{shop.pk}/pesanan/{order.number}/"
