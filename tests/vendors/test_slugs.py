"""Shop and product addresses: the plain name when it is free, a short counter when it is taken, under races too."""

import threading

import pytest
from django.db import connection

from catalog import services as catalog_services
from catalog.models import Product
from tests.factories import make_category, make_shop, make_user
from vendors import services
from vendors.models import Shop

pytestmark = pytest.mark.django_db


def test_a_new_shop_s_address_is_its_name_without_a_random_suffix(client):
    owner = make_user()
    client.force_login(owner)
    response = client.post("/penjual/", {"name": "Kopi Lebak"})
    assert response.status_code == 302
    assert Shop.objects.get(owner=owner).slug == "kopi-lebak"


def test_a_taken_shop_address_gets_the_next_counter():
    first = services.shop_create_draft(owner=make_user(), name="Kopi Lebak")
    second = services.shop_create_draft(owner=make_user(), name="Kopi  Lebak!")
    third = services.shop_create_draft(owner=make_user(), name="kopi lebak")
    other = services.shop_create_draft(owner=make_user(), name="Kopi Lebak Asli")
    assert [first.slug, second.slug, third.slug, other.slug] == [
        "kopi-lebak", "kopi-lebak-2", "kopi-lebak-3", "kopi-lebak-asli"]
    assert services.shop_create_draft(owner=make_user(), name="???").slug == "toko"


def test_a_shop_address_taken_between_the_check_and_the_insert_takes_the_next_counter(monkeypatch):
    services.shop_create_draft(owner=make_user(), name="Emping Menes")
    real, calls = services._slug_free, []

    def stale_then_real(name):  # the first look happened before the other shop was committed
        calls.append(name)
        return "emping-menes" if len(calls) == 1 else real(name)

    monkeypatch.setattr(services, "_slug_free", stale_then_real)
    shop = services.shop_create_draft(owner=make_user(), name="Emping Menes")
    assert shop.slug == "emping-menes-2" and len(calls) == 2
    assert shop.members.get().role == "admin"  # the retried creation is whole


@pytest.mark.django_db(transaction=True)
def test_shops_with_one_name_opened_at_the_same_moment_all_get_an_address():
    owners = [make_user() for _ in range(4)]
    barrier, errors = threading.Barrier(4), []

    def open_shop(owner):
        try:
            barrier.wait()
            services.shop_create_draft(owner=owner, name="Sate Bandeng")
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_shop, args=(owner,)) for owner in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Shop.objects.values_list("slug", flat=True)) == [
        "sate-bandeng", "sate-bandeng-2", "sate-bandeng-3", "sate-bandeng-4"]


def product_fields(name, category):
    return {"name": name, "category": category, "description": "", "condition": "new", "weight_grams": 500,
            "min_order": 1, "status": Product.Status.DRAFT}


def test_a_product_s_address_is_its_name_and_a_counter_only_when_the_shop_has_it(monkeypatch):
    shop, category = make_shop(), make_category()
    variant = [{"sku": "A", "name": "", "price": 10_000, "stock": 1}]
    first = catalog_services.product_save(shop=shop, fields=product_fields("Kopi Robusta", category),
                                          variants=variant)
    assert first.slug == "kopi-robusta"
    other_shop = catalog_services.product_save(shop=make_shop(), fields=product_fields("Kopi Robusta", category),
                                               variants=variant)
    assert other_shop.slug == "kopi-robusta"  # addresses are per shop
    real = catalog_services._unique_slug
    stale = iter(["kopi-robusta"])
    monkeypatch.setattr(catalog_services, "_unique_slug", lambda **kw: next(stale, None) or real(**kw))
    second = catalog_services.product_save(shop=shop, fields=product_fields("Kopi Robusta", category),
                                           variants=variant)
    assert second.slug == "kopi-robusta-2"  # taken under its feet: the constraint said so, the next counter
    assert second.variants.count() == 1
