"""A Celery worker process for fault tests: the test database (tests.worker_settings) and the throwaway Redis."""

import os

from tests.worker_settings import *  # noqa: F403

CELERY_BROKER_URL = os.environ["PB_FAULTS_REDIS_URL"]
if os.environ.get("PB_FAULTS_VISIBILITY_TIMEOUT"):
    # Unacknowledged messages of a dead worker come back after this many seconds (an hour in production), and
    # the new worker looks for them every second (kombu's default: every 10th check, a check every 10 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ["PB_FAULTS_VISIBILITY_TIMEOUT"]),
                                       "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
CACHES["default"]["LOCATION"] = CELERY_BROKER_URL  # noqa: F405
if os.environ.get("PB_FAULTS_MAIL_GATE"):
    MAILERS = {"default": {"BACKEND": "tests.faults.mail.GatedEmailBackend"}}
