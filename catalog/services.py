import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, JSONField, Max, Min, OuterRef, ProtectedError, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from plazabanten.money import rupiah_parse
from plazabanten.services import task_enqueue
from plazabanten.spreadsheet import cell_unescape

from .cache import product_forget, products_forget
from .images import render_renditions
from .models import FACET_KEY, Category, Product, ProductImage, ProductImport, ProductVariant

logger = logging.getLogger(__name__)


def product_refresh_summary(*, product: Product) -> None:
    """Recompute the denormalised price range and available stock from the variants on sale."""
    summary = product.variants.filter(archived_at__isnull=True).aggregate(
        low=Min("price"), high=Max("price"), stock=Sum(F("stock") - F("allocated")))
    Product.objects.filter(pk=product.pk).update(
        price_min=summary["low"] or 0, price_max=summary["high"] or 0, stock_total=summary["stock"] or 0)
    products_forget(product_ids=[product.pk])


def product_stock_refresh(*, product_ids) -> None:
    """``stock_total`` := the available units (stock − allocated) of the products' variants on sale. The caller
    holds the locks of the variants it changed; the products are locked here in primary-key order (after the
    variants: the order every stock writer follows, see orders/stock.py)."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    list(Product.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    available = (ProductVariant.objects.filter(product_id=OuterRef("pk"), archived_at__isnull=True)
                 .values("product_id").annotate(units=Sum(F("stock") - F("allocated"))).values("units"))
    Product.objects.filter(pk__in=ids).update(stock_total=Coalesce(Subquery(available), 0))
    products_forget(product_ids=ids)  # the page shows each variant's stock left


def _stock_typed(variant: ProductVariant, stock: int, seen: int | None) -> int:
    """The physical stock a seller's edit means. ``seen`` is the count their page showed: when the count changed
    since (a payment took units, another edit), their change is applied to today's count, so a page left open
    neither brings sold units back nor loses new ones. Without ``seen`` (the CSV import) the number is the count."""
    if seen is None or variant.pk is None or seen == variant.stock:
        return stock
    return max(0, variant.stock + stock - seen)


def _stock_below_allocated(variant: ProductVariant, stock: int) -> str:
    """The message for a physical stock that would not cover what unpaid orders hold, or ""."""
    if stock >= variant.allocated:
        return ""
    return _("Stok %(variant)s tidak bisa kurang dari %(n)s unit yang sedang dipesan (belum dibayar).") % {
        "variant": variant.name or variant.sku, "n": variant.allocated}


def search_terms_refresh() -> None:
    """Rebuild the typo-correction vocabulary from the listed products' names (a second or two for 100k products;
    readers keep the old one meanwhile)."""
    with connection.cursor() as cursor:
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY catalog_searchterm")


def facet_cells_compact() -> None:
    """Fold the facet cells' appended counts into one row per combination (atomic: readers see the same sums)."""
    key = ", ".join(FACET_KEY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH folded AS (DELETE FROM catalog_facetcell RETURNING {key}, products) "  # noqa: S608 (constants)
            f"INSERT INTO catalog_facetcell ({key}, products) SELECT {key}, sum(products) FROM folded "
            f"GROUP BY {key} HAVING sum(products) <> 0")


MAX_PHOTOS = 8


@transaction.atomic
def product_image_add(*, product: Product, upload, position: int | None = None) -> ProductImage:
    """Store the validated original now; the renditions are made by a Celery task after commit."""
    from .tasks import product_image_render

    Product.objects.select_for_update().filter(pk=product.pk).first()  # one upload at a time per product
    if product.images.count() >= MAX_PHOTOS:
        raise ValidationError(_("Maksimal %(n)s foto per produk.") % {"n": MAX_PHOTOS}, code="too_many")
    if position is None:
        top = product.images.aggregate(top=Max("position"))["top"]
        position = 0 if top is None else top + 1
    image = ProductImage.objects.create(product=product, original=upload, position=position)
    transaction.on_commit(lambda: task_enqueue(product_image_render, image.pk))
    return image


