"""The package's PDFs, drawn by orders.invoice.document_pdf (fpdf2): the Surat Pesanan, the BAST, the invoice
and the kuitansi. Each is generated once, stored in the private storage with its SHA-256, and never redrawn:
a signature is a separate row (PaketSignature) that names the hash of the file it signed."""

import hashlib
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from orders.invoice import Row, document_pdf
from payments.ledger import commission_of
from payments.models import OrderTax
from payments.selectors import seller_tax_name
from payments.tax import TaxRates, TaxSplit, government_split, rate_text, tax_rates_on
from plazabanten.money import format_rupiah, rupiah_in_words

from .models import Paket, PaketAddendum, PaketDocument
from .numbers import paket_document_number_next

TITLES = {
    PaketDocument.Kind.SP: "SURAT PESANAN",
    PaketDocument.Kind.BAST: "BERITA ACARA SERAH TERIMA (BAST)",
    PaketDocument.Kind.INVOICE: "INVOICE (DOKUMEN TAGIHAN)",
    PaketDocument.Kind.KUITANSI: "KUITANSI",
    PaketDocument.Kind.ADDENDUM: "ADDENDUM SURAT PESANAN",
}


@dataclass(frozen=True)
class PaketTaxes:
    split: TaxSplit
    ppn_rate: Fraction
    ppn_dpp_fraction: Fraction
    pph22_rate: Fraction
    rates: TaxRates | None  # None when read back from the stored OrderTax
    rates_on: date


def paket_taxes(paket: Paket, *, fresh: bool = False) -> PaketTaxes:
    """The package's DPP, PPN and PPh 22 (payments/tax.py, PMK 58/2022): as fixed on its order when the invoice
    was issued, else (or `fresh`: an invoice re-issued after its due date is a new invoice, with today's rates) at
    today's rates (the SP, the BAST, and the invoice being issued now)."""
    stored = OrderTax.objects.filter(order_id=paket.order_id).first() if paket.order_id and not fresh else None
    if stored is not None:
        split = TaxSplit(gross=stored.gross, dpp=stored.dpp, dpp_nilai_lain=stored.dpp_nilai_lain, ppn=stored.ppn,
                         pph22=stored.pph22)
        return PaketTaxes(split=split, ppn_rate=Fraction(stored.rates["ppn_rate"]),
                          ppn_dpp_fraction=Fraction(stored.rates["ppn_dpp_fraction"]),
                          pph22_rate=Fraction(stored.rates["pph22_government"]), rates=None,
                          rates_on=stored.rates_on)
    today = timezone.localdate()
    rates = tax_rates_on(today)
    return PaketTaxes(split=government_split(gross=paket.total, seller_is_pkp=paket.shop.is_pkp, rates=rates),
                      ppn_rate=rates.ppn_rate, ppn_dpp_fraction=rates.ppn_dpp_fraction,
                      pph22_rate=rates.pph22_government, rates=rates, rates_on=today)


def invoice_lines(paket: Paket, taxes: PaketTaxes | None = None) -> tuple[list[Row], list[Row], int]:
    """The invoice's goods rows (at the catalog prices the Bendahara pays), the tax rows below them and the
    total. The tax rows explain the total, they do not add to it: DPP + PPN = total, and the PPh 22 is
    collected out of it (the seller receives the total less PPh 22 and the platform fee)."""
    taxes = taxes or paket_taxes(paket)
    split = taxes.split
    rows = [Row(line.name, line.line_total, line.quantity, line.unit_price) for line in paket.lines.all()]
    pph22 = Row(f"PPh Pasal 22 {rate_text(taxes.pph22_rate)} x DPP (dipungut Plaza Banten dari bagian penyedia)",
                split.pph22)
    if split.ppn:
        fraction = f"{taxes.ppn_dpp_fraction.numerator}/{taxes.ppn_dpp_fraction.denominator}"
        extras = [Row("Dasar Pengenaan Pajak (DPP, harga sebelum PPN)", split.dpp),
                  Row(f"DPP nilai lain ({fraction} x DPP)", split.dpp_nilai_lain),
                  Row(f"PPN {rate_text(taxes.ppn_rate)} x DPP nilai lain (termasuk dalam harga, dipungut Plaza Banten)",
                      split.ppn),
                  pph22]
    else:
        extras = [Row("Dasar Pengenaan Pajak (DPP)", split.dpp),
                  Row("PPN: penyedia bukan PKP, tidak dipungut", 0), pph22]
    return rows, extras, split.gross


