from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from plazabanten.uploads import UploadTo


class Shop(models.Model):
    """A UMKM's shop (toko). Only a verified shop can publish products."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu verifikasi")
        REVISION_REQUESTED = "revision_requested", _("Perlu perbaikan")
        VERIFIED = "verified", _("Terverifikasi")
        REJECTED = "rejected", _("Ditolak")
        SUSPENDED = "suspended", _("Dibekukan")
        CLOSED = "closed", _("Ditutup")  # its owner deleted their account (privacy.services.account_delete)

    class UmkmClass(models.TextChoices):
        MIKRO = "mikro", _("Usaha Mikro")
        KECIL = "kecil", _("Usaha Kecil")
        MENENGAH = "menengah", _("Usaha Menengah")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_shops")
    name = models.CharField(_("nama toko"), max_length=100)
    slug = models.SlugField(_("alamat toko"), max_length=60, unique=True)
    description = models.TextField(_("deskripsi"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=UploadTo("shops/logos", field="logo"), blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("desa/kelurahan"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    # Denormalised from region for the kab/kota facet and the Pemprov numbers.
    kabkota = models.ForeignKey("regions.Region", verbose_name=_("kabupaten/kota"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    street = models.CharField(_("alamat jalan"), max_length=200, blank=True)
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)
    whatsapp = models.CharField(_("nomor WhatsApp"), max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    umkm_class = models.CharField(_("kelas UMKM"), max_length=10, choices=UmkmClass.choices, blank=True)
    # A cooperative counts toward the 40% like a micro or small business whatever its size (Perpres 12/2021 Ps 65:
    # "usaha mikro, usaha kecil dan koperasi"). Projected from ShopIdentity.entity_type by shop_update_identity.
    is_koperasi = models.BooleanField(_("koperasi"), default=False)
    # Declared by the seller (the SPPKP letter is checked in a later issue): a PKP's prices include PPN.
    is_pkp = models.BooleanField(_("Pengusaha Kena Pajak (PKP)"), default=False)
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    categories = models.ManyToManyField("catalog.Category", verbose_name=_("kategori yang dijual"), blank=True,
                                        related_name="+")

    class Meta:
        verbose_name = _("toko")
        verbose_name_plural = _("toko")
        indexes = [models.Index(fields=["status", "kabkota"])]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def is_umk(self) -> bool:
        """A micro or small business or a cooperative (UMK), what government buying must favour (Perpres 12/2021
        Ps 65); medium businesses do not count. Projected onto its products as ``catalog.Product.shop_is_umk``."""
        return self.umkm_class in UMK_CLASSES or self.is_koperasi


UMK_CLASSES = frozenset({Shop.UmkmClass.MIKRO, Shop.UmkmClass.KECIL})


class ShopMember(models.Model):
    """A person who works in a shop; the owner is a member with the admin role."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        OPERATIONS = "operations", _("Produk & pesanan")
        FINANCE = "finance", _("Keuangan")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="shop_member_unique")]

    def __str__(self):
        return f"{self.user} @ {self.shop} ({self.role})"

    @property
    def capabilities(self) -> frozenset[str]:
        return ROLE_CAPABILITIES[self.role]


class Capability(models.TextChoices):
    """What a shop member may do. A role is a set of these (ROLE_CAPABILITIES), checked by shop_scope."""

    STATUS = "status", _("Status toko")
    PROFILE = "profile", _("Profil toko")
    IDENTITY = "identity", _("Identitas, dokumen dan pengiriman pendaftaran")
    MEMBERS = "members", _("Anggota toko")
    PRODUCTS = "products", _("Produk, foto dan impor")
    ORDERS = "orders", _("Pesanan, pengiriman dan ulasan")
    FINANCE = "finance", _("Saldo, pencairan, rekening dan invoice")


# The one place that says who may do what in a shop. Finance reaches money, never the owner's identity documents.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    ShopMember.Role.ADMIN: frozenset(Capability.values),
    ShopMember.Role.OPERATIONS: frozenset({Capability.STATUS, Capability.PRODUCTS, Capability.ORDERS}),
    ShopMember.Role.FINANCE: frozenset({Capability.STATUS, Capability.FINANCE}),
}


