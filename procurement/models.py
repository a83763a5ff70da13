"""Government buying (ARCHITECTURE §3, §5): OPDs and their people, packages (paket) bought from one shop, their
signed documents (SP, BAST, invoice, kuitansi) and their timeline. Money is integer rupiah throughout.

A package is its own model, not an orders.Order: its life (PPK approval, Surat Pesanan, a seller deadline in
working days, inspection, BAST, payment after delivery) shares no state with the consumer order lifecycle, and
an Order would be paid or expired by the consumer jobs long before the goods arrive. It is linked to an
orders.Order (and its CheckoutGroup) only when the invoice is issued, after the BAST, so that the existing payment,
ledger, 1% commission and payout path settles it like any other order (procurement.payment).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from vendors.models import private_storage


class Opd(models.Model):
    """A satuan kerja (OPD) of a Banten pemda: the province (36) or one of its kabupaten/kota."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu verifikasi")
        VERIFIED = "verified", _("Terverifikasi")
        REJECTED = "rejected", _("Perlu perbaikan")

    pemda = models.ForeignKey("regions.Region", verbose_name=_("pemerintah daerah"), on_delete=models.PROTECT,
                              related_name="+")
    name = models.CharField(_("nama satuan kerja"), max_length=150)
    kode_satker = models.CharField(_("kode satker"), max_length=30, unique=True)
    address = models.CharField(_("alamat kantor"), max_length=250)
    npwp_bendahara = models.CharField(_("NPWP bendahara"), max_length=16)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    sk_file = models.FileField(_("Surat Tugas / SK penunjukan"), storage=private_storage, max_length=200, blank=True)
    sk_original_name = models.CharField(max_length=120, blank=True)
    sk_content_type = models.CharField(max_length=40, blank=True)
    sk_size = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("satuan kerja")
        verbose_name_plural = _("satuan kerja")

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


# What the verifikator may give a reason for, field by field.
OPD_REVIEW_FIELDS = {
    "pemda": _("Pemerintah daerah"),
    "name": _("Nama satuan kerja"),
    "kode_satker": _("Kode satker"),
    "address": _("Alamat kantor"),
    "npwp_bendahara": _("NPWP bendahara"),
    "sk": _("Surat Tugas / SK penunjukan"),
}


class OpdEvent(models.Model):
    """Append-only history of an OPD's verification, with the verifikator's per-field reasons."""

    opd = models.ForeignKey(Opd, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=10, blank=True, choices=Opd.Status.choices)
    to_status = models.CharField(max_length=10, choices=Opd.Status.choices)
    reasons = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.opd_id}: {self.from_status} → {self.to_status}"


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin OPD")
    PP = "pp", _("Pejabat Pengadaan (PP)")
    PPK = "ppk", _("Pejabat Pembuat Komitmen (PPK)")
    BENDAHARA = "bendahara", _("Bendahara Pengeluaran")
    AUDITOR = "auditor", _("Auditor (APIP/BPKP)")
    # Checks the goods for the PPK when the PPK names them on a package (the role Perpres 16/2018 called PPHP).
    PEMERIKSA = "pemeriksa", _("Pemeriksa hasil pekerjaan (PPHP)")


class OpdMember(models.Model):
    """A person's roles in their OPD. One row per person (user is unique): a person works for one OPD only."""

    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opd_member")
    roles = ArrayField(models.CharField(max_length=10, choices=Role.choices))
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    jabatan = models.CharField(_("jabatan"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(roles__contained_by=list(Role.values)) & ~models.Q(roles=[]),
                                   name="opdmember_known_roles"),
        ]

    def __str__(self):
        return f"{self.user} ({', '.join(self.roles)}) · {self.opd}"

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> str:
        return ", ".join(str(Role(role).label) for role in self.roles)


class OpdInvitation(models.Model):
    """The Admin OPD asks someone, by email, to take a role in the OPD; it waits until that person accepts."""

    opd = models.ForeignKey(Opd, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["opd", "email", "role"],
                                               condition=models.Q(accepted_at__isnull=True),
                                               name="opd_invitation_one_open_per_email_role")]

    def __str__(self):
        return f"{self.email} → {self.opd} ({self.role})"


REALISATION_COLUMNS = ["total", "pdn_amount", "shop_umk", "shop_banten"]


