import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils.translation import gettext as _

from .images import render_renditions
from .models import Category, Product, ProductImage

logger = logging.getLogger(__name__)


def product_refresh_summary(*, product: Product) -> None:
    """Recompute the denormalised price range and stock from the variants."""
    summary = product.variants.aggregate(low=Min("price"), high=Max("price"), stock=Sum("stock"))
    Product.objects.filter(pk=product.pk).update(
        price_min=summary["low"] or 0, price_max=summary["high"] or 0, stock_total=summary["stock"] or 0)


MAX_PHOTOS = 8


@transaction.atomic
def product_image_add(*, product: Product, upload, position: int | None = None) -> ProductImage:
    """Store the validated original now; the renditions are made by a Celery task after commit."""
    from .tasks import product_image_render

    Product.objects.select_for_update().filter(pk=product.pk).first()  # one upload at a time per product
    if product.images.count() >= MAX_PHOTOS:
        raise ValidationError(_("Maksimal %(n)s foto per produk.") % {"n": MAX_PHOTOS}, code="too_many")
    if position is None:
        position = (product.images.aggregate(top=Max("position"))["top"] or -1) + 1
    image = ProductImage.objects.create(product=product, original=upload, position=position)
    transaction.on_commit(lambda: product_image_render.delay(image.pk))
    return image


@transaction.atomic
def product_image_retry(*, image: ProductImage) -> ProductImage:
    """Queue a failed image again (the seller's retry button)."""
    from .tasks import product_image_render

    updated = ProductImage.objects.filter(pk=image.pk, status=ProductImage.Status.FAILED).update(
        status=ProductImage.Status.PENDING, error="")
    if updated:
        transaction.on_commit(lambda: product_image_render.delay(image.pk))
    image.refresh_from_db()
    return image


def product_image_fail(*, image_id: int, error: str) -> None:
    """Give up on an image after the task's retries; the seller sees the error and a retry button."""
    logger.warning("rendition of image %s failed for good: %s", image_id, error)
    ProductImage.objects.filter(pk=image_id).exclude(status=ProductImage.Status.READY).update(
        status=ProductImage.Status.FAILED, error=error[:300])


def product_image_render(*, image_id: int) -> ProductImage | None:
    """Make the renditions of one image; idempotent (a ready image is left as it is). Errors propagate."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or image.status == ProductImage.Status.READY:
        return image
    renditions, width, height = render_renditions(image.original.name)
    ProductImage.objects.filter(pk=image_id).update(
        status=ProductImage.Status.READY, renditions=renditions, width=width, height=height, error="")
    image.refresh_from_db()
    first = ProductImage.objects.filter(product_id=image.product_id).order_by("position", "pk").first()
    if first is not None and first.pk == image.pk:
        Product.objects.filter(pk=image.product_id).update(cover=renditions)
    return image


def category_tree_ensure() -> int:
    """Create the standard taxonomy where missing (by slug); returns the number of categories created."""
    from django.utils.text import slugify

    from .taxonomy import TAXONOMY

    created = 0

    def ensure(name, parent, level, position, icon=""):
        nonlocal created
        slug = slugify(name) if parent is None else f"{parent.slug}-{slugify(name)}"[:100]
        category, was_created = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "parent": parent, "level": level, "position": position, "icon": icon})
        created += was_created
        return category

    with transaction.atomic():
        for i, (name, icon, children) in enumerate(TAXONOMY):
            root = ensure(name, None, 1, i, icon)
            for j, (child_name, grandchildren) in enumerate(children):
                child = ensure(child_name, root, 2, j)
                for k, (leaf_name, _) in enumerate(grandchildren):
                    ensure(leaf_name, child, 3, k)
    return created


class ProductStateError(Exception):
    """A moderation step that the product's current status does not allow (the view answers 409)."""


# action → (statuses it may start from, status it leads to)
MODERATION_TRANSITIONS = {
    "take_down": ({Product.Status.DRAFT, Product.Status.ACTIVE, Product.Status.INACTIVE}, Product.Status.TAKEN_DOWN),
    "restore": ({Product.Status.TAKEN_DOWN}, Product.Status.ACTIVE),
}


@transaction.atomic
def product_moderate(*, product: Product, actor, action: str, reason: str) -> Product:
    """A verifikator takes a product down (or restores it): audited, the shop owner notified, caches dropped."""
    from django.urls import reverse

    from plazabanten.services import audit_record, outbox_enqueue

    from .cache import product_forget

    allowed_from, target = MODERATION_TRANSITIONS[action]
    locked = Product.objects.select_for_update().select_related("shop__owner").get(pk=product.pk)
    if locked.status not in allowed_from:
        raise ProductStateError(_("Produk berstatus “%(status)s” tidak bisa diproses dengan tindakan ini.")
                                % {"status": locked.get_status_display()})
    before = locked.status
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=f"product.{action}", target=locked, before={"status": before},
                 after={"status": target}, reason=reason)
    if action == "take_down":
        subject = _("Produk “%(name)s” diturunkan oleh verifikator") % {"name": locked.name}
        body = _("Produk Anda tidak lagi tampil di Plaza Banten. Alasan: %(reason)s") % {"reason": reason}
    else:
        subject = _("Produk “%(name)s” ditampilkan kembali") % {"name": locked.name}
        body = _("Verifikator memulihkan produk Anda. Catatan: %(reason)s") % {"reason": reason}
    outbox_enqueue(recipient=locked.shop.owner, subject=subject, body=body,
                   url=reverse("catalog:product_photos", args=[locked.pk]))
    transaction.on_commit(lambda: product_forget(shop_slug=locked.shop.slug, product_slug=locked.slug))
    return locked
