"""One person, admin of two shops: each shop's balance page shows that shop's own money."""

import pytest

from payments.ledger import ledger_release_for_order, shop_balances
from payments.models import Payout
from plazabanten.models import OutboxMessage
from vendors.models import ShopBankAccount, ShopMember

from .test_ledger import complete, paid_checkout

pytestmark = pytest.mark.django_db


def test_admin_of_two_shops_opens_both_balances_and_each_shows_its_own_numbers(client,
                                                                              django_capture_on_commit_callbacks):
    group = paid_checkout(client, prices=(15000, 250000))
    small, big = group.orders.get(subtotal=15000), group.orders.get(subtotal=250000)
    person = small.shop.owner
    ShopMember.objects.create(shop=big.shop, user=person, role=ShopMember.Role.ADMIN)
    complete(big)
    ledger_release_for_order(big.pk)
    ShopBankAccount.objects.create(shop=big.shop, bank="bca", number="1234567890", holder_name="Budi Santoso")
    client.force_login(person)

    first = client.get(f"/penjual/{small.shop_id}/saldo/").content.decode()
    second = client.get(f"/penjual/{big.shop_id}/saldo/").content.decode()
    assert '<p class="price big" id="balance-pending">Rp14.850</p>' in first  # 15.000 − 1% commission
    assert '<p class="price big" id="balance-available">Rp0</p>' in first
    assert '<p class="price big" id="balance-pending">Rp0</p>' in second
    assert '<p class="price big" id="balance-available">Rp247.500</p>' in second
    assert small.shop.name in first and big.shop.name in second

    # A payout from the second shop moves the second shop's money only.
    with django_capture_on_commit_callbacks(execute=True):  # the payout goes to the (sandbox) bank
        response = client.post(f"/penjual/{big.shop_id}/saldo/", {"amount": "200000"})
    assert response.status_code == 302 and response["Location"] == f"/penjual/{big.shop_id}/saldo/"
    assert Payout.objects.get().shop_id == big.shop_id
    assert shop_balances(shop_id=big.shop_id)["available"] == 47500
    assert shop_balances(shop_id=small.shop_id) == {"pending": 14850, "available": 0, "in_transit": 0}
    # The first shop has no bank account yet: its payout is refused there, the second shop's money untouched.
    refused = client.post(f"/penjual/{small.shop_id}/saldo/", {"amount": "10000"})
    assert refused.status_code == 400 and "Isi rekening bank toko terlebih dahulu." in refused.content.decode()
    assert shop_balances(shop_id=big.shop_id)["available"] == 47500
    # The bank's answer tells the owner, with a link to that shop's own balance page.
    payout = Payout.objects.get(status=Payout.Status.PROCESSING)
    assert client.post(f"/penjual/{small.shop_id}/saldo/sandbox/{payout.pk}/gagal/").status_code == 404
    client.post(f"/penjual/{big.shop_id}/saldo/sandbox/{payout.pk}/berhasil/")
    assert OutboxMessage.objects.filter(subject__contains="Pencairan").latest("pk").url == (
        f"/penjual/{big.shop_id}/saldo/")