@transaction.atomic
def product_images_add(*, product: Product, uploads: list) -> list[ProductImage]:
    """Several validated photos at once, all or none (the seller picks them together)."""
    Product.objects.select_for_update().filter(pk=product.pk).first()
    room = MAX_PHOTOS - product.images.count()
    if len(uploads) > room:
        raise ValidationError(_("Maksimal %(n)s foto per produk: bisa menambah %(room)s foto lagi, Anda memilih "
                                "%(picked)s.") % {"n": MAX_PHOTOS, "room": max(room, 0), "picked": len(uploads)},
                              code="too_many")
    return [product_image_add(product=product, upload=upload) for upload in uploads]


@transaction.atomic
def product_image_retry(*, image: ProductImage) -> ProductImage:
    """Queue a failed image again (the seller's retry button)."""
    from .tasks import product_image_render

    updated = ProductImage.objects.filter(pk=image.pk, status=ProductImage.Status.FAILED).update(
        status=ProductImage.Status.PENDING, error="")
    if updated:
        transaction.on_commit(lambda: task_enqueue(product_image_render, image.pk))
    image.refresh_from_db()
    return image


def product_image_fail(*, image_id: int, error: str) -> None:
    """Give up on an image after the task's retries; the seller sees the error and a retry button."""
    logger.warning("rendition of image %s failed for good: %s", image_id, error)
    ProductImage.objects.filter(pk=image_id).exclude(status=ProductImage.Status.READY).update(
        status=ProductImage.Status.FAILED, error=error[:300])


def product_image_render(*, image_id: int) -> None:
    """Make the renditions of one image; idempotent (a ready image is left as it is). Errors propagate.

    Four queries: the image, then one transaction that locks the product (like the cover and delete actions),
    marks the image ready and recomputes the cover in a single UPDATE.
    """
    image = ProductImage.objects.filter(pk=image_id).only("product_id", "original", "status").first()
    if image is None or image.status == ProductImage.Status.READY:
        return
    renditions, width, height = render_renditions(image.original.name)
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=image.product_id).values_list("pk").first()
        ProductImage.objects.filter(pk=image_id).update(
            status=ProductImage.Status.READY, renditions=renditions, width=width, height=height, error="")
        product_cover_refresh(product_id=image.product_id)


def product_cover_refresh(*, product_id: int) -> None:
    """The cover (used by cards) is the renditions of the first photo that is ready: one UPDATE."""
    first = (ProductImage.objects.filter(product_id=OuterRef("pk"), status=ProductImage.Status.READY)
             .order_by("position", "pk").values("renditions")[:1])
    Product.objects.filter(pk=product_id).update(
        cover=Coalesce(Subquery(first), Value({}, output_field=JSONField())))
    products_forget(product_ids=[product_id])  # the page shows every photo that is ready, in order


@transaction.atomic
def product_image_make_cover(*, image: ProductImage) -> None:
    """Move a photo to the front; the others keep their order behind it."""
    Product.objects.select_for_update().filter(pk=image.product_id).first()
    others = [other for other in ProductImage.objects.filter(product_id=image.product_id).order_by("position", "pk")
              if other.pk != image.pk]
    for position, photo in enumerate([image, *others]):
        photo.position = position
    ProductImage.objects.bulk_update([image, *others], ["position"])
    product_cover_refresh(product_id=image.product_id)


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    """Remove a photo row now and its files once the transaction has committed."""
    product = Product.objects.select_for_update().get(pk=image.product_id)
    others_ready = ProductImage.objects.filter(product_id=product.pk, status=ProductImage.Status.READY).exclude(
        pk=image.pk).exists()
    if product.status == Product.Status.ACTIVE and image.status == ProductImage.Status.READY and not others_ready:
        raise ValidationError(_("Produk aktif perlu minimal satu foto yang siap. Unggah foto lain dulu, atau "
                                "nonaktifkan produknya."), code="last_photo")
    names = [image.original.name] + [name for entry in image.renditions.values() for name in entry.values()]
    storage = image.original.storage
    image.delete()
    remaining = list(ProductImage.objects.filter(product_id=image.product_id).order_by("position", "pk"))
    for position, photo in enumerate(remaining):
        photo.position = position
    ProductImage.objects.bulk_update(remaining, ["position"])
    product_cover_refresh(product_id=image.product_id)
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def category_tree_ensure() -> int:
    """Create the standard taxonomy where missing (by slug), and give categories without an English name the
    standard one; returns the number of categories created."""
    from .taxonomy import taxonomy_rows

    created = 0
    with transaction.atomic():
        by_slug = {}
        for slug, parent_slug, name, name_en, level, position, icon in taxonomy_rows():
            category, was_created = Category.objects.get_or_create(slug=slug, defaults={
                "name": name, "name_en": name_en, "parent": by_slug.get(parent_slug), "level": level,
                "position": position, "icon": icon})
            if not was_created and name_en and not category.name_en:
                category.name_en = name_en
                category.save(update_fields=["name_en"])
            created += was_created
            by_slug[slug] = category
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

    from plazabanten.cache import storefront_changed
    from plazabanten.services import audit_record, outbox_enqueue

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
                   url=reverse("catalog:product_photos", args=[locked.shop_id, locked.pk]))
    # Not only its page: search results, category pages and the home page list it too. Moderation is rare.
    transaction.on_commit(storefront_changed)
    return locked