def _parties(paket: Paket) -> tuple[tuple[str, str], tuple[str, str]]:
    shop = paket.shop
    tax_name, npwp = seller_tax_name(shop)
    seller = "\n".join(line for line in [
        shop.name, tax_name if tax_name != shop.name else "", shop.street,
        shop.kabkota.name if shop.kabkota_id else "", f"NPWP: {npwp or '-'}",
        "PKP" if shop.is_pkp else "Bukan PKP"] if line)
    opd = paket.opd
    buyer = f"{opd.name}\n{opd.address}\n{opd.pemda.name}\nNPWP bendahara: {opd.npwp_bendahara}"
    return ("Penyedia", seller), ("Pemesan (satuan kerja)", buyer)


def _meta(paket: Paket) -> list[str]:
    return [f"Pihak Lain pemungut pajak: {settings.TAX_PLATFORM_NAME}, NPWP {settings.TAX_PLATFORM_NPWP}",
            f"Paket: {paket.nama} ({paket.code})",
            f"Kode RUP: {paket.kode_rup}   Tahun anggaran: {paket.tahun_anggaran}   Sumber dana: {paket.sumber_dana}",
            f"PPK: {paket.ppk.name}   Tanggal: {timezone.localdate():%d-%m-%Y}"]


def _tax_wording(paket: Paket, taxes: PaketTaxes) -> list[str]:
    """What PMK 58/2022 Ps 10 makes of the platform's invoice, and what the seller receives."""
    split = taxes.split
    fee = commission_of(split.gross)
    wording = [
        "Dokumen tagihan ini dibuat oleh sistem Plaza Banten selaku Pihak Lain atas nama penyedia (PMK "
        "58/PMK.03/2022 Pasal 10) dan dipersamakan dengan Faktur Pajak serta bukti pemungutan PPh Pasal 22. "
        f"Tarif yang berlaku pada {taxes.rates_on:%d-%m-%Y}; pembulatan ke rupiah penuh (PER-11/PJ/2025).",
        f"PPN dipungut {format_rupiah(split.ppn)}; PPh Pasal 22 dipungut {format_rupiah(split.pph22)}. Keduanya "
        "disetor Plaza Banten ke kas negara. Penyedia menerima "
        f"{format_rupiah(split.gross - split.ppn - split.pph22 - fee)} (setelah PPN, PPh 22 dan biaya layanan "
        f"{format_rupiah(fee)}).",
    ]
    if not split.ppn:
        wording.append("Penyedia tidak berstatus Pengusaha Kena Pajak: atas penyerahan ini tidak dipungut PPN.")
    return wording


