"""Test settings: the real embedded (or given) Postgres and Redis; mail in memory; media in a temp folder."""

import os
import tempfile

from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
_media = tempfile.mkdtemp(prefix="pb-test-media-")
os.makedirs(f"{_media}/static")
MEDIA_ROOT = f"{_media}/public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "private": {
        "BACKEND": "privacy.storage.EncryptedFileSystemStorage",
        "OPTIONS": {"location": f"{_media}/private", "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": f"{_media}/backups", "base_url": None}},
}
# Tests clear the cache between tests (allauth's rate limits live there), so it gets a Redis database of its own.
CACHES["default"]["LOCATION"] = REDIS_URL.rsplit("/", 1)[0] + "/15"  # noqa: F405
STATIC_ROOT = f"{_media}/static"
WHITENOISE_USE_FINDERS = True  # serve static/ without collectstatic
WHITENOISE_AUTOREFRESH = True
