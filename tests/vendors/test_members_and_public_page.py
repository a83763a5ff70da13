import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plazabanten.models import AuditLog, OutboxMessage
from tests.factories import make_product, make_shop, make_user
from vendors import services
from vendors.models import Shop, ShopMember

from .helpers import image_bytes, make_complete_draft, make_verifikator

pytestmark = pytest.mark.django_db


def test_owner_invites_staff_who_accepts_and_can_then_switch_between_shops(client):
    shop_a, shop_b = make_shop(name="Kopi Baduy"), make_shop(name="Emping Menes")
    staff = make_user(email="dewi@example.test")
    services.shop_member_invite(shop=shop_b, actor=shop_b.owner, email="dewi@example.test", role="finance")

    client.force_login(shop_a.owner)
    response = client.post(reverse("vendors:members", args=[shop_a.pk]),
                           {"email": "Dewi@Example.test", "role": "operations"})
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(recipient=staff, subject__contains="Kopi Baduy").exists()
    assert AuditLog.objects.filter(action="shop.member_invite", target_id=str(shop_a.pk)).exists()

    client.force_login(staff)
    page = client.get(reverse("vendors:seller_home")).content.decode()
    assert "Kopi Baduy" in page and "Emping Menes" in page
    for invitation in staff_invitations(staff):
        client.post(reverse("vendors:seller_home"), {"invitation": invitation})
    roles = dict(ShopMember.objects.filter(user=staff).values_list("shop__name", "role"))
    assert roles == {"Kopi Baduy": "operations", "Emping Menes": "finance"}
    page = client.get(reverse("vendors:seller_home")).content.decode()
    assert "Terima undangan" not in page
    assert f'href="/penjual/{shop_b.pk}/bank/"' in page  # finance looks after the payout account
    assert f'href="/penjual/{shop_a.pk}/bank/"' not in page


def staff_invitations(user):
    from vendors.selectors import invitations_for

    return [invitation.pk for invitation in invitations_for(user=user)]


def test_each_role_reaches_only_its_part(client):
    shop = make_complete_draft()
    operations, finance = make_user(), make_user()
    ShopMember.objects.create(shop=shop, user=operations, role="operations")
    ShopMember.objects.create(shop=shop, user=finance, role="finance")
    client.force_login(operations)  # a member of the shop: a page beyond the role is forbidden, not unknown
    assert client.get(reverse("vendors:step", args=[shop.pk, "identity"])).status_code == 403
    assert client.get(reverse("vendors:step", args=[shop.pk, "bank"])).status_code == 403
    assert client.get(reverse("vendors:members", args=[shop.pk])).status_code == 403
    assert client.get(reverse("vendors:status", args=[shop.pk])).status_code == 200
    client.force_login(finance)
    assert client.get(reverse("vendors:step", args=[shop.pk, "identity"])).status_code == 403
    response = client.post(reverse("vendors:step", args=[shop.pk, "bank"]),
                           {"bank": "bni", "number": "1234567890", "holder_name": shop.identity.owner_name})
    assert response.status_code == 302
    shop.bank_account.refresh_from_db()
    assert shop.bank_account.bank == "bni"


def test_shop_a_member_gets_404_on_shop_b_members(client):
    shop_a, shop_b = make_shop(), make_shop()
    client.force_login(shop_a.owner)
    assert client.get(reverse("vendors:members", args=[shop_b.pk])).status_code == 404
    assert client.post(reverse("vendors:members", args=[shop_b.pk]), {"email": "x@example.test",
                                                                        "role": "admin"}).status_code == 404
    owner_b = shop_b.members.get()
    assert client.post(reverse("vendors:member_remove", args=[shop_b.pk, owner_b.pk])).status_code == 404
    assert shop_b.members.count() == 1


def test_owner_cannot_be_removed_and_an_existing_member_cannot_be_invited_again(client):
    shop = make_shop()
    client.force_login(shop.owner)
    response = client.post(reverse("vendors:members", args=[shop.pk]), {"email": shop.owner.email, "role": "admin"})
    assert response.status_code == 422 and "sudah menjadi anggota" in response.content.decode()
    owner = shop.members.get()
    assert client.post(reverse("vendors:member_remove", args=[shop.pk, owner.pk])).status_code == 409
    assert shop.members.count() == 1


def test_public_shop_page_shows_the_badge_class_products_and_whatsapp(client):
    shop = make_shop(name="Batik Krakatau", whatsapp="+6281234567890", umkm_class="kecil", rating_avg=4.5,
                     rating_count=12)
    make_product(shop=shop, name="Kain Batik Krakatau")
    page = client.get(reverse("catalog:shop", args=[shop.slug])).content.decode()
    for text in ("Batik Krakatau", "Terverifikasi Pemprov Banten", "Usaha Kecil", "Kota Tangerang Selatan",
                 "★ 4,5", "Bergabung sejak", "Kain Batik Krakatau", "https://wa.me/6281234567890?text=Halo"):
        assert text in page, text


@pytest.mark.parametrize("status", [Shop.Status.DRAFT, Shop.Status.SUBMITTED, Shop.Status.SUSPENDED,
                                    Shop.Status.REJECTED])
def test_public_shop_page_is_only_for_verified_shops(client, status):
    shop = make_shop(status=status)
    assert client.get(reverse("catalog:shop", args=[shop.slug])).status_code == 404


def test_public_shop_page_query_count_does_not_grow_with_products(client, django_assert_max_num_queries):
    shop = make_shop()
    for _ in range(6):
        make_product(shop=shop)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("catalog:shop", args=[shop.slug])).status_code == 200


def test_logo_is_stored_under_a_random_name(client):
    owner = make_user()
    shop = services.shop_create_draft(owner=owner, name="Logo", slug="logo")
    client.force_login(owner)
    from regions.models import Region

    desa = Region.objects.filter(code__startswith="36.73.", level=4).first()
    from catalog.models import Category

    category = Category.objects.create(name="Kerajinan", slug="kerajinan", level=1)
    response = client.post(reverse("vendors:step", args=[shop.pk, "profile"]), {
        "name": "Logo", "slug": "logo", "region_4": desa.code, "street": "Jl. 1", "whatsapp": "081234567890",
        "categories": [category.pk], "logo": SimpleUploadedFile("../saya punya logo.png", image_bytes("PNG"))})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.logo.name.startswith("shops/logos/") and "saya" not in shop.logo.name


def test_console_queue_query_count_is_flat(client, django_assert_max_num_queries):
    for _ in range(5):
        shop = make_complete_draft()
        services.shop_submit(shop=shop, actor=shop.owner)
    client.force_login(make_verifikator())
    with django_assert_max_num_queries(8):
        assert client.get(reverse("vendors:console_queue")).status_code == 200
