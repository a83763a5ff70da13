"""Order and invoice numbers."""

import secrets

from django.utils import timezone

from .models import InvoiceCounter, Order


def order_number_new() -> str:
    return f"PB{timezone.localdate():%y%m%d}{secrets.token_hex(4).upper()}"


def invoice_number_next(*, order: Order) -> str:
    """INV/PB/<year>/<month>/<6 digits>, gapless within a month (the counter row is locked until commit)."""
    today = timezone.localdate()
    InvoiceCounter.objects.get_or_create(year=today.year, month=today.month)
    counter = InvoiceCounter.objects.select_for_update().get(year=today.year, month=today.month)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"INV/PB/{today.year}/{today.month:02d}/{counter.last:06d}"
