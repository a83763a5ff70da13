"""The invoice of one order as a PDF (fpdf2, core fonts: no files to ship). `document_pdf` draws any document
about one order (the invoice here, the credit note of a refund in payments/documents.py): the same header,
parties, table and amount in words."""

from dataclasses import dataclass

from fpdf import FPDF

from plazabanten.money import format_rupiah, rupiah_in_words


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
                 total: int, parties: tuple[tuple[str, str], tuple[str, str]] | None = None,
                 footer: list[str] = ()) -> bytes:
    """Title and number, meta lines, seller and buyer, the rows (with quantity and price when given), the extra
    rows below them (shipping), the total in figures and in words, then the footer paragraphs. The two parties
    are the order's shop and buyer unless `parties` gives both ((heading, text), (heading, text)) itself, as the
    government documents do (procurement/documents.py)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _text(f"Nomor: {number}"), new_x="LMARGIN", new_y="NEXT")
    for line in meta:
        pdf.cell(0, 6, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if parties is None:
        address = order.group.address
        seller = f"{order.shop.name}\n{order.shop.street}\n{order.shop.kabkota.name if order.shop.kabkota else ''}"
        buyer = (f"{address['recipient']} ({address['phone']})\n{address['street']}\n"
                 f"{address['region']} {address['postal_code']}")
        parties = (("Penjual", seller), ("Pembeli", buyer))
    (seller_heading, seller), (buyer_heading, buyer) = parties
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(95, 6, _text(seller_heading))
    pdf.cell(95, 6, _text(buyer_heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    y = pdf.get_y()
    pdf.multi_cell(95, 5, _text(seller))
    pdf.set_xy(105, y)
    pdf.multi_cell(95, 5, _text(buyer))
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    for width, heading in ((100, "Barang"), (20, "Jumlah"), (35, "Harga"), (35, "Subtotal")):
        pdf.cell(width, 7, heading, border=1)
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
    pdf.cell(155, 7, "Total", border=1)
    pdf.cell(35, 7, format_rupiah(total), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 10)
    pdf.ln(2)
    pdf.multi_cell(0, 6, _text(f"Terbilang: {rupiah_in_words(total)}"))
    pdf.set_font("Helvetica", "", 10)
    for paragraph in footer:
        pdf.ln(2)
        pdf.multi_cell(0, 5, _text(paragraph))
    return bytes(pdf.output())


def invoice_pdf(order) -> bytes:
    return document_pdf(
        title="INVOICE", number=order.invoice_number, order=order,
        meta=[f"Pesanan: {order.number}   Tanggal: {order.created_at:%d-%m-%Y}"],
        rows=[Row(f"{line.product_name} {line.variant_name}".strip(), line.line_total, line.quantity,
                  line.unit_price) for line in order.lines.all()],
        extras=[Row(f"Ongkos kirim ({order.shipping_label})", order.shipping_fee)], total=order.total)