def _footer(paket: Paket, kind: str, number_sp: str = "", due_at=None) -> list[str]:
    tiba = f"{paket.permintaan_tiba:%d-%m-%Y}"
    if kind == PaketDocument.Kind.SP:
        footer = [f"Alamat pengiriman: {paket.alamat_kirim}", f"Permintaan tiba paling lambat: {tiba}",
                  "Ketentuan: pembayaran dilakukan setelah barang diterima, diperiksa dan Berita Acara Serah "
                  "Terima ditandatangani kedua pihak (UU 1/2004 Ps 21). Penyedia menerima atau menolak pesanan "
                  "dalam 3 hari kerja; lewat dari itu pesanan batal otomatis."]
        if paket.ketentuan_tambahan:
            footer.append(f"Ketentuan tambahan: {paket.ketentuan_tambahan}")
        return footer
    if kind == PaketDocument.Kind.BAST:
        lines = "; ".join(f"{line.name}: diterima {line.received_quantity} dalam kondisi baik"
                          for line in paket.lines.all())
        deliveries = [
            f"Pengiriman {d.seq} ({timezone.localtime(d.shipped_at):%d-%m-%Y}, {d.courier}"
            f"{', resi ' + d.tracking_number if d.tracking_number else ''}) ke {d.address}: "
            + ", ".join(f"{row.line.name} dikirim {row.quantity}, diterima baik {row.accepted}"
                        for row in d.lines.select_related("line"))
            + (f". Pemeriksaan: {d.complaint}" if d.complaint else "")
            for d in paket.deliveries.all()]
        addenda = [f"Addendum {a.version} ({a.document.number})" for a in
                   paket.addenda.filter(version__isnull=False).select_related("document").order_by("version")]
        return [f"Berdasarkan Surat Pesanan {number_sp}"
                + (f" dan {', '.join(addenda)}" if addenda else "")
                + f", Pihak Pertama (penyedia) menyerahkan dan Pihak Kedua (PPK {paket.ppk.name}) menerima barang "
                  "tersebut di atas.",
                f"Hasil pemeriksaan: {lines}.", *deliveries]
    if kind == PaketDocument.Kind.KUITANSI:
        return [f"Sudah terima dari: Bendahara Pengeluaran {paket.opd.name}",
                f"Uang sejumlah: {format_rupiah(paket.total)} ({rupiah_in_words(paket.total)})",
                f"Untuk pembayaran: {paket.nama} sesuai Surat Pesanan {number_sp}.",
                f"Penerima: {paket.shop.name}"]
    footer = [f"Surat Pesanan: {number_sp}. Dibayar melalui Plaza Banten (virtual account atau KKPD)."]
    if due_at is not None:
        footer.append(f"Jatuh tempo: {timezone.localtime(due_at):%d-%m-%Y %H:%M} WIB.")
    return footer


def _addendum_footer(addendum: PaketAddendum, number_sp: str) -> list[str]:
    paket = addendum.paket
    changes = [f"{row.line.name}: {row.quantity_before} menjadi {row.quantity_after}"
               for row in addendum.lines.select_related("line")]
    if addendum.tiba_after != addendum.tiba_before:
        changes.append(f"Permintaan tiba: {addendum.tiba_before:%d-%m-%Y} menjadi {addendum.tiba_after:%d-%m-%Y}")
    requested = "PPK" if addendum.side == PaketAddendum.Side.PPK else "penyedia"
    return [f"Addendum {addendum.version} atas Surat Pesanan {number_sp}, diajukan oleh {requested} "
            f"({addendum.requested_by.name}) dengan alasan: {addendum.reason}",
            f"Perubahan: {'; '.join(changes)}.",
            f"Nilai paket: {format_rupiah(addendum.total_before)} menjadi {format_rupiah(addendum.total_after)}.",
            f"Alamat pengiriman: {'; '.join(paket.addresses)}",
            "Ketentuan lain dalam Surat Pesanan tetap berlaku. Tabel di atas adalah pesanan setelah addendum ini."]


def paket_document_issue(*, paket: Paket, kind: str, addendum: PaketAddendum | None = None,
                         due_at=None, taxes: PaketTaxes | None = None) -> PaketDocument:
    """Number, draw and store one document of the package. Call inside the transition's transaction (the package
    row locked): the number and the row commit together, and the unique (package, kind) refuses a second one
    (addenda excepted: each accepted addendum has its own; and a voided invoice: a re-issued one). An invoice
    states its due date (due_at)."""
    number = paket_document_number_next(opd=paket.opd, kind=kind)
    sp = paket.documents.filter(kind=PaketDocument.Kind.SP).first()
    taxes = taxes or paket_taxes(paket)
    rows, extras, total = invoice_lines(paket, taxes)
    title, footer = TITLES[kind], _footer(paket, kind, sp.number if sp else number, due_at)
    if kind == PaketDocument.Kind.INVOICE:
        footer += _tax_wording(paket, taxes)
    if addendum is not None:
        title, footer = f"ADDENDUM {addendum.version} SURAT PESANAN", _addendum_footer(addendum, sp.number)
    pdf = document_pdf(title=title, number=number, meta=_meta(paket), rows=rows, extras=extras, total=total,
                       parties=_parties(paket), footer=footer)
    digest = hashlib.sha256(pdf).hexdigest()
    document = PaketDocument(paket=paket, kind=kind, number=number, sha256=digest, amount=total, due_at=due_at)
    name = f"procurement/{paket.opd_id}/{paket.pk}/{kind}{addendum.version if addendum else ''}-{digest[:16]}.pdf"
    document.file.save(name, ContentFile(pdf), save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    return document
