"""A verified shop edits its profile at once; a new bank account waits for the verifikator and payouts keep going
to the verified one until then."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Category
from payments.services import payout_request
from plazabanten.models import AuditLog, OutboxMessage
from regions.models import Region
from tests.browser import log_in
from tests.factories import make_user
from vendors import services
from vendors.models import Shop, ShopBankAccount, ShopBankChange, ShopMember

from .helpers import image_bytes, make_complete_draft, make_verifikator


def verified_shop() -> Shop:
    shop = make_complete_draft()
    services.shop_submit(shop=shop, actor=shop.owner)
    services.shop_verify(shop=shop, actor=make_verifikator())
    shop.refresh_from_db()
    return shop


def profile_post(shop, **changes) -> dict:
    desa = Region.objects.filter(code__startswith="36.73.", level=4).order_by("code").first()
    category = Category.objects.get_or_create(slug="kerajinan", defaults={"name": "Kerajinan", "level": 1})[0]
    return {"name": "Batik Rangkasbitung Asli", "slug": shop.slug, "description": "Batik tulis dan cap sejak 1998",
            "region_4": desa.code, "street": "Jl. Sudirman 9", "postal_code": "42111",
            "whatsapp": "0812 9999 0000", "categories": [category.pk], **changes}


@pytest.mark.django_db
def test_verified_shop_edits_its_profile_without_a_new_verification(client):
    shop = verified_shop()
    client.force_login(shop.owner)
    page = client.get(reverse("vendors:step", args=[shop.pk, "profile"])).content.decode()
    assert "Simpan profil" in page and "tanpa verifikasi ulang" in page
    response = client.post(reverse("vendors:step", args=[shop.pk, "profile"]), profile_post(
        shop, slug="alamat-baru", logo=SimpleUploadedFile("logo.png", image_bytes("PNG"))))
    assert response.status_code == 302
    shop.refresh_from_db()
    assert (shop.status, shop.name, shop.whatsapp, shop.kabkota_id) == (
        Shop.Status.VERIFIED, "Batik Rangkasbitung Asli", "+6281299990000", "36.73")
    assert shop.slug != "alamat-baru" and shop.logo.name.startswith("shops/logos/")  # the URL stays
    audit = AuditLog.objects.filter(action="shop.update_profile").latest("pk")
    assert audit.actor == shop.owner and audit.after["name"] == "Batik Rangkasbitung Asli"
    assert "Batik Rangkasbitung Asli" in client.get(reverse("catalog:shop", args=[shop.slug])).content.decode()


@pytest.mark.django_db
def test_bad_profile_input_is_refused_next_to_the_field_and_nothing_changes(client):
    shop = verified_shop()
    client.force_login(shop.owner)
    response = client.post(reverse("vendors:step", args=[shop.pk, "profile"]),
                           profile_post(shop, name="", logo=SimpleUploadedFile("logo.png", b"not an image")))
    assert response.status_code == 422
    assert Shop.objects.get(pk=shop.pk).name == "Batik Rangkasbitung"
    with pytest.raises(ValidationError):
        services.shop_update_profile(shop=shop, actor=shop.owner, name="X", slug="lain", description="",
                                     region=shop.region, street="", postal_code="", whatsapp="", categories=[])
    assert Shop.objects.get(pk=shop.pk).slug == shop.slug


@pytest.mark.django_db
def test_suspended_shops_and_other_identity_steps_stay_locked(client):
    shop = verified_shop()
    client.force_login(shop.owner)
    identity = client.get(reverse("vendors:step", args=[shop.pk, "identity"])).content.decode()
    assert "tidak bisa diubah sekarang" in identity and "Simpan &amp; lanjut" not in identity
    services.shop_suspend(shop=shop, actor=make_verifikator(), reason="Produk palsu")
    response = client.post(reverse("vendors:step", args=[shop.pk, "profile"]), profile_post(shop))
    assert response.status_code == 409 and Shop.objects.get(pk=shop.pk).name == "Batik Rangkasbitung"


@pytest.mark.django_db
def test_new_bank_account_waits_for_the_verifikator_and_payouts_keep_the_old_one(client):
    shop = verified_shop()
    finance = make_user()
    ShopMember.objects.create(shop=shop, user=finance, role=ShopMember.Role.FINANCE)
    client.force_login(finance)
    bad = client.post(reverse("vendors:step", args=[shop.pk, "bank"]),
                      {"bank": "bni", "number": "12ab", "holder_name": "Siti Aminah"})
    assert bad.status_code == 422 and "Nomor rekening 7–18 angka." in bad.content.decode()
    response = client.post(reverse("vendors:step", args=[shop.pk, "bank"]),
                           {"bank": "bni", "number": "9876543210", "holder_name": "Siti Aminah"})
    assert response.status_code == 302
    assert "Menunggu verifikasi" in client.get(reverse("vendors:step", args=[shop.pk, "bank"])).content.decode()
    assert ShopBankAccount.objects.get(shop=shop).number == "012301000123567"  # unchanged until approved
    assert OutboxMessage.objects.filter(recipient=shop.owner, subject__contains="menunggu verifikasi").exists()
    assert AuditLog.objects.get(action="shop.bank_change_request").actor == finance

    from payments.ledger import Line, ledger_post
    from payments.models import Account

    ledger_post(source_key="test-balance", description="saldo uji",  # give the shop money to draw
                lines=[Line(Account.CLEARING, 100000), Line(Account.SHOP_AVAILABLE, -100000, shop.pk)])
    before = payout_request(shop_id=shop.pk, amount=40000, actor=shop.owner)
    assert (before.bank, before.account_number) == ("bri", "012301000123567")

    judge = make_verifikator()
    client.force_login(judge)
    queue = client.get(reverse("vendors:console_bank_changes")).content.decode()
    assert "9876543210" in queue and "012301000123567" in queue and "Siti Aminah" in queue
    change = ShopBankChange.objects.get(shop=shop)
    client.post(reverse("vendors:console_bank_change_decide", args=[change.pk, "setujui"]))
    after = payout_request(shop_id=shop.pk, amount=40000, actor=shop.owner)
    assert (after.bank, after.account_number) == ("bni", "9876543210")
    assert AuditLog.objects.get(action="shop.bank_change_approve").actor == judge
    again = client.post(reverse("vendors:console_bank_change_decide", args=[change.pk, "tolak"]), {"reason": "x"})
    assert again.status_code == 409


@pytest.mark.django_db
def test_a_rejected_bank_account_needs_a_reason_and_changes_nothing(client):
    shop = verified_shop()
    change = services.shop_bank_change_request(shop=shop, actor=shop.owner, bank="bca", number="5550001112",
                                               holder_name="Orang Lain")
    client.force_login(make_verifikator())
    url = reverse("vendors:console_bank_change_decide", args=[change.pk, "tolak"])
    empty = client.post(url, {"reason": " "})
    assert empty.status_code == 422 and "Tuliskan alasan penolakan." in empty.content.decode()
    assert client.post(url, {"reason": "Nama rekening bukan pemilik toko"}).status_code == 302
    change.refresh_from_db()
    assert change.status == ShopBankChange.Status.REJECTED
    assert ShopBankAccount.objects.get(shop=shop).number == "012301000123567"
    client.force_login(shop.owner)
    assert "Nama rekening bukan pemilik toko" in client.get(
        reverse("vendors:step", args=[shop.pk, "bank"])).content.decode()


@pytest.mark.django_db
def test_bank_changes_are_for_the_shops_people_and_decisions_for_the_verifikator(client):
    shop, other = verified_shop(), verified_shop()
    change = services.shop_bank_change_request(shop=shop, actor=shop.owner, bank="bca", number="5550001112",
                                               holder_name="Siti Aminah")
    client.force_login(other.owner)
    assert client.post(reverse("vendors:step", args=[shop.pk, "bank"]),
                       {"bank": "bca", "number": "1112223334", "holder_name": "Pencuri"}).status_code == 404
    assert client.post(reverse("vendors:console_bank_change_decide", args=[change.pk, "setujui"])).status_code == 403
    client.force_login(make_verifikator())
    assert client.post(reverse("vendors:console_bank_change_decide", args=[999999, "setujui"])).status_code == 404
    assert client.post(reverse("vendors:console_bank_change_decide", args=[change.pk, "semua"])).status_code == 404
    assert ShopBankChange.objects.get(pk=change.pk).status == ShopBankChange.Status.PENDING
    # A second request replaces the pending one: only one waits at a time.
    services.shop_bank_change_request(shop=shop, actor=shop.owner, bank="bri", number="7778889990",
                                      holder_name="Siti Aminah")
    assert list(ShopBankChange.objects.filter(shop=shop).values_list("status", flat=True)) == ["replaced", "pending"]


@pytest.mark.django_db(transaction=True)
def test_two_verifikators_approving_at_once_apply_the_change_once():
    shop = verified_shop()
    change = services.shop_bank_change_request(shop=shop, actor=shop.owner, bank="bca", number="5550001112",
                                               holder_name="Siti Aminah")
    judges = [make_verifikator(), make_verifikator()]
    barrier, outcomes = threading.Barrier(2), []

    def decide(judge):
        barrier.wait()
        try:
            services.shop_bank_change_decide(change_id=change.pk, actor=judge, approve=True)
            outcomes.append("ok")
        except services.ShopStateError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(judge,)) for judge in judges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AuditLog.objects.filter(action="shop.bank_change_approve").count() == 1
    assert ShopBankAccount.objects.get(shop=shop).number == "5550001112"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_asks_for_a_new_account_and_the_verifikator_approves_it_on_a_phone(live_server, page, screenshot):
    from playwright.sync_api import expect

    shop = verified_shop()
    shop.owner.set_password("rahasia-123")
    shop.owner.save()
    judge = make_verifikator(password="rahasia-123")

    log_in(page, live_server.url, shop.owner.email)
    page.goto(f"{live_server.url}{reverse('vendors:status', args=[shop.pk])}")
    page.get_by_role("link", name="Ganti rekening").click()
    page.get_by_label("Bank").select_option("bni")
    page.get_by_label("Nomor rekening").fill("9876 5432 10")
    page.get_by_role("button", name="Ajukan rekening baru").click()
    expect(page.locator(".bank-change")).to_contain_text("Menunggu verifikasi")
    screenshot("seller-bank-pending")

    page.context.clear_cookies()
    log_in(page, live_server.url, judge.email)
    page.goto(f"{live_server.url}{reverse('vendors:console_bank_changes')}")
    expect(page.locator(".bank-change-card")).to_contain_text("9876543210")
    screenshot("verifikator-bank-changes")
    page.get_by_role("button", name="Setujui rekening baru").click()
    expect(page.locator(".msg").first).to_contain_text("Keputusan tersimpan")
    assert ShopBankAccount.objects.get(shop=shop).number == "9876543210"


@pytest.mark.django_db
def test_a_shop_that_moves_takes_its_products_to_the_new_kabkota_in_search_and_facets(
        client, django_capture_on_commit_callbacks):
    from catalog.selectors import ProductFilters, product_search
    from plazabanten.cache import storefront_generation
    from tests.catalog.test_facet_cells import cells, counted
    from tests.factories import make_category, make_product

    shop = verified_shop()  # in Kabupaten Lebak (36.02)
    category = make_category()
    products = [make_product(shop=shop, category=category, is_banten=True) for _ in range(3)]
    make_product(shop=shop, category=category, is_banten=True, status="draft")
    assert product_search(filters=ProductFilters(kabkota="36.02")).total == 3
    generation = storefront_generation()

    client.force_login(shop.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("vendors:step", args=[shop.pk, "profile"]), profile_post(shop))  # → 36.73
    assert response.status_code == 302
    assert set(shop.products.values_list("kabkota_id", "is_banten")) == {("36.73", True)}
    assert product_search(filters=ProductFilters(kabkota="36.02")).total == 0
    moved = product_search(filters=ProductFilters(kabkota="36.73"))
    assert {product.pk for product in moved.products} == {product.pk for product in products}
    assert [(facet.key, facet.count) for facet in product_search(filters=ProductFilters()).kabkota] == [("36.73", 3)]
    assert cells() == counted()
    assert storefront_generation() != generation  # cached storefront pages (product pages too) drop out

    # Out of Banten (the service takes any region): the products lose the "Produk Banten" mark, in one UPDATE.
    bandung = Region.objects.filter(code__startswith="32.73.", level=4).order_by("code").first()
    shop.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        services.shop_update_profile(shop=shop, actor=shop.owner, name=shop.name, slug=shop.slug, description="",
                                     region=bandung, street="Jl. Braga 1", postal_code="40111",
                                     whatsapp=shop.whatsapp, categories=[])
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "catalog_product"')]
    assert len(updates) == 1
    assert set(shop.products.values_list("kabkota_id", "is_banten")) == {("32.73", False)}
    assert product_search(filters=ProductFilters(banten=True)).total == 0
    assert product_search(filters=ProductFilters(kabkota="32.73")).total == 3
    assert cells() == counted()


@pytest.mark.django_db
def test_a_draft_shop_that_moves_in_the_wizard_takes_its_products_along():
    from tests.factories import make_product

    shop = make_complete_draft()  # 36.02
    product = make_product(shop=shop, is_banten=True)
    desa = Region.objects.filter(code__startswith="36.04.", level=4).order_by("code").first()
    services.shop_update_profile(shop=shop, actor=shop.owner, name=shop.name, slug=shop.slug, description="",
                                 region=desa, street="Jl. Raya 2", postal_code="42111", whatsapp=shop.whatsapp,
                                 categories=[])
    product.refresh_from_db()
    assert (product.kabkota_id, product.is_banten) == ("36.04", True)
