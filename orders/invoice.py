"""The invoice of one order as a PDF (fpdf2, core fonts: no files to ship). `document_pdf` draws any document
about one order (the invoice here, the credit note of a refund in payments/documents.py): the same header,
parties, table and amount in words. Labels are in the request's language; the amount in words stays Indonesian."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from plazabanten.money import format_rupiah, rupiah_in_words
from vendors.selectors import shop_business_numbers

from .models import Order


def _text(value) -> str:
    # Core PDF fonts are Latin-1; anything else (emoji, curly quotes) becomes "?" instead of failing.
    return str(value).encode("latin-1", "replace").decode("latin-1")


@dataclass(frozen=True)
class Row:
    text: str
    amount: int
    quantity: int | None = None
    unit_price: int | None = None


def document_pdf(*, title: str, number: str, order=None, meta: list[str], rows: list[Row], extras: list[Row],
                 total: int, seller_lines: tuple[str, ...] = (), stamp: str = "",
                 parties: tuple[tuple[str, str], tuple[str, str]] | None = None, footer: list[str] = ()) -> bytes:
    """Title and number, meta lines, seller (with seller_lines such as NIB and NPWP) and buyer, the rows (with
    quantity and price when given), the extra rows below them (shipping), the total in figures and in words, then
    the footer paragraphs. A stamp ("LUNAS") is drawn boxed at the top right. The two parties are the order's shop
    and buyer unless `parties` gives both ((heading, text), (heading, text)) itself, as the government documents do
    (procurement/documents.py)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    if stamp:
        pdf.set_xy(150, 10)
        pdf.set_draw_color(11, 110, 79)
        pdf.set_text_color(11, 110, 79)
        pdf.set_line_width(0.8)
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(50, 12, _text(stamp), border=1, align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.2)
        pdf.set_xy(pdf.l_margin, 10)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _text(_("Nomor: %(number)s") % {"number": number}), new_x="LMARGIN", new_y="NEXT")
    for line in meta:
        pdf.cell(0, 6, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if parties is None:
        address = order.group.address
        seller = "\n".join(line for line in [order.shop.name, order.shop.street,
                                              order.shop.kabkota.name if order.shop.kabkota else "", *seller_lines]
                           if line)
        buyer = (f"{address['recipient']} ({address['phone']})\n{address['street']}\n"
                 f"{address['region']} {address['postal_code']}")
        parties = ((_("Penjual"), seller), (_("Pembeli"), buyer))
    (seller_heading, seller), (buyer_heading, buyer) = parties
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(95, 6, _text(seller_heading))
    pdf.cell(95, 6, _text(buyer_heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    y = pdf.get_y()
    pdf.multi_cell(95, 5, _text(seller))
    seller_end = pdf.get_y()
    pdf.set_xy(105, y)
    pdf.multi_cell(95, 5, _text(buyer))
    pdf.set_y(max(seller_end, pdf.get_y()))  # below the longer of the two columns
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    for width, heading in ((100, _("Barang")), (20, _("Jumlah")), (35, _("Harga")), (35, _("Subtotal"))):
        pdf.cell(width, 7, _text(heading), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for row in rows:
        pdf.cell(100, 7, _text(row.text)[:55], border=1)
        pdf.cell(20, 7, "" if row.quantity is None else str(row.quantity), border=1, align="R")
        pdf.cell(35, 7, "" if row.unit_price is None else format_rupiah(row.unit_price), border=1, align="R")
        pdf.cell(35, 7, format_rupiah(row.amount), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    for row in extras:
        pdf.cell(155, 7, _text(row.text), border=1)
        pdf.cell(35, 7, format_rupiah(row.amount), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(155, 7, _text(_("Total")), border=1)
    pdf.cell(35, 7, format_rupiah(total), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 10)
    pdf.ln(2)
    pdf.multi_cell(0, 6, _text(f"{_('Terbilang')}: {rupiah_in_words(total)}"))
    pdf.set_font("Helvetica", "", 10)
    for paragraph in footer:
        pdf.ln(2)
        pdf.multi_cell(0, 5, _text(paragraph))
    return bytes(pdf.output())


@dataclass(frozen=True)
class InvoiceFacts:
    """What an invoice says besides the order itself: when and how it was paid, the seller's business numbers."""

    paid_at: datetime | None
    paid_via: str  # "QRIS", "Virtual account BCA", … ("" for orders paid before it was recorded)
    nib: str
    npwp: str


def invoice_facts(order) -> InvoiceFacts:
    """For an order read with its events (orders.selectors); one query for the shop's NIB and NPWP."""
    paid_at = next((event.created_at for event in order.events.all() if event.to_status == Order.Status.PAID), None)
    nib, npwp = shop_business_numbers(shop_id=order.shop_id)
    return InvoiceFacts(paid_at=paid_at, paid_via=order.group.paid_via, nib=nib, npwp=npwp)


def invoice_pdf(order, facts: InvoiceFacts | None = None) -> bytes:
    facts = facts or invoice_facts(order)
    meta = [_("Pesanan: %(number)s   Tanggal: %(date)s") % {
        "number": order.number, "date": f"{timezone.localtime(order.created_at):%d-%m-%Y}"}]
    if facts.paid_at:
        paid = _("Lunas: %(when)s WIB") % {"when": f"{timezone.localtime(facts.paid_at):%d-%m-%Y %H:%M}"}
        meta.append(_("%(paid)s   Metode pembayaran: %(method)s") % {"paid": paid, "method": facts.paid_via}
                    if facts.paid_via else paid)
    return document_pdf(
        title="INVOICE", number=order.invoice_number, order=order, meta=meta,
        rows=[Row(f"{line.product_name} {line.variant_name}".strip(), line.line_total, line.quantity,
                  line.unit_price) for line in order.lines.all()],
        extras=[Row(_("Ongkos kirim (%(label)s)") % {"label": order.shipping_name}, order.shipping_fee)],
        total=order.total,
        seller_lines=tuple(line for line in (f"NIB: {facts.nib}" if facts.nib else "",
                                             f"NPWP: {facts.npwp}" if facts.npwp else "") if line),
        stamp=_("LUNAS") if facts.paid_at else "")
