from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors

PAGE_SIZE = 24


@require_GET
def home(request):
    return render(request, "catalog/home.html", {
        "categories": selectors.category_roots(),
        "local_picks": selectors.product_local_picks(),
        "new_arrivals": selectors.product_new_arrivals(),
    })


@require_GET
def search(request):
    text = request.GET.get("q", "").strip()[:100]
    queryset = selectors.product_cards(
        selectors.product_search(text=text) if text
        else selectors.product_storefront_queryset().order_by("-created_at", "-id"))
    page = Paginator(queryset, PAGE_SIZE, allow_empty_first_page=True).get_page(request.GET.get("page"))
    return render(request, "catalog/search.html", {"q": text, "page": page})


@require_GET
def product_page(request, shop_slug, product_slug):
    product = selectors.product_detail(shop_slug=shop_slug, product_slug=product_slug)
    if product is None:
        raise Http404("produk tidak ditemukan")
    return render(request, "catalog/product.html", {"product": product})
