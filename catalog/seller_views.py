"""Shop members manage their products: list, create and edit with variants, photos, bulk price/stock, export."""

import csv
import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plazabanten.spreadsheet import cell_safe
from vendors.decorators import shop_view
from vendors.models import Capability, Shop

from . import selectors, services
from .cache import CACHE_SECONDS
from .forms import ProductForm, ProductImportForm, ProductPhotoForm, VariantBulkForm, VariantFormSet
from .models import Product


@shop_view(Capability.PRODUCTS)
@require_http_methods(["GET", "POST"])
def product_photos(request, shop: Shop, product_id: int):
    product = selectors.product_of_shop(shop=shop, product_id=product_id)
    if product is None:
        raise Http404("produk tidak ditemukan")
    form = ProductPhotoForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.product_images_add(product=product, uploads=form.cleaned_data["photo"])
            except ValidationError as error:
                form.add_error("photo", error)
            else:
                return redirect("catalog:product_photos", shop_id=shop.pk, product_id=product.pk)
        status = 422
    return render(request, "catalog/seller_photos.html", {
        "shop": shop, "product": product, "images": selectors.product_images(product=product), "form": form,
        "max_photos": services.MAX_PHOTOS,
    }, status=status)


@shop_view(Capability.PRODUCTS)
@require_POST
def product_status(request, shop: Shop, product_id: int):
    """"Aktifkan produk" / "Nonaktifkan" on the photo page; activating needs a ready photo (422 otherwise)."""
    product = selectors.product_of_shop(shop=shop, product_id=product_id)
    if product is None:
        raise Http404("produk tidak ditemukan")
    try:
        product = services.product_status_set(shop=shop, product=product, status=request.POST.get("status", ""))
    except services.ProductStateError as error:
        messages.error(request, str(error))
        return _photos_again(request, shop, product, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _photos_again(request, shop, product, status=422)
    messages.success(request, _("Produk “%(name)s” sekarang %(status)s.") % {
        "name": product.name, "status": product.get_status_display().lower()})
    _listings_follow(request)
    return redirect("catalog:product_photos", shop_id=shop.pk, product_id=product.pk)


def _listings_follow(request) -> None:
    """Say when a change shows in search results and category pages: the product page shows it at once, the
    listings are cached for CACHE_SECONDS (catalog.cache)."""
    minutes = math.ceil(CACHE_SECONDS / 60)
    if minutes:
        messages.info(request, ngettext(
            "Halaman produk sudah berubah; hasil pencarian dan kategori menyusul paling lambat %(n)s menit lagi.",
            "Halaman produk sudah berubah; hasil pencarian dan kategori menyusul paling lambat %(n)s menit lagi.",
            minutes) % {"n": minutes})


def _photos_again(request, shop: Shop, product: Product, *, status: int):
    return render(request, "catalog/seller_photos.html", {
        "shop": shop, "product": product, "images": selectors.product_images(product=product),
        "form": ProductPhotoForm(), "max_photos": services.MAX_PHOTOS}, status=status)


@shop_view(Capability.PRODUCTS)
@require_GET
def product_photo_status(request, shop: Shop, image_id: int):
    """One photo's tile; while it is being processed the tile polls this URL (htmx)."""
    image = selectors.image_of_shop(shop=shop, image_id=image_id)
    if image is None:
        raise Http404("foto tidak ditemukan")
    return render(request, "catalog/_seller_photo.html", {"image": image})


@shop_view(Capability.PRODUCTS)
@require_POST
def product_photo_retry(request, shop: Shop, image_id: int):
    image = selectors.image_of_shop(shop=shop, image_id=image_id)
    if image is None:
        raise Http404("foto tidak ditemukan")
    image = services.product_image_retry(image=image)
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_seller_photo.html", {"image": image})
    return redirect("catalog:product_photos", shop_id=shop.pk, product_id=image.product_id)


@shop_view(Capability.PRODUCTS)
@require_GET
def product_list(request, shop: Shop):
    shops = [shop]
    text = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    status = status if status in Product.Status.values else ""
    products = selectors.shop_products(shops=shops, text=text, status=status)
    VariantBulkForm(variants=[v for p in products for v in p.variants.all()]).annotate(products)
    return render(request, "catalog/seller_products.html", {
        "shop": shop, "shops": shops, "products": products, "q": text, "status": status,
        "statuses": Product.Status.choices,
    })


@shop_view(Capability.PRODUCTS)
@require_http_methods(["GET", "POST"])
def product_edit(request, shop: Shop, product_id: int | None = None):
    if product_id is None:
        product = None
    else:
        product = selectors.product_of_shop(shop=shop, product_id=product_id)
        if product is None:
            raise Http404("produk tidak ditemukan")
    initial_variants = [{"id": v.pk, "name": v.name, "sku": v.sku, "price": v.price, "stock": v.stock,
                         "stock_seen": v.stock, "allocated": v.allocated}
                        for v in (product.variants.filter(archived_at__isnull=True) if product else [])]
    form = ProductForm(request.POST or None, instance=product)
    variants = VariantFormSet(request.POST or None, initial=initial_variants, prefix="varian")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and variants.is_valid():
            rows = [{**row, "delete": row.get("DELETE", False)} for row in variants.cleaned_data if row]
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.fields}
            try:
                saved = services.product_save(shop=shop, product=product, fields=fields, variants=rows)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                removed = [row["id"] for row in rows if row["delete"] and row.get("id")]
                archived = removed and saved.variants.filter(pk__in=removed, archived_at__isnull=False).exists()
                if product is None:  # a new product: a draft, on to its photos
                    messages.success(request, _("Produk tersimpan sebagai draf. Tambahkan fotonya (boleh beberapa "
                                                "sekaligus), lalu aktifkan."))
                    return redirect("catalog:product_photos", shop_id=shop.pk, product_id=saved.pk)
                messages.success(request, _("Produk tersimpan."))
                if saved.status == Product.Status.ACTIVE:
                    _listings_follow(request)
                if archived:
                    messages.info(request, _("Varian yang pernah dipesan tidak dihapus tetapi diarsipkan: tidak "
                                             "dijual lagi, riwayat pesanannya tetap ada."))
                return redirect("catalog:seller_product_edit", shop_id=shop.pk, product_id=saved.pk)
    return render(request, "catalog/seller_product_form.html", {
        "form": form, "variants": variants, "product": product, "shop": shop}, status=status)


