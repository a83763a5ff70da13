from django import forms
from django.utils.translation import gettext_lazy as _

from plazabanten.money import RupiahField

from .services import MAX_LINE_QUANTITY


class CartLineForm(forms.Form):
    variant = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(label=_("Jumlah"), min_value=0, max_value=MAX_LINE_QUANTITY,
                                  error_messages={"max_value": _("Maksimal %(limit_value)s per barang."),
                                                  "min_value": _("Jumlah tidak boleh negatif."),
                                                  "invalid": _("Jumlah harus bilangan bulat."),
                                                  "required": _("Isi jumlahnya (0 menghapus barang).")})


class ShipForm(forms.Form):
    """The shop hands the parcel over: the courier is pre-filled with what the buyer paid for; the resi is
    normalised (upper case, spaces and dashes removed). The shop's own courier needs no resi."""

    courier = forms.ChoiceField(label=_("Jasa kirim"), error_messages={"required": _("Pilih jasa kirim."),
                                                                       "invalid_choice": _("Pilih jasa kirim.")})
    tracking_number = forms.CharField(label=_("Nomor resi"), max_length=60,
                                      error_messages={"required": _("Isi nomor resi dari kurir.")})

    def __init__(self, *args, order=None, **kwargs):
        from .lifecycle import courier_of
        from .shipping import COURIERS

        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = list(COURIERS.items())
        self.fields["tracking_number"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
             "placeholder": "JP1234567890"})
        paid_for = courier_of(order) if order is not None else ""
        if paid_for == "own":
            del self.fields["courier"]
            self.fields["tracking_number"].required = False
            self.fields["tracking_number"].label = _("Nomor resi (opsional)")
        elif paid_for:
            self.fields["courier"].initial = paid_for
            self.fields["courier"].help_text = _("Dibayar pembeli: %(label)s") % {"label": order.shipping_label}

    def clean_tracking_number(self):
        from .lifecycle import OrderActionInvalid, tracking_number_normalise

        value = self.cleaned_data["tracking_number"]
        if not value.strip():
            return ""
        try:
            return tracking_number_normalise(value)
        except OrderActionInvalid as problem:
            raise forms.ValidationError(str(problem)) from problem


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Tuliskan alasannya."),
                                             "max_length": _("Alasan paling panjang 300 huruf.")})


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Nilai"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)])
    text = forms.CharField(label=_("Ulasan (opsional)"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ShopShippingForm(forms.Form):
    """A shop's delivery options: pickup, courier services, and its own courier's flat fee per Banten kab/kota."""

    pickup = forms.BooleanField(label=_("Pembeli boleh ambil di toko"), required=False)
    couriers = forms.MultipleChoiceField(label=_("Jasa kirim"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, kabkota: list, couriers: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["couriers"].choices = list(couriers.items())
        self.kabkota = kabkota
        for region in kabkota:
            self.fields[f"fee_{region.code}"] = RupiahField(
                label=region.name, required=False, min_value=0, max_value=1_000_000, what=_("ongkir"),
                help_text=_("Kosongkan bila kurir toko tidak mengantar ke sini."))

    def own_courier_fees(self) -> dict[str, int]:
        return {region.code: self.cleaned_data[f"fee_{region.code}"] for region in self.kabkota
                if self.cleaned_data.get(f"fee_{region.code}") is not None}


class ComplaintDecisionForm(forms.Form):
    """The verifikator's decision on an escalated complaint."""

    decision = forms.ChoiceField(label=_("Keputusan"), widget=forms.RadioSelect, choices=[
        ("refund", _("Kembalikan dana ke pembeli")), ("close", _("Tutup komplain, dana untuk penjual"))],
        error_messages={"required": _("Pilih keputusannya."), "invalid_choice": _("Keputusan tidak dikenal.")})
    reason = forms.CharField(label=_("Alasan keputusan"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Tuliskan alasan keputusan."),
                                             "max_length": _("Alasan paling panjang 300 huruf.")})
