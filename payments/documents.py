"""The credit note of a refund as a PDF: the invoice's layout (orders.invoice.document_pdf), not a copy of it."""

from django.utils import timezone

from orders.invoice import Row, document_pdf

from .models import CreditNote


def credit_note_pdf(note: CreditNote) -> bytes:
    order = note.order
    rows = []
    if note.goods_amount:
        rows.append(Row(f"Pengembalian dana barang pesanan {order.number}", note.goods_amount))
    extras = [Row(f"Pengembalian ongkos kirim ({order.shipping_label})", note.shipping_amount)] \
        if note.shipping_amount else []
    return document_pdf(
        title="NOTA KREDIT", number=note.number, order=order,
        meta=[f"Atas invoice: {order.invoice_number}   Pesanan: {order.number}",
              f"Tanggal: {timezone.localtime(note.created_at):%d-%m-%Y}   Alasan: {note.refund.reason}"],
        rows=rows, extras=extras, total=note.amount)