PRODUCT_FIELDS = ("category", "name", "description", "condition", "weight_grams", "length_cm", "width_cm", "height_cm",
                  "min_order", "status", "tkdn_percent", "tkdn_certificate", "is_halal", "halal_number", "pirt_number",
                  "bpom_number", "has_sni", "bmp_percent")


def _made_in_banten(shop) -> bool:
    """The "Produk Banten" mark: the shop is in a kab/kota of Banten (province code 36)."""
    return bool(shop.kabkota_id and shop.kabkota_id.startswith("36."))


def shop_products_relocate(*, shop) -> int:
    """Re-project a shop's place onto its products (kab/kota and the "Produk Banten" mark) after the shop moved.

    One UPDATE, in the caller's transaction (vendors.services.shop_update_profile): the statement-level facet
    triggers move the products' facet counts from the old kab/kota to the new one. Cached storefront pages drop out
    through the caller's ``storefront_changed``. Returns the number of products changed.
    """
    is_banten = _made_in_banten(shop)
    return (Product.objects.filter(shop=shop).exclude(kabkota_id=shop.kabkota_id, is_banten=is_banten)
            .update(kabkota_id=shop.kabkota_id, is_banten=is_banten))


def shop_products_reclassify(*, shop) -> int:
    """Re-project a shop's UMKM class onto its products (the UMK mark) after the class changed.

    One UPDATE in the caller's transaction (vendors.services.shop_update_identity), as shop_products_relocate:
    the statement-level facet triggers move the products' counts between "UMK" and not. Returns the number of
    products changed.
    """
    return Product.objects.filter(shop=shop).exclude(shop_is_umk=shop.is_umk).update(shop_is_umk=shop.is_umk)