@shop_view(Capability.PRODUCTS)
@require_POST
def variant_bulk_edit(request, shop: Shop):
    """The product list's price and stock inputs, saved together; a bad number leaves everything unchanged."""
    shops = [shop]
    posted = {int(key.removeprefix("harga-")) for key in request.POST
              if key.startswith("harga-") and key.removeprefix("harga-").isdigit()}
    products = selectors.shop_products(shops=shops, variant_ids=posted)
    form = VariantBulkForm(request.POST, variants=[v for p in products for v in p.variants.all()])

    def shown_again(message):  # with the typed values, a message per row and any price to confirm
        form.annotate(products)
        messages.error(request, message)
        return render(request, "catalog/seller_products.html", {
            "shop": shop, "shops": shops, "products": products, "q": "", "status": "",
            "statuses": Product.Status.choices,
        }, status=422)

    if not form.is_valid():
        return shown_again(_("Periksa harga dan stok yang ditandai. Tidak ada yang diubah."))
    seen = {int(key.removeprefix("stok_awal-")): int(value) for key, value in request.POST.items()
            if key.startswith("stok_awal-") and key[10:].isdigit() and value.isdigit()}
    try:
        count = services.variant_bulk_update(shops=shops, changes=form.changes(), seen=seen)
    except ValidationError as error:
        return shown_again(" ".join(error.messages) + " " + _("Tidak ada yang diubah."))
    messages.success(request, _("%(n)s varian diperbarui.") % {"n": count})
    _listings_follow(request)
    return redirect("catalog:seller_products", shop_id=shop.pk)


@shop_view(Capability.PRODUCTS)
@require_GET
def product_export(request, shop: Shop):
    writer = csv.writer(_Echo())
    header = ["sku", "nama_produk", "varian", "kategori", "harga", "stok", "status", "berat_gram", "tkdn", "halal"]

    def rows():
        yield writer.writerow(header)
        for variant in selectors.shop_export_rows(shop=shop):
            product = variant.product
            yield writer.writerow([cell_safe(cell) for cell in (
                variant.sku, product.name, variant.name, product.category.slug, variant.price, variant.stock,
                product.status, product.weight_grams, product.tkdn_percent, "ya" if product.is_halal else "tidak")])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="produk-{shop.slug}.csv"'
    return response


class _Echo:
    def write(self, value):
        return value


@shop_view(Capability.PRODUCTS)
@require_http_methods(["GET", "POST"])
def product_import(request, shop: Shop):
    form = ProductImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.product_import_start(shop=shop, user=request.user, content=form.cleaned_data["file"],
                                            valid_rows_only=form.cleaned_data["valid_rows_only"])
        return redirect("catalog:seller_import_status", shop_id=shop.pk, import_id=job.pk)
    return render(request, "catalog/seller_import.html", {"form": form, "shop": shop},
                  status=422 if form.errors else 200)


@shop_view(Capability.PRODUCTS)
@require_GET
def product_import_status(request, shop: Shop, import_id: int):
    """The import's progress; the page polls the partial (htmx) until the job is done."""
    job = selectors.import_of_shop(shop=shop, import_id=import_id)
    if job is None:
        raise Http404("impor tidak ditemukan")
    template = "catalog/_seller_import_progress.html" if request.headers.get("HX-Request") else (
        "catalog/seller_import_status.html")
    return render(request, template, {"job": job})


@shop_view(Capability.PRODUCTS)
@require_POST
def product_photo_action(request, shop: Shop, image_id: int):
    """"Jadikan sampul" (move to the front) and "Hapus" (delete) on one photo."""
    image = selectors.image_of_shop(shop=shop, image_id=image_id)
    if image is None:
        raise Http404("foto tidak ditemukan")
    action = request.POST.get("action")
    if action == "cover":
        services.product_image_make_cover(image=image)
    elif action == "delete":
        try:
            services.product_image_delete(image=image)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _photos_again(request, shop, image.product, status=422)
    else:
        return HttpResponseBadRequest(_("Tindakan tidak dikenal."))
    return redirect("catalog:product_photos", shop_id=shop.pk, product_id=image.product_id)
