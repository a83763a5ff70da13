"""Payment reads."""

from django.db.models import F, QuerySet, Sum

from vendors.models import Shop

from .models import Account, CreditNote, Payment, PaymentAttempt, Posting, Refund, SuspenseItem


def payment_of_buyer(*, user, group_id: int) -> Payment | None:
    return Payment.objects.select_related("group").filter(group_id=group_id, group__buyer=user).first()


def attempt_of_buyer(*, user, attempt_ref: str) -> PaymentAttempt | None:
    return (PaymentAttempt.objects.select_related("payment__group")
            .filter(attempt_ref=attempt_ref, payment__group__buyer=user).first())


def shop_history(*, shop_id: int) -> QuerySet[Posting]:
    """The shop's ledger lines, signed from the shop's side (a credit to the shop is positive)."""
    return (Posting.objects.filter(shop_id=shop_id).select_related("journal", "order")
            .annotate(shop_amount=-F("amount")).order_by("-journal__created_at", "-pk"))


def credit_notes_of_order(*, order_id: int) -> QuerySet[CreditNote]:
    return CreditNote.objects.filter(order_id=order_id).order_by("created_at", "pk")


def clawbacks_of_shop(*, shop_id: int) -> QuerySet[Posting]:
    """Money taken back from the shop's available balance for orders already released to it (a chargeback
    after release, a refund after release): why that balance may be low or negative."""
    return (Posting.objects.filter(shop_id=shop_id, account=Account.SHOP_AVAILABLE, order__isnull=False,
                                   amount__gt=0).select_related("journal", "order").order_by("-journal__created_at",
                                                                                              "-pk"))


def clawbacks_recent() -> QuerySet[Posting]:
    """For Pemprov finance: every clawback, newest first, with its shop."""
    return (Posting.objects.filter(account=Account.SHOP_AVAILABLE, order__isnull=False, amount__gt=0)
            .select_related("journal", "order", "shop").order_by("-journal__created_at", "-pk"))


def shops_with_negative_balance() -> list[dict]:
    """Shops whose available balance is below zero (after a clawback): [{shop, available}]."""
    rows = (Posting.objects.filter(account=Account.SHOP_AVAILABLE).values("shop_id").annotate(s=Sum("amount"))
            .filter(s__gt=0).order_by("-s"))
    shops = Shop.objects.in_bulk([row["shop_id"] for row in rows])
    return [{"shop": shops[row["shop_id"]], "available": -row["s"]} for row in rows]


def suspense_items_open() -> list[SuspenseItem]:
    """Money in suspense not yet on its way back (no refund, or only failed ones), oldest first; then the ones
    being refunded or refunded lately. Each item carries `.state`: open, processing or refunded."""
    items = list(SuspenseItem.objects.select_related("payment__group").prefetch_related("refunds")
                 .order_by("created_at", "pk")[:200])
    for item in items:
        states = {refund.status for refund in item.refunds.all()}
        item.state = ("refunded" if Refund.Status.SUCCEEDED in states
                      else "processing" if Refund.Status.REQUESTED in states else "open")
        item.last_error = next((r.last_error for r in item.refunds.all() if r.last_error), "")
    order = {"open": 0, "processing": 1, "refunded": 2}
    return sorted(items, key=lambda item: order[item.state])
