"""Production settings: every service comes from the environment; nothing is embedded.

Missing values are reported by the system checks in plazabanten/checks.py (run before the server starts),
not by a traceback at import time.
"""

import os

from .base import *  # noqa: F403
from .base import apply_service_urls, env_bool, env_list

PB_PRODUCTION = True
PB_ALLOW_SANDBOX_GATEWAY = env_bool("PB_ALLOW_SANDBOX_GATEWAY")
# No fake tracker in production unless asked for: without a real one, courier orders are delivered at their
# longest estimate + 2 days.
COURIER_TRACKER = os.environ.get("COURIER_TRACKER", "none")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DATABASE_URL and REDIS_URL:  # noqa: F405
    apply_service_urls(globals())
else:
    # plazabanten.checks reports the missing variables; the dummy backend keeps the other checks from
    # trying to connect to a database that was never named.
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
    SILENCED_SYSTEM_CHECKS = ["fields.E222"]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^payments/webhooks/"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