class Paket(models.Model):
    """A government package: the goods of one shop, bought by one OPD (procurement/lifecycle.py)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        NEGOSIASI = "negosiasi", _("Negosiasi")
        MENUNGGU_PPK = "menunggu_ppk", _("Menunggu persetujuan PPK")
        SP_TERBIT = "sp_terbit", _("Menunggu konfirmasi penyedia")
        DIPROSES = "diproses", _("Diproses penyedia")
        DITOLAK_PENYEDIA = "ditolak_penyedia", _("Ditolak penyedia")
        BATAL_OTOMATIS = "batal_otomatis", _("Batal otomatis")
        DIBATALKAN = "dibatalkan", _("Dibatalkan")
        DIKIRIM = "dikirim", _("Dikirim")
        DITERIMA = "diterima", _("Diterima, lolos pemeriksaan")
        BAST_PPK = "bast_ppk", _("BAST ditandatangani PPK")
        SUDAH_BAST = "sudah_bast", _("Sudah BAST")
        MENUNGGU_PEMBAYARAN = "menunggu_bayar", _("Menunggu pembayaran")
        DIBAYAR = "dibayar", _("Pembayaran berhasil")
        SELESAI = "selesai", _("Selesai")

    class SumberDana(models.TextChoices):
        APBD = "APBD", "APBD"
        APBN = "APBN", "APBN"
        BLUD = "BLUD", "BLUD"
        BOS = "BOS", "BOS"

    class Stock(models.TextChoices):
        NONE = "none", _("Belum dipesan")
        RESERVED = "reserved", _("Dipesan (SP)")
        SHIPPED = "shipped", _("Sudah dikirim")
        RELEASED = "released", _("Dikembalikan")

    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="pakets")
    shop = models.ForeignKey("vendors.Shop", on_delete=models.PROTECT, related_name="pakets")
    nama = models.CharField(_("nama paket"), max_length=200)
    kode_rup = models.CharField(_("Kode RUP"), max_length=20)
    tahun_anggaran = models.PositiveSmallIntegerField(_("tahun anggaran"))
    sumber_dana = models.CharField(_("sumber dana"), max_length=4, choices=SumberDana.choices)
    alamat_kirim = models.CharField(_("alamat pengiriman"), max_length=250)
    # More delivery locations of the OPD (e-Katalog's "banyak lokasi"): each delivery goes to one of
    # [alamat_kirim, *alamat_lain].
    alamat_lain = ArrayField(models.CharField(max_length=250), default=list, blank=True)
    permintaan_tiba = models.DateField(_("permintaan tiba"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_as = models.CharField(max_length=10, choices=Role.choices)  # pp or ppk
    ppk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("PPK"), on_delete=models.PROTECT,
                            related_name="+")
    # Named by the PPK: a pemeriksa of the same OPD who records the inspections instead of (or beside) the PPK.
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pemeriksa"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    total = models.BigIntegerField(default=0)
    ketentuan_tambahan = models.TextField(_("ketentuan tambahan"), max_length=2000, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # the last return / decline / mismatch reason
    seller_deadline = models.DateTimeField(null=True, blank=True)  # accept or decline the SP before this
    courier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True)
    stock = models.CharField(max_length=10, choices=Stock.choices, default=Stock.NONE)
    order = models.OneToOneField("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="paket")  # given with the invoice, after the BAST
    created_at = models.DateTimeField(auto_now_add=True)
    # The 40% realisation (procurement.realisation). The shop's class and place as they were when the SP was issued
    # (a later reclassification does not rewrite what was bought), the PDN part of the total (lines whose product
    # had TKDN + BMP ≥ 40% then, PaketLine.pdn) and the day (WIB) the payment arrived.
    shop_umkm_class = models.CharField(max_length=10, blank=True)
    shop_umk = models.BooleanField(default=False)
    shop_banten = models.BooleanField(default=False)
    pdn_amount = models.BigIntegerField(default=0)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["opd", "status"]), models.Index(fields=["shop", "status"]),
                   models.Index(fields=["status", "seller_deadline"]),
                   # The realisation sums read only these indexes (index-only scans): the province by day range,
                   # one OPD by its own range.
                   models.Index(fields=["paid_on", "opd"], include=REALISATION_COLUMNS,
                                condition=models.Q(paid_on__isnull=False), name="paket_paid_by_day"),
                   models.Index(fields=["opd", "paid_on"], include=REALISATION_COLUMNS,
                                condition=models.Q(paid_on__isnull=False), name="paket_paid_by_opd")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kode_rup__regex=r"^[0-9]{1,20}$"), name="paket_kode_rup_digits"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="paket_total_nonnegative"),
            models.CheckConstraint(condition=models.Q(pdn_amount__gte=0, pdn_amount__lte=models.F("total")),
                                   name="paket_pdn_within_total"),
            # The PP who made it never reviews it: the PPK of a PP's package is someone else.
            models.CheckConstraint(condition=~models.Q(created_as="pp") | ~models.Q(ppk=models.F("created_by")),
                                   name="paket_pp_is_not_ppk"),
        ]

    def __str__(self):
        return f"{self.nama} ({self.kode_rup})"

    @property
    def code(self) -> str:
        return f"PKT-{self.pk:06d}"

    @property
    def addresses(self) -> list[str]:
        return [self.alamat_kirim, *self.alamat_lain]


class PaketLine(models.Model):
    """One line of the package as agreed: the variant and its name and unit price at the time."""

    paket = models.ForeignKey(Paket, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=150)
    variant_name = models.CharField(max_length=80, blank=True)
    sku = models.CharField(max_length=60)
    unit_price = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    weight_grams = models.PositiveIntegerField(default=0)
    # The inspections so far (pemeriksaan tepat guna, per delivery in PaketDeliveryLine), summed up: the units
    # received in good condition, whether that is all of them, and the last note.
    received_quantity = models.PositiveIntegerField(null=True, blank=True)
    condition_ok = models.BooleanField(null=True, blank=True)
    inspection_note = models.CharField(max_length=200, blank=True)
    # The product had TKDN + BMP ≥ 40% when the SP was issued (catalog.models.PDN_TIER_FULL).
    pdn = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="paketline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="paketline_price_positive"),
            models.UniqueConstraint(fields=["paket", "variant"], name="paketline_one_per_variant"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def name(self) -> str:
        return f"{self.product_name} {self.variant_name}".strip()


class PaketOffer(models.Model):
    """One offer of a negotiation (procurement/negotiation.py): the package's creator proposes prices and
    quantities per line, the seller answers with a counter-offer in the same round, the creator's next offer opens
    the next round. Append-only; at most one offer of a package is open (waiting for the other party)."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Menunggu tanggapan")
        COUNTERED = "countered", _("Dibalas tawaran baru")
        ACCEPTED = "accepted", _("Disepakati")
        DECLINED = "declined", _("Ditolak penyedia")
        WITHDRAWN = "withdrawn", _("Negosiasi diakhiri pembeli")

    paket = models.ForeignKey(Paket, on_delete=models.PROTECT, related_name="offers")
    round = models.PositiveSmallIntegerField()
    party = models.CharField(max_length=12)  # "pembuat" (the PP or PPK who made the package) or "penyedia"
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    total = models.BigIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["paket"], condition=models.Q(outcome="open"),
                                    name="paketoffer_one_open_per_paket"),
            models.UniqueConstraint(fields=["paket", "round", "party"], name="paketoffer_one_per_round_party"),
            models.CheckConstraint(condition=models.Q(round__gte=1), name="paketoffer_round_positive"),
        ]

    def __str__(self):
        return f"{self.paket_id} #{self.round} {self.party}: {self.total}"


