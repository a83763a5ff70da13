import pytest
from django.urls import reverse

from accounts import roles
from accounts.services import user_grant_role
from catalog.models import Product
from plazabanten.models import AuditLog, OutboxMessage
from tests.factories import make_product, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def verifikator(client):
    user = make_user()
    user_grant_role(user=user, role=roles.VERIFIKATOR)
    client.force_login(user)
    return user


def product_url(product: Product) -> str:
    return reverse("catalog:product", args=[product.shop.slug, product.slug])


def test_verifikator_takes_a_product_down_and_restores_it(client, verifikator, django_capture_on_commit_callbacks):
    product = make_product(name="Batik Tiruan Cap Printing")
    anonymous = client.__class__()
    assert anonymous.get(product_url(product)).status_code == 200  # now in the page cache
    assert b"Batik Tiruan" in anonymous.get("/cari/?q=batik", headers={"HX-Request": "true"}).content

    url = reverse("catalog:product_moderation", args=[product.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "take_down", "reason": "Foto produk melanggar hak cipta motif."})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == Product.Status.TAKEN_DOWN
    audit = AuditLog.objects.get(action="product.take_down")
    assert (audit.actor, audit.before, audit.after) == (verifikator, {"status": "active"}, {"status": "taken_down"})
    assert "hak cipta" in audit.reason
    notice = OutboxMessage.objects.get(recipient=product.shop.owner)
    assert "diturunkan" in notice.subject and "hak cipta" in notice.body
    assert anonymous.get(product_url(product)).status_code == 404  # the cached page was dropped at once
    # ...and so were the cached results that listed it (regression: they showed it until they expired)
    assert b"Batik Tiruan" not in anonymous.get("/cari/?q=batik", headers={"HX-Request": "true"}).content

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "restore", "reason": "Penjual mengganti foto dengan karya sendiri."})
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE
    assert AuditLog.objects.filter(action="product.restore").count() == 1
    assert anonymous.get(product_url(product)).status_code == 200


def test_moderation_needs_a_reason_and_a_valid_step(client, verifikator):
    product = make_product()
    url = reverse("catalog:product_moderation", args=[product.pk])
    response = client.post(url, {"action": "take_down", "reason": "jelek"})
    assert response.status_code == 422
    assert "minimal 10 karakter" in response.content.decode()
    response = client.post(url, {"action": "restore", "reason": "Produk ini tidak pernah diturunkan."})
    assert response.status_code == 409
    assert client.post(url, {"action": "hapus", "reason": "Tindakan yang tidak ada sama sekali."}).status_code == 400
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE
    assert not AuditLog.objects.exists() and not OutboxMessage.objects.exists()


def test_only_a_verifikator_may_moderate(client):
    product = make_product()
    client.force_login(product.shop.owner)
    url = reverse("catalog:product_moderation", args=[product.pk])
    assert client.post(url, {"action": "take_down", "reason": "Saya ingin menurunkan produk pesaing."}
                       ).status_code == 403
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE
