import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plazabanten.settings.local")

app = Celery("plazabanten")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def personal_data_masked(logger, **kwargs):
    """The worker installs its own log handlers: they mask NIKs and account numbers too (privacy.masking)."""
    from privacy.masking import PersonalDataFilter

    for handler in logger.handlers:
        if not any(isinstance(existing, PersonalDataFilter) for existing in handler.filters):
            handler.addFilter(PersonalDataFilter())
