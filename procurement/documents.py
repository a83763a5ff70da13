"""The package's PDFs, drawn by orders.invoice.document_pdf (fpdf2): the Surat Pesanan, the BAST, the invoice
and the kuitansi. Each is generated once, stored in the private storage with its SHA-256, and never redrawn:
a signature is a separate row (PaketSignature) that names the hash of the file it signed."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from orders.invoice import Row, document_pdf
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
                         due_at=None) -> PaketDocument:
    """Number, draw and store one document of the package. Call inside the transition's transaction (the package
    row locked): the number and the row commit together, and the unique (package, kind) refuses a second one
    (addenda excepted: each accepted addendum has its own; and a voided invoice: a re-issued one). An invoice
    states its due date (due_at)."""
    number = paket_document_number_next(opd=paket.opd, kind=kind)
    sp = paket.documents.filter(kind=PaketDocument.Kind.SP).first()
    rows, extras, total = invoice_lines(paket)
    title, footer = TITLES[kind], _footer(paket, kind, sp.number if sp else number, due_at)
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
