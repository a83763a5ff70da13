"""System checks that stop a production start on unsafe defaults, with a message instead of a traceback."""

import os

from django.conf import settings
from django.core.checks import Error, register


@register()
def production_services_check(app_configs, **kwargs):
    if not settings.PB_PRODUCTION:
        return []
    errors = []
    if not os.environ.get("SECRET_KEY"):
        errors.append(Error("SECRET_KEY is not set.", hint="Set SECRET_KEY to a long random value.",
                            id="plazabanten.E001"))
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            errors.append(Error(
                f"{name} is not set: production settings never use the embedded server.",
                hint=f"Set {name} to your managed service, or run with plazabanten.settings.local.",
                id="plazabanten.E002",
            ))
    if not settings.ALLOWED_HOSTS:
        errors.append(Error("ALLOWED_HOSTS is empty.", hint="Set ALLOWED_HOSTS=plazabanten.example.id",
                            id="plazabanten.E003"))
    if settings.PAYMENT_GATEWAY == "sandbox" and not settings.PB_ALLOW_SANDBOX_GATEWAY:
        errors.append(Error(
            "PAYMENT_GATEWAY is 'sandbox' in production.",
            hint="Set PAYMENT_GATEWAY=midtrans or xendit, or PB_ALLOW_SANDBOX_GATEWAY=true for a demo.",
            id="plazabanten.E004",
        ))
    if settings.COURIER_TRACKER == "sandbox" and not settings.PB_ALLOW_SANDBOX_GATEWAY:
        errors.append(Error(
            "COURIER_TRACKER is 'sandbox' in production: courier orders would be delivered by a fake tracker.",
            hint="Set COURIER_TRACKER=biteship or komerce (with its API key), or none (delivered at the longest "
                 "estimate + 2 days), or PB_ALLOW_SANDBOX_GATEWAY=true for a demo.",
            id="plazabanten.E005",
        ))
    for tracker, key in (("biteship", "BITESHIP_API_KEY"), ("komerce", "KOMERCE_API_KEY")):
        if tracker == settings.COURIER_TRACKER and not getattr(settings, key):
            errors.append(Error(f"COURIER_TRACKER is '{tracker}' but {key} is not set.",
                                hint=f"Set {key} to the API key from the {tracker} dashboard.",
                                id="plazabanten.E006"))
    return errors
