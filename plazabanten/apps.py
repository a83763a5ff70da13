from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlazaBantenConfig(AppConfig):
    name = "plazabanten"
    verbose_name = _("Plaza Banten")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
