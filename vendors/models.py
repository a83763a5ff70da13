from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Shop(models.Model):
    """A UMKM's shop (toko). Only a verified shop can publish products."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu verifikasi")
        REVISION_REQUESTED = "revision_requested", _("Perlu perbaikan")
        VERIFIED = "verified", _("Terverifikasi")
        REJECTED = "rejected", _("Ditolak")
        SUSPENDED = "suspended", _("Dibekukan")

    class UmkmClass(models.TextChoices):
        MIKRO = "mikro", _("Usaha Mikro")
        KECIL = "kecil", _("Usaha Kecil")
        MENENGAH = "menengah", _("Usaha Menengah")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_shops")
    name = models.CharField(_("nama toko"), max_length=100)
    slug = models.SlugField(_("alamat toko"), max_length=60, unique=True)
    description = models.TextField(_("deskripsi"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="shops/logos/", blank=True)
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
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("toko")
        verbose_name_plural = _("toko")
        indexes = [models.Index(fields=["status", "kabkota"])]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


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
