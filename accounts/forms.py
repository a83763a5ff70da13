from django import forms
from django.utils.translation import gettext_lazy as _

from plazabanten.phone import normalize_phone
from regions.forms import RegionField


class SignupExtraForm(forms.Form):
    """Fields allauth's signup form adds to email and password."""

    name = forms.CharField(label=_("Nama lengkap"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Nomor HP (opsional)"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel",
                                                          "placeholder": "08…"}))

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return normalize_phone(phone) if phone else ""

    def signup(self, request, user):
        """allauth calls this after saving the user; the adapter already copied the fields."""


class AddressForm(forms.Form):
    label = forms.CharField(label=_("Label (opsional)"), max_length=40, required=False)
    recipient = forms.CharField(label=_("Nama penerima"), max_length=100)
    phone = forms.CharField(label=_("Nomor HP penerima"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    street = forms.CharField(label=_("Alamat lengkap"), max_length=250,
                             help_text=_("Nama jalan, nomor rumah, RT/RW, patokan"))
    region = RegionField(label=_("Wilayah"))
    postal_code = forms.RegexField(label=_("Kode pos"), regex=r"^[1-9]\d{4}$",
                                   error_messages={"invalid": _("Kode pos terdiri dari 5 angka.")},
                                   widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                 "autocomplete": "postal-code"}))
    is_default = forms.BooleanField(label=_("Jadikan alamat utama"), required=False)

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])
