"""Payment writes: start a charge, receive a webhook, apply an event under a row lock, refunds, payouts."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from orders.models import CheckoutGroup, DocumentCounter, Order, SystemNote
from orders.numbers import document_number_next
from orders.services import checkout_paid_via_record, order_transition
from plazabanten.money import format_rupiah
from plazabanten.services import audit_record, outbox_enqueue, task_enqueue
from vendors.models import Capability, Shop, ShopBankAccount, ShopTaxDeclaration
from vendors.selectors import shop_scope

from .gateways import gateway
from .gateways.base import ChargeRequest, GatewayError, GatewayUnavailable, Kind, Method
from .ledger import (
    TAX_ACCOUNT_OF,
    Line,
    ledger_check_invariants,
    ledger_post,
    ledger_post_payment,
    ledger_release_for_order,
    ledger_reverse_payment,
    order_paid_to_shop,
    order_pending,
    refund_split,
    shop_balances,
    tax_payable,
    tax_period_now,
)
from .models import (
    Account,
    CreditNote,
    OrderTax,
    Payment,
    PaymentAttempt,
    PaymentEvent,
    Payout,
    Posting,
    Refund,
    SuspenseItem,
    TaxDeposit,
    WebhookInbox,
)
from .selectors import seller_tax_name
from .tax import TaxRates, TaxSplit, consumer_split, tax_period_end, tax_rates_on

logger = logging.getLogger(__name__)
P = Payment.Status
MONEY_STATES = {P.PAID, P.PARTIALLY_REFUNDED, P.REFUNDED}
CLOSED_UNPAID = {P.EXPIRED, P.CANCELLED, P.FAILED}


class PaymentError(Exception):
    """A request that cannot be done in the payment's current state (the message is for the user)."""


# Apps that settle their own sales through a checkout (procurement: a government package's invoice, payable only
# after its BAST) register here from their AppConfig.ready(); payments imports none of them. A guard returns why
# this checkout may not be paid now (None: it may); payment_start refuses with that reason, and money that
# arrives anyway is never applied (outcome "refused": parked in suspense and sent back). A follower runs inside the
# paying transaction, after the orders are paid and the ledger posted. `starting` tells a guard whether a charge is
# being opened (payment_start) or money has arrived (the webhook apply path), and `method` which method (cards:
# a guard returns "" for a checkout it claims and allows, and only a claimed checkout may be paid by card).
PAYMENT_GUARDS: list = []
PAYMENT_FOLLOWERS: list = []


def payment_refusal(group: CheckoutGroup, *, starting: bool = False, method: str = "") -> str | None:
    """Why this checkout may not be paid now (with this method), or None. A card is refused unless a guard
    claims the checkout (returns "" for it): cards are for government invoices only, never a consumer's."""
    claimed = False
    for guard in PAYMENT_GUARDS:
        problem = guard(group, starting=starting, method=method)
        if problem:
            return problem
        claimed = claimed or problem == ""
    if method == Method.CARD and not claimed:
        return _("Pembayaran dengan kartu kredit pemerintah (KKPD) hanya untuk tagihan pengadaan pemerintah.")
    return None


# --- starting a payment ---------------------------------------------------------------------------------

CARD_3DS_MINUTES = 10  # Midtrans lets a card charge wait this long for its 3-D Secure page


def payment_start(*, group_id: int, buyer, method: str, channel: str = "", card_token: str = "",
                  card_authentication_id: str = "", return_url: str = "") -> PaymentAttempt:
    """Open (or reuse) a charge at the gateway for this checkout with the chosen method. A card charge (only
    where a guard allows it: a government invoice) is always a new attempt with the single-use token of the
    gateway's card form; when its answer is already the outcome (captured, or denied) it is applied at once."""
    method = Method(method)
    gw = gateway()
    with transaction.atomic():
        group = CheckoutGroup.objects.select_for_update().get(pk=group_id, buyer=buyer)
        payment, _created = Payment.objects.get_or_create(group=group, defaults={"amount": group.total})
        if payment.status != P.PENDING:
            raise PaymentError(_("Pembayaran ini sudah %(status)s.") % {"status": payment.get_status_display()})
        refusal = payment_refusal(group, starting=True, method=method)
        if refusal:
            raise PaymentError(refusal)
        if group.payment_deadline <= timezone.now() or group.orders.exclude(
                status=Order.Status.AWAITING_PAYMENT).exists():
            raise PaymentError(_("Batas waktu pembayaran sudah lewat atau pesanan sudah berubah."))
        if method == Method.CARD:
            _card_start_check(payment, card_token=card_token)
            attempt = None
        else:
            attempt = payment.attempts.filter(method=method, channel=channel, provider=gw.code).first()
        if attempt and attempt.provider_ref:
            return attempt
        if attempt is None:
            attempt = PaymentAttempt.objects.create(
                payment=payment, attempt_ref=f"PB{group.pk:06d}-{payment.attempts.count() + 1}", provider=gw.code,
                method=method, channel=channel)
    # The gateway call happens with no lock held; a retry uses the same attempt_ref (research §e.3 F1).
    try:
        result = gw.create_charge(ChargeRequest(
            attempt_ref=attempt.attempt_ref, amount=payment.amount, method=method, channel=channel,
            expires_at=group.payment_deadline, customer_name=buyer.name, customer_email=buyer.email,
            card_token=card_token, card_authentication_id=card_authentication_id, return_url=return_url))
    except GatewayError as error:
        logger.warning("payments: create_charge %s failed: %s", attempt.attempt_ref, error)
        if method == Method.CARD and not isinstance(error, GatewayUnavailable):
            raise PaymentError(_("Kartu tidak dapat diproses. Periksa data kartu lalu coba lagi, atau pakai "
                                 "kartu lain.")) from error
        raise PaymentError(_("Gateway pembayaran sedang bermasalah. Coba lagi sebentar lagi.")) from error
    attempt.provider_ref = result.provider_ref
    attempt.qr_string, attempt.va_number, attempt.redirect_url = result.qr_string, result.va_number, result.redirect_url
    attempt.card_last4 = result.card_last4
    attempt.save(update_fields=["provider_ref", "qr_string", "va_number", "redirect_url", "card_last4"])
    if result.final:
        _status_apply(attempt, note="charge answer")
    return attempt


