"""Default settings: the embedded Postgres and Redis start on demand when no URLs are set."""

import os

from plazabanten import embedded

from .base import *  # noqa: F403
from .base import apply_service_urls, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-local-only-plaza-banten"  # noqa: F405
PB_EMBEDDED = not (DATABASE_URL and REDIS_URL)  # noqa: F405
DATABASE_URL = DATABASE_URL or embedded.postgres_url()  # noqa: F405
REDIS_URL = REDIS_URL or embedded.redis_url()  # noqa: F405
apply_service_urls(globals())
if not os.environ.get("EMAIL_BACKEND"):  # on a laptop, mail is printed by the worker instead of sent
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
