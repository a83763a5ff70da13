"""A gateway without its keys is refused at start-up, with a message instead of failing on the first payment."""

from django.conf import settings
from django.core.checks import Error, register

NEEDED = {"midtrans": ["MIDTRANS_SERVER_KEY"], "xendit": ["XENDIT_SECRET_KEY", "XENDIT_CALLBACK_TOKEN"]}


@register()
def gateway_configured(app_configs, **kwargs):
    if settings.PAYMENT_GATEWAY not in ("sandbox", *NEEDED):
        return [Error(f"PAYMENT_GATEWAY={settings.PAYMENT_GATEWAY!r} is not one of sandbox, midtrans, xendit.",
                      id="payments.E001")]
    missing = [name for name in NEEDED.get(settings.PAYMENT_GATEWAY, []) if not getattr(settings, name)]
    return [Error(f"PAYMENT_GATEWAY={settings.PAYMENT_GATEWAY} needs {', '.join(missing)} in the environment.",
                  id="payments.E002")] if missing else []