def _card_start_check(payment: Payment, *, card_token: str) -> None:
    """Under the checkout lock: a card charge needs its token, and waits for the previous card charge's 3-D
    Secure (the card holder may still be typing the OTP: two captures would take the money twice)."""
    if not card_token:
        raise PaymentError(_("Data kartu belum diverifikasi oleh gateway. Isi ulang data kartu."))
    recent = payment.attempts.filter(method=Method.CARD, created_at__gt=timezone.now() - timedelta(
        minutes=CARD_3DS_MINUTES)).values_list("attempt_ref", flat=True)
    for attempt_ref in recent:
        if not card_attempt_failed(payment_id=payment.pk, attempt_ref=attempt_ref):
            raise PaymentError(_("Pembayaran kartu sebelumnya masih menunggu verifikasi 3-D Secure. Selesaikan "
                                 "atau tunggu %(n)s menit.") % {"n": CARD_3DS_MINUTES})


def card_attempt_failed(*, payment_id: int, attempt_ref: str) -> bool:
    """The gateway denied (or expired) this card charge: the payment itself stays open for another try."""
    return PaymentEvent.objects.filter(models.Q(raw__order_id=attempt_ref) | models.Q(raw__external_id=attempt_ref),
                                       payment_id=payment_id, kind=CARD_FAILED).exists()


def _status_apply(attempt: PaymentAttempt, *, note: str) -> str:
    """Ask the gateway for this charge's status and apply it (the same key a notification of that state
    carries, so a notification afterwards is a duplicate)."""
    try:
        status = gateway(attempt.provider).get_status(attempt.attempt_ref, provider_ref=attempt.provider_ref)
    except GatewayError as error:
        logger.info("payments: status of %s unavailable: %s", attempt.attempt_ref, error)
        return "unavailable"
    if status.kind in (Kind.PENDING, Kind.INFO):
        return "pending"
    return payment_apply(payment_id=attempt.payment_id, provider=attempt.provider, dedupe_key=status.dedupe_key,
                         kind=status.kind, amount=status.amount, raw=status.raw, note=note,
                         attempt_ref=attempt.attempt_ref, paid_ref=status.provider_ref)


# --- webhooks -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WebhookResult:
    status: int
    result: str


def webhook_receive(*, provider: str, headers: dict[str, str], raw_body: bytes, remote_ip: str | None
                    ) -> WebhookResult:
    """Store first, verify, dedupe, confirm with the gateway, then apply (research/payments.md §a.3, §b)."""
    inbox = WebhookInbox.objects.create(provider=provider, headers=headers, remote_ip=remote_ip,
                                        raw_body=raw_body.decode("utf-8", errors="replace"), attempts=1)
    gw = gateway(provider)
    if not gw.verify_webhook(headers, raw_body):
        _inbox_done(inbox, result="forged", signature_valid=False)
        return WebhookResult(401, "forged")
    try:
        events = gw.parse_webhook(headers, raw_body)
    except GatewayError as error:
        _inbox_done(inbox, result="malformed", signature_valid=True, last_error=str(error))
        return WebhookResult(400, "malformed")
    WebhookInbox.objects.filter(pk=inbox.pk).update(signature_valid=True)
    outcome = WebhookResult(200, "ok")
    for event in events:
        outcome = _webhook_event(inbox, gw, event)
        if outcome.status != 200:
            break
    return outcome


def _inbox_done(inbox: WebhookInbox, **fields) -> None:
    WebhookInbox.objects.filter(pk=inbox.pk).update(**fields)


def _webhook_event(inbox: WebhookInbox, gw, event) -> WebhookResult:
    if WebhookInbox.objects.filter(provider=gw.code, dedupe_key=event.dedupe_key, processed_at__isnull=False).exists():
        _inbox_done(inbox, result="duplicate", dedupe_key=event.dedupe_key)
        return WebhookResult(200, "duplicate")
    attempt = PaymentAttempt.objects.filter(attempt_ref=event.attempt_ref).first()
    if attempt is None:
        logger.warning("payments: %s notification for unknown reference %s", gw.code, event.attempt_ref)
        _inbox_done(inbox, result="orphan", dedupe_key=event.dedupe_key)
        return WebhookResult(200, "orphan")
    confirmed = event
    if event.kind not in (Kind.PENDING, Kind.INFO):
        # The body only triggers; the gateway's status answer decides (§a.3 rule 3).
        try:
            confirmed = gw.get_status(attempt.attempt_ref, provider_ref=event.provider_ref or attempt.provider_ref)
        except GatewayUnavailable as error:
            _inbox_done(inbox, last_error=str(error)[:2000], result="retry")
            return WebhookResult(503, "gateway unavailable")
        except GatewayError as error:
            _inbox_done(inbox, last_error=str(error)[:2000], result="unconfirmed")
            return WebhookResult(200, "unconfirmed")
    if confirmed.kind != event.kind:
        # The body claims more than the gateway confirms: record it, keep the key free for the real event.
        payment_apply(payment_id=attempt.payment_id, provider=gw.code, dedupe_key=f"unconfirmed:{inbox.pk}",
                      kind=Kind.INFO, amount=confirmed.amount, raw=event.raw,
                      note=f"body said {event.kind}, status says {confirmed.kind}")
        _inbox_done(inbox, result="unconfirmed", dedupe_key=event.dedupe_key)
        return WebhookResult(200, "unconfirmed")
    result = payment_apply(payment_id=attempt.payment_id, provider=gw.code, dedupe_key=event.dedupe_key,
                           kind=confirmed.kind, amount=confirmed.amount, raw=event.raw, inbox_id=inbox.pk,
                           attempt_ref=attempt.attempt_ref, paid_ref=confirmed.provider_ref)
    return WebhookResult(200, result)


