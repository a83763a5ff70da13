from celery import shared_task

from . import services


@shared_task(name="catalog.tasks.product_image_render", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=3)
def product_image_render(image_id: int) -> None:
    services.product_image_render(image_id=image_id)
