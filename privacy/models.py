from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentAccess(models.Model):
    """One row per view or download of a private document (KTP, NIB, NPWP, SK, procurement PDFs): who, when,
    which and why. Written by the serving view in the same request (privacy.services.document_access_record)."""

    class Purpose(models.TextChoices):
        VERIFICATION = "verifikasi", _("Verifikasi identitas oleh Pemprov")
        BANK_CHECK = "rekening", _("Pemeriksaan perubahan rekening")
        OWNER = "pemilik", _("Dibuka pemilik atau pengurus sendiri")
        PROCUREMENT = "pengadaan", _("Proses pengadaan pemerintah")

    accessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    accessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Whose personal data it is (the shop's owner, the OPD's admin), and the shop or OPD it belongs to.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    shop = models.ForeignKey("vendors.Shop", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opd = models.ForeignKey("procurement.Opd", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document_type = models.CharField(max_length=64)  # the model's label, e.g. "vendors.shopdocument"
    document_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)  # ktp, nib, npwp, sk, sp, bast, invoice, kuitansi
    subject = models.CharField(max_length=200)  # the shop's, OPD's or package's name as it was, kept as data
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    # The page the link was on, when the browser named one of ours (a hint for the reader; never the purpose).
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-accessed_at"]), models.Index(fields=["shop", "-accessed_at"]),
                   models.Index(fields=["opd", "-accessed_at"]), models.Index(fields=["accessor", "-accessed_at"])]

    def __str__(self):
        return f"{self.accessor_id} → {self.document_type}#{self.document_id} ({self.purpose})"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


KIND_LABELS = {
    "ktp": _("Foto KTP pemilik"), "nib": _("Dokumen NIB"), "npwp": _("Kartu NPWP"), "sppkp": _("Surat SPPKP"),
    "sk": _("Surat Tugas / SK penunjukan"), "sp": _("Surat Pesanan"), "bast": _("Berita Acara Serah Terima"),
    "invoice": _("Invoice"), "kuitansi": _("Kuitansi"),
}