# --- applying an event ----------------------------------------------------------------------------------

def _lock_timeout() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{int(getattr(settings, 'PAYMENT_LOCK_TIMEOUT_MS', 5000))}ms'")


def payment_apply(*, payment_id: int, provider: str, dedupe_key: str, kind: str, amount: int | None,
                  raw: dict, inbox_id: int | None = None, note: str = "", attempt_ref: str = "",
                  paid_ref: str = "") -> str:
    """Apply one confirmed event under the payment's row lock. Monotonic: a late or lower-rank event is
    recorded as info and changes nothing. Returns what happened ("paid", "duplicate", "info", ...)."""
    with transaction.atomic():
        _lock_timeout()
        payment = Payment.objects.select_for_update().select_related("group").get(pk=payment_id)
        card = bool(attempt_ref) and PaymentAttempt.objects.filter(attempt_ref=attempt_ref,
                                                                   method=Method.CARD).exists()
        outcome, to_status = _decide(payment, kind=kind, amount=amount, card=card)
        try:
            with transaction.atomic():
                if inbox_id:
                    WebhookInbox.objects.filter(pk=inbox_id).update(dedupe_key=dedupe_key, processed_at=timezone.now(),
                                                                    result=outcome)
                PaymentEvent.objects.create(payment=payment, provider=provider, dedupe_key=dedupe_key,
                                            kind=outcome, from_status=payment.status, to_status=to_status,
                                            amount=amount, raw=raw, note=note[:300])
        except IntegrityError:
            if inbox_id:
                _inbox_done(WebhookInbox(pk=inbox_id), result="duplicate", dedupe_key=dedupe_key)
            return "duplicate"
        EFFECTS.get(outcome, _no_effect)(payment, to_status=to_status, amount=amount, attempt_ref=attempt_ref,
                                         paid_ref=paid_ref)
    return outcome


CARD_FAILED = "card_failed"


def _decide(payment: Payment, *, kind: str, amount: int | None, card: bool = False) -> tuple[str, str]:
    """(outcome, new status) for an event on a payment in its current state: the transition table. A denied
    or abandoned card charge fails that charge only: the payment stays open for another card or a VA."""
    current = payment.status
    if card and current == P.PENDING and kind in (Kind.FAILED, Kind.EXPIRED, Kind.CANCELLED):
        return CARD_FAILED, current
    if kind == Kind.PAID:
        if amount != payment.amount:
            return "amount_mismatch", current
        if current == P.PENDING:
            if payment_refusal(payment.group):
                return "refused", P.CANCELLED
            open_orders = payment.group.orders.exclude(status=Order.Status.AWAITING_PAYMENT).exists()
            return ("late_payment", P.EXPIRED) if open_orders else ("paid", P.PAID)
        if current in CLOSED_UNPAID:
            return "late_payment", current
        return "info", current
    if kind in (Kind.FAILED, Kind.EXPIRED, Kind.CANCELLED):
        if current == P.PENDING:
            return str(kind), str(kind)
        if kind == Kind.FAILED and current == P.PAID:
            return "reversed", P.REVERSED  # Midtrans settlement → deny (Permata, Mandiri bill)
        return "info", current
    if kind == Kind.REVERSED and current in MONEY_STATES:
        return "reversed", P.REVERSED
    return "info", current


def _no_effect(payment, **kwargs) -> None:
    return None


def _effect_status(payment: Payment, *, to_status: str, **kwargs) -> None:
    payment.status = to_status
    payment.save(update_fields=["status", "updated_at"])


def _effect_paid(payment: Payment, *, amount: int, attempt_ref: str, paid_ref: str, **kwargs) -> None:
    payment.status, payment.paid_amount, payment.paid_at = P.PAID, amount, timezone.now()
    payment.paid_attempt_ref, payment.paid_ref = attempt_ref, paid_ref
    payment.save(update_fields=["status", "paid_amount", "paid_at", "paid_attempt_ref", "paid_ref", "updated_at"])
    orders = list(payment.group.orders.order_by("pk"))
    for order in orders:
        order_transition(order_id=order.pk, to_status=Order.Status.PAID,
                         note=SystemNote(gettext_noop("Pembayaran diterima.")))
    attempt = PaymentAttempt.objects.filter(payment=payment, attempt_ref=attempt_ref).first()
    if attempt is not None:
        checkout_paid_via_record(group_id=payment.group_id, paid_via=payment_method_label(attempt))
    orders = list(payment.group.orders.select_related("shop", "group__buyer").order_by("pk"))  # invoice numbers
    consumer_taxes_fix(orders=orders)
    ledger_post_payment(payment=payment, orders=orders)
    for follower in PAYMENT_FOLLOWERS:
        follower(payment)