def roles_with(capability: str) -> tuple[str, ...]:
    return tuple(role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities)



class ShopInvitation(models.Model):
    """The owner asks someone, by email, to join the shop with a role; it waits until that person accepts."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("peran"), max_length=12, choices=ShopMember.Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "email"], condition=models.Q(accepted_at__isnull=True),
                                               name="shop_invitation_one_open_per_email")]

    def __str__(self):
        return f"{self.email} → {self.shop} ({self.role})"

def private_storage():
    """Identity documents never go to the public media storage."""
    return storages["private"]


class ShopIdentity(models.Model):
    """Who stands behind the shop: the owner's NIK, the business numbers and the declared size."""

    class EntityType(models.TextChoices):
        INDIVIDUAL = "individual", _("Perorangan")
        BUSINESS = "business", _("Badan usaha (CV, PT)")
        KOPERASI = "koperasi", _("Koperasi")

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, primary_key=True, related_name="identity")
    owner_name = models.CharField(_("nama pemilik sesuai KTP"), max_length=150)
    owner_nik = models.CharField(_("NIK pemilik"), max_length=16)
    entity_type = models.CharField(_("bentuk usaha"), max_length=12, choices=EntityType.choices,
                                   default=EntityType.INDIVIDUAL)
    business_name = models.CharField(_("nama badan usaha"), max_length=150, blank=True)
    nib = models.CharField(_("NIB"), max_length=13)
    npwp = models.CharField(_("NPWP"), max_length=16)
    capital = models.PositiveBigIntegerField(_("modal usaha (di luar tanah dan bangunan)"))
    turnover = models.PositiveBigIntegerField(_("omzet setahun"))
    halal_number = models.CharField(_("nomor sertifikat halal"), max_length=40, blank=True)
    pirt_number = models.CharField(_("nomor P-IRT"), max_length=40, blank=True)
    bpom_number = models.CharField(_("nomor izin edar BPOM"), max_length=40, blank=True)
    # Odd but plausible values the validators let through, for the verifikator to look at.
    warnings = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identitas usaha")
        verbose_name_plural = _("identitas usaha")

    def __str__(self):
        return f"{self.owner_name} ({self.shop})"


class ShopDocument(models.Model):
    class Kind(models.TextChoices):
        KTP = "ktp", _("Foto KTP pemilik")
        NIB = "nib", _("Dokumen NIB")
        NPWP = "npwp", _("Kartu NPWP")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file = models.FileField(storage=private_storage, max_length=200)
    # A PDF's first page as a PNG, rendered by the worker (vendors.tasks): browsers that show no PDF inline (the
    # verifikator's Chromium) still see the document. Private like the file, served by the same view.
    preview = models.FileField(storage=private_storage, max_length=200, blank=True)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dokumen toko")
        verbose_name_plural = _("dokumen toko")
        constraints = [models.UniqueConstraint(fields=["shop", "kind"], name="shop_document_one_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.shop}"

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


BANKS = [
    ("bri", "BRI"), ("bni", "BNI"), ("mandiri", "Bank Mandiri"), ("bca", "BCA"), ("bsi", "Bank Syariah Indonesia"),
    ("bjb", "Bank BJB"), ("bank_banten", "Bank Banten"), ("btn", "BTN"), ("cimb", "CIMB Niaga"),
    ("permata", "Bank Permata"), ("danamon", "Bank Danamon"), ("ocbc", "OCBC"), ("muamalat", "Bank Muamalat"),
    ("seabank", "SeaBank"), ("jago", "Bank Jago"),
]


class ShopBankAccount(models.Model):
    """Where payouts go; the holder name is checked against the owner or the business by the verifikator."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, primary_key=True, related_name="bank_account")
    bank = models.CharField(_("bank"), max_length=20, choices=BANKS)
    number = models.CharField(_("nomor rekening"), max_length=18)
    holder_name = models.CharField(_("nama pemilik rekening"), max_length=150)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rekening toko")
        verbose_name_plural = _("rekening toko")
        constraints = [models.CheckConstraint(condition=models.Q(number__regex=r"^\d{7,18}$"),
                                              name="shop_bank_number_7_18_digits")]

    def __str__(self):
        return f"{self.get_bank_display()} {self.number}"


class ShopBankChange(models.Model):
    """A verified shop asks to move its payouts to another account. Payouts keep going to the verified
    ShopBankAccount until a verifikator approves the change; a newer request replaces a pending one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu verifikasi")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")
        REPLACED = "replaced", _("Diganti pengajuan baru")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="bank_changes")
    bank = models.CharField(_("bank"), max_length=20, choices=BANKS)
    number = models.CharField(_("nomor rekening"), max_length=18)
    holder_name = models.CharField(_("nama pemilik rekening"), max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shop"], condition=models.Q(status="pending"),
                                    name="shop_bank_change_one_pending"),
            models.CheckConstraint(condition=models.Q(number__regex=r"^\d{7,18}$"),
                                   name="shop_bank_change_number_7_18_digits"),
        ]

    def __str__(self):
        return f"{self.shop}: {self.get_bank_display()} {self.number} ({self.status})"


