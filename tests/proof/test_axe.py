import pytest
from django.conf import settings
from django.test import Client

from accounts import roles
from accounts.services import user_grant_role
from orders.models import Order
from tests.factories import make_shop, make_user

from .axe import assert_no_serious_axe_violations


def log_in_as(page, storefront, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": storefront["url"],
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_serious_accessibility_violation_on_the_pages_of_every_role(storefront, page, screenshot):
    url = storefront["url"]
    failures = []

    def check(path: str) -> None:
        page.goto(url + path)
        screenshot(path.strip("/").split("/")[0].split("?")[0] or "home")
        try:
            assert_no_serious_axe_violations(page)
        except AssertionError as error:  # gather every page's findings, then fail once with all of them
            failures.append(str(error))

    order = Order.objects.filter(group=storefront["group"]).first()
    buyer_pages = ["/", "/cari/?q=batik", storefront["product_path"], "/keranjang/", "/checkout/",
                   f"/pesanan/{order.number}/", f"/bayar/{storefront['group'].pk}/"]
    for path in buyer_pages[:3]:  # a visitor who has not logged in
        check(path)
    log_in_as(page, storefront, storefront["buyer"])
    for path in buyer_pages:
        check(path)
    check("/pesanan/")  # the order list with its tabs and thumbnails
    check("/data-saya/")  # download and delete, each behind the password
    check("/privasi/")

    government = make_user(email="gita@example.test", name="Gita")  # the PDN/UMK badges and facets
    user_grant_role(user=government, role=roles.GOVERNMENT)
    log_in_as(page, storefront, government)
    for path in buyer_pages[1:3]:
        check(path)

    seller = make_user(email="sari@example.test", name="Sari")
    log_in_as(page, storefront, seller)
    check("/penjual/")
    log_in_as(page, storefront, order.shop.owner)
    check(f"/penjual/{order.shop_id}/pesanan/{order.number}/")
    check(f"/penjual/{order.shop_id}/produk/")
    check(f"/penjual/{order.shop_id}/produk/baru/")  # "Pilih kategori", the folded variant rows
    product_id = order.lines.first().variant.product_id
    check(f"/penjual/{order.shop_id}/produk/{product_id}/foto/")  # several photos at once, the status box
    check(f"/penjual/{order.shop_id}/saldo/")

    verifikator = make_user(email="vera@example.test", name="Vera")
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)
    waiting = make_shop(name="Tenun Pandeglang", slug="tenun-pandeglang", status="submitted", kabkota="36.01")
    log_in_as(page, storefront, verifikator)
    check("/verifikasi/")
    check(f"/verifikasi/{waiting.pk}/")
    check("/verifikasi/akses-dokumen/")
    assert not failures, "\n".join(failures)
