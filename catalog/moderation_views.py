"""Verifikator moderation of products: take down with a reason, restore."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ModerationForm
from .models import Product


@login_required
@require_http_methods(["GET", "POST"])
def product_moderation(request, product_id: int):
    if not request.user.is_verifikator:
        raise PermissionDenied
    product = get_object_or_404(Product.objects.select_related("shop"), pk=product_id)
    form = ModerationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in services.MODERATION_TRANSITIONS:
            return HttpResponseBadRequest(_("Tindakan tidak dikenal."))
        status = 422
        if form.is_valid():
            try:
                services.product_moderate(product=product, actor=request.user, action=action,
                                          reason=form.cleaned_data["reason"])
            except services.ProductStateError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, _("Produk diturunkan.") if action == "take_down"
                                 else _("Produk ditampilkan kembali."))
                return redirect("catalog:product_moderation", product_id=product.pk)
    return render(request, "catalog/moderation.html", {"product": product, "form": form}, status=status)
