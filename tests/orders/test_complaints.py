import threading

import pytest
from django.db import connection

from accounts import roles
from accounts.services import user_grant_role
from orders.models import Order, OrderEvent
from orders.services import (
    ComplaintError,
    OrderTransitionError,
    complaint_accept,
    complaint_decide,
    complaint_escalate,
    complaint_reject,
    order_transition,
    orders_complaints_timeout,
)
from plazabanten.models import AuditLog, OutboxMessage
from tests.factories import make_product, make_shop, make_user, order_walk
from tests.orders.test_checkout import buy
from vendors.models import ShopMember

S = Order.Status


def complained_order(reason="Kain sobek di bagian tengah"):
    buyer = make_user(password="rahasia-123")
    order = buy(buyer, make_product(price=50000).variants.get()).orders.get()
    order_walk(order, to=S.COMPLAINT, reason=reason)
    return Order.objects.select_related("shop__owner", "buyer").get(pk=order.pk)


def verifikator():
    user = make_user(password="rahasia-123")
    user_grant_role(user=user, role=roles.VERIFIKATOR)
    return user


def status(order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


@pytest.mark.django_db
def test_shop_sees_the_open_complaint_and_accepting_it_refunds_the_order(client):
    order = complained_order()
    client.force_login(order.shop.owner)
    listing = client.get(f"/penjual/{order.shop_id}/pesanan/").content.decode()
    assert "1 komplain perlu dijawab" in listing and order.number in listing
    page = client.get(f"/penjual/{order.shop_id}/pesanan/{order.number}/").content.decode()
    assert "Kain sobek di bagian tengah" in page and "Terima & kembalikan Rp50.000" in page
    response = client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/komplain/terima/")
    assert response.status_code == 302 and status(order) == S.REFUNDED
    audit = AuditLog.objects.get(action="order.complaint_accept")
    assert (audit.actor, audit.before, audit.after) == (order.shop.owner, {"status": "complaint"},
                                                       {"status": "refunded"})
    assert OutboxMessage.objects.filter(recipient=order.buyer, subject__contains="Dana dikembalikan").exists()


@pytest.mark.django_db
def test_shop_rejects_with_a_reason_buyer_escalates_and_verifikator_decides(client):
    order = complained_order()
    client.force_login(order.shop.owner)
    empty = client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/komplain/tolak/", {"reason": "   "})
    assert empty.status_code == 400 and "Tuliskan alasannya." in empty.content.decode()
    assert status(order) == S.COMPLAINT and not OrderEvent.objects.filter(to_status=S.COMPLAINT_REJECTED).exists()
    client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/komplain/tolak/",
                {"reason": "Barang utuh saat dikemas"})
    assert status(order) == S.COMPLAINT_REJECTED

    client.force_login(order.buyer)
    page = client.get(f"/pesanan/{order.number}/").content.decode()
    assert "Barang utuh saat dikemas" in page and "Ajukan banding" in page
    assert client.post(f"/pesanan/{order.number}/komplain/banding/", {"reason": ""}).status_code == 400
    client.post(f"/pesanan/{order.number}/komplain/banding/", {"reason": "Saya punya foto sobekannya"})
    assert status(order) == S.COMPLAINT_ESCALATED

    client.force_login(verifikator())
    queue = client.get("/verifikasi/komplain/").content.decode()
    assert f'href="/verifikasi/komplain/{order.number}/"' in queue
    detail = client.get(f"/verifikasi/komplain/{order.number}/").content.decode()
    for text in ("Kain sobek di bagian tengah", "Barang utuh saat dikemas", "Saya punya foto sobekannya"):
        assert text in detail
    bad = client.post(f"/verifikasi/komplain/{order.number}/", {"decision": "refund", "reason": ""})
    assert bad.status_code == 400 and "Tuliskan alasan keputusan." in bad.content.decode()
    bad = client.post(f"/verifikasi/komplain/{order.number}/", {"decision": "semua", "reason": "x"})
    assert bad.status_code == 400 and "Keputusan tidak dikenal." in bad.content.decode()
    assert status(order) == S.COMPLAINT_ESCALATED
    done = client.post(f"/verifikasi/komplain/{order.number}/", {"decision": "close", "reason": "Foto tidak jelas"})
    assert done.status_code == 302 and status(order) == S.CLOSED
    assert f'href="/verifikasi/komplain/{order.number}/"' not in client.get("/verifikasi/komplain/").content.decode()
    again = client.post(f"/verifikasi/komplain/{order.number}/", {"decision": "refund", "reason": "Berubah pikiran"})
    assert again.status_code == 409 and "tidak bisa dilakukan" in again.content.decode()  # decided already
    assert status(order) == S.CLOSED
    assert [a.action for a in AuditLog.objects.filter(target_id=str(order.pk)).order_by("pk")] == [
        "order.paid", "order.accept", "order.ready_for_pickup", "order.picked_up", "order.complain",
        "order.complaint_reject", "order.complaint_escalate", "order.complaint_close"]
    assert OutboxMessage.objects.filter(recipient=order.shop.owner, subject__contains="Komplain ditutup").exists()