def _unique_slug(*, shop, name: str, exclude_pk: int | None = None) -> str:
    from django.utils.text import slugify

    base = slugify(name)[:170] or "produk"
    taken = set(Product.objects.filter(shop=shop, slug__startswith=base).exclude(pk=exclude_pk)
                .values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _product_save_slug_retry(product: Product) -> None:
    """Save; when a product of the same shop took the slug meanwhile (the unique constraint says so), take the
    next counter and save again."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                product.save()
            return
        except IntegrityError as error:
            if "product_shop_slug_unique" not in str(error):
                raise
            product.slug = _unique_slug(shop=product.shop, name=product.name, exclude_pk=product.pk)
    product.save()  # still taken: let the constraint speak


@transaction.atomic
def product_save(*, shop, fields: dict, variants: list[dict], product: Product | None = None) -> Product:
    """Create or update a product with its variants; the listing summary and the Banten mark are derived here.

    ``variants``: dicts with sku, name, price, stock and, for an existing variant, its ``id`` and ``delete``.
    """
    if product is None:
        product = Product(shop=shop)
    else:
        # Variants before the product, each in pk order: the lock order of checkout and the order transitions.
        list(ProductVariant.objects.select_for_update(of=("self",)).filter(product_id=product.pk, product__shop=shop)
             .order_by("pk").values_list("pk"))
        product = Product.objects.select_for_update().get(pk=product.pk, shop=shop)
        old_slug = product.slug
        transaction.on_commit(lambda: product_forget(shop_slug=shop.slug, product_slug=old_slug))
    status_before = product.status if product.pk else None
    for name in PRODUCT_FIELDS:
        if name in fields:
            setattr(product, name, fields[name])
    if not product.slug or "name" in fields:
        product.slug = _unique_slug(shop=shop, name=product.name, exclude_pk=product.pk)
    product.kabkota_id = shop.kabkota_id
    product.is_banten = _made_in_banten(shop)
    product.shop_is_umk = shop.is_umk
    _product_save_slug_retry(product)
    existing = {variant.pk: variant for variant in product.variants.all()}
    archived = {variant.sku.upper(): variant for variant in existing.values() if variant.archived_at}
    problems = []
    for position, data in enumerate(variants):
        variant = existing.get(data.get("id"))
        if variant is not None and data.get("delete"):
            _variant_remove(variant)
            continue
        if data.get("delete"):
            continue
        # A new row with the SKU of an archived variant brings that variant back (the SKU is unique per product).
        variant = variant or archived.get(data["sku"].upper()) or ProductVariant(product=product)
        data = {**data, "stock": _stock_typed(variant, data["stock"], data.get("stock_seen"))}
        problems.append(_stock_below_allocated(variant, data["stock"]))
        twin = archived.get(data["sku"].upper())
        if twin is not None and twin.pk != variant.pk:
            problems.append(_("SKU %(sku)s dipakai varian yang sudah diarsipkan; pakai SKU lain.")
                            % {"sku": data["sku"]})
        if problems[-1]:
            continue
        for name in ("sku", "name", "price", "stock"):
            setattr(variant, name, data[name])
        variant.position = position
        variant.archived_at = None
        # Never ``allocated``: only orders.stock moves it.
        variant.save(update_fields=None if variant.pk is None else
                     ["sku", "name", "price", "stock", "position", "archived_at"])
    if any(problems):
        raise ValidationError(" ".join(problem for problem in problems if problem), code="stock_allocated")
    if not product.variants.filter(archived_at__isnull=True).exists():
        raise ValidationError(_("Produk perlu minimal satu varian (harga dan stok)."), code="no_variant")
    if product.status == Product.Status.ACTIVE and status_before != Product.Status.ACTIVE:
        _photo_ready_require(product)
    product_refresh_summary(product=product)
    product.refresh_from_db()
    return product


def _photo_ready_require(product: Product) -> None:
    """A product goes on sale (Aktif) only with a photo that is ready; drafts may have none."""
    if not ProductImage.objects.filter(product_id=product.pk, status=ProductImage.Status.READY).exists():
        raise ValidationError(_("Produk belum bisa diaktifkan: unggah minimal satu foto dan tunggu sampai berstatus "
                                "“Siap”."), code="no_photo")


@transaction.atomic
def product_status_set(*, shop, product: Product, status: str) -> Product:
    """The seller switches a product on sale (Aktif) or off (Nonaktif/Draf) from its photo page."""
    if status not in (Product.Status.ACTIVE, Product.Status.INACTIVE, Product.Status.DRAFT):
        raise ValidationError(_("Status tidak dikenal."), code="status")
    locked = Product.objects.select_for_update().get(pk=product.pk, shop=shop)
    if locked.status == Product.Status.TAKEN_DOWN:
        raise ProductStateError(_("Produk ini diturunkan verifikator; statusnya tidak bisa diubah penjual."))
    if status == Product.Status.ACTIVE and locked.status != Product.Status.ACTIVE:
        _photo_ready_require(locked)
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    products_forget(product_ids=[locked.pk])
    return locked


def _variant_remove(variant: ProductVariant) -> None:
    """"Hapus varian": deleted when it was never ordered, archived (hidden, kept for the orders) when it was."""
    from django.utils import timezone

    try:
        variant.delete()
    except ProtectedError:  # order lines (and allocations) point at it
        variant.archived_at = timezone.now()
        variant.save(update_fields=["archived_at"])


@transaction.atomic
def variant_bulk_update(*, shops, changes: dict[int, tuple[int, int]], seen: dict[int, int] | None = None) -> int:
    """Set price and physical stock of many variants of the given shops at once ({variant id: (price, stock)}; seen:
    the stock the page showed, see _stock_typed). All or nothing: a stock below what unpaid orders hold refuses
    the whole edit (ValidationError)."""
    seen = seen or {}
    variants = list(ProductVariant.objects.select_for_update(of=("self",))
                    .filter(pk__in=changes, product__shop__in=shops, archived_at__isnull=True).order_by("pk"))
    stocks = {variant.pk: _stock_typed(variant, changes[variant.pk][1], seen.get(variant.pk)) for variant in variants}
    problems = [_stock_below_allocated(variant, stocks[variant.pk]) for variant in variants]
    if any(problems):
        raise ValidationError(" ".join(problem for problem in problems if problem), code="stock_allocated")
    for variant in variants:
        variant.price, variant.stock = changes[variant.pk][0], stocks[variant.pk]
    ProductVariant.objects.bulk_update(variants, ["price", "stock"])
    product_ids = sorted({variant.product_id for variant in variants})
    list(Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk").values_list("pk"))
    for product in Product.objects.filter(pk__in=product_ids).order_by("pk"):
        product_refresh_summary(product=product)
    return len(variants)


IMPORT_COLUMNS = ("sku", "nama_produk", "varian", "kategori", "harga", "stok")
IMPORT_PROGRESS_EVERY = 50


def product_import_start(*, shop, user, content: str, valid_rows_only: bool) -> ProductImport:
    """Keep the uploaded CSV and queue its import; the request answers at once."""
    from .tasks import product_import_run as task

    with transaction.atomic():
        job = ProductImport.objects.create(shop=shop, created_by=user, content=content,
                                           valid_rows_only=valid_rows_only)
        transaction.on_commit(lambda: task_enqueue(task, job.pk))
    return job


def _import_row(row: dict, categories: dict[str, int]) -> tuple[dict | None, str]:
    """One CSV row → variant data, or an error message in Indonesian."""
    sku, name = (cell_unescape((row.get(column) or "").strip()) for column in ("sku", "nama_produk"))
    if not sku or not name:
        return None, _("SKU dan nama_produk wajib diisi.")
    category_id = categories.get((row.get("kategori") or "").strip())
    if category_id is None:
        return None, _("Kategori “%(slug)s” tidak dikenal.") % {"slug": row.get("kategori", "")}
    try:
        price = rupiah_parse(row.get("harga") or "", what=_("harga"))
    except ValidationError as error:
        return None, error.messages[0]
    try:
        stock = int((row.get("stok") or "").strip())
    except ValueError:
        return None, _("Stok harus angka bulat.")
    if price < 100 or stock < 0:
        return None, _("Harga minimal Rp100 dan stok tidak boleh negatif.")
    if price > 1_000_000_000:
        return None, _("Harga paling banyak Rp1.000.000.000.")
    return {"sku": sku[:60], "name": name[:150], "variant": cell_unescape((row.get("varian") or "").strip())[:80],
            "category_id": category_id, "price": price, "stock": stock}, ""


def product_import_run(*, import_id: int) -> ProductImport:
    """Validate every row (progress saved as it goes), then write all of it in one transaction.

    With errors and ``valid_rows_only`` off nothing is written; with it on, the valid rows are. A variant is
    matched by SKU within the shop (price and stock updated); otherwise the product is matched by name or created.
    """
    import csv
    import io

    job = ProductImport.objects.select_related("shop").get(pk=import_id)
    if job.status in (ProductImport.Status.DONE, ProductImport.Status.FAILED):
        return job  # a redelivered task does not import twice
    reader = csv.DictReader(io.StringIO(job.content))
    rows = list(reader)
    missing = [column for column in IMPORT_COLUMNS if column not in (reader.fieldnames or [])]
    job.total_rows, job.status, job.errors = len(rows), ProductImport.Status.RUNNING, []
    if missing:
        job.errors = [{"row": 1, "message": _("Kolom wajib tidak ada: %(cols)s") % {"cols": ", ".join(missing)}}]
    job.save(update_fields=["total_rows", "status", "errors"])
    categories = dict(Category.objects.filter(level=3).values_list("slug", "id"))
    valid, seen = [], set()
    for number, row in enumerate(rows if not missing else [], start=2):  # row 1 is the header
        data, error = _import_row(row, categories)
        if data is not None and data["sku"].upper() in seen:
            data, error = None, _("SKU %(sku)s muncul lebih dari sekali.") % {"sku": data["sku"]}
        if data is None:
            job.errors.append({"row": number, "message": error})
        else:
            seen.add(data["sku"].upper())
            valid.append({**data, "row": number})
        if number % IMPORT_PROGRESS_EVERY == 0:
            ProductImport.objects.filter(pk=job.pk).update(processed_rows=number - 1, errors=job.errors)
    if job.errors and not job.valid_rows_only:
        job.status, job.processed_rows = ProductImport.Status.FAILED, len(rows)
        job.save(update_fields=["status", "processed_rows", "errors"])
        return job
    try:
        with transaction.atomic():
            created, updated = _import_write(shop=job.shop, rows=valid, errors=job.errors,
                                             skip_refused=job.valid_rows_only)
            job.status, job.processed_rows = ProductImport.Status.DONE, len(rows)
            job.created_count, job.updated_count = created, updated
            job.save(update_fields=["status", "processed_rows", "created_count", "updated_count", "errors"])
    except _ImportRefused:  # rolled back: nothing written
        job.status, job.processed_rows = ProductImport.Status.FAILED, len(rows)
        job.save(update_fields=["status", "processed_rows", "errors"])
    return job


class _ImportRefused(Exception):
    """A row refused under the locks (stock below what unpaid orders hold) and the job imports all or nothing."""


def _import_write(*, shop, rows: list[dict], errors: list[dict], skip_refused: bool) -> tuple[int, int]:
    """Write the validated rows under the shop's variant locks (pk order, like checkout). A row that would set the
    physical stock below what unpaid orders hold is refused: the whole job, or only that row with skip_refused."""
    locked = list(ProductVariant.objects.select_for_update(of=("self",)).filter(product__shop=shop).order_by("pk"))
    # By SKU; a variant on sale wins over an archived one with the same SKU (an import brings an archived one back).
    variants = {v.sku.upper(): v for v in sorted(locked, key=lambda v: v.archived_at is None)}
    products = {p.name: p for p in Product.objects.filter(shop=shop)}
    touched, created, updated, refused = set(), 0, 0, False
    for data in rows:
        variant = variants.get(data["sku"].upper())
        if variant is not None:
            problem = _stock_below_allocated(variant, data["stock"])
            if problem:
                errors.append({"row": data["row"], "message": problem})
                refused = True
                continue
            variant.price, variant.stock, variant.archived_at = data["price"], data["stock"], None
            variant.save(update_fields=["price", "stock", "archived_at"])
            touched.add(variant.product_id)
            updated += 1
            continue
        product = products.get(data["name"])
        if product is None:
            product = Product.objects.create(
                shop=shop, category_id=data["category_id"], name=data["name"],
                slug=_unique_slug(shop=shop, name=data["name"]), status=Product.Status.DRAFT,
                kabkota_id=shop.kabkota_id, is_banten=_made_in_banten(shop), shop_is_umk=shop.is_umk)
            products[product.name] = product
        ProductVariant.objects.create(product=product, sku=data["sku"], name=data["variant"], price=data["price"],
                                      stock=data["stock"], position=product.variants.count())
        touched.add(product.pk)
        created += 1
    if refused and not skip_refused:
        raise _ImportRefused
    list(Product.objects.select_for_update().filter(pk__in=touched).order_by("pk").values_list("pk"))
    for product in Product.objects.filter(pk__in=touched).order_by("pk"):
        product_refresh_summary(product=product)
    return created, updated
