"""Payment reads."""

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from django.db.models import F, Q, QuerySet, Sum

from vendors.models import Shop, ShopIdentity

from .models import (
    TAX_VALUES,
    Account,
    CreditNote,
    OrderTax,
    Payment,
    PaymentAttempt,
    Posting,
    Refund,
    SuspenseItem,
)
from .tax import round_half_up


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


# --- taxes ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaxRow:
    """One line of the monthly tax report: a sale (its invoice) or a refund/reversal of it (negative)."""

    at: datetime
    kind: str  # "sale" | "refund" | "reversal"
    order_tax: OrderTax
    document: str  # the invoice, or the credit note of a refund
    dpp: int
    dpp_nilai_lain: int
    ppn: int
    pph22: int


def tax_rows(*, period: date, shop_id: int | None = None) -> list[TaxRow]:
    """The taxed transactions of one month, read from the tax accounts' postings of that period (so their totals
    are the ledger's by construction): one row per order and journal, oldest first."""
    postings = (Posting.objects.filter(account__in=TAX_VALUES, tax_period=period)
                .values("journal_id", "journal__source_key", "journal__created_at", "order_id", "account")
                .annotate(total=Sum("amount")).order_by("journal__created_at", "journal_id", "order_id"))
    if shop_id is not None:
        postings = postings.filter(order__shop_id=shop_id)
    grouped: dict[tuple[int, int], dict] = {}
    for row in postings:
        if row["order_id"] is None:
            continue  # a deposit: it settles the payable, it is not a transaction
        entry = grouped.setdefault((row["journal_id"], row["order_id"]), {
            "key": row["journal__source_key"], "at": row["journal__created_at"], "ppn": 0, "pph22": 0})
        entry["ppn" if row["account"] == Account.TAX_PPN else "pph22"] -= row["total"]
    order_ids = {order_id for _journal, order_id in grouped}
    taxes = OrderTax.objects.in_bulk(order_ids, field_name="order_id")
    notes = {f"refund:{note.refund.refund_key}": note for note in CreditNote.objects.filter(
        order_id__in=order_ids).select_related("refund")}
    rows = []
    for (_journal, order_id), entry in grouped.items():
        tax = taxes[order_id]
        fraction = Fraction(tax.rates.get("ppn_dpp_fraction", "0"))
        if entry["key"].startswith("refund:"):
            note = notes[entry["key"]]
            dpp = -note.dpp
            rows.append(TaxRow(at=entry["at"], kind="refund", order_tax=tax, document=note.number, dpp=dpp,
                               dpp_nilai_lain=round_half_up(dpp * fraction) if note.ppn else 0, ppn=entry["ppn"],
                               pph22=entry["pph22"]))
        elif entry["key"].endswith(":paid"):
            rows.append(TaxRow(at=entry["at"], kind="sale", order_tax=tax, document=tax.invoice_number, dpp=tax.dpp,
                               dpp_nilai_lain=tax.dpp_nilai_lain, ppn=entry["ppn"], pph22=entry["pph22"]))
        else:  # the bank took the payment back: whatever was not refunded before is undone
            refunded = sum(note.dpp for note in notes.values() if note.order_id == order_id)
            dpp = -(tax.dpp - refunded)
            rows.append(TaxRow(at=entry["at"], kind="reversal", order_tax=tax, document=tax.invoice_number, dpp=dpp,
                               dpp_nilai_lain=round_half_up(dpp * fraction) if entry["ppn"] else 0,
                               ppn=entry["ppn"], pph22=entry["pph22"]))
    return rows


def tax_totals(rows: list[TaxRow]) -> dict[str, int]:
    return {name: sum(getattr(row, name) for row in rows) for name in ("dpp", "dpp_nilai_lain", "ppn", "pph22")}


def tax_ledger_totals(*, period: date) -> dict[str, int]:
    """What the ledger's tax accounts took in for the month, before any deposit (credit-normal)."""
    sums = dict(Posting.objects.filter(account__in=TAX_VALUES, tax_period=period, order__isnull=False)
                .values_list("account").annotate(s=Sum("amount")))
    return {"ppn": -sums.get(Account.TAX_PPN, 0), "pph22": -sums.get(Account.TAX_PPH22, 0)}


def tax_year_of_shop(*, shop_id: int, year: int) -> list[dict]:
    """The seller's own summary: per month of the year, the DPP, PPN collected and PPh 22 withheld (net of
    refunds), as its bukti potong add up."""
    months = []
    for month in range(1, 13):
        rows = tax_rows(period=date(year, month, 1), shop_id=shop_id)
        if rows:
            months.append({"period": date(year, month, 1), **tax_totals(rows)})
    return months


def order_taxes_of_shop(*, shop_id: int) -> QuerySet[OrderTax]:
    """The shop's taxed sales, newest first: each has its bukti potong when PPh 22 was withheld."""
    return OrderTax.objects.filter(shop_id=shop_id, order__group__payment__status__in=[
        Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]).select_related(
        "order").order_by("-created_at", "-pk")


def seller_tax_name(shop: Shop) -> tuple[str, str]:
    """The seller's name and NPWP as a faktur names them: the business (or the owner) behind the shop."""
    identity = ShopIdentity.objects.filter(shop=shop).first()
    if identity is None:
        return shop.name, ""
    return (identity.business_name or identity.owner_name or shop.name), identity.npwp


def order_tax_period(*, order_id: int) -> date | None:
    """The month whose tax accounts the order's sale was posted to (when it was paid)."""
    return (Posting.objects.filter(order_id=order_id, account__in=TAX_VALUES, journal__source_key__endswith=":paid")
            .values_list("tax_period", flat=True).first())


def shop_history_with_taxes(*, shop_id: int, limit: int = 50) -> list[Posting]:
    """The shop's latest ledger lines; a sale's line carries `.tax` (its OrderTax, when the platform collected PPN
    or withheld PPh 22 on it) so the balance page shows what came off the order besides the fee."""
    history = list(shop_history(shop_id=shop_id)[:limit])
    paid = {posting.order_id for posting in history
            if posting.order_id and posting.journal.source_key.endswith(":paid")}
    taxes = OrderTax.objects.filter(order_id__in=paid).filter(Q(ppn__gt=0) | Q(pph22__gt=0)).in_bulk(
        field_name="order_id")
    for posting in history:
        posting.tax = taxes.get(posting.order_id) if posting.journal.source_key.endswith(":paid") else None
    return history
