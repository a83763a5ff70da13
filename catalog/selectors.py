from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import F, Q, QuerySet

from vendors.models import Shop

from .models import Category, Product

CARD_FIELDS = ("id", "name", "slug", "price_min", "cover", "rating_avg", "rating_count", "sold_count",
               "tkdn_percent", "is_halal", "is_banten", "shop__name", "shop__slug", "kabkota__name")


def product_storefront_queryset() -> QuerySet[Product]:
    """Products a shopper may see: active, from a verified shop."""
    return Product.objects.filter(status=Product.Status.ACTIVE, shop__status=Shop.Status.VERIFIED)


def product_cards(queryset: QuerySet[Product]) -> QuerySet[Product]:
    return queryset.select_related("shop", "kabkota").only(*CARD_FIELDS)


def category_roots() -> list[Category]:
    return list(Category.objects.filter(level=1).order_by("position", "name"))


def product_new_arrivals(*, limit: int = 12) -> list[Product]:
    return list(product_cards(product_storefront_queryset()).order_by("-created_at", "-id")[:limit])


def product_local_picks(*, limit: int = 8) -> list[Product]:
    """High-TKDN products made in Banten: what Pemprov wants buyers to see first."""
    queryset = product_storefront_queryset().filter(is_banten=True, tkdn_percent__gte=40)
    return list(product_cards(queryset).order_by("-sold_count", "-id")[:limit])


def product_search(*, text: str) -> QuerySet[Product]:
    """Indonesian full-text search (stemmed: 'pewarna alami' finds 'warna alami'), typo-tolerant on names."""
    query = SearchQuery(text, config="indonesian", search_type="websearch")
    fuzzy = TrigramWordSimilarity(text, "name")
    return (product_storefront_queryset()
            .annotate(rank=SearchRank(F("search_vector"), query), fuzzy=fuzzy)
            .filter(Q(search_vector=query) | Q(fuzzy__gte=0.5))
            .order_by("-rank", "-fuzzy", "-id"))


def product_detail(*, shop_slug: str, product_slug: str) -> Product | None:
    return (product_storefront_queryset().select_related("shop", "shop__kabkota", "category", "kabkota")
            .prefetch_related("variants", "images").filter(shop__slug=shop_slug, slug=product_slug).first())
