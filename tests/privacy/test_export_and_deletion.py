"""A person downloads their own data as a ZIP of JSON, and deletes their account: personal data erased or
anonymised, the records the law keeps (orders and invoices, ledger, audit) still there with the name replaced;
refused with the reason while an order, a balance or a payout is open."""

import io
import json
import os
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import Address, User
from orders.models import CheckoutGroup, Order, Review
from payments.ledger import ledger_check_invariants, shop_balances
from payments.services import orders_settle, payment_start
from plazabanten.models import AuditLog
from tests.factories import DEFAULT_PASSWORD, make_user, order_walk
from tests.payments.conftest import notify, place_checkout, sandbox_body, sandbox_set
from tests.vendors.helpers import make_complete_draft
from vendors.models import Shop, ShopBankAccount, ShopDocument, ShopIdentity

pytestmark = pytest.mark.django_db


def paid_and_completed(client, *, buyer=None):
    """A buyer's order, paid through the sandbox, delivered, completed and settled to the shop."""
    group = place_checkout(prices=(150000,), buyer=buyer or make_user(name="Rina Wulandari", phone="+6281299990000"))
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}
    order = order_walk(group.orders.get(), Order.Status.COMPLETED)
    orders_settle()
    Review.objects.create(line=order.lines.get(), product=order.lines.get().variant.product, buyer=group.buyer,
                          rating=5, text="Kainnya halus, Bu Rina dari Serang puas")
    return Order.objects.get(pk=order.pk)


def test_the_download_is_a_zip_of_the_persons_data_after_the_password(client):
    order = paid_and_completed(client)
    buyer = order.buyer
    client.force_login(buyer)
    assert client.get(reverse("privacy:my_data")).status_code == 200
    wrong = client.post(reverse("privacy:export"), {"export-password": "salah"})
    assert wrong.status_code == 400 and "Kata sandi salah." in wrong.text
    response = client.post(reverse("privacy:export"), {"export-password": DEFAULT_PASSWORD})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="plazabanten-data-saya-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    assert data["akun.json"]["email"] == buyer.email and data["akun.json"]["phone"] == "+6281299990000"
    assert data["alamat.json"][0]["street"] == "Jl. Pahlawan Seribu 1"
    assert data["pesanan.json"][0]["number"] == order.number and data["pesanan.json"][0]["total"] == order.total
    assert data["pesanan.json"][0]["lines"][0]["quantity"] == 1
    assert data["ulasan.json"][0]["rating"] == 5


def test_an_open_order_refuses_the_deletion_with_its_number_and_changes_nothing(client):
    group = place_checkout(prices=(15000,))
    buyer, order = group.buyer, group.orders.get()
    client.force_login(buyer)
    page = client.get(reverse("privacy:my_data")).text
    assert order.number in page  # said before the person even tries
    response = client.post(reverse("privacy:delete"), {"delete-password": DEFAULT_PASSWORD, "delete-confirm": "on"})
    assert response.status_code == 409
    assert "Masih ada pesanan yang belum selesai" in response.text and order.number in response.text
    buyer.refresh_from_db()
    assert buyer.is_active and buyer.name != "" and Address.objects.filter(user=buyer).exists()
    assert not AuditLog.objects.filter(action="account.deleted").exists()


def test_a_shop_with_money_waiting_refuses_its_owners_deletion(client):
    order = paid_and_completed(client)
    owner = order.shop.owner
    assert shop_balances(shop_id=order.shop_id)["available"] > 0
    client.force_login(owner)
    response = client.post(reverse("privacy:delete"), {"delete-password": DEFAULT_PASSWORD, "delete-confirm": "on"})
    assert response.status_code == 409 and "masih punya saldo" in response.text
    assert Shop.objects.get(pk=order.shop_id).status == Shop.Status.VERIFIED


def test_the_wrong_password_or_no_confirmation_deletes_nothing(client):
    user = make_user()
    client.force_login(user)
    assert client.post(reverse("privacy:delete"), {"delete-password": "salah", "delete-confirm": "on"}
                       ).status_code == 400
    assert client.post(reverse("privacy:delete"), {"delete-password": DEFAULT_PASSWORD}).status_code == 400
    assert User.objects.get(pk=user.pk).is_active


def test_deleting_a_buyer_erases_the_person_and_keeps_the_order_invoice_and_ledger_without_the_name(client):
    order = paid_and_completed(client)
    buyer = order.buyer
    email = buyer.email
    client.force_login(buyer)
    response = client.post(reverse("privacy:delete"), {"delete-password": DEFAULT_PASSWORD, "delete-confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("catalog:home")
    assert "_auth_user_id" not in client.session
    # Erased or anonymised
    buyer = User.objects.get(pk=buyer.pk)
    assert buyer.name == f"Pengguna dihapus #{buyer.pk}" and buyer.phone == "" and not buyer.is_active
    assert email not in buyer.email and not buyer.has_usable_password()
    assert not Address.objects.filter(user=buyer).exists() and not EmailAddress.objects.filter(email=email).exists()
    assert not client.login(email=email, password=DEFAULT_PASSWORD)
    snapshot = CheckoutGroup.objects.get(pk=order.group_id).address
    assert snapshot["recipient"] == buyer.name and snapshot["phone"] == "" and snapshot["street"] == ""
    review = Review.objects.get(buyer=buyer)
    assert review.rating == 5 and review.text == ""
    # Kept: the order with its invoice number and totals, the ledger, the audit trail
    kept = Order.objects.get(pk=order.pk)
    assert (kept.invoice_number, kept.total, kept.status) == (order.invoice_number, order.total, order.status)
    assert ledger_check_invariants() == []
    assert AuditLog.objects.filter(action="account.deleted", target_id=str(buyer.pk)).exists()
    client.force_login(kept.shop.owner)  # the seller's copy of the invoice now names nobody
    invoice = client.get(reverse("orders:shop_detail", args=[kept.shop_id, kept.number])).text
    assert "Rina Wulandari" not in invoice and f"Pengguna dihapus #{buyer.pk}" in invoice


def test_deleting_a_shop_owner_closes_the_shop_erases_the_ktp_and_nik_and_keeps_the_business_papers(
        client, django_capture_on_commit_callbacks):
    shop = make_complete_draft()
    ktp = shop.documents.get(kind="ktp")
    ktp_path = ktp.file.storage.path(ktp.file.name)
    client.force_login(shop.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:delete"), {"delete-password": DEFAULT_PASSWORD,
                                                           "delete-confirm": "on"})
    assert response.status_code == 302
    shop.refresh_from_db()
    identity = ShopIdentity.objects.get(shop=shop)
    assert shop.status == Shop.Status.CLOSED and shop.whatsapp == ""
    assert identity.owner_nik == "" and identity.owner_name == f"Pengguna dihapus #{shop.owner_id}"
    assert identity.nib == "9120001234567"  # the business's number, kept with its tax records
    assert sorted(ShopDocument.objects.filter(shop=shop).values_list("kind", flat=True)) == ["nib", "npwp"]
    assert not ShopBankAccount.objects.filter(shop=shop).exists()
    assert AuditLog.objects.filter(action="shop.closed_account_deleted", target_id=str(shop.pk)).exists()
    assert not os.path.exists(ktp_path)  # the file went once the deletion committed