class PaketOfferLine(models.Model):
    """What one offer says about one line: the unit price and quantity offered, and the catalog price then."""

    offer = models.ForeignKey(PaketOffer, on_delete=models.PROTECT, related_name="lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=240)
    catalog_price = models.BigIntegerField()
    unit_price = models.BigIntegerField()
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="paketofferline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gt=0) & models.Q(unit_price__lte=models.F(
                "catalog_price")), name="paketofferline_price_within_catalog"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.name} @ {self.unit_price}"

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class OpdTarget(models.Model):
    """An OPD's plan for one fiscal year, entered by its Admin: the goods-and-services budget (pagu belanja
    barang/jasa) and the share planned for UMK and cooperatives (at least 40%, Perpres 12/2021 Ps 65). A budget set
    below what was already paid that year needs a reason, kept here and in the audit log."""

    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    pagu = models.BigIntegerField(_("pagu belanja barang/jasa"))
    umk_percent = models.PositiveSmallIntegerField(_("rencana porsi UMK (%)"))
    reason = models.CharField(_("alasan"), max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opd", "year"], name="opdtarget_one_per_year"),
            models.CheckConstraint(condition=models.Q(pagu__gt=0), name="opdtarget_pagu_positive"),
            models.CheckConstraint(condition=models.Q(umk_percent__gte=40, umk_percent__lte=100),
                                   name="opdtarget_umk_at_least_40"),
        ]

    def __str__(self):
        return f"{self.opd_id} {self.year}: {self.pagu} ({self.umk_percent}%)"

    @property
    def umk_amount(self) -> int:
        """The rupiah planned for UMK: pagu × share, rounded down."""
        return self.pagu * self.umk_percent // 100


