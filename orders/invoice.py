"""The invoice of one order as a PDF (fpdf2, core fonts: no files to ship)."""

from fpdf import FPDF

from plazabanten.money import format_rupiah, rupiah_in_words


def _text(value) -> str:
    # Core PDF fonts are Latin-1; anything else (emoji, curly quotes) becomes "?" instead of failing.
    return str(value).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(order) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "INVOICE", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, _text(f"Nomor: {order.invoice_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, _text(f"Pesanan: {order.number}   Tanggal: {order.created_at:%d-%m-%Y}"), new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(3)
    address = order.group.address
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(95, 6, "Penjual")
    pdf.cell(95, 6, "Pembeli", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    seller = f"{order.shop.name}\n{order.shop.street}\n{order.shop.kabkota.name if order.shop.kabkota else ''}"
    buyer = (f"{address['recipient']} ({address['phone']})\n{address['street']}\n"
             f"{address['region']} {address['postal_code']}")
    y = pdf.get_y()
    pdf.multi_cell(95, 5, _text(seller))
    pdf.set_xy(105, y)
    pdf.multi_cell(95, 5, _text(buyer))
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    for width, title in ((100, "Barang"), (20, "Jumlah"), (35, "Harga"), (35, "Subtotal")):
        pdf.cell(width, 7, title, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for line in order.lines.all():
        pdf.cell(100, 7, _text(f"{line.product_name} {line.variant_name}".strip())[:55], border=1)
        pdf.cell(20, 7, str(line.quantity), border=1, align="R")
        pdf.cell(35, 7, format_rupiah(line.unit_price), border=1, align="R")
        pdf.cell(35, 7, format_rupiah(line.line_total), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(155, 7, _text(f"Ongkos kirim ({order.shipping_label})"), border=1)
    pdf.cell(35, 7, format_rupiah(order.shipping_fee), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(155, 7, "Total", border=1)
    pdf.cell(35, 7, format_rupiah(order.total), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 10)
    pdf.ln(2)
    pdf.multi_cell(0, 6, _text(f"Terbilang: {rupiah_in_words(order.total)}"))
    return bytes(pdf.output())
