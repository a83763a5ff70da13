from celery import shared_task

from . import services


@shared_task(name="vendors.tasks.shop_document_preview")
def shop_document_preview(document_id: int) -> bool:
    """The first page of an uploaded PDF as a PNG for the verifikator's console."""
    return services.shop_document_preview_render(document_id=document_id)


@shared_task(name="vendors.tasks.shop_document_previews_pending")
def shop_document_previews_pending() -> int:
    """Beat: draw the first pages whose job never reached the broker (Redis was down at upload time). Only recent
    uploads: a PDF that PDFium cannot draw is not tried for ever."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import ShopDocument

    now = timezone.now()
    ids = ShopDocument.objects.filter(content_type="application/pdf", preview="",
                                      uploaded_at__range=(now - timedelta(days=2), now - timedelta(minutes=2)),
                                      ).values_list("pk", flat=True)[:100]
    return sum(services.shop_document_preview_render(document_id=document_id) for document_id in ids)
