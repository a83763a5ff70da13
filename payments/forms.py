from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from plazabanten.money import RupiahField

from .gateways.base import EWALLETS, VA_BANKS
from .models import TaxDeposit

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


class TaxDepositForm(forms.Form):
    """One tax of one month paid in to the state, with the NTPN from the bank's receipt."""

    period = forms.RegexField(label=_("Masa pajak (TTTT-BB)"), regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                              error_messages={"invalid": _("Masa pajak ditulis seperti 2026-03.")})
    tax = forms.ChoiceField(label=_("Jenis pajak"), choices=TaxDeposit.Tax.choices)
    ntpn = forms.CharField(label=_("NTPN"), min_length=16, max_length=16,
                           help_text=_("16 huruf/angka dari bukti penerimaan negara."))
    deposited_on = forms.DateField(label=_("Tanggal setor"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_period(self):
        year, month = self.cleaned_data["period"].split("-")
        return date(int(year), int(month), 1)
