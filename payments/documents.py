"""The credit note of a refund as a PDF: the invoice's layout (orders.invoice.document_pdf), not a copy of it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from orders.invoice import Row, document_pdf

from .models import CreditNote, OrderTax


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


def bukti_potong_pdf(tax: OrderTax, *, period) -> bytes:
    """The seller's slip for the PPh 22 the platform withheld on one sale (BPPU): collector and payee with their
    NPWP, the tax period, the base, the rate and the tax, and the invoice it rests on."""
    from fractions import Fraction

    from django.conf import settings

    from plazabanten.money import format_rupiah

    from .tax import rate_text

    government = tax.kind == OrderTax.Kind.GOVERNMENT
    rate = Fraction(tax.rates["pph22_government" if government else "pph22_consumer"])
    basis = "PMK 58/PMK.03/2022 (Pihak Lain, pengadaan pemerintah)" if government else \
        "PMK 37 Tahun 2025 (penjualan melalui marketplace)"
    return document_pdf(
        title="BUKTI PEMUNGUTAN PPh PASAL 22", number=tax.bukti_potong_number,
        meta=[f"Masa pajak: {period:%m/%Y}   Dasar pemungutan: {basis}",
              f"Dokumen dasar: invoice {tax.invoice_number} tanggal {tax.rates_on:%d-%m-%Y}",
              f"Pembeli: {tax.buyer_name}" + (f" (NPWP {tax.buyer_npwp})" if tax.buyer_npwp else "")],
        parties=(("Pemungut (Pihak Lain)", f"{settings.TAX_PLATFORM_NAME}\nNPWP: {settings.TAX_PLATFORM_NPWP}"),
                 ("Penjual (yang dipungut)", f"{tax.seller_name}\nNPWP: {tax.seller_npwp or '-'}\n"
                                             f"{'PKP' if tax.seller_is_pkp else 'Bukan PKP'}")),
        rows=[Row(f"PPh 22 {rate_text(rate)} x DPP {format_rupiah(tax.dpp)}", tax.pph22)], extras=[],
        total=tax.pph22,
        footer=["PPh Pasal 22 ini dipungut oleh Plaza Banten dan disetor ke kas negara atas nama penjual; bukti ini "
                "dapat dikreditkan penjual dalam SPT Tahunan PPh. Pengembalian dana (nota kredit) mengurangi "
                "pemungutan pada masa pengembalian dilakukan.",
                f"Pembulatan: rupiah penuh, setengah ke atas (PER-11/PJ/2025). Dibuat "
                f"{timezone.localtime():%d-%m-%Y} oleh sistem Plaza Banten."])
