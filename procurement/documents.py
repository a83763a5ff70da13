"""The package's PDFs, drawn by orders.invoice.document_pdf (fpdf2): the Surat Pesanan, the BAST, the invoice
and the kuitansi. Each is generated once, stored in the private storage with its SHA-256, and never redrawn:
a signature is a separate row (PaketSignature) that names the hash of the file it signed."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from orders.invoice import Row, document_pdf
from plazabanten.money import format_rupiah, rupiah_in_words

from .models import Paket, PaketDocument
from .numbers import paket_document_number_next

TITLES = {
    PaketDocument.Kind.SP: "SURAT PESANAN",
    PaketDocument.Kind.BAST: "BERITA ACARA SERAH TERIMA (BAST)",
    PaketDocument.Kind.INVOICE: "INVOICE (DOKUMEN TAGIHAN)",
    PaketDocument.Kind.KUITANSI: "KUITANSI",
}


def invoice_lines(paket: Paket) -> tuple[list[Row], list[Row], int]:
    """The invoice's goods rows, the rows below them and the total the Bendahara pays.

    The tax seam (issue 14): PPN and PPh 22 replace this one function — extra rows (PPN, PPh 22 collected) and the
    total — and the invoice, the kuitansi and the order created for the payment all follow it."""
    rows = [Row(line.name, line.line_total, line.quantity, line.unit_price) for line in paket.lines.all()]
    return rows, [], paket.total


def _parties(paket: Paket) -> tuple[tuple[str, str], tuple[str, str]]:
    shop = paket.shop
    seller = f"{shop.name}\n{shop.street}\n{shop.kabkota.name if shop.kabkota_id else ''}"
    opd = paket.opd
    buyer = f"{opd.name}\n{opd.address}\n{opd.pemda.name}\nNPWP bendahara: {opd.npwp_bendahara}"
    return ("Penyedia", seller), ("Pemesan (satuan kerja)", buyer)


def _meta(paket: Paket) -> list[str]:
    return [f"Paket: {paket.nama} ({paket.code})",
            f"Kode RUP: {paket.kode_rup}   Tahun anggaran: {paket.tahun_anggaran}   Sumber dana: {paket.sumber_dana}",
            f"PPK: {paket.ppk.name}   Tanggal: {timezone.localdate():%d-%m-%Y}"]


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
        return [f"Berdasarkan Surat Pesanan {number_sp}, Pihak Pertama (penyedia) menyerahkan dan Pihak Kedua "
                f"(PPK {paket.ppk.name}) menerima barang tersebut di atas di {paket.alamat_kirim}.",
                f"Hasil pemeriksaan: {lines}."]
    if kind == PaketDocument.Kind.KUITANSI:
        return [f"Sudah terima dari: Bendahara Pengeluaran {paket.opd.name}",
                f"Uang sejumlah: {format_rupiah(paket.total)} ({rupiah_in_words(paket.total)})",
                f"Untuk pembayaran: {paket.nama} sesuai Surat Pesanan {number_sp}.",
                f"Penerima: {paket.shop.name}"]
    footer = [f"Surat Pesanan: {number_sp}. Dibayar melalui Plaza Banten (virtual account atau KKPD)."]
    if due_at is not None:
        footer.append(f"Jatuh tempo: {timezone.localtime(due_at):%d-%m-%Y %H:%M} WIB.")
    return footer


def paket_document_issue(*, paket: Paket, kind: str, due_at=None) -> PaketDocument:
    """Number, draw and store one document of the package. Call inside the transition's transaction (the package
    row locked): the number and the row commit together, and the unique (package, kind) refuses a second one
    (unless the first was voided: a re-issued invoice). An invoice states its due date (due_at)."""
    number = paket_document_number_next(opd=paket.opd, kind=kind)
    sp = paket.documents.filter(kind=PaketDocument.Kind.SP).first()
    rows, extras, total = invoice_lines(paket)
    pdf = document_pdf(title=TITLES[kind], number=number, meta=_meta(paket), rows=rows, extras=extras, total=total,
                       parties=_parties(paket), footer=_footer(paket, kind, sp.number if sp else number, due_at))
    digest = hashlib.sha256(pdf).hexdigest()
    document = PaketDocument(paket=paket, kind=kind, number=number, sha256=digest, amount=total, due_at=due_at)
    name = f"procurement/{paket.opd_id}/{paket.pk}/{kind}-{digest[:16]}.pdf"
    document.file.save(name, ContentFile(pdf), save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    return document
