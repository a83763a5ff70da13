import io
import re
from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Category
from plazabanten.images import image_check
from plazabanten.money import RupiahField
from plazabanten.phone import normalize_phone
from plazabanten.uploads import upload_name
from privacy.masking import mask_account, mask_nik
from regions.forms import RegionField

from .models import BANKS, REVIEW_FIELDS, Shop, ShopDocument, ShopIdentity, ShopMember, ShopTaxDeclaration
from .services import DocumentUpload
from .validators import nib_check, nik_check, npwp_check, umkm_class

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_LOGO_BYTES = 2 * 1024 * 1024
# Magic bytes → (content type, extension): the only kinds a document may be, whatever its name says.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
)


def document_check(upload) -> DocumentUpload:
    """Accept a JPEG, PNG or PDF of at most 5 MB, judged by its content; the name is only kept for display."""
    raw_name = upload.name or ""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("Ukuran file maksimal 5 MB (file ini %(mb).1f MB).") % {"mb": upload.size / 2**20},
                              code="size")
    content = upload.read()
    match = next((kind for kind in _SIGNATURES if content.startswith(kind[0])), None)
    if match is None:
        raise ValidationError(_("File harus berupa foto JPEG/PNG atau PDF."), code="type")
    _magic, content_type, extension = match
    if extension == "pdf":
        if b"%%EOF" not in content[-1024:]:
            raise ValidationError(_("File PDF rusak atau tidak lengkap."), code="broken")
    else:  # the photo checks: the pixel limit (a decompression bomb is refused by its header), never a full decode
        image_check(io.BytesIO(content), formats={"JPEG", "PNG"})
    stem = get_valid_filename(PurePath(raw_name).stem)[:80] or "dokumen"
    return DocumentUpload(content=content, content_type=content_type, extension=extension,
                          original_name=f"{stem}.{extension}")


class RevisionReasonsMixin:
    """Puts the verifikator's reason for a field next to that field (template: field.field.revision_reason)."""

    reason_targets: dict[str, str] = {}

    def attach_reasons(self, reasons: dict[str, str]) -> None:
        for key, text in (reasons or {}).items():
            name = self.reason_targets.get(key, key)
            if name in self.fields:
                self.fields[name].revision_reason = text


class ProfileForm(RevisionReasonsMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nama toko"), max_length=100)
    slug = forms.SlugField(label=gettext_lazy("Alamat toko (URL)"), max_length=60,
                           help_text=gettext_lazy("Huruf kecil, angka dan tanda minus, mis. batik-rangkasbitung."))
    description = forms.CharField(label=gettext_lazy("Deskripsi"), widget=forms.Textarea(attrs={"rows": 4}),
                                  required=False, max_length=2000)
    logo = forms.ImageField(label=gettext_lazy("Logo (JPEG/PNG, maks. 2 MB)"), required=False)
    region = RegionField(depth=4, label=gettext_lazy("Alamat toko"))
    street = forms.CharField(label=gettext_lazy("Jalan, RT/RW, nomor"), max_length=200)
    postal_code = forms.RegexField(label=gettext_lazy("Kode pos"), regex=r"^[1-9]\d{4}$", required=False,
                                   error_messages={"invalid": gettext_lazy("Kode pos 5 angka.")})
    whatsapp = forms.CharField(label=gettext_lazy("Nomor WhatsApp"), max_length=20,
                               widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                             "autocomplete": "tel"}))
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Kategori yang dijual"), queryset=Category.objects.filter(level=1),
        widget=forms.CheckboxSelectMultiple, error_messages={"required": gettext_lazy("Pilih minimal satu kategori.")})

    def __init__(self, *args, shop: Shop, **kwargs):
        super().__init__(*args, **kwargs)
        self.shop = shop

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Shop.objects.filter(slug=slug).exclude(pk=self.shop.pk).exists():
            raise ValidationError(_("Alamat toko ini sudah dipakai toko lain."))
        return slug

    def clean_whatsapp(self):
        return normalize_phone(self.cleaned_data["whatsapp"])

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise ValidationError(_("Logo maksimal 2 MB."))
        if logo and getattr(logo, "image", None):
            if logo.image.format not in ("JPEG", "PNG"):
                raise ValidationError(_("Logo harus JPEG atau PNG."))
            logo.name = upload_name(logo, "image")  # never the uploader's file name
        return logo


