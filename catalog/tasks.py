from celery import shared_task
from celery.signals import worker_process_init
from PIL import Image

from . import selectors, services
from .images import WORKER_PIXEL_BLOCKS

MAX_RETRIES = 3


@worker_process_init.connect
def pixel_blocks_keep(**kwargs) -> None:
    """A worker process keeps a few freed pixel blocks for the next photo instead of returning them to the OS."""
    Image.core.set_blocks_max(WORKER_PIXEL_BLOCKS)


@shared_task(bind=True, name="catalog.tasks.product_image_render", max_retries=MAX_RETRIES)
def product_image_render(self, image_id: int) -> None:
    """Renditions for one photo. Retried with backoff; after the last try the image is marked failed.

    acks_late (settings) means a worker killed mid-task leaves the message on the broker, so it is redone.
    """
    try:
        services.product_image_render(image_id=image_id)
    except (OSError, ValueError) as error:
        if self.request.retries >= MAX_RETRIES or self.request.is_eager:
            services.product_image_fail(image_id=image_id, error=str(error) or type(error).__name__)
            return
        raise self.retry(exc=error, countdown=2 ** self.request.retries) from error


@shared_task(name="catalog.tasks.product_import_run")
def product_import_run(import_id: int) -> None:
    services.product_import_run(import_id=import_id)


@shared_task(name="catalog.tasks.product_images_render_pending")
def product_images_render_pending() -> int:
    """Queue again the photos whose render job never reached the broker (Redis was down at upload time)."""
    ids = selectors.product_image_pending_ids()
    for image_id in ids:
        product_image_render.delay(image_id)
    return len(ids)


@shared_task(name="catalog.tasks.search_terms_refresh")
def search_terms_refresh() -> None:
    """Beat: new products' words become typo-correctable within minutes."""
    services.search_terms_refresh()


@shared_task(name="catalog.tasks.facet_cells_compact")
def facet_cells_compact() -> None:
    services.facet_cells_compact()
