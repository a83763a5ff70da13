"""The lifecycle table: who may take each step (from the actor's relation to the order, never a parameter),
shipping with a normalised resi, courier orders delivered by tracking or at the longest estimate + 2 days,
the "Pesanan diterima" confirmation page and the complaint window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import roles
from accounts.services import user_grant_role
from orders.lifecycle import (
    TRANSITIONS,
    OrderActionInvalid,
    OrderTransitionError,
    order_actions_for,
    order_ship,
    order_transition,
)
from orders.models import Order, OrderEvent
from orders.services import orders_complete_delivered, orders_track_shipments
from orders.tracking import IN_TRANSIT, Checkpoint, Shipment, TrackingError, TrackingResult, sandbox_track
from plazabanten.models import AuditLog
from tests.factories import make_product, make_user, order_walk
from tests.orders.test_checkout import buy

pytestmark = pytest.mark.django_db
S = Order.Status

# (from, to, shipping method) → who may: written out by hand, so a change to the table has to change this too.
EXPECTED = [
    (S.AWAITING_PAYMENT, S.PAID, "pickup", {"system"}),
    (S.AWAITING_PAYMENT, S.EXPIRED, "pickup", {"system"}),
    (S.AWAITING_PAYMENT, S.CANCELLED, "pickup", {"buyer"}),
    (S.PAID, S.COMPLETED, "pengadaan", {"system"}),
    (S.PAID, S.COMPLETED, "pickup", set()),
    (S.PAID, S.ACCEPTED, "pickup", {"shop"}),
    (S.PAID, S.CANCELLED, "pickup", {"shop", "system"}),
    (S.ACCEPTED, S.SHIPPED, "jne:REG", {"shop"}),
    (S.ACCEPTED, S.SHIPPED, "pickup", set()),
    (S.ACCEPTED, S.READY_FOR_PICKUP, "pickup", {"shop"}),
    (S.ACCEPTED, S.READY_FOR_PICKUP, "jne:REG", set()),
    (S.ACCEPTED, S.CANCELLED, "jne:REG", {"shop", "system"}),
    (S.READY_FOR_PICKUP, S.DELIVERED, "pickup", {"shop", "buyer"}),
    (S.READY_FOR_PICKUP, S.CANCELLED, "pickup", {"shop", "system"}),
    (S.SHIPPED, S.DELIVERED, "own", {"shop", "system"}),
    (S.SHIPPED, S.DELIVERED, "jne:REG", {"system"}),
    (S.SHIPPED, S.COMPLETED, "jne:REG", {"buyer"}),
    (S.DELIVERED, S.COMPLETED, "jne:REG", {"buyer", "system"}),
    (S.DELIVERED, S.COMPLAINT, "jne:REG", {"buyer"}),
    (S.COMPLAINT, S.REFUNDED, "jne:REG", {"shop"}),
    (S.COMPLAINT, S.COMPLAINT_REJECTED, "jne:REG", {"shop"}),
    (S.COMPLAINT, S.CLOSED, "jne:REG", {"buyer"}),
    (S.COMPLAINT, S.COMPLAINT_ESCALATED, "jne:REG", {"system"}),
    (S.COMPLAINT_REJECTED, S.COMPLAINT_ESCALATED, "jne:REG", {"buyer"}),
    (S.COMPLAINT_REJECTED, S.CLOSED, "jne:REG", {"buyer", "system"}),
    (S.COMPLAINT_ESCALATED, S.REFUNDED, "jne:REG", {"verifikator"}),
    (S.COMPLAINT_ESCALATED, S.CLOSED, "jne:REG", {"verifikator"}),
    # Not in the table at all: nobody.
    (S.AWAITING_PAYMENT, S.SHIPPED, "jne:REG", set()),
    (S.COMPLETED, S.COMPLAINT, "jne:REG", set()),
    (S.CANCELLED, S.PAID, "pickup", set()),
    (S.DELIVERED, S.SHIPPED, "jne:REG", set()),
]
KINDS = ("buyer", "shop", "verifikator", "system", "stranger", "finance")


def test_every_transition_of_the_table_is_checked_here():
    assert {(t.source, t.target) for t in TRANSITIONS} <= {(a, b) for a, b, _m, _w in EXPECTED}


def order_in(status: str, method: str) -> Order:
    order = buy(make_user(), make_product(price=40000).variants.get()).orders.get()
    Order.objects.filter(pk=order.pk).update(status=status, shipping_method=method, status_changed_at=timezone.now(),
                                             courier="jne" if method.startswith("jne") else "",
                                             tracking_number="JP1234567890" if method.startswith("jne") else "")
    return Order.objects.select_related("shop__owner", "buyer").get(pk=order.pk)


def actor_of(order: Order, kind: str):
    from vendors.models import ShopMember

    if kind == "buyer":
        return order.buyer
    if kind == "shop":
        return order.shop.owner
    if kind == "verifikator":
        user = make_user()
        user_grant_role(user=user, role=roles.VERIFIKATOR)
        return user
    if kind == "finance":  # a member of the shop without an order role
        user = make_user()
        ShopMember.objects.create(shop=order.shop, user=user, role=ShopMember.Role.FINANCE)
        return user
    return None if kind == "system" else make_user()


def attempt(order: Order, to_status: str, actor) -> None:
    if to_status == S.SHIPPED:
        order_ship(order_id=order.pk, actor=actor, tracking="JP1234567890")
    else:
        order_transition(order_id=order.pk, to_status=to_status, actor=actor, note="Alasan uji")


@pytest.mark.parametrize(("source", "target", "method", "allowed"), EXPECTED,
                         ids=[f"{a}->{b}:{m}" for a, b, m, _w in EXPECTED])
def test_each_step_is_allowed_only_to_its_actor_kinds_and_a_refusal_writes_nothing(source, target, method,
                                                                                   allowed):
    for kind in KINDS:
        order = order_in(source, method)
        actor = actor_of(order, kind)
        events, audits = OrderEvent.objects.count(), AuditLog.objects.count()
        if kind in allowed:
            attempt(order, target, actor)
            order.refresh_from_db()
            assert order.status == target, kind
            event = order.events.order_by("-pk").first()
            assert (event.from_status, event.to_status, event.actor) == (source, target, actor)
            audit = AuditLog.objects.order_by("-pk").first()
            assert (audit.actor, audit.target_id, audit.before, audit.after["status"]) == (
                actor, str(order.pk), {"status": source}, target)
        else:
            with pytest.raises(OrderTransitionError):
                attempt(order, target, actor)
            assert Order.objects.get(pk=order.pk).status == source, kind
            assert (OrderEvent.objects.count(), AuditLog.objects.count()) == (events, audits), kind


def test_a_reason_is_required_where_the_table_says_so_and_nothing_is_written_without_it():
    order = order_in(S.PAID, "pickup")
    with pytest.raises(OrderActionInvalid, match="Tuliskan alasannya"):
        order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=order.shop.owner, note="  ")
    assert Order.objects.get(pk=order.pk).status == S.PAID
    order_transition(order_id=order.pk, to_status=S.CANCELLED, actor=order.shop.owner, note="Stok habis")
    assert Order.objects.get(pk=order.pk).reason == "Stok habis"


def test_the_buttons_come_from_the_table_for_each_side():
    order = order_in(S.PAID, "jne:REG")
    assert [a.slug for a in order_actions_for(order, order.shop.owner, side="shop")] == ["accept", "reject"]
    assert order_actions_for(order, order.buyer, side="buyer") == []
    assert order_actions_for(order, order.buyer, side="shop") == []  # the buyer is not the shop
    assert order_actions_for(order, make_user()) == []
    ready = order_in(S.READY_FOR_PICKUP, "pickup")
    assert [a.slug for a in order_actions_for(ready, ready.buyer, side="buyer")] == ["picked-up"]
    assert [a.slug for a in order_actions_for(ready, ready.shop.owner, side="shop")] == ["picked-up", "reject"]
    shipped = order_in(S.SHIPPED, "jne:REG")
    assert [a.slug for a in order_actions_for(shipped, shipped.shop.owner, side="shop")] == []  # tracking does it
    (received,) = order_actions_for(shipped, shipped.buyer, side="buyer")
    assert (received.slug, received.form, str(received.label)) == ("received", "confirm", "Pesanan diterima")


# --- the views: 403/404 for the wrong party, 409 for a second click ---------------------------------------


def test_a_buyer_posting_a_shop_action_gets_403_or_404_and_nothing_changes(client):
    order = order_in(S.PAID, "jne:REG")
    client.force_login(order.buyer)
    assert client.post(f"/pesanan/{order.number}/accept/").status_code == 403
    assert client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/accept/").status_code == 404
    assert client.post(f"/pesanan/{order.number}/reject/", {"reason": "x"}).status_code == 403
    assert client.post(f"/pesanan/{order.number}/no-such-action/").status_code == 404
    client.force_login(make_user())  # somebody else's order
    assert client.post(f"/pesanan/{order.number}/cancel/").status_code == 404
    assert Order.objects.get(pk=order.pk).status == S.PAID
    assert not order.events.exclude(to_status__in=[S.AWAITING_PAYMENT]).exists()


def test_a_second_click_is_a_409_with_a_message(client):
    order = order_in(S.PAID, "pickup")
    client.force_login(order.shop.owner)
    assert client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/accept/").status_code == 302
    again = client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/accept/")
    assert again.status_code == 409 and "tidak bisa dilakukan" in again.content.decode()
    assert client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/ready/").status_code == 302
    page = client.get(f"/penjual/{order.shop_id}/pesanan/{order.number}/").content.decode()
    assert "Siap diambil" in page and "Barang sudah diambil" in page


# --- shipping ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("jp 1234 5678 90", "JP1234567890"), ("JP-1234-5678-90", "JP1234567890"), ("cgk0012345678", "CGK0012345678"),
    (" 0021 2345 6789 ", "002123456789"), ("jne\u20131234\u20135678", "JNE12345678"),
])
def test_order_ship_normalises_the_resi_and_prefills_the_paid_courier(typed, stored):
    order = order_in(S.ACCEPTED, "jne:REG")
    order_ship(order_id=order.pk, actor=order.shop.owner, tracking=typed)
    order.refresh_from_db()
    assert (order.status, order.courier, order.tracking_number) == (S.SHIPPED, "jne", stored)
    assert order.events.order_by("-pk").first().note == f"Dikirim dengan JNE, resi {stored}."


@pytest.mark.parametrize("typed", ["", "12345", "JP12 34", "RESI#12345678", "Ö1234567890", "A" * 31])
def test_a_malformed_resi_is_refused_with_a_clear_message(typed):
    order = order_in(S.ACCEPTED, "jne:REG")
    with pytest.raises(OrderActionInvalid, match="8–30 huruf dan angka"):
        order_ship(order_id=order.pk, actor=order.shop.owner, tracking=typed)
    assert Order.objects.get(pk=order.pk).status == S.ACCEPTED


def test_own_courier_needs_no_resi_and_pickup_is_not_shipped():
    own = order_in(S.ACCEPTED, "own")
    order_ship(order_id=own.pk, actor=own.shop.owner, tracking="")
    own.refresh_from_db()
    assert (own.status, own.courier_name, own.tracking_number) == (S.SHIPPED, "Kurir toko", "")
    pickup = order_in(S.ACCEPTED, "pickup")
    with pytest.raises(OrderTransitionError, match="Siap diambil"):
        order_ship(order_id=pickup.pk, actor=pickup.shop.owner, tracking="JP1234567890")


def test_the_resi_shows_on_both_sides_after_shipping(client):
    order = order_in(S.ACCEPTED, "jne:REG")
    client.force_login(order.shop.owner)
    form = client.get(f"/penjual/{order.shop_id}/pesanan/{order.number}/").content.decode()
    assert '<option value="jne" selected>JNE</option>' in form
    response = client.post(f"/penjual/{order.shop_id}/pesanan/{order.number}/ship/", {"courier": "jne",
                                                                      "tracking_number": "jp 1234-5678-90"})
    assert response.status_code == 302
    assert "JP1234567890" in client.get(f"/penjual/{order.shop_id}/pesanan/{order.number}/").content.decode()
    client.force_login(order.buyer)
    assert "JP1234567890" in client.get(f"/pesanan/{order.number}/").content.decode()


# --- courier orders finish by themselves -----------------------------------------------------------------


def shipped_jne_order() -> Order:
    order = buy(make_user(), make_product(price=40000).variants.get(), method="jne:REG").orders.get()
    return order_walk(order, to=S.SHIPPED, resi="JP 0001-2345-67")


def test_the_sandbox_tracker_moves_a_parcel_by_the_clock_alone():
    shipped_at = timezone.now()
    parcel = Shipment(resi="JP1234567890", courier="jne", shipped_at=shipped_at)
    assert sandbox_track(parcel, now=shipped_at + timedelta(minutes=14), minutes=60).checkpoints == []
    statuses = [c.status for c in sandbox_track(parcel, now=shipped_at + timedelta(minutes=31), minutes=60).checkpoints]
    assert statuses == ["picked_up", "in_transit"]
    done = sandbox_track(parcel, now=shipped_at + timedelta(minutes=60), minutes=60)
    assert done.delivered.at == shipped_at + timedelta(minutes=60)
    assert done == sandbox_track(parcel, now=shipped_at + timedelta(minutes=60), minutes=60)


def test_a_courier_order_is_delivered_by_tracking_then_completes_after_the_window(settings):
    settings.COURIER_TRACKER, settings.SANDBOX_TRACKING_MINUTES = "sandbox", 60
    order = shipped_jne_order()
    shipped_at = order.status_changed_at
    assert orders_track_shipments(now=shipped_at + timedelta(minutes=59)) == 0
    assert orders_track_shipments(now=shipped_at + timedelta(minutes=61)) == 1
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    event = order.events.order_by("-pk").first()
    assert event.actor is None and event.note.startswith("Sampai menurut pelacakan JNE: Paket diterima")
    assert AuditLog.objects.filter(action="order.deliver", actor=None, target_id=str(order.pk)).exists()
    assert orders_track_shipments(now=shipped_at + timedelta(days=30)) == 0  # once
    assert orders_complete_delivered(now=timezone.now() + timedelta(days=3, minutes=1)) == 1
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED


class Stuck:
    """A tracker whose parcel never says delivered (or that is down)."""

    def __init__(self, fail=False):
        self.fail, self.calls = fail, 0

    def track(self, shipment, *, now=None):
        self.calls += 1
        if self.fail:
            raise TrackingError("timeout")
        return TrackingResult(checkpoints=[Checkpoint(status=IN_TRANSIT, at=shipment.shipped_at)])


@pytest.mark.parametrize("tracker", [Stuck(), Stuck(fail=True), None], ids=["in-transit", "down", "none"])
def test_without_a_delivered_checkpoint_the_order_counts_as_delivered_at_the_longest_estimate_plus_two_days(
        tracker, settings):
    settings.COURIER_TRACKER = "none"
    order = shipped_jne_order()  # JNE REG within Kota Tangerang Selatan: 1–2 days, so delivered after 4
    shipped_at = order.status_changed_at
    assert orders_track_shipments(now=shipped_at + timedelta(days=3, hours=23), tracker=tracker) == 0
    assert orders_track_shipments(now=shipped_at + timedelta(days=4, minutes=1), tracker=tracker) == 1
    order.refresh_from_db()
    assert order.status == S.DELIVERED
    assert "4 hari sejak dikirim (estimasi terlama + 2 hari)" in order.events.order_by("-pk").first().note


# --- "Pesanan diterima" on a page of its own, and the complaint window --------------------------------------


def test_pesanan_diterima_asks_on_its_own_page_and_only_the_confirmed_post_completes(client):
    order = order_in(S.DELIVERED, "jne:REG")
    client.force_login(order.buyer)
    detail = client.get(f"/pesanan/{order.number}/").content.decode()
    assert f'href="/pesanan/{order.number}/received/"' in detail
    page = client.get(f"/pesanan/{order.number}/received/")
    text = page.content.decode()
    assert page.status_code == 200
    assert ("Dengan menekan tombol ini, dana diteruskan ke penjual dan Anda tidak bisa mengajukan komplain lagi."
            in text)
    assert "<script" not in text.split("<main", 1)[-1]  # nothing inline (CSP)
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED  # looking changes nothing
    unconfirmed = client.post(f"/pesanan/{order.number}/received/")
    assert unconfirmed.status_code == 302 and unconfirmed["Location"] == f"/pesanan/{order.number}/received/"
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED
    assert client.post(f"/pesanan/{order.number}/received/", {"confirm": "1"}).status_code == 302
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED
    again = client.post(f"/pesanan/{order.number}/received/", {"confirm": "1"})
    assert again.status_code == 409
    assert client.get(f"/pesanan/{order.number}/accept/").status_code == 403


def test_received_while_in_transit_goes_through_the_same_page(client):
    order = order_in(S.SHIPPED, "jne:REG")
    client.force_login(order.buyer)
    page = client.get(f"/pesanan/{order.number}/received/").content.decode()
    assert "masih dalam perjalanan" in page and "tidak bisa mengajukan komplain lagi" in page
    client.post(f"/pesanan/{order.number}/received/", {"confirm": "1"})
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED


def test_the_buyer_may_complain_from_delivered_until_the_window_closes(client, settings):
    settings.ORDER_COMPLAINT_DAYS = 3
    order = order_in(S.DELIVERED, "jne:REG")
    client.force_login(order.buyer)
    detail = client.get(f"/pesanan/{order.number}/").content.decode()
    assert "Ajukan komplain" in detail and "Bisa diajukan sampai" in detail
    Order.objects.filter(pk=order.pk).update(status_changed_at=timezone.now() - timedelta(days=3, minutes=1))
    assert "Ajukan komplain" not in client.get(f"/pesanan/{order.number}/").content.decode()
    late = client.post(f"/pesanan/{order.number}/complain/", {"reason": "Barang rusak"})
    assert late.status_code == 409 and "Masa komplain sudah berakhir" in late.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED
    fresh = order_in(S.DELIVERED, "jne:REG")
    client.force_login(fresh.buyer)
    assert client.post(f"/pesanan/{fresh.number}/complain/", {"reason": ""}).status_code == 400
    assert client.post(f"/pesanan/{fresh.number}/complain/", {"reason": "Barang rusak"}).status_code == 302
    assert Order.objects.get(pk=fresh.pk).status == S.COMPLAINT
