from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_LINE_QUANTITY


class CartLineForm(forms.Form):
    variant = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(label=_("Jumlah"), min_value=0, max_value=MAX_LINE_QUANTITY,
                                  error_messages={"max_value": _("Maksimal %(limit_value)s per barang."),
                                                  "min_value": _("Jumlah tidak boleh negatif.")})


class ShipForm(forms.Form):
    courier = forms.CharField(label=_("Kurir"), max_length=40)
    tracking_number = forms.RegexField(label=_("Nomor resi"), regex=r"^[A-Za-z0-9-]{6,40}$",
                                       error_messages={"invalid": _("Nomor resi 6–40 huruf/angka.")})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Nilai"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)])
    text = forms.CharField(label=_("Ulasan (opsional)"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
