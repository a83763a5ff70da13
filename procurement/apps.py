from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Pengadaan pemerintah")

    def ready(self):
        # Payments knows nothing of packages; the package rules are handed to it here (procurement.payment).
        from .payment import register

        register()
