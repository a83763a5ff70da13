"""Default settings: the embedded Postgres and Redis start on demand when no URLs are set.

DEBUG is off unless DEBUG=true (a 404 must not list the URL patterns, a 500 must not show the settings), and the
SECRET_KEY, unless given, is a random one generated into var/secret_key at the first start (and the private
documents' Fernet key, PB_DOCUMENT_KEYS, into var/document_key).
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from plazabanten import embedded

from .base import *  # noqa: F403
from .base import VAR_DIR, apply_service_urls, env_bool


def local_secret_key(path: Path, make=lambda: secrets.token_urlsafe(50)) -> str:
    """Read the key kept in var/, creating it (readable by its owner only) on the first start."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = make()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it meanwhile: use theirs
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = SECRET_KEY or local_secret_key(VAR_DIR / "secret_key")  # noqa: F405
PB_DOCUMENT_KEYS = PB_DOCUMENT_KEYS or [  # noqa: F405
    local_secret_key(VAR_DIR / "document_key", make=lambda: Fernet.generate_key().decode())]
PB_EMBEDDED = not (DATABASE_URL and REDIS_URL)  # noqa: F405
DATABASE_URL = DATABASE_URL or embedded.postgres_url()  # noqa: F405
REDIS_URL = REDIS_URL or embedded.redis_url()  # noqa: F405
apply_service_urls(globals())
if not os.environ.get("EMAIL_BACKEND"):  # on a laptop, mail is printed by the worker instead of sent
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