def payment_method_label(attempt: PaymentAttempt) -> str:
    """How people name the way they paid, as the invoice prints it: "QRIS", "Virtual account BCA", "GoPay"."""
    from .forms import BANK_NAMES, EWALLET_NAMES

    if attempt.method == Method.QRIS:
        return "QRIS"
    if attempt.method == Method.VA:
        return f"Virtual account {BANK_NAMES.get(attempt.channel, attempt.channel.upper())}"
    if attempt.method == Method.CARD:
        return _("Kartu kredit •••• %(last4)s") % {"last4": attempt.card_last4 or "????"}
    return EWALLET_NAMES.get(attempt.channel, attempt.channel.title() or attempt.method)


def _suspense_receive(payment: Payment, *, reason: str, amount: int, attempt_ref: str, paid_ref: str,
                      key: str) -> SuspenseItem:
    """Money at the gateway that belongs to no order: credit the suspense account and keep an item for it."""
    description = {SuspenseItem.Reason.LATE: _("Dana masuk setelah batas waktu"),
                   SuspenseItem.Reason.AMOUNT_MISMATCH: _("Dana masuk dengan nominal tidak sesuai")}[reason]
    item = SuspenseItem.objects.create(payment=payment, reason=reason, amount=amount, expected=payment.amount,
                                       attempt_ref=attempt_ref, paid_ref=paid_ref, source_key=f"{key}:received")
    ledger_post(source_key=item.source_key, description=description, payment=payment,
                lines=[Line(Account.CLEARING, amount), Line(Account.SUSPENSE, -amount)])
    return item


def _effect_late(payment: Payment, *, to_status: str, amount: int, attempt_ref: str, paid_ref: str) -> None:
    """Money for a checkout we no longer hold: park it in suspense and send it back (§d.3 item 8)."""
    payment.status, payment.paid_attempt_ref, payment.paid_ref = to_status, attempt_ref, paid_ref
    payment.save(update_fields=["status", "paid_attempt_ref", "paid_ref", "updated_at"])
    key = f"late-{payment.pk}-{PaymentEvent.objects.filter(payment=payment, kind='late_payment').count()}"
    item = _suspense_receive(payment, reason=SuspenseItem.Reason.LATE, amount=amount, attempt_ref=attempt_ref,
                             paid_ref=paid_ref, key=key)
    refund = Refund.objects.create(payment=payment, suspense=item, amount=amount, refund_key=key,
                                   reason=_("Dana diterima setelah pesanan kedaluwarsa"))
    audit_record(actor=None, action="payment.late_money", target=payment, after={"amount": amount})
    _refund_later(refund.pk)


def _effect_reversed(payment: Payment, *, to_status: str, **kwargs) -> None:
    """The bank took the money back: the ledger gives back what it holds per order (clawing back from the
    shop's available balance what was already released) and the orders not yet shipped are cancelled."""
    _effect_status(payment, to_status=to_status)
    ledger_reverse_payment(payment=payment)
    unshipped = [Order.Status.PAID, Order.Status.ACCEPTED, Order.Status.READY_FOR_PICKUP]
    for order in payment.group.orders.filter(status__in=unshipped).order_by("pk"):
        order_transition(order_id=order.pk, to_status=Order.Status.CANCELLED,
                         note=SystemNote(gettext_noop("Pembayaran dibatalkan oleh bank.")))
    audit_record(actor=None, action="payment.reversed", target=payment, after={"amount": payment.paid_amount})


def _effect_mismatch(payment: Payment, *, amount: int | None, attempt_ref: str = "", paid_ref: str = "",
                     **kwargs) -> None:
    """Paid, but not the amount asked: never marked paid; the money waits in suspense for finance staff to
    send it back ("Kembalikan dana" at /keuangan/)."""
    logger.error("payments: payment %s amount mismatch: expected %s, got %s", payment.pk, payment.amount, amount)
    audit_record(actor=None, action="payment.amount_mismatch", target=payment,
                 after={"expected": payment.amount, "got": amount})
    if not amount or amount <= 0 or not attempt_ref:
        return  # nothing arrived that could be sent back
    key = f"mismatch-{payment.pk}-{SuspenseItem.objects.filter(payment=payment).count() + 1}"
    _suspense_receive(payment, reason=SuspenseItem.Reason.AMOUNT_MISMATCH, amount=amount, attempt_ref=attempt_ref,
                      paid_ref=paid_ref, key=key)


def _effect_refused(payment: Payment, *, to_status: str, amount: int, attempt_ref: str, paid_ref: str) -> None:
    """Money for a checkout a guard refuses (a government package not awaiting payment, i.e. before its BAST):
    never applied to the orders; parked in suspense and sent back, like late money."""
    problem = payment_refusal(payment.group)
    logger.error("payments: payment %s refused: %s", payment.pk, problem)
    payment.status, payment.paid_attempt_ref, payment.paid_ref = to_status, attempt_ref, paid_ref
    payment.save(update_fields=["status", "paid_attempt_ref", "paid_ref", "updated_at"])
    key = f"refused-{payment.pk}-{PaymentEvent.objects.filter(payment=payment, kind='refused').count()}"
    item = _suspense_receive(payment, reason=SuspenseItem.Reason.LATE, amount=amount, attempt_ref=attempt_ref,
                             paid_ref=paid_ref, key=key)
    refund = Refund.objects.create(payment=payment, suspense=item, amount=amount, refund_key=key,
                                   reason=_("Dana dikembalikan: tagihan belum boleh dibayar"))
    audit_record(actor=None, action="payment.refused", target=payment, after={"amount": amount}, reason=problem or "")
    _refund_later(refund.pk)


