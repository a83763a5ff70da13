"""Double-entry ledger (research/payments.md §d): append-only postings, one journal per money movement.

Postings are positive for a debit and negative for a credit; the shop and commission accounts are
credit-normal, so their balance is minus the sum of their postings.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext

from plazabanten.money import format_rupiah

from .models import SHOP_ACCOUNTS, Account, Journal, Payment, Posting


class LedgerError(Exception):
    pass


@dataclass(frozen=True)
class Line:
    account: str
    amount: int  # + debit, − credit
    shop_id: int | None = None
    order_id: int | None = None


def commission_of(subtotal: int) -> int:
    """The platform's cut of a shop's goods (not of shipping), rounded half up to whole rupiah."""
    return (subtotal * settings.PAYMENT_COMMISSION_BPS + 5000) // 10000


def amount_split(*, amount: int, weights: Sequence[int]) -> list[int]:
    """Split whole rupiah in proportion to the weights (largest remainder): each part is the floor of its exact
    share, and the rupiah left over go one each to the parts with the largest fractions (the earlier part on a
    tie). The parts always add up to the amount exactly."""
    total = sum(weights)
    if amount < 0 or total <= 0 or any(weight < 0 for weight in weights):
        raise ValueError(f"cannot split {amount} by {list(weights)}")
    parts = [amount * weight // total for weight in weights]
    remainders = [amount * weight % total for weight in weights]
    for index in sorted(range(len(parts)), key=lambda i: (-remainders[i], i))[:amount - sum(parts)]:
        parts[index] += 1
    return parts


@dataclass(frozen=True)
class RefundParts:
    goods: int  # of the goods subtotal (commission was charged on it)
    shipping: int  # of the shipping fee (no commission was charged on it: none comes back)
    commission: int  # the platform gives back this part of its commission
    shop: int  # the shop gives back the rest

    @property
    def amount(self) -> int:
        return self.goods + self.shipping


def refund_split(*, subtotal: int, shipping_fee: int, refunded_before: int, amount: int) -> RefundParts:
    """Split a refund of `amount` of an order pro rata between goods and shipping, and its goods part between
    the commission and the shop. Computed on the running total (all refunds of the order so far, this one
    included) minus the same for the refunds before it, so partial refunds never drift by a rupiah: the
    refunds of a whole order always give back exactly its subtotal, shipping fee and commission."""
    cut = commission_of(subtotal)

    def upto(refunded: int) -> tuple[int, int, int]:
        if refunded == 0:
            return 0, 0, 0
        goods, shipping = amount_split(amount=refunded, weights=[subtotal, shipping_fee])
        commission = amount_split(amount=goods, weights=[cut, subtotal - cut])[0] if goods else 0
        return goods, shipping, commission

    if amount <= 0 or refunded_before < 0 or refunded_before + amount > subtotal + shipping_fee:
        raise LedgerError(f"refund of {amount} after {refunded_before} of {subtotal} + {shipping_fee}")
    goods_after, shipping_after, commission_after = upto(refunded_before + amount)
    goods_before, shipping_before, commission_before = upto(refunded_before)
    goods, commission = goods_after - goods_before, commission_after - commission_before
    return RefundParts(goods=goods, shipping=shipping_after - shipping_before, commission=commission,
                       shop=amount - commission)


def ledger_post(*, source_key: str, description: str, lines: list[Line], payment: Payment | None = None) -> bool:
    """Write one balanced journal; False (and nothing written) if this source was posted before."""
    lines = [line for line in lines if line.amount]
    if sum(line.amount for line in lines) != 0:
        raise LedgerError(f"unbalanced journal {source_key}: {lines}")
    for line in lines:
        if (line.shop_id is not None) != (line.account in SHOP_ACCOUNTS):
            raise LedgerError(f"{line.account} posting with shop {line.shop_id}")
    try:
        with transaction.atomic():
            journal = Journal.objects.create(source_key=source_key, description=description[:200], payment=payment)
            Posting.objects.bulk_create(Posting(journal=journal, account=line.account, shop_id=line.shop_id,
                                                order_id=line.order_id, amount=line.amount) for line in lines)
    except IntegrityError:
        if Journal.objects.filter(source_key=source_key).exists():
            return False
        raise
    return True


def ledger_post_payment(*, payment: Payment, orders) -> bool:
    """Money received for a checkout: each shop's pending balance gets its order total minus commission."""
    lines = [Line(Account.CLEARING, payment.amount)]
    for order in orders:
        cut = commission_of(order.subtotal)
        lines += [Line(Account.SHOP_PENDING, -(order.total - cut), order.shop_id, order.pk),
                  Line(Account.COMMISSION, -cut, None, order.pk)]
    return ledger_post(source_key=f"payment:{payment.pk}:paid", description=gettext("Pembayaran diterima"),
                       lines=lines, payment=payment)


def order_held(order_id: int) -> dict[str, int]:
    """What the ledger still holds for one order, per account, credit-normal (commission, the shop's pending
    part, and what was released to the shop's available balance)."""
    sums = dict(Posting.objects.filter(order_id=order_id).values_list("account").annotate(s=Sum("amount")))
    return {"commission": -sums.get(Account.COMMISSION, 0), "pending": -sums.get(Account.SHOP_PENDING, 0),
            "available": -sums.get(Account.SHOP_AVAILABLE, 0)}


