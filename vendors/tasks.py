from celery import shared_task

from . import services


@shared_task(name="vendors.tasks.shop_document_preview")
def shop_document_preview(document_id: int) -> bool:
    """The first page of an uploaded PDF as a PNG for the verifikator's console."""
    return services.shop_document_preview_render(document_id=document_id)