EFFECTS = {"paid": _effect_paid, "refused": _effect_refused, "late_payment": _effect_late, "reversed": _effect_reversed,
           "amount_mismatch": _effect_mismatch, "failed": _effect_status, "expired": _effect_status,
           "cancelled": _effect_status}


def payments_expire(*, now=None) -> int:
    """Beat job: pending payments past the checkout deadline expire (the gateway charge is cancelled too)."""
    now = now or timezone.now()
    done = 0
    for payment_id in Payment.objects.filter(status=P.PENDING, group__payment_deadline__lt=now).values_list(
            "pk", flat=True):
        done += payment_expire(payment_id=payment_id)
    return done


def payment_expire(*, payment_id: int) -> bool:
    """A pending payment past its deadline expires, and its charges are cancelled at the gateway: money that
    arrives for it afterwards is late money (suspense, then refunded)."""
    if payment_apply(payment_id=payment_id, provider="local", dedupe_key=f"expire:{payment_id}",
                     kind=Kind.EXPIRED, amount=None, raw={}) != "expired":
        return False
    for attempt in PaymentAttempt.objects.filter(payment_id=payment_id).exclude(provider_ref=""):
        try:
            gateway(attempt.provider).cancel(attempt.attempt_ref, provider_ref=attempt.provider_ref)
        except GatewayError:
            logger.info("payments: cancel of %s at the gateway failed", attempt.attempt_ref)
    return True


def payments_poll_pending(*, older_than_minutes: int = 10, now=None) -> int:
    """Beat job: ask the gateway about charges still pending after a while, in case a notification was lost
    (research §d.5 job 1). The status answer goes through the same apply path, with the same dedupe key a
    notification of that state would carry, so a late notification afterwards is a duplicate."""
    cutoff = (now or timezone.now()) - timedelta(minutes=older_than_minutes)
    changed = 0
    attempts = PaymentAttempt.objects.filter(payment__status=P.PENDING, created_at__lt=cutoff).exclude(
        provider_ref="").order_by("pk")
    for attempt in attempts:
        outcome = _status_apply(attempt, note="status poll")
        changed += outcome not in ("unavailable", "pending", "duplicate", "info")
    return changed


# --- refunds --------------------------------------------------------------------------------------------

def refund_request(*, order_id: int, reason: str, amount: int | None = None, refund_key: str | None = None,
                   actor=None) -> Refund:
    """Refund all (default) or part of one shop order; the same refund_key returns the same refund.
    Call it after an order of a paid checkout is cancelled, rejected, or its complaint is upheld."""
    with transaction.atomic():
        order = Order.objects.select_related("group").get(pk=order_id)
        payment = Payment.objects.select_for_update().get(group_id=order.group_id)
        key = refund_key or f"order-{order_id}-full"
        existing = Refund.objects.filter(refund_key=key).first()
        if existing:
            return existing
        if payment.status not in (P.PAID, P.PARTIALLY_REFUNDED):
            raise PaymentError(_("Pembayaran berstatus “%(s)s”; tidak bisa dikembalikan.")
                               % {"s": payment.get_status_display()})
        already = sum(Refund.objects.filter(order_id=order_id).exclude(status=Refund.Status.FAILED)
                      .values_list("amount", flat=True))
        amount = order.total - already if amount is None else amount
        if amount <= 0 or already + amount > order.total:
            raise PaymentError(_("Nominal pengembalian tidak valid (sisa yang bisa dikembalikan %(n)s).")
                               % {"n": order.total - already})
        refund = Refund.objects.create(payment=payment, order_id=order_id, amount=amount, refund_key=key,
                                       reason=reason[:300])
        audit_record(actor=actor, action="payment.refund_requested", target=refund, after={"amount": amount},
                     reason=reason)
        _refund_later(refund.pk)
    return refund


def suspense_refund(*, item_id: int, actor, reason: str = "") -> Refund:
    """Finance staff send money in suspense back to where it came from ("Kembalikan dana"): one refund at a
    time per item (a failed one may be tried again), audited; the gateway call and the ledger posting follow
    in refund_execute."""
    with transaction.atomic():
        item = SuspenseItem.objects.select_for_update().get(pk=item_id)
        if item.refunds.exclude(status=Refund.Status.FAILED).exists():
            raise PaymentError(_("Dana ini sudah dikembalikan atau sedang diproses."))
        reason = reason or _("Dana dikembalikan: %(why)s") % {"why": item.get_reason_display()}
        refund = Refund.objects.create(payment_id=item.payment_id, suspense=item, amount=item.amount,
                                       refund_key=f"suspense-{item.pk}-{item.refunds.count() + 1}",
                                       reason=reason[:300])
        audit_record(actor=actor, action="payment.suspense_refund", target=refund,
                     after={"amount": item.amount, "suspense": item.source_key}, reason=reason)
        _refund_later(refund.pk)
    return refund


