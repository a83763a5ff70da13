from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plazabanten.money import RupiahField
from regions.models import Region
from vendors.forms import document_check

from .models import OPD_REVIEW_FIELDS, Paket, Role


def pemda_choices() -> list[tuple[str, str]]:
    rows = Region.objects.filter(code__startswith="36", level__in=[Region.Level.PROVINSI, Region.Level.KABKOTA])
    return [("", "—")] + [(r.code, f"Pemerintah {r.name}" if r.level == Region.Level.PROVINSI else r.name)
                          for r in rows.order_by("code")]


class OpdForm(forms.Form):
    pemda = forms.ChoiceField(label=_("Pemerintah daerah"), error_messages={
        "invalid_choice": _("Pilih Pemerintah Provinsi Banten atau salah satu kabupaten/kota di Banten."),
        "required": _("Pilih pemerintah daerah.")})
    name = forms.CharField(label=_("Nama satuan kerja (OPD)"), max_length=150,
                           help_text=_("mis. Dinas Koperasi dan UKM Provinsi Banten"))
    kode_satker = forms.CharField(label=_("Kode satker"), max_length=30)
    address = forms.CharField(label=_("Alamat kantor"), max_length=250)
    npwp_bendahara = forms.CharField(label=_("NPWP bendahara pengeluaran"), max_length=25)
    sk = forms.FileField(label=_("Surat Tugas / SK penunjukan Admin OPD (PDF/JPEG/PNG, maks. 5 MB)"))

    def __init__(self, *args, sk_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].choices = pemda_choices()
        self.fields["sk"].required = sk_required
        self.upload = None

    def clean_sk(self):
        upload = self.cleaned_data.get("sk")
        if upload:
            self.upload = document_check(upload)
        return upload


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Peran"), choices=[(r.value, r.label) for r in (
        Role.PP, Role.PPK, Role.BENDAHARA, Role.PEMERIKSA, Role.AUDITOR, Role.ADMIN)])


class OpdReviewForm(forms.Form):
    """One optional reason per field; at least one for "perlu perbaikan"."""

    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in OPD_REVIEW_FIELDS.items():
            self.fields[f"reason_{key}"] = forms.CharField(
                label=_("Alasan perbaikan: %(field)s") % {"field": label}, max_length=300, required=False)

    def reasons(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"reason_{key}", "") for key in OPD_REVIEW_FIELDS}


class PaketForm(forms.Form):
    nama = forms.CharField(label=_("Nama paket"), max_length=200)
    kode_rup = forms.CharField(label=_("Kode RUP (dari SiRUP)"), max_length=30,
                               widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    tahun_anggaran = forms.TypedChoiceField(label=_("Tahun anggaran"), coerce=int)
    sumber_dana = forms.ChoiceField(label=_("Sumber dana"), choices=Paket.SumberDana.choices)
    alamat_kirim = forms.CharField(label=_("Alamat pengiriman"), max_length=250)
    alamat_lain = forms.CharField(label=_("Alamat pengiriman lain (opsional, satu alamat per baris)"), required=False,
                                  max_length=2600, widget=forms.Textarea(attrs={"rows": 2}))
    permintaan_tiba = forms.DateField(label=_("Permintaan tiba"), widget=forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date"}))  # the only format a date input shows
    ppk = forms.TypedChoiceField(label=_("PPK yang memeriksa"), coerce=int, required=False)
    ketentuan_tambahan = forms.CharField(label=_("Ketentuan tambahan (opsional)"), max_length=2000, required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, ppks=(), **kwargs):
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["tahun_anggaran"].choices = [(y, y) for y in (year, year + 1, year - 1)]
        self.fields["ppk"].choices = [("", "—")] + [(user.pk, user.name or user.email) for user in ppks]


class InspectionForm:
    """The PPK's inspection, read straight from the POST: received-<line>, ok-<line>, note-<line>."""

    def __init__(self, data, lines):
        self.data, self.lines, self.errors = data, list(lines), []

    def cleaned(self) -> dict[int, tuple[int, bool, str]]:
        result = {}
        for line in self.lines:
            raw = (self.data.get(f"received-{line.pk}") or "").strip()
            if not raw.isdigit():
                raise ValidationError(_("Isi jumlah diterima untuk %(name)s (angka).") % {"name": line.name})
            result[line.pk] = (int(raw), self.data.get(f"ok-{line.pk}") == "on",
                               (self.data.get(f"note-{line.pk}") or "")[:200])
        return result


class OfferForm(forms.Form):
    """A negotiation offer: a unit price (typed as people type rupiah) and a quantity per line, and a note. Field
    names are prefixed "offer-" (the draft edit form on the same page has its own quantity-<line>)."""

    note = forms.CharField(label=_("Catatan untuk pihak lain (opsional)"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, lines, current: dict[int, tuple[int, int]]):
        super().__init__(data, prefix="offer")
        self.lines = list(lines)
        for line in self.lines:
            price, quantity = current.get(line.variant_id, (line.unit_price, line.quantity))
            self.fields[f"price-{line.pk}"] = RupiahField(
                label=_("Harga satuan %(name)s") % {"name": line.name}, min_value=1, what=_("harga"),
                initial=price)
            self.fields[f"quantity-{line.pk}"] = forms.IntegerField(
                label=_("Jumlah %(name)s") % {"name": line.name}, min_value=1, max_value=100_000, initial=quantity,
                widget=forms.NumberInput(attrs={"min": 1}))

    @property
    def rows(self):
        return [(line, self[f"price-{line.pk}"], self[f"quantity-{line.pk}"]) for line in self.lines]

    def offer(self) -> dict[int, tuple[int, int]]:
        if not self.is_valid():
            raise ValidationError([message for errors in self.errors.values() for message in errors])
        return {line.pk: (self.cleaned_data[f"price-{line.pk}"], self.cleaned_data[f"quantity-{line.pk}"])
                for line in self.lines}


class AddendumForm(forms.Form):
    """A request for an addendum: the new quantity of each line (as it is now when unchanged), a new Permintaan
    Tiba date (optional) and the reason."""

    tiba = forms.DateField(label=_("Permintaan tiba yang baru (opsional)"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Alasan addendum"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"quantity-{line.pk}"] = forms.IntegerField(
                label=_("Jumlah %(name)s (sekarang %(n)s)") % {"name": line.name, "n": line.quantity},
                min_value=1, max_value=100_000, initial=line.quantity)

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"quantity-{line.pk}"] for line in self.lines}


class TargetForm(forms.Form):
    """The Admin OPD's plan for a year (the 40% rule itself is checked by services.opd_target_set)."""

    year = forms.IntegerField(label=_("Tahun anggaran"), min_value=2000, max_value=2100)
    pagu = RupiahField(label=_("Pagu belanja barang/jasa"), what=_("pagu"), min_value=1, max_value=10**15,
                       help_text=_("Dalam rupiah, misalnya 12.500.000.000 atau 12,5 miliar."))
    umk_percent = forms.IntegerField(label=_("Rencana porsi UMK dan koperasi (%)"), min_value=0, max_value=100,
                                     help_text=_("Minimal 40% (Perpres 12/2021 Pasal 65)."))
    reason = forms.CharField(label=_("Alasan (jika pagu lebih kecil dari yang sudah dibelanjakan)"), max_length=300,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))
