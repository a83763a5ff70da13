from django import forms
from django.utils.translation import gettext_lazy as _

from plazabanten.money import RupiahField

from .gateways.base import EWALLETS, VA_BANKS

BANK_NAMES = {"bca": "BCA", "bni": "BNI", "bri": "BRI", "mandiri": "Mandiri", "permata": "Permata"}
EWALLET_NAMES = {"gopay": "GoPay", "shopeepay": "ShopeePay"}
CHOICES = ([("qris:", _("QRIS (semua e-wallet & m-banking)"))]
           + [(f"va:{bank}", _("Virtual account %(bank)s") % {"bank": BANK_NAMES[bank]}) for bank in VA_BANKS]
           + [(f"ewallet:{name}", EWALLET_NAMES[name]) for name in EWALLETS])


class MethodForm(forms.Form):
    choice = forms.ChoiceField(label=_("Metode pembayaran"), choices=CHOICES, widget=forms.RadioSelect,
                               error_messages={"required": _("Pilih metode pembayaran."),
                                               "invalid_choice": _("Metode pembayaran tidak dikenal.")})

    def method_and_channel(self) -> tuple[str, str]:
        method, channel = self.cleaned_data["choice"].split(":")
        return method, channel


class PayoutForm(forms.Form):
    amount = RupiahField(label=_("Nominal pencairan (Rp)"), min_value=10000, max_value=10**13, what=_("pencairan"))