def _refund_later(refund_id: int) -> None:
    from .tasks import refund_execute

    transaction.on_commit(lambda: task_enqueue(refund_execute, refund_id))


def refund_execute(*, refund_id: int) -> str:
    """Send one requested refund to the gateway (same key on every retry) and post it when confirmed. An order's
    refund is split pro rata (ledger.refund_split: goods and shipping; commission only on the goods) and gets
    its credit note, numbered in the same transaction."""
    refund = Refund.objects.select_related("payment", "suspense").get(pk=refund_id)
    if refund.status != Refund.Status.REQUESTED:
        return refund.status
    if refund.order_id is not None and refund.payment.status == P.REVERSED:
        # The bank already took the whole payment back (ledger_reverse_payment): nothing left to refund.
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.REQUESTED).update(
            status=Refund.Status.FAILED, last_error="payment reversed by the bank")
        return Refund.Status.FAILED
    source = refund.suspense or refund.payment
    attempt_ref = refund.suspense.attempt_ref if refund.suspense else refund.payment.paid_attempt_ref
    attempt = PaymentAttempt.objects.get(attempt_ref=attempt_ref)
    try:
        result = gateway(attempt.provider).refund(attempt.attempt_ref, amount=refund.amount,
                                                  refund_key=refund.refund_key, reason=refund.reason,
                                                  provider_ref=source.paid_ref)
    except GatewayUnavailable:
        raise
    except GatewayError as error:
        Refund.objects.filter(pk=refund.pk).update(last_error=str(error)[:500])
        return Refund.Status.REQUESTED  # stays requested for finance to follow up
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.REQUESTED:
            return refund.status
        if result.kind != Kind.REFUNDED:
            refund.status = Refund.Status.FAILED
            refund.save(update_fields=["status"])
            return refund.status
        refund.status, refund.provider_ref = Refund.Status.SUCCEEDED, result.provider_ref
        refund.save(update_fields=["status", "provider_ref"])
        if refund.order_id is None:  # money leaving suspense (late or wrong amount)
            lines = [Line(Account.SUSPENSE, refund.amount), Line(Account.CLEARING, -refund.amount)]
        else:
            order = Order.objects.select_for_update().get(pk=refund.order_id)  # against a concurrent release
            before = sum(Refund.objects.filter(order_id=order.pk, status=Refund.Status.SUCCEEDED)
                         .exclude(pk=refund.pk).values_list("amount", flat=True))
            tax = OrderTax.objects.filter(order=order).first()
            parts = refund_split(subtotal=order.subtotal, shipping_fee=order.shipping_fee, refunded_before=before,
                                 amount=refund.amount, tax=tax)
            from_pending = max(0, min(parts.shop, order_pending(order.pk)))
            period = tax_period_now()  # a refund lowers the tax of the month it is made in (like a nota retur)
            lines = [Line(Account.COMMISSION, parts.commission, None, order.pk),
                     Line(Account.TAX_PPN, parts.ppn, None, order.pk, period),
                     Line(Account.TAX_PPH22, parts.pph22, None, order.pk, period),
                     Line(Account.CLEARING, -refund.amount),
                     Line(Account.SHOP_PENDING, from_pending, order.shop_id, order.pk),
                     Line(Account.SHOP_AVAILABLE, parts.shop - from_pending, order.shop_id, order.pk)]
            payment.refunded_total += refund.amount
            payment.status = P.REFUNDED if payment.refunded_total == payment.paid_amount else P.PARTIALLY_REFUNDED
            payment.save(update_fields=["refunded_total", "status", "updated_at"])
            CreditNote.objects.create(
                number=document_number_next(series=DocumentCounter.Series.CREDIT_NOTE, shop_id=order.shop_id),
                order=order, refund=refund, amount=refund.amount, goods_amount=parts.goods,
                shipping_amount=parts.shipping, dpp=parts.dpp, ppn=parts.ppn, pph22=parts.pph22)
        ledger_post(source_key=f"refund:{refund.refund_key}", description=refund.reason, payment=payment,
                    lines=lines)
        outbox_enqueue(recipient=payment.group.buyer, subject=_("Dana dikembalikan"),
                       body=_("Dana Rp%(n)s dikembalikan ke metode pembayaran Anda.") % {
                           "n": f"{refund.amount:,}".replace(",", ".")})
    return refund.status


# --- payouts --------------------------------------------------------------------------------------------

def payout_request(*, shop_id: int, amount: int, actor) -> Payout:
    """Draw from the shop's available balance (locked on the shop row), then send it through the gateway."""
    if not shop_scope(user=actor, capability=Capability.FINANCE).filter(pk=shop_id).exists():
        raise PermissionDenied  # only the shop's admin or finance member moves its money
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(pk=shop_id)
        # The verified account only: a new one waits for the verifikator (vendors.services.shop_bank_change_*),
        # and its approval locks this same shop row, so a payout goes wholly to the old or wholly to the new.
        account = ShopBankAccount.objects.filter(shop=shop).first()
        if account is None:
            raise PaymentError(_("Isi rekening bank toko terlebih dahulu."))
        available = shop_balances(shop_id=shop.pk)["available"]
        if available < 0:
            raise PaymentError(_("Saldo tersedia minus %(n)s karena dana ditarik kembali (chargeback). Pencairan "
                                 "bisa diajukan lagi setelah saldo tersedia positif.") % {
                                     "n": format_rupiah(-available)})
        if amount <= 0 or amount > available:
            raise PaymentError(_("Nominal harus antara Rp1 dan saldo tersedia."))
        payout = Payout.objects.create(shop=shop, amount=amount, bank=account.bank, requested_by=actor,
                                       account_number=account.number, account_name=account.holder_name)
        ledger_post(source_key=f"payout:{payout.pk}:requested", description=_("Pencairan dana"),
                    lines=[Line(Account.SHOP_AVAILABLE, amount, shop.pk),
                           Line(Account.PAYOUT_IN_TRANSIT, -amount, shop.pk)])
        audit_record(actor=actor, action="payout.requested", target=payout, after={"amount": amount})
        from .tasks import payout_send

        transaction.on_commit(lambda: task_enqueue(payout_send, payout.pk))
    return payout


