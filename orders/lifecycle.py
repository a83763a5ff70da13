"""The order lifecycle: one table of transitions drives the service, the view actions and the buttons.

Who may move an order is never a parameter: it follows from the actor's relation to the order (the buyer, a
member of the shop with an order role, a verifikator; no actor is the system — beat jobs and payments).
Every transition locks the order row, writes an OrderEvent and an audit row, and notifies the other side.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from plazabanten.money import format_rupiah
from plazabanten.services import audit_record, outbox_enqueue
from plazabanten.transitions import Transition, transition, transition_pick
from vendors.models import Capability
from vendors.selectors import shop_scope

from .models import Order, OrderEvent, SystemNote
from .numbers import invoice_number_next
from .stock import stock_follow_order

S = Order.Status
BUYER, SHOP, VERIFIKATOR, SYSTEM = "buyer", "shop", "verifikator", "system"
KINDS = (SHOP, BUYER, VERIFIKATOR, SYSTEM)  # the order in which an actor with two relations is named


class OrderTransitionError(Exception):
    """The order is not in a state that allows this action (409)."""


class OrderActionForbidden(OrderTransitionError):
    """This person may not do this to this order, whatever its state (403)."""


class OrderActionInvalid(OrderTransitionError):
    """Bad input for the action: a missing reason, a malformed resi (400). Nothing was written."""


# --- guards: a guard returns why the transition cannot happen now, or None --------------------------------


def _not_pickup(order: Order, now: datetime) -> str | None:
    if order.shipping_method == "pickup":
        return _("Pesanan ambil di toko tidak dikirim: tandai “Siap diambil”.")
    return None


def _pickup(order: Order, now: datetime) -> str | None:
    if order.shipping_method != "pickup":
        return _("Hanya pesanan ambil di toko yang ditandai siap diambil.")
    return None


def _own_courier(order: Order, now: datetime) -> str | None:
    if order.shipping_method != "own":
        return _("Hanya pengiriman kurir toko yang ditandai sampai oleh penjual; pesanan kurir sampai menurut "
                 "pelacakan resi.")
    return None


GOVERNMENT = "pengadaan"  # the shipping_method of the order a government package is paid through (procurement/)


def _government(order: Order, now: datetime) -> str | None:
    if order.shipping_method != GOVERNMENT:
        return _("Hanya pesanan pengadaan pemerintah yang selesai saat dibayar.")
    return None


def _not_government(order: Order, now: datetime) -> str | None:
    if order.shipping_method == GOVERNMENT:
        return _("Tagihan pengadaan pemerintah tidak dibatalkan di sini.")
    return None


def complaint_deadline(order: Order) -> datetime:
    """A delivered order may be complained about until this moment (then it completes by itself)."""
    return order.status_changed_at + timedelta(days=settings.ORDER_COMPLAINT_DAYS)


def _complaint_window_open(order: Order, now: datetime) -> str | None:
    deadline = complaint_deadline(order)
    if now >= deadline:
        return _("Masa komplain sudah berakhir pada %(date)s.") % {
            "date": date_format(timezone.localtime(deadline), "j F Y H:i")}
    return None


# --- the table ---------------------------------------------------------------------------------------------


_t = transition

L = gettext_lazy
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.AWAITING_PAYMENT, S.PAID, {SYSTEM}, "order.paid"),
    _t(S.AWAITING_PAYMENT, S.EXPIRED, {SYSTEM}, "order.expire"),
    _t(S.AWAITING_PAYMENT, S.CANCELLED, {BUYER}, "order.cancel", slug="cancel", label=L("Batalkan pesanan"),
       note=gettext_noop("Dibatalkan pembeli."), guard=_not_government),
    # A government package's order is created after its BAST (the goods were delivered, inspected and handed
    # over): paid, it is complete, and the shop's money is released like any completed order's.
    _t(S.PAID, S.COMPLETED, {SYSTEM}, "order.complete_government", guard=_government),
    _t(S.PAID, S.ACCEPTED, {SHOP}, "order.accept", slug="accept", label=L("Terima & kemas"), style="primary"),
    # Rejected by the shop with a reason; the system cancels when the shop did not accept in time or the bank
    # reversed the payment.
    _t(S.PAID, S.CANCELLED, {SHOP, SYSTEM}, "order.reject", slug="reject", label=L("Tolak pesanan"),
       reason_required=True, form="reason", style="danger"),
    _t(S.ACCEPTED, S.SHIPPED, {SHOP}, "order.ship", slug="ship", label=L("Kirim"), guard=_not_pickup,
       form="ship", style="primary"),
    _t(S.ACCEPTED, S.READY_FOR_PICKUP, {SHOP}, "order.ready_for_pickup", slug="ready",
       label=L("Siap diambil"), guard=_pickup, style="primary",
       note=gettext_noop("Pesanan siap diambil di toko.")),
    _t(S.ACCEPTED, S.CANCELLED, {SHOP, SYSTEM}, "order.reject", slug="reject", label=L("Tolak pesanan"),
       reason_required=True, form="reason", style="danger"),
    _t(S.READY_FOR_PICKUP, S.DELIVERED, {SHOP, BUYER}, "order.picked_up", slug="picked-up",
       label=L("Barang sudah diambil"), style="primary", note=gettext_noop("Barang sudah diambil pembeli.")),
    _t(S.READY_FOR_PICKUP, S.CANCELLED, {SHOP, SYSTEM}, "order.reject", slug="reject",
       label=L("Batalkan: tidak diambil"), reason_required=True, form="reason", style="danger"),
    _t(S.SHIPPED, S.DELIVERED, {SHOP}, "order.deliver", slug="delivered", label=L("Tandai sudah sampai"),
       guard=_own_courier, style="primary", note=gettext_noop("Diantar kurir toko.")),
    _t(S.SHIPPED, S.DELIVERED, {SYSTEM}, "order.deliver"),  # by tracking, or at the longest estimate + 2 days
    # "Pesanan diterima" while still in transit (as Tokopedia allows) or after delivery: always through a
    # confirmation page that says what the buyer gives up.
    _t(S.SHIPPED, S.COMPLETED, {BUYER}, "order.receive", slug="received", label=L("Pesanan diterima"),
       style="primary", form="confirm", note=gettext_noop("Pembeli mengonfirmasi pesanan diterima.")),
    _t(S.DELIVERED, S.COMPLETED, {BUYER}, "order.receive", slug="received", label=L("Pesanan diterima"),
       style="primary", form="confirm", note=gettext_noop("Pembeli mengonfirmasi pesanan diterima.")),
    _t(S.DELIVERED, S.COMPLETED, {SYSTEM}, "order.complete"),
    _t(S.DELIVERED, S.COMPLAINT, {BUYER}, "order.complain", slug="complain", label=L("Ajukan komplain"),
       reason_required=True, guard=_complaint_window_open, form="reason"),
    # Complaints: the shop upholds (refund) or rejects with a reason; the buyer withdraws or escalates a rejection
    # to the verifikator (Pemprov), who decides. payments.orders_settle refunds REFUNDED and pays the shop for
    # CLOSED.
    _t(S.COMPLAINT, S.REFUNDED, {SHOP}, "order.complaint_accept", slug="complaint-accept",
       label=L("Terima & kembalikan %(total)s"), style="primary",
       note=gettext_noop("Komplain diterima penjual; dana dikembalikan ke pembeli.")),
    _t(S.COMPLAINT, S.COMPLAINT_REJECTED, {SHOP}, "order.complaint_reject", slug="complaint-reject",
       label=L("Tolak komplain"), reason_required=True, form="reason"),
    _t(S.COMPLAINT, S.CLOSED, {BUYER}, "order.complaint_withdraw", slug="complaint-close",
       label=L("Batalkan komplain"), note=gettext_noop("Pembeli menutup komplain.")),
    _t(S.COMPLAINT, S.COMPLAINT_ESCALATED, {SYSTEM}, "order.complaint_timeout"),
    _t(S.COMPLAINT_REJECTED, S.COMPLAINT_ESCALATED, {BUYER}, "order.complaint_escalate",
       slug="complaint-escalate", label=L("Ajukan banding"), reason_required=True, form="reason",
       style="primary"),
    _t(S.COMPLAINT_REJECTED, S.CLOSED, {BUYER}, "order.complaint_withdraw", slug="complaint-close",
       label=L("Terima jawaban penjual"), note=gettext_noop("Pembeli menerima jawaban penjual.")),
    _t(S.COMPLAINT_REJECTED, S.CLOSED, {SYSTEM}, "order.complaint_timeout"),
    _t(S.COMPLAINT_ESCALATED, S.REFUNDED, {VERIFIKATOR}, "order.complaint_refund", reason_required=True),
    _t(S.COMPLAINT_ESCALATED, S.CLOSED, {VERIFIKATOR}, "order.complaint_close", reason_required=True),
)
WHO_LABELS = {BUYER: pgettext_lazy("actor", "pembeli"), SHOP: pgettext_lazy("actor", "penjual"),
              VERIFIKATOR: pgettext_lazy("actor", "verifikator"), SYSTEM: pgettext_lazy("actor", "sistem")}


# --- who is acting ----------------------------------------------------------------------------------------


def shop_handles_orders(*, user, shop_id: int) -> bool:
    """May this person handle this shop's orders? The shop scope decides, as for every seller page."""
    return shop_scope(user=user, capability=Capability.ORDERS).filter(pk=shop_id).exists()


