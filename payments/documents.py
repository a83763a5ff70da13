"""The credit note of a refund as a PDF: the invoice's layout (orders.invoice.document_pdf), not a copy of it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from orders.invoice import Row, document_pdf

from .models import CreditNote


def credit_note_pdf(note: CreditNote) -> bytes:
    order = note.order
    rows = []
    if note.goods_amount:
        rows.append(Row(_("Pengembalian dana barang pesanan %(number)s") % {"number": order.number},
                        note.goods_amount))
    extras = [Row(_("Pengembalian ongkos kirim (%(label)s)") % {"label": order.shipping_name},
                  note.shipping_amount)] if note.shipping_amount else []
    return document_pdf(
        title=_("NOTA KREDIT"), number=note.number, order=order,
        meta=[_("Atas invoice: %(invoice)s   Pesanan: %(number)s") % {"invoice": order.invoice_number,
                                                                     "number": order.number},
              _("Tanggal: %(date)s   Alasan: %(reason)s") % {
                  "date": f"{timezone.localtime(note.created_at):%d-%m-%Y}", "reason": note.refund.reason}],
        rows=rows, extras=extras, total=note.amount)
