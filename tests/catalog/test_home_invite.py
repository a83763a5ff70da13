""""Punya usaha di Banten? Buka toko gratis" on the home page: for visitors (also from the anonymous page cache)
and buyers, never for people who already work in a shop or for verifikators."""

import pytest

from accounts import roles
from accounts.services import user_grant_role
from tests.factories import make_product, make_shop, make_user
from vendors.models import ShopMember

pytestmark = pytest.mark.django_db

INVITE = 'href="/penjual/">Buka toko gratis</a>'


def test_visitors_are_invited_to_open_a_shop_also_from_the_cached_page(client):
    make_product()
    assert INVITE in client.get("/").text and "Punya usaha di Banten?" in client.get("/").text  # 2nd: cached


def test_a_buyer_is_invited(client):
    client.force_login(make_user())
    assert INVITE in client.get("/").text


def test_shop_people_and_verifikators_are_not_invited_even_after_a_visitor_cached_the_page(client):
    assert INVITE in client.get("/").text  # the anonymous page is now in the cache
    owner_shop = make_shop()
    staff = make_user()
    ShopMember.objects.create(shop=make_shop(), user=staff, role=ShopMember.Role.FINANCE)
    verifikator = make_user()
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)
    for person in (owner_shop.owner, staff, verifikator):
        client.force_login(person)
        assert INVITE not in client.get("/").text, person
