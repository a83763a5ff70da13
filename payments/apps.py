from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Pembayaran")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