def ledger_reverse_payment(*, payment: Payment) -> int:
    """The bank took the money back (settlement → deny, a chargeback): per order, everything the ledger still
    holds for it goes back to the gateway: the commission, the shop's pending part and, when the order was
    already released, the released part from the shop's available balance (a clawback: that balance may go
    below zero, and payouts wait until it is positive again). Refunds already made are not taken twice.
    The orders are locked (in pk order) so a release or a refund cannot move the same money meanwhile.
    Returns how many journals were written."""
    from orders.models import Order

    orders = list(Order.objects.select_for_update().filter(group_id=payment.group_id).order_by("pk"))
    written = 0
    for order in orders:
        held = order_held(order.pk)
        shop_part = held["pending"] + held["available"]
        if held["commission"] + shop_part <= 0:
            continue
        description = gettext("Dana ditarik kembali: chargeback pesanan %(number)s %(amount)s") % {
            "number": order.number, "amount": format_rupiah(shop_part)}
        written += ledger_post(
            source_key=f"payment:{payment.pk}:reversed:{order.pk}", description=description, payment=payment,
            lines=[Line(Account.CLEARING, -(held["commission"] + shop_part)),
                   Line(Account.COMMISSION, held["commission"], None, order.pk),
                   Line(Account.SHOP_PENDING, held["pending"], order.shop_id, order.pk),
                   Line(Account.SHOP_AVAILABLE, held["available"], order.shop_id, order.pk)])
    return written


def shop_clawed_back(*, shop_id: int) -> int:
    """Money taken back from the shop's available balance for orders already released to it (a chargeback
    after release, or a refund after release): the only thing that may make that balance negative."""
    total = Posting.objects.filter(shop_id=shop_id, account=Account.SHOP_AVAILABLE, order__isnull=False,
                                   amount__gt=0).aggregate(s=Sum("amount"))["s"]
    return total or 0


def order_paid_to_shop() -> tuple[str, ...]:
    """Order statuses after which the shop keeps the money: completed, or a complaint closed without a refund."""
    from orders.models import Order

    return Order.Status.COMPLETED, Order.Status.CLOSED


def order_pending(order_id: int) -> int:
    total = Posting.objects.filter(account=Account.SHOP_PENDING, order_id=order_id).aggregate(s=Sum("amount"))["s"]
    return -(total or 0)


def ledger_release_for_order(order_id: int) -> bool:
    """An order completed (or its complaint closed without a refund): what is still pending for it becomes
    available to its shop. Call it after that transition has committed; calling it again does nothing."""
    from orders.models import Order

    with transaction.atomic():
        # The order row lock keeps a refund or a chargeback from moving the same pending money meanwhile.
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status not in order_paid_to_shop():
            raise LedgerError(f"order {order.number} is {order.status}, not completed")
        amount = order_pending(order_id)
        if amount <= 0:
            return False
        return ledger_post(source_key=f"order:{order_id}:release", description=gettext("Pesanan selesai"),
                           lines=[Line(Account.SHOP_PENDING, amount, order.shop_id, order_id),
                                  Line(Account.SHOP_AVAILABLE, -amount, order.shop_id, order_id)])


def shop_balances(*, shop_id: int) -> dict[str, int]:
    sums = dict(Posting.objects.filter(shop_id=shop_id).values_list("account").annotate(s=Sum("amount")))
    return {"pending": -sums.get(Account.SHOP_PENDING, 0), "available": -sums.get(Account.SHOP_AVAILABLE, 0),
            "in_transit": -sums.get(Account.PAYOUT_IN_TRANSIT, 0)}


def ledger_check_invariants() -> list[str]:
    """Debits = credits per journal and in total; no shop's pending or in-transit balance below zero, nor any
    order's pending part; a shop's available balance below zero only by what was clawed back from it; the
    suspense account never below zero; every paid payment fully posted."""
    problems = []
    for journal in Journal.objects.annotate(total=Sum("postings__amount"), lines=Count("postings")).filter(
            ~Q(total=0) | Q(lines__lt=2)).values("source_key", "total"):
        problems.append(f"journal {journal['source_key']} does not balance ({journal['total']})")
    grand_total = Posting.objects.aggregate(s=Sum("amount"))["s"] or 0
    if grand_total:
        problems.append(f"debits and credits differ by {grand_total}")
    for row in (Posting.objects.filter(account__in=[a.value for a in SHOP_ACCOUNTS])
                .values("account", "shop_id").annotate(s=Sum("amount")).filter(s__gt=0)):
        if row["account"] == Account.SHOP_AVAILABLE and row["s"] <= shop_clawed_back(shop_id=row["shop_id"]):
            continue  # negative because of a clawback: payouts wait until it is positive again
        problems.append(f"shop {row['shop_id']} {row['account']} is negative ({-row['s']})")
    for row in (Posting.objects.filter(account=Account.SHOP_PENDING, order__isnull=False)
                .values("order_id").annotate(s=Sum("amount")).filter(s__gt=0)):
        problems.append(f"order {row['order_id']} pending is negative ({-row['s']})")
    suspense = Posting.objects.filter(account=Account.SUSPENSE).aggregate(s=Sum("amount"))["s"] or 0
    if suspense > 0:
        problems.append(f"suspense is negative ({-suspense})")
    money = [Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]
    for payment in Payment.objects.filter(status__in=money).exclude(journals__source_key__endswith=":paid"):
        problems.append(f"payment {payment.pk} is {payment.status} without a payment journal")
    for payment in Payment.objects.filter(status__in=money).annotate(
            posted=Sum("journals__postings__amount", filter=Q(journals__source_key__endswith=":paid",
                                                              journals__postings__account=Account.CLEARING))):
        if payment.posted is not None and payment.posted != payment.paid_amount:
            problems.append(f"payment {payment.pk} posted {payment.posted}, paid {payment.paid_amount}")
    return problems
