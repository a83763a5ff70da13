"""System checks that stop a production start on unsafe defaults, with a message instead of a traceback."""

import os
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.http.request import split_domain_port, validate_host


@register()
def production_services_check(app_configs, **kwargs):
    if not settings.PB_PRODUCTION:
        return []
    errors = []
    if not os.environ.get("SECRET_KEY"):
        errors.append(Error("SECRET_KEY is not set.", hint="Set SECRET_KEY to a long random value.",
                            id="plazabanten.E001"))
    if not settings.PB_DOCUMENT_KEYS:
        errors.append(Error("PB_DOCUMENT_KEYS is not set: private documents are encrypted with it.",
                            hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                                 "print(Fernet.generate_key().decode())' and keep it out of the backups.",
                            id="plazabanten.E007"))
    for position, key in enumerate(settings.PB_DOCUMENT_KEYS, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(Error(f"PB_DOCUMENT_KEYS: key {position} is not a Fernet key (32 url-safe base64 bytes).",
                                id="plazabanten.E007"))
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


def media_host() -> str | None:
    """The host public media are served from, or None when the app serves them itself (MEDIA_URL is a path)."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return urlsplit(settings.MEDIA_URL).hostname
    options = settings.STORAGES["default"].get("OPTIONS", {})
    if options.get("custom_domain"):
        return split_domain_port(options["custom_domain"].split("/")[0])[0]
    if options.get("endpoint_url"):
        return urlsplit(options["endpoint_url"]).hostname
    return f"{settings.AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"


@register(Tags.security, deploy=True)
def media_origin_check(app_configs, **kwargs):
    """Uploaded files must not be served from the app's own origin, where a file the browser takes for a script or
    a page would run with the app's cookies and CSP 'self' (README, "Uploads")."""
    host = media_host()
    if host is None or validate_host(host, settings.ALLOWED_HOSTS):
        return [Warning(
            "Media (uploaded photos and logos) are served from the app's own origin.",
            hint="Set AWS_STORAGE_BUCKET_NAME and AWS_S3_CUSTOM_DOMAIN to a separate domain, e.g. "
                 "media.plazabanten.example.id, that is not in ALLOWED_HOSTS.",
            id="plazabanten.W001",
        )]
    return []