@pytest.mark.django_db
def test_other_shops_buyers_and_non_verifikators_get_404_or_403(client):
    order = complained_order()
    other_shop = make_shop()
    staff = make_user()
    ShopMember.objects.create(shop=other_shop, user=staff, role=ShopMember.Role.ADMIN)
    finance = make_user()
    ShopMember.objects.create(shop=order.shop, user=finance, role=ShopMember.Role.FINANCE)
    for user in (other_shop.owner, staff, order.buyer):
        client.force_login(user)
        assert client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/komplain/terima/").status_code == 404
    client.force_login(other_shop.owner)  # its own shop in the URL, this order's number
    assert client.post(f"/penjual/{other_shop.pk}/pesanan/{order.number}/komplain/terima/").status_code == 404
    client.force_login(finance)  # a member of the shop, but money is not orders
    assert client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/komplain/terima/").status_code == 403
    for user in (make_user(), order.shop.owner):
        client.force_login(user)
        assert client.post(f"/pesanan/{order.number}/komplain/tutup/").status_code == 404
    client.force_login(order.buyer)
    assert client.get(f"/verifikasi/komplain/{order.number}/").status_code == 403
    client.force_login(verifikator())
    # Not escalated: the verifikator has nothing to decide here yet.
    assert client.get(f"/verifikasi/komplain/{order.number}/").status_code == 404
    assert client.get("/verifikasi/komplain/PB000000DEAD/").status_code == 404
    assert status(order) == S.COMPLAINT


@pytest.mark.django_db
def test_steps_out_of_turn_are_refused_with_409_and_bad_services_input_writes_nothing(client):
    order = complained_order()
    audited = AuditLog.objects.filter(action__startswith="order.").count()  # every step so far wrote one
    client.force_login(order.buyer)
    assert client.post(f"/pesanan/{order.number}/komplain/banding/", {"reason": "Tidak sabar"}).status_code == 409
    with pytest.raises(ComplaintError):
        complaint_reject(order_id=order.pk, actor=order.shop.owner, reason=" ")
    with pytest.raises(ComplaintError):
        complaint_decide(order_id=order.pk, actor=order.buyer, refund=True, reason="Saya sendiri")
    with pytest.raises(OrderTransitionError):
        complaint_decide(order_id=order.pk, actor=verifikator(), refund=True, reason="Belum banding")
    with pytest.raises(OrderTransitionError):  # the buyer cannot play the shop
        order_transition(order_id=order.pk, to_status=S.REFUNDED, actor=order.buyer)
    assert status(order) == S.COMPLAINT and AuditLog.objects.filter(action__startswith="order.").count() == audited


@pytest.mark.django_db
def test_the_complaint_timeouts_escalate_silence_and_close_unappealed_rejections():
    from datetime import timedelta

    from django.utils import timezone

    silent, unappealed, fresh = complained_order(), complained_order(), complained_order()
    complaint_reject(order_id=unappealed.pk, actor=unappealed.shop.owner, reason="Sesuai foto produk")
    Order.objects.filter(pk__in=[silent.pk, unappealed.pk]).update(
        status_changed_at=timezone.now() - timedelta(days=4))
    assert orders_complaints_timeout() == 2
    assert (status(silent), status(unappealed), status(fresh)) == (S.COMPLAINT_ESCALATED, S.CLOSED, S.COMPLAINT)


def _race(action, times=2) -> list[str]:
    barrier, outcomes = threading.Barrier(times), []

    def worker():
        barrier.wait()
        try:
            action()
            outcomes.append("ok")
        except OrderTransitionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_accept_refunds_once():
    order = complained_order()
    assert _race(lambda: complaint_accept(order_id=order.pk, actor=order.shop.owner)) == ["ok", "refused"]
    assert OrderEvent.objects.filter(order=order, to_status=S.REFUNDED).count() == 1
    assert AuditLog.objects.filter(action="order.complaint_accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_three_clicks_on_a_verifikator_refund_decide_once_and_the_buyer_cannot_withdraw_after():
    from orders.services import complaint_withdraw

    order = complained_order()
    judge = verifikator()
    complaint_reject(order_id=order.pk, actor=order.shop.owner, reason="Barang utuh")
    complaint_escalate(order_id=order.pk, actor=order.buyer, reason="Ada bukti")
    outcomes = _race(lambda: complaint_decide(order_id=order.pk, actor=judge, refund=True, reason="Bukti kuat"), 3)
    assert outcomes == ["ok", "refused", "refused"]
    with pytest.raises(OrderTransitionError):
        complaint_withdraw(order_id=order.pk, actor=order.buyer)
    assert status(order) == S.REFUNDED
    assert OrderEvent.objects.filter(order=order, to_status=S.REFUNDED).count() == 1
