import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from plazabanten.phone import whatsapp_link
from vendors.models import Shop
from vendors.selectors import user_has_shop

from . import selectors
from .cache import (
    CACHE_SECONDS,
    PRODUCT_CACHE_SECONDS,
    fragment_key,
    page_get,
    page_key,
    page_set,
    product_fragment_name,
)
from .forms import SORT_LABELS, SORT_PARAMS, ProductSearchForm, filters_query


def _cached_fragment(request, name: str, build, seconds: int):
    """Rendered results and product articles hold nothing personal (no CSRF token, no cart), so every visitor
    shares them for a while; base.html around them is still rendered per request.

    On an anonymous page that missed the page cache (anonymous_page_cache), the fragment is not looked for: it is
    kept as long as the page and dropped with it, so it is there only when a signed-in visitor drew it meanwhile;
    it is written together with the page, in one round trip (a miss made four, ~0.2 ms each with redis-py)."""
    key = fragment_key(language=get_language(), name=name)
    with_page = getattr(request, "fragments_with_page", None)
    fragment = cache.get(key) if seconds > 0 and with_page is None else None
    if fragment is None:
        fragment = build()
        if fragment is not None and seconds > 0:
            if with_page is None:
                cache.set(key, fragment, seconds)
            else:
                with_page[key] = fragment
    return fragment


def _is_government(request) -> bool:
    """A government buyer (accounts.roles.GOVERNMENT). Never true on a cached anonymous page: those are for
    visitors without a session, and a government buyer is signed in."""
    return request.user.is_authenticated and request.user.is_government


def _wants_fragment(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


BUY_BOX_SLOT = '<div id="buy-box"></div>'
CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_MARKER = "__pb_csrf__"
ANONYMOUS_COOKIES = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def anonymous_page_cache(view=None, *, product: bool = False):
    """Whole pages for visitors with no session (so no user, cart or messages) from the cache: a listing for
    CACHE_SECONDS, a product page (``product=True``: dropped whenever the product changes) for PRODUCT_CACHE_SECONDS.

    The cached HTML keeps a marker where the CSRF token goes; each visitor gets their own token put back in.
    """
    if view is None:
        return lambda view: anonymous_page_cache(view, product=product)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = PRODUCT_CACHE_SECONDS if product else CACHE_SECONDS
        if seconds <= 0 or set(request.COOKIES) - ANONYMOUS_COOKIES:
            return view(request, *args, **kwargs)
        key = page_key(language=get_language(), fragment=_wants_fragment(request), full_path=request.get_full_path())
        cached = page_get(key)
        if cached is not None:
            response = HttpResponse(cached.replace(CSRF_MARKER, get_token(request)))
            patch_vary_headers(response, ["HX-Request", "Cookie"])
            response["X-Page-Cache"] = "hit"  # counted by bench/run.sh
            return response
        request.fragments_with_page = {}  # _cached_fragment's writes, sent with the page's
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            page_set(key, CSRF_INPUT.sub(rf"\g<1>{CSRF_MARKER}\g<2>", response.content.decode()), seconds,
                     fragments=request.fragments_with_page)
            response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped


@require_GET
@anonymous_page_cache
def home(request):
    return render(request, "catalog/home.html", {
        "categories": selectors.category_tree().roots,
        "local_picks": selectors.product_local_picks(),
        "new_arrivals": selectors.product_new_arrivals(),
        # Visitors (the cached anonymous page) and buyers are invited to sell; shop people and verifikators not.
        "invite_sellers": not request.user.is_authenticated
        or not (request.user.is_verifikator or user_has_shop(user=request.user)),
    })


@require_GET
@anonymous_page_cache
def search(request, category_slug: str = ""):
    """Search results and category pages: one view, one shareable URL per filter state."""
    filters = ProductSearchForm(request.GET).filters(category=category_slug, government=_is_government(request))
    if filters.category and filters.category not in selectors.category_tree().by_slug:
        if category_slug:
            raise Http404("kategori tidak ditemukan")
        filters = filters.without("category")

    def build():
        results = selectors.product_search(filters=filters)
        title = results.category.label if results.category else ""
        sort = filters.effective_sort()
        sort_labels = {param: label for param, label in SORT_LABELS.items()
                       if param != "pengadaan" or filters.government or sort == "procurement"}
        html = render_to_string("catalog/_results.html", {
            "results": results, "filters": filters, "sort_labels": sort_labels, "government": filters.government,
            "sort_param": next(p for p, k in SORT_PARAMS.items() if k == sort),
            "action": reverse("catalog:category", args=[filters.category]) if filters.category
            else reverse("catalog:search"),
            "hidden": {name: value for name, value in filters_query(filters, with_category=False).items()
                       if name not in ("urut", "hal")},
        })
        return {"html": html, "title": title, "total": results.total}

    fragment = _cached_fragment(request, filters.cache_key(), build, CACHE_SECONDS)
    if _wants_fragment(request):
        response = HttpResponse(fragment["html"])
    else:
        response = render(request, "catalog/search.html", {**fragment, "q": filters.text})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@anonymous_page_cache(product=True)
def product_page(request, shop_slug: str, product_slug: str):
    government = _is_government(request)

    def build():
        product = selectors.product_detail(shop_slug=shop_slug, product_slug=product_slug)
        if product is None:
            return None
        html = render_to_string("catalog/_product.html", {
            "product": product, "related": selectors.product_related(product=product), "government": government})
        return {"html": html, "title": product.name, "description": product.description[:150],
                "product_id": product.pk}

    name = product_fragment_name(shop_slug=shop_slug, product_slug=product_slug, government=government)
    fragment = _cached_fragment(request, name, build, PRODUCT_CACHE_SECONDS)
    if fragment is None:
        raise Http404("produk tidak ditemukan")
    # The shared article leaves a slot for the per-visitor part (the add-to-cart form with its CSRF token).
    before, _slot, after = fragment["html"].partition(BUY_BOX_SLOT)
    return render(request, "catalog/product.html", {**fragment, "before": before, "after": after})


@require_GET
def ping(request):
    """A constant answer: the baseline the catalog benchmark compares every page with."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def shop_page(request, slug: str):
    """A verified shop's storefront: who they are, where, how they rate, their products, a WhatsApp button."""
    shop = get_object_or_404(Shop.objects.select_related("kabkota"), slug=slug, status=Shop.Status.VERIFIED)
    products = list(selectors.product_cards(selectors.product_storefront_queryset().filter(shop=shop))
                    .order_by("-sold_count", "-id")[:48])
    whatsapp = whatsapp_link(shop.whatsapp, _("Halo %(shop)s, saya melihat toko Anda di Plaza Banten.")
                             % {"shop": shop.name}) if shop.whatsapp else ""
    return render(request, "catalog/shop.html", {"shop": shop, "products": products, "whatsapp": whatsapp})