def actor_kinds(*, order: Order, user) -> frozenset[str]:
    """What this person is to this order: the buyer, the shop, a verifikator; no person is the system."""
    if user is None:
        return frozenset({SYSTEM})
    if not user.is_authenticated:
        return frozenset()
    kinds = set()
    if order.buyer_id == user.pk:
        kinds.add(BUYER)
    if shop_handles_orders(user=user, shop_id=order.shop_id):
        kinds.add(SHOP)
    if user.is_verifikator:
        kinds.add(VERIFIKATOR)
    return frozenset(kinds)


def _state_error(order: Order) -> OrderTransitionError:
    return OrderTransitionError(
        _("Pesanan %(number)s berstatus “%(status)s”; tindakan ini tidak bisa dilakukan.")
        % {"number": order.number, "status": order.get_status_display()})


def _transition_for(*, order: Order, to_status: str, kinds: frozenset[str], now: datetime) -> tuple[Transition, str]:
    return transition_pick(
        table=TRANSITIONS, subject=order, target=to_status, kinds=kinds, kinds_order=KINDS, now=now,
        no_such=lambda: _state_error(order), refused=OrderTransitionError,
        not_yours=lambda: OrderActionForbidden(_("Anda tidak berhak melakukan tindakan ini pada pesanan %(number)s.")
                                               % {"number": order.number}))


