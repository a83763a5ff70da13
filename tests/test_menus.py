"""Each role's account menu shows its tools; the seller and verifikator pages link what they need."""

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from tests.factories import make_product, make_shop, make_user
from tests.vendors.helpers import make_verifikator

pytestmark = pytest.mark.django_db


def menu_of(client, user) -> str:
    client.force_login(user)
    page = client.get("/notifikasi/").content.decode()
    return page[page.index('<details class="menu">'):page.index("</details>", page.index('<details class="menu">'))]


def test_a_buyer_s_menu_has_orders_and_an_invitation_to_open_a_shop_nothing_else(client):
    menu = menu_of(client, make_user())
    assert 'href="/pesanan/"' in menu and ">Buka toko<" in menu
    for other in ("/verifikasi/", "/keuangan/", "Pesanan toko"):
        assert other not in menu


def test_a_seller_s_menu_has_the_shop_and_its_orders(client):
    shop = make_shop()
    shop.owner.groups.add(Group.objects.get_or_create(name=roles.SHOP_MEMBER)[0])
    menu = menu_of(client, shop.owner)
    assert ">Toko saya<" in menu and ">Pesanan toko<" in menu
    assert "/verifikasi/" not in menu


def test_a_verifikator_s_menu_has_the_queue_the_complaints_and_finance(client):
    menu = menu_of(client, make_verifikator())
    for url in ('href="/verifikasi/"', 'href="/verifikasi/komplain/"', 'href="/keuangan/"'):
        assert url in menu
    assert "Buka toko" not in menu
    for url in ("/verifikasi/", "/verifikasi/komplain/", "/keuangan/"):
        assert client.get(url).status_code == 200  # each tool opens for them


def test_the_menu_costs_no_query_of_its_own_on_a_page_that_checked_the_role(client):
    verifikator = make_verifikator()
    client.force_login(verifikator)
    client.get("/verifikasi/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get("/verifikasi/")
    group_reads = [q["sql"] for q in context.captured_queries  # a plain query, or the prepared statement's name
                   if '"auth_group"' in q["sql"] or "pb_auth_group_" in q["sql"]]
    assert len(group_reads) == 1  # the permission check's read, shared with the menu


def test_moderation_is_near_the_top_of_a_product_page_for_a_verifikator(client):
    product = make_product(name="Kopi Robusta Pandeglang")
    client.force_login(make_verifikator())
    page = client.get(f"/p/{product.shop.slug}/{product.slug}/").content.decode()
    link = page.index(f'href="/moderasi/produk/{product.pk}/"')
    assert link < page.index("<h1")
    client.force_login(make_user())
    assert "/moderasi/" not in client.get(f"/p/{product.shop.slug}/{product.slug}/").content.decode()


def test_shipping_settings_are_linked_from_the_seller_navigation_and_home(client):
    shop = make_shop()
    client.force_login(shop.owner)
    shipping = f'href="/penjual/{shop.pk}/pengiriman/"'
    assert shipping in client.get(f"/penjual/{shop.pk}/produk/").content.decode()  # the seller navigation
    assert shipping in client.get("/penjual/").content.decode()


def test_an_owner_sees_open_another_shop_folded_a_newcomer_sees_the_form(client):
    newcomer = make_user()
    client.force_login(newcomer)
    page = client.get("/penjual/").content.decode()
    assert 'id="shop-name"' in page and "Buka toko lain" not in page
    owner = make_shop().owner
    client.force_login(owner)
    page = client.get("/penjual/").content.decode()
    folded = page.index('<details class="new-shop-more">')
    assert page.index("<summary", folded) < page.index('id="shop-name"') < page.index("</details>", folded)
    assert "Buka toko lain" in page