def payout_for_order(*, order_id: int) -> Payout | None:
    """The system pays one completed order's released money out to its shop's verified bank account, without
    waiting for the shop to ask (a government package: the seller is paid within 24 hours of the payment).
    One payout per order (Payout.order is unique): a second call returns the first. None when there is nothing
    to send yet (not released, the balance taken by a clawback) or no verified account (the caller tells the
    seller)."""
    with transaction.atomic():
        order = Order.objects.get(pk=order_id)
        shop = Shop.objects.select_for_update().get(pk=order.shop_id)
        existing = Payout.objects.filter(order_id=order_id).first()
        if existing is not None:
            return existing
        released = -(Posting.objects.filter(account=Account.SHOP_AVAILABLE, order_id=order_id,
                                            journal__source_key=f"order:{order_id}:release")
                     .aggregate(total=models.Sum("amount"))["total"] or 0)
        amount = min(released, shop_balances(shop_id=shop.pk)["available"])
        if amount <= 0:
            return None
        account = ShopBankAccount.objects.filter(shop=shop).first()
        if account is None:
            return None
        payout = Payout.objects.create(shop=shop, order=order, amount=amount, bank=account.bank, requested_by=None,
                                       account_number=account.number, account_name=account.holder_name)
        ledger_post(source_key=f"payout:{payout.pk}:requested", description=_("Pencairan dana"),
                    lines=[Line(Account.SHOP_AVAILABLE, amount, shop.pk),
                           Line(Account.PAYOUT_IN_TRANSIT, -amount, shop.pk)])
        audit_record(actor=None, action="payout.automatic", target=payout,
                     after={"amount": amount, "order": order.number})
        from .tasks import payout_send

        transaction.on_commit(lambda: task_enqueue(payout_send, payout.pk))
    return payout


def payout_send(*, payout_id: int) -> str:
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        if payout.status != Payout.Status.REQUESTED:
            return payout.status
        payout.status = Payout.Status.PROCESSING
        payout.save(update_fields=["status", "updated_at"])
    result = gateway().payout(amount=payout.amount, bank=payout.bank, account_number=payout.account_number,
                              account_name=payout.account_name, idempotency_key=f"payout-{payout.pk}")
    Payout.objects.filter(pk=payout.pk).update(provider_ref=result.provider_ref)
    if result.status in ("paid", "failed"):
        return payout_settle(payout_id=payout.pk, ok=result.status == "paid", reason="")
    return Payout.Status.PROCESSING


