"""What checkout starts with: a delivery (the cheapest), pickup only when it is all the shop offers; the address
with its kecamatan and kab/kota; estimates as people say them."""

import re

import pytest

from orders.models import ShopShipping
from orders.shipping import etd_label
from regions.models import Region
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import make_address

pytestmark = pytest.mark.django_db


def checked_methods(html: str) -> dict[str, str]:
    """{shop id: the shipping method whose radio is checked}"""
    return dict(re.findall(r'name="shipping_(\d+)" value="([^"]+)" checked', html))


def open_checkout(client, *shops):
    buyer = make_user()
    address = make_address(buyer)
    client.force_login(buyer)
    for shop in shops:
        client.post("/keranjang/tambah/", {"variant": make_product(shop=shop).variants.get().pk, "quantity": 1})
    response = client.get("/checkout/")
    assert response.status_code == 200
    return response.content.decode(), address


def test_checkout_preselects_the_cheapest_delivery_never_pickup(client):
    couriers_and_pickup = make_shop(kabkota="36.74")  # no settings yet: pickup and every courier
    own_courier = make_shop(kabkota="36.74")
    ShopShipping.objects.create(shop=own_courier, pickup=True, couriers=["jne"], own_courier_fees={"36.74": 5000})
    html, _address = open_checkout(client, couriers_and_pickup, own_courier)
    checked = checked_methods(html)
    assert checked == {str(couriers_and_pickup.pk): "pos:Kilat Khusus",  # Rp7.500, the cheapest in one kab/kota
                       str(own_courier.pk): "own"}  # Rp5.000 beats JNE
    assert "ongkir Rp0" not in html


def test_checkout_preselects_pickup_when_the_shop_offers_nothing_else(client):
    pickup_only = make_shop(kabkota="36.74")
    ShopShipping.objects.create(shop=pickup_only, pickup=True, couriers=[])
    html, _address = open_checkout(client, pickup_only)
    assert checked_methods(html) == {str(pickup_only.pk): "pickup"}


def test_a_choice_the_buyer_made_is_kept_when_the_page_redraws(client):
    shop = make_shop(kabkota="36.74")
    open_checkout(client, shop)
    html = client.get("/checkout/", {f"shipping_{shop.pk}": "pickup"}).content.decode()
    assert checked_methods(html) == {str(shop.pk): "pickup"}


def test_checkout_address_names_the_kecamatan_and_the_kab_kota(client):
    html, address = open_checkout(client, make_shop(kabkota="36.74"))
    desa = address.region
    kecamatan = Region.objects.get(code=desa.code.rsplit(".", 1)[0])
    assert f"{desa.name}, {kecamatan.name}, Kota Tangerang Selatan, Banten 15322" in html


def test_delivery_estimates_read_naturally():
    assert etd_label(min_days=1, max_days=1) == "1 hari"
    assert etd_label(min_days=2, max_days=3) == "2–3 hari"


def test_checkout_never_shows_one_to_one_day(client):
    html, _address = open_checkout(client, make_shop(kabkota="36.74"))
    assert "1–1 hari" not in html
    assert re.search(r"JNE YES · <strong>Rp16\.000</strong> <span class=\"small\">1 hari</span>", html)