class IdentityForm(RevisionReasonsMixin, forms.ModelForm):
    reason_targets = {"certificates": "halal_number"}

    class Meta:
        model = ShopIdentity
        fields = ["owner_name", "owner_nik", "entity_type", "business_name", "nib", "npwp", "capital", "turnover",
                  "halal_number", "pirt_number", "bpom_number"]
        widgets = {
            "owner_nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "nib": forms.TextInput(attrs={"inputmode": "numeric"}),
            "npwp": forms.TextInput(attrs={"inputmode": "numeric"}),
            "entity_type": forms.RadioSelect,
        }
        help_texts = {
            "owner_nik": gettext_lazy("16 angka, sesuai KTP."),
            "nib": gettext_lazy("13 angka dari OSS."),
            "npwp": gettext_lazy("15 angka (format lama) atau 16 angka."),
        }

    # The identifiers are entered with dots and dashes as printed; the validators clean them.
    owner_nik = forms.CharField(label=gettext_lazy("NIK pemilik"), max_length=24)
    nib = forms.CharField(label=gettext_lazy("NIB"), max_length=20)
    npwp = forms.CharField(label=gettext_lazy("NPWP"), max_length=24)
    # Typed as written on paper (50.000.000, 50jt); the classes are in vendors.validators.umkm_class.
    capital = RupiahField(label=ShopIdentity._meta.get_field("capital").verbose_name, what=gettext_lazy("modal"),
                          max_value=10**15, help_text=gettext_lazy(
                              "Dalam rupiah, misalnya 50.000.000 atau 50jt. Menentukan kelas UMKM (PP 7/2021)."))
    turnover = RupiahField(label=ShopIdentity._meta.get_field("turnover").verbose_name, what=gettext_lazy("omzet"),
                           max_value=10**15, help_text=gettext_lazy(
                               "Penjualan setahun dalam rupiah, misalnya 300.000.000 atau 300jt."))
    # On the shop (vendors.Shop.is_pkp), not the identity: government buyers see it beside the price.
    is_pkp = forms.BooleanField(label=gettext_lazy("Terdaftar sebagai PKP"), required=False, help_text=gettext_lazy(
        "Pengusaha Kena Pajak — harga sudah termasuk PPN"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        for name in ("owner_nik", "nib", "npwp"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.stored_nik = self.instance.owner_nik if self.instance.pk else ""
        if self.stored_nik:  # never printed back in full: shown masked, kept when left empty
            self.initial["owner_nik"] = ""
            self.fields["owner_nik"].required = False
            self.fields["owner_nik"].help_text = _("Tersimpan: %(nik)s. Kosongkan bila tidak berubah.") % {
                "nik": mask_nik(self.stored_nik)}

    def _checked(self, name, check):
        result = check(self.cleaned_data[name])
        self.warnings.extend(result.warnings)
        return result.value

    def clean_owner_nik(self):
        if not self.cleaned_data["owner_nik"] and self.stored_nik:
            self.cleaned_data["owner_nik"] = self.stored_nik
        return self._checked("owner_nik", nik_check)

    def clean_nib(self):
        return self._checked("nib", nib_check)

    def clean_npwp(self):
        return self._checked("npwp", npwp_check)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("entity_type") in (ShopIdentity.EntityType.BUSINESS, ShopIdentity.EntityType.KOPERASI)
                and not cleaned.get("business_name")):
            self.add_error("business_name", _("Isi nama badan usaha sesuai akta."))
        if cleaned.get("capital") is not None and cleaned.get("turnover") is not None:
            try:
                cleaned["umkm_class"] = umkm_class(capital=cleaned["capital"], turnover=cleaned["turnover"])
            except ValidationError as error:
                self.add_error("capital", error)
        return cleaned


class DocumentsForm(RevisionReasonsMixin, forms.Form):
    doc_ktp = forms.FileField(label=ShopDocument.Kind.KTP.label, required=False)
    doc_nib = forms.FileField(label=ShopDocument.Kind.NIB.label, required=False)
    doc_npwp = forms.FileField(label=ShopDocument.Kind.NPWP.label, required=False)
    # Only for a PKP (the identity step): checked with the other documents (vendors.ShopTaxDeclaration).
    doc_sppkp = forms.FileField(label=gettext_lazy("SPPKP (surat pengukuhan PKP), hanya bila PKP"), required=False)

    def __init__(self, *args, existing: dict[str, ShopDocument], **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"
            field.help_text = _("JPEG, PNG atau PDF, maks. 5 MB.")
            field.current_document = existing.get(name.removeprefix("doc_"))

    def clean(self):
        cleaned = super().clean()
        self.uploads = {}
        # Each good file is kept even when another is still missing: the review step lists what is left.
        for name in self.fields:
            if cleaned.get(name):
                try:
                    self.uploads[name.removeprefix("doc_")] = document_check(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class TaxDeclarationForm(forms.Form):
    """The seller's SPPKP, non-PKP statement or turnover statement (vendors.ShopTaxDeclaration)."""

    kind = forms.ChoiceField(label=gettext_lazy("Dokumen"), choices=ShopTaxDeclaration.Kind.choices,
                             widget=forms.RadioSelect)
    year = forms.IntegerField(label=gettext_lazy("Tahun pajak (untuk surat pernyataan omzet)"), required=False,
                              min_value=2025, max_value=2100)
    file = forms.FileField(label=gettext_lazy("Berkas"), help_text=gettext_lazy("JPEG, PNG atau PDF, maks. 5 MB."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ShopTaxDeclaration.Kind.TURNOVER and not cleaned.get("year"):
            self.add_error("year", _("Isi tahun pajak surat pernyataan omzet."))
        if cleaned.get("file"):
            try:
                self.upload = document_check(cleaned["file"])
            except ValidationError as error:
                self.add_error("file", error)
        return cleaned


class BankForm(RevisionReasonsMixin, forms.Form):
    bank = forms.ChoiceField(label=gettext_lazy("Bank"), choices=[("", "—")] + BANKS)
    number = forms.CharField(label=gettext_lazy("Nomor rekening"), max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    holder_name = forms.CharField(label=gettext_lazy("Nama pemilik rekening"), max_length=150,
                                  help_text=gettext_lazy("Harus sama dengan nama pemilik KTP atau nama badan usaha."))

    def __init__(self, *args, current=None, **kwargs):
        """`current`: the saved account of a shop in the wizard; its number is shown masked, kept when empty."""
        super().__init__(*args, **kwargs)
        self.current = current
        if current:
            self.fields["number"].required = False
            self.fields["number"].help_text = _("Tersimpan: %(number)s. Kosongkan bila tidak berubah.") % {
                "number": mask_account(current.number)}

    def clean_number(self):
        if not self.cleaned_data["number"] and self.current:
            return self.current.number
        number = re.sub(r"[\s.\-]", "", self.cleaned_data["number"])
        if not re.fullmatch(r"\d{7,18}", number):
            raise ValidationError(_("Nomor rekening 7–18 angka."))
        return number


class RevisionForm(forms.Form):
    """One optional reason per reviewable field; at least one is needed."""

    note = forms.CharField(label=gettext_lazy("Catatan umum"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, (label, _step) in REVIEW_FIELDS.items():
            self.fields[f"reason_{key}"] = forms.CharField(label=label, required=False, max_length=500)

    def clean(self):
        cleaned = super().clean()
        self.reasons = {key: cleaned.get(f"reason_{key}", "").strip() for key in REVIEW_FIELDS}
        self.reasons = {key: text for key, text in self.reasons.items() if text}
        if not self.reasons:
            raise ValidationError(_("Tuliskan alasan perbaikan untuk minimal satu data."))
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Alasan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy("Tuliskan alasannya.")})


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email anggota"))
    role = forms.ChoiceField(label=gettext_lazy("Peran"), choices=ShopMember.Role.choices, widget=forms.RadioSelect,
                             help_text=gettext_lazy("Admin: semua. Produk & pesanan: katalog dan pengiriman. "
                                                    "Keuangan: rekening dan pencairan dana."))