def payout_settle(*, payout_id: int, ok: bool, reason: str) -> str:
    """The bank confirmed or refused a payout; a refusal puts the money back in the available balance."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        if payout.status != Payout.Status.PROCESSING:
            return payout.status
        payout.status = Payout.Status.PAID if ok else Payout.Status.FAILED
        payout.failure_reason = reason[:300]
        payout.save(update_fields=["status", "failure_reason", "updated_at"])
        back = Account.BANK if ok else Account.SHOP_AVAILABLE
        ledger_post(source_key=f"payout:{payout.pk}:{payout.status}", description=_("Pencairan dana"),
                    lines=[Line(Account.PAYOUT_IN_TRANSIT, payout.amount, payout.shop_id),
                           Line(back, -payout.amount, None if ok else payout.shop_id)])
        outbox_enqueue(recipient=payout.shop.owner, subject=_("Pencairan dana: %(s)s") % {
            "s": payout.get_status_display()}, body=reason or payout.get_status_display(),
            url=reverse("payments:shop_balance", args=[payout.shop_id]))
    return payout.status


def ledger_reconcile() -> list[str]:
    problems = ledger_check_invariants()
    for problem in problems:
        logger.error("ledger reconciliation: %s", problem)
    return problems


def orders_settle() -> dict[str, int]:
    """Beat job: money follows what happened to the orders (orders never calls payments; the dependency points
    one way). A completed order (or one whose complaint closed without a refund) releases its shop's pending
    balance; a cancelled or refunded order (a complaint upheld by the shop or the verifikator) of a paid
    checkout gets its refund. Both are idempotent, so a crash or a second run changes nothing more."""
    from django.db.models import Sum

    released = refunded = 0
    pending = (Posting.objects.filter(account=Account.SHOP_PENDING, order__status__in=order_paid_to_shop())
               .values("order_id").annotate(total=Sum("amount")).filter(total__lt=0))
    for row in pending:
        released += ledger_release_for_order(row["order_id"])
    to_refund = (Order.objects.filter(status__in=[Order.Status.CANCELLED, Order.Status.REFUNDED],
                                      group__payment__status__in=[P.PAID, P.PARTIALLY_REFUNDED])
                 .exclude(pk__in=Refund.objects.filter(order__isnull=False).values("order_id")))
    for order in to_refund:
        try:
            refund_request(order_id=order.pk, reason=order.reason or _("Pesanan dibatalkan"))
            refunded += 1
        except PaymentError as problem:
            logger.warning("settle: no refund for order %s: %s", order.number, problem)
    return {"released": released, "refunded": refunded}


# --- taxes (payments/tax.py computes; these fix the figures on the order and pay them in) ----------------

class TaxError(Exception):
    """A tax action refused (the message is for the user)."""


def turnover_statement_accepted(*, shop_id: int, year: int) -> bool:
    return ShopTaxDeclaration.objects.filter(shop_id=shop_id, kind=ShopTaxDeclaration.Kind.TURNOVER, year=year,
                                             status=ShopTaxDeclaration.Status.APPROVED).exists()


def order_tax_record(*, order: Order, kind: str, split: TaxSplit, rates: TaxRates, rates_on, invoice_number: str,
                     buyer_name: str, buyer_npwp: str = "", statement_filed: bool = False) -> OrderTax:
    """Fix an order's taxes once (inside the caller's transaction). A non-PKP seller's invoice never carries
    PPN: refused here, and by the database."""
    if split.ppn and not order.shop.is_pkp:
        raise TaxError(_("%(shop)s bukan PKP: invoice-nya tidak boleh memuat PPN.") % {"shop": order.shop.name})
    seller_name, seller_npwp = seller_tax_name(order.shop)
    return OrderTax.objects.create(
        order=order, shop=order.shop, kind=kind, invoice_number=invoice_number, rates_on=rates_on,
        rates=rates.as_record(), gross=split.gross, dpp=split.dpp, dpp_nilai_lain=split.dpp_nilai_lain,
        ppn=split.ppn, pph22=split.pph22, seller_name=seller_name[:150], seller_npwp=seller_npwp,
        seller_is_pkp=order.shop.is_pkp, statement_filed=statement_filed, buyer_name=buyer_name[:150],
        buyer_npwp=buyer_npwp)


def consumer_taxes_fix(*, orders) -> None:
    """When a checkout is paid: PPh 22 on each consumer order's goods (PMK 37/2025) unless its seller's turnover
    statement for this year was accepted. Orders whose taxes were fixed before (a government invoice) keep them."""
    today = timezone.localdate()
    rates = tax_rates_on(today)
    taxed = set(OrderTax.objects.filter(order__in=orders).values_list("order_id", flat=True))
    for order in orders:
        if order.pk in taxed:
            continue
        statement = turnover_statement_accepted(shop_id=order.shop_id, year=today.year)
        split = consumer_split(gross=order.subtotal, seller_is_pkp=order.shop.is_pkp, statement_filed=statement,
                               rates=rates)
        order_tax_record(order=order, kind=OrderTax.Kind.CONSUMER, split=split, rates=rates, rates_on=today,
                         invoice_number=order.invoice_number, buyer_name=order.group.buyer.name,
                         statement_filed=statement)


TAX_LOCK_KEYS = {TaxDeposit.Tax.PPN: 140_001, TaxDeposit.Tax.PPH22: 140_002}  # pg advisory lock classes


def tax_deposit_record(*, period, tax: str, ntpn: str, deposited_on, actor) -> TaxDeposit:
    """The platform paid one tax of one month in to the state: the payable of that month goes to zero against
    the bank account, with the NTPN (the state's receipt number). Once per tax and month; only after the month
    ended, so no posting can land in it afterwards."""
    if not (actor.is_staff or actor.is_verifikator):
        raise PermissionDenied
    ntpn = ntpn.strip().upper()
    if len(ntpn) != 16 or not ntpn.isalnum():
        raise TaxError(_("NTPN terdiri dari 16 huruf/angka."))
    if tax_period_end(period) > timezone.localdate():
        raise TaxError(_("Masa pajak %(period)s belum berakhir; setoran dicatat setelah bulannya selesai.")
                       % {"period": f"{period:%m/%Y}"})
    label = TaxDeposit.Tax(tax).label
    with transaction.atomic():
        _lock_timeout()
        # One deposit per tax and month: the advisory lock serialises two clerks, the unique row refuses the second.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TAX_LOCK_KEYS[tax], period.toordinal()])
        if TaxDeposit.objects.filter(period=period, tax=tax).exists():
            raise TaxError(_("%(tax)s masa %(period)s sudah disetor.") % {"tax": label, "period": f"{period:%m/%Y}"})
        if TaxDeposit.objects.filter(ntpn=ntpn).exists():
            raise TaxError(_("NTPN ini sudah dipakai untuk setoran lain."))
        amount = tax_payable(tax=tax, period=period)
        if amount <= 0:
            raise TaxError(_("Tidak ada %(tax)s terutang untuk masa %(period)s.")
                           % {"tax": label, "period": f"{period:%m/%Y}"})
        deposit = TaxDeposit.objects.create(period=period, tax=tax, ntpn=ntpn, amount=amount,
                                            deposited_on=deposited_on, recorded_by=actor)
        ledger_post(source_key=f"tax-deposit:{tax}:{period:%Y-%m}",
                    description=_("Setor %(tax)s masa %(period)s, NTPN %(ntpn)s") % {
                        "tax": label, "period": f"{period:%m/%Y}", "ntpn": ntpn},
                    lines=[Line(TAX_ACCOUNT_OF[tax], amount, None, None, period), Line(Account.BANK, -amount)])
        audit_record(actor=actor, action="tax.deposit", target=deposit, after={"amount": amount, "ntpn": ntpn})
    return deposit
