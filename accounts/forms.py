from django import forms
from django.utils.translation import gettext_lazy as _

from plazabanten.phone import normalize_phone


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
