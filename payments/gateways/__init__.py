"""Pick the configured gateway (settings.PAYMENT_GATEWAY = sandbox | midtrans | xendit)."""

from django.conf import settings

from .base import Gateway, http_transport


def gateway(code: str | None = None) -> Gateway:
    code = code or settings.PAYMENT_GATEWAY
    if code == "sandbox":
        from .sandbox import sandbox_gateway

        return sandbox_gateway()
    if code == "midtrans":
        from .midtrans import PRODUCTION_URL, SANDBOX_URL, MidtransAdapter

        key = settings.MIDTRANS_SERVER_KEY
        return MidtransAdapter(server_key=key, transport=http_transport,
                               base_url=SANDBOX_URL if key.startswith("SB-") else PRODUCTION_URL)
    if code == "xendit":
        from .xendit import XenditAdapter

        return XenditAdapter(secret_key=settings.XENDIT_SECRET_KEY, callback_token=settings.XENDIT_CALLBACK_TOKEN,
                             transport=http_transport)
    raise ValueError(f"unknown PAYMENT_GATEWAY {code!r}")
