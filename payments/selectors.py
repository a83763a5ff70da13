"""Payment reads."""

from django.db.models import F, QuerySet

from .models import Payment, PaymentAttempt, Posting


def payment_of_buyer(*, user, group_id: int) -> Payment | None:
    return Payment.objects.select_related("group").filter(group_id=group_id, group__buyer=user).first()


def attempt_of_buyer(*, user, attempt_ref: str) -> PaymentAttempt | None:
    return (PaymentAttempt.objects.select_related("payment__group")
            .filter(attempt_ref=attempt_ref, payment__group__buyer=user).first())


def shop_history(*, shop_id: int) -> QuerySet[Posting]:
    """The shop's ledger lines, signed from the shop's side (a credit to the shop is positive)."""
    return (Posting.objects.filter(shop_id=shop_id).select_related("journal", "order")
            .annotate(shop_amount=-F("amount")).order_by("-journal__created_at", "-pk"))