class PaketEvent(models.Model):
    """Append-only timeline of a package: every transition, with its actor and note."""

    paket = models.ForeignKey(Paket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_kind = models.CharField(max_length=12, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Paket.Status.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.paket_id}: {self.from_status} → {self.to_status}"


class PaketDocument(models.Model):
    """A generated PDF of a package. The file and its SHA-256 are written once and never change; nothing is
    deleted. One valid document of each kind per package (a second BAST is refused by the database too); an
    invoice whose payment window lapsed is voided (kept, marked) and re-issued under a new number."""

    class Kind(models.TextChoices):
        SP = "sp", _("Surat Pesanan")
        BAST = "bast", _("Berita Acara Serah Terima")
        INVOICE = "invoice", _("Invoice")
        KUITANSI = "kuitansi", _("Kuitansi")
        ADDENDUM = "addendum", _("Addendum Surat Pesanan")

    paket = models.ForeignKey(Paket, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.CharField(max_length=60)
    file = models.FileField(storage=private_storage, max_length=200)
    sha256 = models.CharField(max_length=64)
    amount = models.BigIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)  # an invoice: pay before this
    voided_at = models.DateTimeField(null=True, blank=True)  # an invoice re-issued after its window lapsed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["paket", "kind"],
                                    condition=~models.Q(kind="addendum") & models.Q(voided_at__isnull=True),
                                    name="paketdocument_one_valid_per_kind"),
            models.CheckConstraint(condition=models.Q(voided_at__isnull=True) | models.Q(kind="invoice"),
                                   name="paketdocument_only_invoices_voided"),
            models.UniqueConstraint(fields=["kind", "number"], name="paketdocument_number_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class PaketAddendum(models.Model):
    """A request to change a signed SP (quantities and/or the Permintaan Tiba date), made by the PPK or the seller
    and answered by the other side. Accepted ones are numbered 1, 2, … per package and carry their own signed PDF
    (ADD/<kode satker>/<year>/<seq>); the package's lines, total and date then follow the latest one, while the SP
    document stays as it was signed. One open request per package at a time (also a database constraint)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Menunggu tanggapan")
        ACCEPTED = "accepted", _("Disetujui")
        DECLINED = "declined", _("Ditolak")
        WITHDRAWN = "withdrawn", _("Ditarik")

    class Side(models.TextChoices):
        PPK = "ppk", _("PPK")
        PENYEDIA = "penyedia", _("Penyedia")

    paket = models.ForeignKey(Paket, on_delete=models.PROTECT, related_name="addenda")
    version = models.PositiveSmallIntegerField(null=True, blank=True)  # 1, 2, … given when accepted
    side = models.CharField(max_length=10, choices=Side.choices)  # who asked
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("alasan"), max_length=300)
    tiba_before = models.DateField()
    tiba_after = models.DateField()
    total_before = models.BigIntegerField()
    total_after = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=300, blank=True)  # the reason of a decline
    document = models.OneToOneField(PaketDocument, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="addendum")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["paket"], condition=models.Q(status="open"),
                                    name="paketaddendum_one_open_per_paket"),
            models.UniqueConstraint(fields=["paket", "version"], name="paketaddendum_version_unique"),
            models.CheckConstraint(condition=models.Q(status="accepted", version__isnull=False)
                                   | (~models.Q(status="accepted") & models.Q(version__isnull=True)),
                                   name="paketaddendum_version_iff_accepted"),
        ]

    def __str__(self):
        return f"{self.paket_id} addendum {self.version or '-'} ({self.status})"


class PaketAddendumLine(models.Model):
    """One line's quantity before and after an addendum (only the lines it changes)."""

    addendum = models.ForeignKey(PaketAddendum, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PaketLine, on_delete=models.PROTECT, related_name="+")
    quantity_before = models.PositiveIntegerField()
    quantity_after = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["addendum", "line"], name="paketaddendumline_one_per_line"),
            models.CheckConstraint(condition=models.Q(quantity_after__gte=1), name="paketaddendumline_after_positive"),
        ]

    def __str__(self):
        return f"{self.line_id}: {self.quantity_before} → {self.quantity_after}"