# --- the buttons -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    target: str
    kind: str  # the side the button is for: buyer or shop
    style: str
    form: str
    help: str = ""


def order_actions_for(order: Order, user, *, side: str | None = None, now: datetime | None = None) -> list[Action]:
    """The buttons this person gets on this order now (optionally only those of one side: "buyer" or "shop")."""
    now = now or timezone.now()
    kinds = actor_kinds(order=order, user=user)
    if side is not None:
        kinds &= {side}
    actions, seen = [], set()
    for row in TRANSITIONS:
        if row.source != order.status or not row.slug or row.slug in seen or not row.who & kinds:
            continue
        if row.guard and row.guard(order, now):
            continue
        seen.add(row.slug)
        help_text = ""
        if row.target == S.COMPLAINT:
            help_text = _("Bisa diajukan sampai %(date)s.") % {
                "date": date_format(timezone.localtime(complaint_deadline(order)), "j F Y H:i")}
        # Our own catalogue's text (as a {% blocktranslate %} would be), so "&" stays "&".
        label = mark_safe(str(row.label) % {"total": format_rupiah(order.total)})  # noqa: S308
        actions.append(Action(slug=row.slug, label=label,
                              target=row.target, kind=next(k for k in KINDS if k in row.who & kinds),
                              style=row.style, form=row.form, help=help_text))
    return actions


def order_action_resolve(*, order: Order, user, slug: str, side: str) -> Transition:
    """The transition a view action (the slug in the URL) stands for on this order now.

    LookupError: no such action at all (404). OrderActionForbidden: not this side's action, or this person is not
    that side of the order (403). OrderTransitionError: not possible from the order's state (409)."""
    rows = [t for t in TRANSITIONS if t.slug == slug]
    if not rows:
        raise LookupError(slug)
    if side not in actor_kinds(order=order, user=user) or not any(side in t.who for t in rows):
        raise OrderActionForbidden(_("Anda tidak berhak melakukan tindakan ini pada pesanan %(number)s.")
                                   % {"number": order.number})
    here = [t for t in rows if t.source == order.status and side in t.who]
    if not here:
        raise _state_error(order)
    return here[0]


# --- the service -----------------------------------------------------------------------------------------


def order_transition(*, order_id: int, to_status: str, actor=None, note: str | SystemNote = "") -> Order:
    """Move one order along the table: locked, checked against what the actor is to the order, evented, audited,
    and the other side notified. actor=None is the system (beat jobs, payments), whose note is a SystemNote."""
    return _transition(order_id=order_id, to_status=to_status, actor=actor, note=note)


