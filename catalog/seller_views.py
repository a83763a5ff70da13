"""Shop members manage their products: list, create and edit with variants, photos, bulk price/stock, export."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plazabanten.spreadsheet import cell_safe

from . import selectors, services
from .forms import ProductForm, ProductImportForm, ProductPhotoForm, VariantBulkForm, VariantFormSet
from .models import Product


@login_required
@require_http_methods(["GET", "POST"])
def product_photos(request, product_id: int):
    product = selectors.product_for_member(user=request.user, product_id=product_id)
    if product is None:
        raise Http404("produk tidak ditemukan")
    form = ProductPhotoForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.product_image_add(product=product, upload=form.cleaned_data["photo"])
            except ValidationError as error:
                form.add_error("photo", error)
            else:
                return redirect("catalog:product_photos", product_id=product.pk)
        status = 422
    return render(request, "catalog/seller_photos.html", {
        "product": product, "images": selectors.product_images(product=product), "form": form,
        "max_photos": services.MAX_PHOTOS,
    }, status=status)


@login_required
@require_GET
def product_photo_status(request, image_id: int):
    """One photo's tile; while it is being processed the tile polls this URL (htmx)."""
    image = selectors.image_for_member(user=request.user, image_id=image_id)
    if image is None:
        raise Http404("foto tidak ditemukan")
    return render(request, "catalog/_seller_photo.html", {"image": image})


@login_required
@require_POST
def product_photo_retry(request, image_id: int):
    image = selectors.image_for_member(user=request.user, image_id=image_id)
    if image is None:
        raise Http404("foto tidak ditemukan")
    image = services.product_image_retry(image=image)
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_seller_photo.html", {"image": image})
    return redirect("catalog:product_photos", product_id=image.product_id)


def _member_shop(request, shop_slug: str | None):
    shops = selectors.shops_for_member(user=request.user)
    if shop_slug:
        shops = [shop for shop in shops if shop.slug == shop_slug]
    if not shops:
        raise Http404("toko tidak ditemukan")
    return shops


@login_required
@require_GET
def product_list(request):
    shops = _member_shop(request, request.GET.get("toko"))
    text = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    status = status if status in Product.Status.values else ""
    products = selectors.shop_products(shops=shops, text=text, status=status)
    VariantBulkForm(variants=[v for p in products for v in p.variants.all()]).annotate(products)
    return render(request, "catalog/seller_products.html", {
        "shops": shops, "products": products, "q": text, "status": status, "statuses": Product.Status.choices,
    })


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, product_id: int | None = None):
    if product_id is None:
        shop = _member_shop(request, request.GET.get("toko") or request.POST.get("toko"))[0]
        product = None
    else:
        product = selectors.product_for_member(user=request.user, product_id=product_id)
        if product is None:
            raise Http404("produk tidak ditemukan")
        shop = product.shop
    initial_variants = [{"id": v.pk, "name": v.name, "sku": v.sku, "price": v.price, "stock": v.stock}
                        for v in (product.variants.all() if product else [])]
    form = ProductForm(request.POST or None, instance=product)
    variants = VariantFormSet(request.POST or None, initial=initial_variants, prefix="varian")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and variants.is_valid():
            rows = [{**row, "delete": row.get("DELETE", False)} for row in variants.cleaned_data if row]
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                saved = services.product_save(shop=shop, product=product, fields=fields, variants=rows)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Produk tersimpan."))
                return redirect("catalog:seller_product_edit", product_id=saved.pk)
    return render(request, "catalog/seller_product_form.html", {
        "form": form, "variants": variants, "product": product, "shop": shop}, status=status)


@login_required
@require_POST
def variant_bulk_edit(request):
    """The product list's price and stock inputs, saved together; a bad number leaves everything unchanged."""
    shops = _member_shop(request, request.POST.get("toko"))
    posted = {int(key.removeprefix("harga-")) for key in request.POST
              if key.startswith("harga-") and key.removeprefix("harga-").isdigit()}
    products = selectors.shop_products(shops=shops, variant_ids=posted)
    form = VariantBulkForm(request.POST, variants=[v for p in products for v in p.variants.all()])
    if not form.is_valid():  # shown again with the typed values, a message per row and any price to confirm
        form.annotate(products)
        messages.error(request, _("Periksa harga dan stok yang ditandai. Tidak ada yang diubah."))
        return render(request, "catalog/seller_products.html", {
            "shops": shops, "products": products, "q": "", "status": "", "statuses": Product.Status.choices,
        }, status=422)
    changes = form.changes()
    count = sum(services.variant_bulk_update(shop=shop, changes=changes) for shop in shops)
    messages.success(request, _("%(n)s varian diperbarui.") % {"n": count})
    return redirect("catalog:seller_products")


@login_required
@require_GET
def product_export(request):
    shop = _member_shop(request, request.GET.get("toko"))[0]
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


@login_required
@require_http_methods(["GET", "POST"])
def product_import(request):
    shop = _member_shop(request, request.GET.get("toko") or request.POST.get("toko"))[0]
    form = ProductImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.product_import_start(shop=shop, user=request.user, content=form.cleaned_data["file"],
                                            valid_rows_only=form.cleaned_data["valid_rows_only"])
        return redirect("catalog:seller_import_status", import_id=job.pk)
    return render(request, "catalog/seller_import.html", {"form": form, "shop": shop},
                  status=422 if form.errors else 200)


@login_required
@require_GET
def product_import_status(request, import_id: int):
    """The import's progress; the page polls the partial (htmx) until the job is done."""
    job = selectors.import_for_member(user=request.user, import_id=import_id)
    if job is None:
        raise Http404("impor tidak ditemukan")
    template = "catalog/_seller_import_progress.html" if request.headers.get("HX-Request") else (
        "catalog/seller_import_status.html")
    return render(request, template, {"job": job})


@login_required
@require_POST
def product_photo_action(request, image_id: int):
    """"Jadikan sampul" (move to the front) and "Hapus" (delete) on one photo."""
    image = selectors.image_for_member(user=request.user, image_id=image_id)
    if image is None:
        raise Http404("foto tidak ditemukan")
    action = request.POST.get("action")
    if action == "cover":
        services.product_image_make_cover(image=image)
    elif action == "delete":
        services.product_image_delete(image=image)
    else:
        return HttpResponseBadRequest(_("Tindakan tidak dikenal."))
    return redirect("catalog:product_photos", product_id=image.product_id)
