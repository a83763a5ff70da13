from django.shortcuts import render
from django.views.decorators.http import require_GET

from .cart import cart_lines
from .selectors import cart_variants


@require_GET
def cart_page(request):
    lines = cart_lines(request.session)
    return render(request, "orders/cart.html", {"items": cart_variants(quantities=lines)})