class ShopEvent(models.Model):
    """One row per status change: the shop's own history, the seller's revision reasons and the Pemprov numbers."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, choices=Shop.Status.choices)
    to_status = models.CharField(max_length=20, choices=Shop.Status.choices)
    # For a revision: {"nib": "Nomor tidak sesuai dokumen", ...}, keyed by the review field names.
    reasons = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["shop", "-created_at"]), models.Index(fields=["to_status", "created_at"])]

    def __str__(self):
        return f"{self.shop}: {self.from_status} → {self.to_status}"

    def reason_items(self) -> list[tuple[str, str]]:
        """The revision reasons as (the field's label, the reason), in the order of REVIEW_FIELDS."""
        known = [(str(REVIEW_FIELDS[key][0]), self.reasons[key]) for key in REVIEW_FIELDS if key in self.reasons]
        return known + [(key, text) for key, text in self.reasons.items() if key not in REVIEW_FIELDS]


# What a verifikator can flag in a revision request, the label the seller reads, and the wizard step that fixes it.
REVIEW_FIELDS = {
    "name": (_("Nama toko"), "profile"),
    "description": (_("Deskripsi"), "profile"),
    "logo": (_("Logo"), "profile"),
    "region": (_("Alamat"), "profile"),
    "whatsapp": (_("Nomor WhatsApp"), "profile"),
    "owner_name": (_("Nama pemilik"), "identity"),
    "owner_nik": (_("NIK pemilik"), "identity"),
    "nib": (_("NIB"), "identity"),
    "npwp": (_("NPWP"), "identity"),
    "capital": (_("Modal dan omzet"), "identity"),
    "certificates": (_("Sertifikat"), "identity"),
    "doc_ktp": (_("Foto KTP"), "documents"),
    "doc_nib": (_("Dokumen NIB"), "documents"),
    "doc_npwp": (_("Kartu NPWP"), "documents"),
    "bank": (_("Rekening bank"), "bank"),
}


class ShopTaxDeclaration(models.Model):
    """A seller's tax status with its evidence, checked by the verifikator like the other shop documents: the
    SPPKP letter (PKP), a non-PKP statement, or the turnover statement for a year (surat pernyataan omzet ≤
    Rp500 juta, PMK 37/2025). PKP status changes only when a declaration is approved (payments/tax.py reads
    Shop.is_pkp); a newer declaration of the same kind replaces a pending one."""

    class Kind(models.TextChoices):
        PKP = "pkp", _("SPPKP: terdaftar sebagai PKP")
        NON_PKP = "non_pkp", _("Pernyataan bukan PKP")
        TURNOVER = "omzet", _("Surat pernyataan omzet setahun ≤ Rp500 juta")

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu verifikasi")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")
        REPLACED = "replaced", _("Diganti pengajuan baru")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="tax_declarations")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # the turnover statement's tax year
    file = models.FileField(storage=private_storage, max_length=200)
    original_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "kind"], condition=models.Q(status="pending"),
                                    name="shop_tax_declaration_one_pending_per_kind"),
            models.CheckConstraint(condition=~models.Q(kind="omzet") | models.Q(year__isnull=False),
                                   name="shop_tax_declaration_turnover_has_year"),
        ]

    def __str__(self):
        return f"{self.shop}: {self.kind} ({self.status})"
