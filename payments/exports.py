"""The monthly tax report as CSV and XLSX files (payments.selectors.tax_rows): one row per taxed sale or refund,
the totals last. Text cells go through plazabanten.spreadsheet.cell_safe (no formula injection)."""

import csv
import io
from datetime import date

from django.utils.translation import gettext as _

from plazabanten.spreadsheet import cell_safe

from .models import OrderTax
from .selectors import TaxRow, tax_totals


def _headers() -> list[str]:
    return [_("Tanggal"), _("Jenis"), _("Transaksi"), _("NPWP penjual"), _("Nama penjual"), _("PKP"),
            _("NPWP pembeli"), _("Nama pembeli"), _("Nomor invoice / nota kredit"), "DPP", _("DPP nilai lain"),
            "PPN", _("PPh 22"), _("Status")]


def _kind_label(row: TaxRow) -> str:
    return {"sale": _("Penjualan"), "refund": _("Pengembalian"), "reversal": _("Pembatalan bank")}[row.kind]


def _lines(rows: list[TaxRow], *, provisional: bool) -> list[list]:
    from django.utils import timezone

    status = _("sementara") if provisional else _("final")
    lines = []
    for row in rows:
        tax = row.order_tax
        lines.append([f"{timezone.localtime(row.at):%Y-%m-%d}", _kind_label(row),
                      str(OrderTax.Kind(tax.kind).label), tax.seller_npwp, tax.seller_name,
                      _("ya") if tax.seller_is_pkp else _("tidak"), tax.buyer_npwp, tax.buyer_name, row.document,
                      row.dpp, row.dpp_nilai_lain, row.ppn, row.pph22, status])
    totals = tax_totals(rows)
    lines.append(["", _("JUMLAH"), "", "", "", "", "", "", "", totals["dpp"], totals["dpp_nilai_lain"], totals["ppn"],
                  totals["pph22"], status])
    return lines


def tax_report_filename(period: date, *, provisional: bool, extension: str) -> str:
    return f"pajak-plaza-banten-{period:%Y-%m}{'-sementara' if provisional else ''}.{extension}"


def tax_report_csv(rows: list[TaxRow], *, provisional: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers())
    for line in _lines(rows, provisional=provisional):
        writer.writerow([cell_safe(cell) for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM: spreadsheet apps then read UTF-8


def tax_report_xlsx(rows: list[TaxRow], *, period: date, provisional: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{period:%Y-%m}"
    title = _("Laporan pajak Plaza Banten masa %(period)s") % {"period": f"{period:%m/%Y}"}
    if provisional:
        title += " — " + _("SEMENTARA: bulan belum berakhir")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in _lines(rows, provisional=provisional):
        sheet.append([cell_safe(cell) for cell in line])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in "JKLM":
        for cell in sheet[column][2:]:
            cell.number_format = "#,##0"
    for column, width in zip("ABCDEFGHIJKLMN", (11, 14, 30, 18, 30, 5, 18, 30, 28, 14, 14, 12, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
