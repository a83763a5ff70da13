"""Double-entry ledger (research/payments.md §d): append-only postings, one journal per money movement.

Postings are positive for a debit and negative for a credit; the shop and commission accounts are
credit-normal, so their balance is minus the sum of their postings.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext

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


def ledger_reverse_payment(*, payment: Payment) -> bool:
    """The bank took the money back (settlement → deny): the exact mirror of the payment journal."""
    postings = Posting.objects.filter(journal__source_key=f"payment:{payment.pk}:paid")
    lines = [Line(p.account, -p.amount, p.shop_id, p.order_id) for p in postings]
    return ledger_post(source_key=f"payment:{payment.pk}:reversed", description=gettext("Pembayaran dibatalkan bank"),
                       lines=lines, payment=payment)


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

    order = Order.objects.get(pk=order_id)
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
    """Debits = credits per journal; no shop balance below zero; every paid payment fully posted."""
    problems = []
    for journal in Journal.objects.annotate(total=Sum("postings__amount"), lines=Count("postings")).filter(
            ~Q(total=0) | Q(lines__lt=2)).values("source_key", "total"):
        problems.append(f"journal {journal['source_key']} does not balance ({journal['total']})")
    for row in (Posting.objects.filter(account__in=[a.value for a in SHOP_ACCOUNTS])
                .values("account", "shop_id").annotate(s=Sum("amount")).filter(s__gt=0)):
        problems.append(f"shop {row['shop_id']} {row['account']} is negative ({-row['s']})")
    money = [Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]
    for payment in Payment.objects.filter(status__in=money).exclude(journals__source_key__endswith=":paid"):
        problems.append(f"payment {payment.pk} is {payment.status} without a payment journal")
    for payment in Payment.objects.filter(status__in=money).annotate(
            posted=Sum("journals__postings__amount", filter=Q(journals__source_key__endswith=":paid",
                                                              journals__postings__account=Account.CLEARING))):
        if payment.posted is not None and payment.posted != payment.paid_amount:
            problems.append(f"payment {payment.pk} posted {payment.posted}, paid {payment.paid_amount}")
    return problems
