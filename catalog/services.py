import logging

from django.db import transaction
from django.db.models import Max, Min, Sum

from .images import render_renditions
from .models import Product, ProductImage

logger = logging.getLogger(__name__)


def product_refresh_summary(*, product: Product) -> None:
    """Recompute the denormalised price range and stock from the variants."""
    summary = product.variants.aggregate(low=Min("price"), high=Max("price"), stock=Sum("stock"))
    Product.objects.filter(pk=product.pk).update(
        price_min=summary["low"] or 0, price_max=summary["high"] or 0, stock_total=summary["stock"] or 0)


def product_image_add(*, product: Product, upload, position: int | None = None) -> ProductImage:
    """Store the original now; the renditions are made by a Celery task after commit."""
    from .tasks import product_image_render

    if position is None:
        position = (product.images.aggregate(top=Max("position"))["top"] or -1) + 1
    image = ProductImage.objects.create(product=product, original=upload, position=position)
    transaction.on_commit(lambda: product_image_render.delay(image.pk))
    return image


def product_image_render(*, image_id: int) -> ProductImage | None:
    """Make the renditions of one image; idempotent (a ready image is left as it is)."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or image.status == ProductImage.Status.READY:
        return image
    try:
        renditions, width, height = render_renditions(image.original.name)
    except (OSError, ValueError) as error:
        logger.warning("rendition of image %s failed: %s", image_id, error)
        ProductImage.objects.filter(pk=image_id).update(status=ProductImage.Status.FAILED, error=str(error)[:300])
        raise
    ProductImage.objects.filter(pk=image_id).update(
        status=ProductImage.Status.READY, renditions=renditions, width=width, height=height, error="")
    image.refresh_from_db()
    first = ProductImage.objects.filter(product_id=image.product_id).order_by("position", "pk").first()
    if first is not None and first.pk == image.pk:
        Product.objects.filter(pk=image.product_id).update(cover=renditions)
    return image