class PaketDelivery(models.Model):
    """One shipment of a package (deliveries may be partial, and go to different addresses of the OPD), and the
    inspection of what arrived. A mismatch is a complaint back to the seller: the missing or bad units are to be
    shipped again."""

    class Status(models.TextChoices):
        SHIPPED = "shipped", _("Dalam pengiriman")
        ACCEPTED = "accepted", _("Diperiksa, sesuai")
        MISMATCH = "mismatch", _("Diperiksa, tidak sesuai")

    paket = models.ForeignKey(Paket, on_delete=models.PROTECT, related_name="deliveries")
    seq = models.PositiveSmallIntegerField()
    address = models.CharField(max_length=250)
    courier = models.CharField(max_length=60)
    tracking_number = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SHIPPED)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shipped_at = models.DateTimeField(auto_now_add=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    inspected_at = models.DateTimeField(null=True, blank=True)
    complaint = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["paket", "seq"], name="paketdelivery_seq_unique")]

    def __str__(self):
        return f"{self.paket_id} #{self.seq}"


class PaketDeliveryLine(models.Model):
    delivery = models.ForeignKey(PaketDelivery, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PaketLine, on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = models.PositiveIntegerField()
    received_quantity = models.PositiveIntegerField(null=True, blank=True)
    condition_ok = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "line"], name="paketdeliveryline_one_per_line"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="paketdeliveryline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(received_quantity__lte=models.F("quantity")),
                                   name="paketdeliveryline_received_at_most_shipped"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.line_id}"

    @property
    def accepted(self) -> int:
        """Units that count as delivered: received in good condition."""
        return (self.received_quantity or 0) if self.condition_ok else 0


class PaketSignature(models.Model):
    """One party's signature on a document: who, as what, when, and the SHA-256 of the PDF they signed (after
    re-entering their password). A second signature is a second row; the PDF itself never changes."""

    class Party(models.TextChoices):
        PPK = "ppk", _("PPK")
        PENYEDIA = "penyedia", _("Penyedia")

    document = models.ForeignKey(PaketDocument, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(max_length=10, choices=Party.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["document", "party"], name="paketsignature_one_per_party")]

    def __str__(self):
        return f"{self.document} · {self.party} · {self.signer_id}"


class PaketReminder(models.Model):
    """One reminder or notice a beat job sent for one deadline of one package: the unique row makes a job that
    runs twice (or in two workers at once) send it once. A re-issued invoice has a new deadline, so a new row."""

    class Kind(models.TextChoices):
        SELLER_DEADLINE = "seller_deadline", _("Batas waktu penyedia menanggapi SP")
        PAYMENT_DUE = "payment_due", _("Jatuh tempo invoice")
        INVOICE_LAPSED = "invoice_lapsed", _("Invoice lewat jatuh tempo")
        PAYOUT_BLOCKED = "payout_blocked", _("Pencairan menunggu rekening bank")

    paket = models.ForeignKey(Paket, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paket", "kind", "deadline"], name="paketreminder_once")]

    def __str__(self):
        return f"{self.paket_id} {self.kind} {self.deadline:%Y-%m-%d %H:%M}"


class ProcurementCounter(models.Model):
    """The last number of one document series of one OPD in one year: SP/<kode satker>/2026/000001 and
    BAST/…, gapless under the row lock (procurement.numbers)."""

    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["opd", "series", "year"],
                                               name="procurementcounter_opd_series_year_unique")]

    def __str__(self):
        return f"{self.series} {self.opd_id} {self.year}: {self.last}"
