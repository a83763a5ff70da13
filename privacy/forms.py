from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordConfirmForm(forms.Form):
    """Step-up: the person types their password again before their data leaves or goes."""

    password = forms.CharField(label=_("Kata sandi Anda"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Kata sandi salah."), code="password")
        return password


class DeleteForm(PasswordConfirmForm):
    confirm = forms.BooleanField(label=_("Saya mengerti akun ini dihapus dan tidak bisa dipulihkan."))


class AccessSearchForm(forms.Form):
    accessor = forms.CharField(label=_("Yang membuka (nama/email)"), required=False, max_length=100)
    owner = forms.CharField(label=_("Pemilik dokumen (nama, email, toko, OPD)"), required=False, max_length=100)
    date_from = forms.DateField(label=_("Dari tanggal"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Sampai tanggal"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
