from celery import shared_task

from .services import shop_documents_retention_purge


@shared_task
def shop_documents_retention() -> int:
    return shop_documents_retention_purge()
