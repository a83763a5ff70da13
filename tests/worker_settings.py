"""Settings for a Celery worker started as a separate process by a test: the test's database and media folder."""

import os

from plazabanten.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["PB_TEST_DATABASE_NAME"]  # noqa: F405
MEDIA_ROOT = os.environ["PB_TEST_MEDIA_ROOT"]
STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT  # noqa: F405
