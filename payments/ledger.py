"""Double-entry ledger (research/payments.md §d): append-only postings, one journal per money movement.

Postings are positive for a debit and negative for a credit; the shop and commission accounts are
credit-normal, so their balance is minus the sum of their postings. So are the tax accounts (PPN and PPh 22
collected, payments/tax.py), each posting of which names its tax period (the month): a month's payable is minus
the sum of that month's postings, and its deposit (with the NTPN) brings it to zero.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext

from plazabanten.money import format_rupiah

from .models import SHOP_ACCOUNTS, TAX_ACCOUNTS, Account, Journal, OrderTax, Payment, Posting, TaxDeposit
from .tax import tax_period_of


class LedgerError(Exception):
    pass


@dataclass(frozen=True)
class Line:
    account: str
    amount: int  # + debit, − credit
    shop_id: int | None = None
    order_id: int | None = None
    period: date | None = None  # the tax period (month), on the tax accounts only


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
    dpp: int = 0  # the part of the order's tax base (DPP) that is undone, for the credit note and the report
    ppn: int = 0  # the part of the PPN collected on the goods that is no longer owed
    pph22: int = 0  # likewise for the PPh 22 withheld

    @property
    def amount(self) -> int:
        return self.goods + self.shipping


def refund_split(*, subtotal: int, shipping_fee: int, refunded_before: int, amount: int, tax=None) -> RefundParts:
    """Split a refund of `amount` of an order pro rata between goods and shipping, and its goods part between
    the commission and the shop, and (for a taxed order: `tax`, its OrderTax) the DPP, PPN and PPh 22 that are
    undone. Computed on the running total (all refunds of the order so far, this one included) minus the same
    for the refunds before it, so partial refunds never drift by a rupiah: the refunds of a whole order always
    give back exactly its subtotal, shipping fee, commission, DPP and taxes. The goods split in one go into
    [PPN, PPh 22, DPP − PPh 22, the rest], so DPP + PPN undone equal the goods refunded on a government invoice,
    as on the invoice itself."""
    cut = commission_of(subtotal)
    ppn, pph22, dpp = (tax.ppn, tax.pph22, tax.dpp) if tax else (0, 0, 0)

    def upto(refunded: int) -> tuple[int, ...]:
        if refunded == 0:
            return 0, 0, 0, 0, 0, 0
        goods, shipping = amount_split(amount=refunded, weights=[subtotal, shipping_fee])
        commission = amount_split(amount=goods, weights=[cut, subtotal - cut])[0] if goods else 0
        if goods and tax:
            ppn_part, pph22_part, rest_of_dpp, _other = amount_split(
                amount=goods, weights=[ppn, pph22, dpp - pph22, subtotal - ppn - dpp])
            return goods, shipping, commission, pph22_part + rest_of_dpp, ppn_part, pph22_part
        return goods, shipping, commission, 0, 0, 0

    if amount <= 0 or refunded_before < 0 or refunded_before + amount > subtotal + shipping_fee:
        raise LedgerError(f"refund of {amount} after {refunded_before} of {subtotal} + {shipping_fee}")
    after, before = upto(refunded_before + amount), upto(refunded_before)
    goods, shipping, commission, dpp_back, ppn_back, pph22_back = (a - b for a, b in zip(after, before, strict=True))
    return RefundParts(goods=goods, shipping=shipping, commission=commission, dpp=dpp_back, ppn=ppn_back,
                       pph22=pph22_back, shop=amount - commission - ppn_back - pph22_back)


def ledger_post(*, source_key: str, description: str, lines: list[Line], payment: Payment | None = None) -> bool:
    """Write one balanced journal; False (and nothing written) if this source was posted before."""
    lines = [line for line in lines if line.amount]
    if sum(line.amount for line in lines) != 0:
        raise LedgerError(f"unbalanced journal {source_key}: {lines}")
    for line in lines:
        if (line.shop_id is not None) != (line.account in SHOP_ACCOUNTS):
            raise LedgerError(f"{line.account} posting with shop {line.shop_id}")
        if (line.period is not None) != (line.account in TAX_ACCOUNTS):
            raise LedgerError(f"{line.account} posting with tax period {line.period}")
    try:
        with transaction.atomic():
            journal = Journal.objects.create(source_key=source_key, description=description[:200], payment=payment)
            Posting.objects.bulk_create(Posting(journal=journal, account=line.account, shop_id=line.shop_id,
                                                order_id=line.order_id, amount=line.amount, tax_period=line.period)
                                for line in lines)
    except IntegrityError:
        if Journal.objects.filter(source_key=source_key).exists():
            return False
        raise
    return True


def tax_period_now() -> date:
    from django.utils import timezone

    return tax_period_of(timezone.localdate())


def ledger_post_payment(*, payment: Payment, orders) -> bool:
    """Money received for a checkout: each shop's pending balance gets its order total minus commission and
    minus the taxes fixed on the order (OrderTax), which go to the tax accounts of this month."""
    lines = [Line(Account.CLEARING, payment.amount)]
    period = tax_period_now()
    taxes = OrderTax.objects.in_bulk([order.pk for order in orders], field_name="order_id")
    for order in orders:
        cut = commission_of(order.subtotal)
        tax = taxes.get(order.pk)
        ppn, pph22 = (tax.ppn, tax.pph22) if tax else (0, 0)
        lines += [Line(Account.SHOP_PENDING, -(order.total - cut - ppn - pph22), order.shop_id, order.pk),
                  Line(Account.COMMISSION, -cut, None, order.pk),
                  Line(Account.TAX_PPN, -ppn, None, order.pk, period),
                  Line(Account.TAX_PPH22, -pph22, None, order.pk, period)]
    return ledger_post(source_key=f"payment:{payment.pk}:paid", description=gettext("Pembayaran diterima"),
                       lines=lines, payment=payment)


def order_held(order_id: int) -> dict[str, int]:
    """What the ledger still holds for one order, per account, credit-normal (commission, the shop's pending
    part, what was released to the shop's available balance, and the taxes collected on it)."""
    sums = dict(Posting.objects.filter(order_id=order_id).values_list("account").annotate(s=Sum("amount")))
    return {"commission": -sums.get(Account.COMMISSION, 0), "pending": -sums.get(Account.SHOP_PENDING, 0),
            "available": -sums.get(Account.SHOP_AVAILABLE, 0), "ppn": -sums.get(Account.TAX_PPN, 0),
            "pph22": -sums.get(Account.TAX_PPH22, 0)}


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
    period = tax_period_now()  # the taxes not collected after all come off this month's payable
    for order in orders:
        held = order_held(order.pk)
        shop_part = held["pending"] + held["available"]
        taxes = held["ppn"] + held["pph22"]
        if held["commission"] + shop_part + taxes <= 0:
            continue
        description = gettext("Dana ditarik kembali: chargeback pesanan %(number)s %(amount)s") % {
            "number": order.number, "amount": format_rupiah(shop_part)}
        written += ledger_post(
            source_key=f"payment:{payment.pk}:reversed:{order.pk}", description=description, payment=payment,
            lines=[Line(Account.CLEARING, -(held["commission"] + shop_part + taxes)),
                   Line(Account.COMMISSION, held["commission"], None, order.pk),
                   Line(Account.TAX_PPN, held["ppn"], None, order.pk, period),
                   Line(Account.TAX_PPH22, held["pph22"], None, order.pk, period),
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


TAX_ACCOUNT_OF = {TaxDeposit.Tax.PPN: Account.TAX_PPN, TaxDeposit.Tax.PPH22: Account.TAX_PPH22}


def tax_payable(*, tax: str, period: date) -> int:
    """What the platform owes the state for one tax of one month (credit-normal)."""
    total = Posting.objects.filter(account=TAX_ACCOUNT_OF[tax], tax_period=period).aggregate(s=Sum("amount"))["s"]
    return -(total or 0)


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
    for deposit in TaxDeposit.objects.all():
        owed = tax_payable(tax=deposit.tax, period=deposit.period)
        if owed:
            problems.append(f"{deposit.tax} {deposit.period:%Y-%m} was deposited but {owed} is still payable")
    money = [Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]
    for payment in Payment.objects.filter(status__in=money).exclude(journals__source_key__endswith=":paid"):
        problems.append(f"payment {payment.pk} is {payment.status} without a payment journal")
    for payment in Payment.objects.filter(status__in=money).annotate(
            posted=Sum("journals__postings__amount", filter=Q(journals__source_key__endswith=":paid",
                                                              journals__postings__account=Account.CLEARING))):
        if payment.posted is not None and payment.posted != payment.paid_amount:
            problems.append(f"payment {payment.pk} posted {payment.posted}, paid {payment.paid_amount}")
    return problems