def _transition(*, order_id: int, to_status: str, actor, note: str | SystemNote,
                event_note: SystemNote | None = None, fields: dict | None = None) -> Order:
    """note is the actor's reason (kept on the order, shown to the other side); event_note only goes on the
    timeline. A SystemNote is kept in Indonesian on the order and the audit log, and translatable on the event."""
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("shop", "buyer").get(pk=order_id)
        row, kind = _transition_for(order=order, to_status=to_status,
                                    kinds=actor_kinds(order=order, user=actor), now=now)
        if row.form == "ship" and fields is None:
            raise ValueError("an order is shipped with order_ship(), which takes the courier and the resi")
        system_note = note if isinstance(note, SystemNote) else None
        note = str(note or "").strip()[:300]
        if row.reason_required and not note:
            raise OrderActionInvalid(_("Tuliskan alasannya."))
        previous = order.status
        order.status = to_status
        order.status_changed_at = now
        if note:
            order.reason = note
        for name, value in (fields or {}).items():
            setattr(order, name, value)
        order.save()
        shown = system_note or note or event_note or (SystemNote(row.note) if row.note else "")
        event_note = str(shown)[:300]
        OrderEvent.objects.create(order=order, actor=actor, from_status=previous, to_status=to_status,
                                  note=event_note, **_message_fields(shown))
        audit_record(actor=actor, action=row.audit, target=order, before={"status": previous},
                     after={"status": to_status, **(fields or {})}, reason=event_note)
        stock_follow_order(order=order, previous=previous)
        if to_status == S.PAID and not order.invoice_number:
            # After the stock: a payment takes its variants (those of the checkout's other orders too) before any
            # shop's invoice counter, like every other payment, or two multi-shop payments deadlock.
            order.invoice_number = invoice_number_next(order=order)
            Order.objects.filter(pk=order.pk).update(invoice_number=order.invoice_number)
        _notify(order=order, kind=kind)
    return order


def _message_fields(note: str | SystemNote) -> dict:
    return {"message": note.message, "message_args": note.args} if isinstance(note, SystemNote) else {}


def _notify(*, order: Order, kind: str) -> None:
    status = order.get_status_display()
    subject = _("Pesanan %(number)s: %(status)s") % {"number": order.number, "status": status}
    body = _("Status pesanan %(number)s (%(total)s) sekarang: %(status)s.") % {
        "number": order.number, "total": format_rupiah(order.total), "status": status}
    if order.reason:
        body += " " + _("Alasan: %(reason)s") % {"reason": order.reason}
    if order.tracking_number and order.status == S.SHIPPED:
        body += " " + _("Resi %(courier)s: %(resi)s") % {"courier": order.courier_name, "resi": order.tracking_number}
    if kind != BUYER:
        outbox_enqueue(recipient=order.buyer, subject=subject, body=body, url=f"/pesanan/{order.number}/")
    if kind != SHOP:
        outbox_enqueue(recipient=order.shop.owner, subject=subject, body=body,
                       url=reverse("orders:shop_detail", args=[order.shop_id, order.number]))


# --- shipping ----------------------------------------------------------------------------------------------

RESI_RE = re.compile(r"^[A-Z0-9]{8,30}$")


def tracking_number_normalise(value: str) -> str:
    """A resi as couriers print it: upper case, without the spaces and dashes people type or scanners add."""
    resi = re.sub(r"[\s\-‐-―]+", "", value or "").upper()
    if not RESI_RE.match(resi):
        raise OrderActionInvalid(_("Nomor resi berisi 8–30 huruf dan angka (spasi dan tanda hubung boleh), "
                                   "mis. JP1234567890."))
    return resi


def courier_of(order: Order) -> str:
    """The courier the buyer paid for ("jne" of "jne:REG"), or "own" for the shop's courier."""
    if order.shipping_method == "own":
        return "own"
    return order.shipping_method.split(":", 1)[0] if ":" in order.shipping_method else ""


def order_ship(*, order_id: int, actor, courier: str = "", tracking: str = "") -> Order:
    """The shop hands the parcel over: to the courier the buyer paid for (or another one it chose), with the
    resi normalised; the shop's own courier needs no resi."""
    from .shipping import COURIERS

    order = Order.objects.only("shipping_method").get(pk=order_id)
    paid_for = courier_of(order)
    if order.shipping_method == "pickup":
        raise OrderTransitionError(_not_pickup(order, timezone.now()))
    if paid_for == "own":
        courier = "own"
        resi = tracking_number_normalise(tracking) if tracking.strip() else ""
        note = SystemNote(gettext_noop("Diantar kurir toko."))
    else:
        courier = (courier or paid_for).lower()
        if courier not in COURIERS:
            raise OrderActionInvalid(_("Pilih jasa kirim."))
        resi = tracking_number_normalise(tracking)
        note = SystemNote(gettext_noop("Dikirim dengan %(courier)s, resi %(resi)s."),
                          {"courier": COURIERS[courier], "resi": resi})
    return _transition(order_id=order_id, to_status=S.SHIPPED, actor=actor, note="", event_note=note,
                       fields={"courier": courier, "tracking_number": resi})
