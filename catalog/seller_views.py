"""Shop members manage their products' photos: upload, watch the renditions being made, retry a failure."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import ProductPhotoForm


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
