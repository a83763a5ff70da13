from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from plazabanten.uploads import UploadTo


class Category(models.Model):
    """A 3-level tree: Fashion & Batik → Batik → Kain Batik Tulis."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("nama"), max_length=80)
    name_en = models.CharField(_("nama dalam bahasa Inggris"), max_length=80, blank=True)
    slug = models.SlugField(max_length=100, unique=True)
    level = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveSmallIntegerField(default=0)
    icon = models.CharField(max_length=8, blank=True)

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="category_level_1_3"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return name_localized(name=self.name, name_en=self.name_en)


def name_localized(*, name: str, name_en: str) -> str:
    """A name kept in the database in both languages: the English one while the page is in English (when it has
    one), else the Indonesian one."""
    return name_en if name_en and (get_language() or "").startswith("en") else name


# Facet bands, stored on each product (generated columns) so the facet cube below can count by them.
PRICE_BAND_LIMITS = (50_000, 100_000, 250_000, 500_000)  # band i: LIMITS[i-1] <= price_min < LIMITS[i]
RATING_BAND_LEVELS = (Decimal("4.0"), Decimal("4.5"))  # band i: rating_avg >= LEVELS[i-1]
TKDN_LOCAL_MIN = 40  # "TKDN ≥ 40%": the national bar for local content
# PDN (produk dalam negeri) for government buying, Perpres 46/2025 Ps 66: when a product with TKDN + BMP ≥ 40% exists
# the buyer must take a domestic product with TKDN ≥ 25%; else one with TKDN ≥ 25%; else TKDN < 25%; else an
# uncertified one listed in SIINas. BMP (bobot manfaat perusahaan) is at most 15%, so TKDN + BMP ≥ 40% implies
# TKDN ≥ 25%: the tiers nest. Product.pdn_tier: 2 = "TKDN+BMP ≥ 40%", 1 = "TKDN ≥ 25%", 0 = neither.
PDN_MIN = 40
PDN_TKDN_FLOOR = 25
BMP_MAX = 15
PDN_TIER_FULL, PDN_TIER_FLOOR = 2, 1


def _band(field: str, limits, *, below: bool) -> models.GeneratedField:
    """The index of the band a value falls in; ``below`` when the limits are exclusive upper bounds."""
    whens = [When(**{f"{field}__lt" if below else f"{field}__gte": limit},
                  then=Value(index if below else index + 1))
             for index, limit in (enumerate(limits) if below else reversed(list(enumerate(limits))))]
    return models.GeneratedField(expression=Case(*whens, default=Value(len(limits) if below else 0)),
                                 output_field=models.PositiveSmallIntegerField(), db_persist=True)


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        ACTIVE = "active", _("Aktif")
        INACTIVE = "inactive", _("Nonaktif")
        TAKEN_DOWN = "taken_down", _("Diturunkan")

    class Condition(models.TextChoices):
        NEW = "new", _("Baru")
        USED = "used", _("Bekas")

    shop = models.ForeignKey("vendors.Shop", on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    # The top-level category of ``category``, kept by a database trigger (migration 0011) on every write, COPY
    # included: a top-level category page's sorted listing walks its own indexes instead of the whole catalogue's.
    category_root = models.ForeignKey(Category, null=True, editable=False, on_delete=models.DO_NOTHING,
                                      db_constraint=False, db_index=False, related_name="+")
    name = models.CharField(_("nama produk"), max_length=150)
    slug = models.SlugField(max_length=180)
    description = models.TextField(_("deskripsi"), blank=True)
    condition = models.CharField(_("kondisi"), max_length=4, choices=Condition.choices, default=Condition.NEW)
    weight_grams = models.PositiveIntegerField(_("berat (gram)"), default=500)
    length_cm = models.PositiveIntegerField(_("panjang (cm)"), null=True, blank=True)
    width_cm = models.PositiveIntegerField(_("lebar (cm)"), null=True, blank=True)
    height_cm = models.PositiveIntegerField(_("tinggi (cm)"), null=True, blank=True)
    min_order = models.PositiveIntegerField(_("minimum pembelian"), default=1,
                                            validators=[MinValueValidator(1)])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    tkdn_percent = models.PositiveSmallIntegerField(_("nilai TKDN (%)"), default=0,
                                                    validators=[MaxValueValidator(100)])
    tkdn_certificate = models.CharField(_("nomor sertifikat TKDN"), max_length=60, blank=True)
    bmp_percent = models.PositiveSmallIntegerField(
        _("nilai BMP (%)"), default=0, validators=[MaxValueValidator(BMP_MAX)],
        help_text=_("Bobot Manfaat Perusahaan dari sertifikat TKDN, 0–15%."))
    is_halal = models.BooleanField(_("halal"), default=False)
    halal_number = models.CharField(_("nomor sertifikat halal"), max_length=60, blank=True)
    pirt_number = models.CharField(_("nomor P-IRT"), max_length=30, blank=True)
    bpom_number = models.CharField(_("nomor BPOM"), max_length=30, blank=True)
    has_sni = models.BooleanField(_("SNI"), default=False)
    # Denormalised by the product services so listing and sorting read one table.
    price_min = models.BigIntegerField(default=0)
    price_max = models.BigIntegerField(default=0)
    stock_total = models.PositiveIntegerField(default=0)
    sold_count = models.PositiveIntegerField(default=0)
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    cover = models.JSONField(default=dict, blank=True)  # renditions of the first photo, for cards
    is_banten = models.BooleanField(_("Produk Banten"), default=False)
    kabkota = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The shop's class projected here (catalog.services.shop_products_reclassify), like kab/kota, so the government
    # facets and the "pengadaan" order read one table: a micro or small business (vendors.models.UMK_CLASSES).
    shop_is_umk = models.BooleanField(_("UMK"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The transaction that last changed what a search reads, stamped by a trigger (migration 0017): each web
    # process's search index (catalog/search_index.py) reads the products changed since it last looked.
    index_version = models.BigIntegerField(default=0, editable=False)
    price_band = _band("price_min", PRICE_BAND_LIMITS, below=True)
    rating_band = _band("rating_avg", RATING_BAND_LEVELS, below=False)
    tkdn_local = models.GeneratedField(expression=Q(tkdn_percent__gte=TKDN_LOCAL_MIN),
                                       output_field=models.BooleanField(), db_persist=True)
    pdn_tier = models.GeneratedField(
        expression=Case(When(GreaterThanOrEqual(F("tkdn_percent") + F("bmp_percent"), PDN_MIN),
                             then=Value(PDN_TIER_FULL)),
                        When(tkdn_percent__gte=PDN_TKDN_FLOOR, then=Value(PDN_TIER_FLOOR)), default=Value(0)),
        output_field=models.PositiveSmallIntegerField(), db_persist=True)
    # "UMK + Banten": what the "pengadaan" order puts right after the PDN tier.
    umk_local = models.GeneratedField(expression=Q(shop_is_umk=True, is_banten=True),
                                      output_field=models.BooleanField(), db_persist=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config="indonesian")
        + SearchVector("description", weight="B", config="indonesian"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("produk")
        verbose_name_plural = _("produk")
        constraints = [
            models.UniqueConstraint(fields=["shop", "slug"], name="product_shop_slug_unique"),
            models.CheckConstraint(condition=models.Q(tkdn_percent__lte=100), name="product_tkdn_0_100"),
            models.CheckConstraint(condition=models.Q(bmp_percent__lte=BMP_MAX), name="product_bmp_0_15"),
            models.CheckConstraint(condition=models.Q(price_min__gte=0), name="product_price_min_nonnegative"),
        ]
        indexes = [
            models.Index(fields=["index_version"], name="product_index_version"),
            # The text with the selective facet columns (btree_gin): a word and a category, kab/kota or price band
            # intersect inside the index instead of reading every product with the word, and a common word's
            # pages by price are read band by band. The flags are left out: a flag's entries hold half the
            # catalogue, and intersecting them cost a rarer word more than checking its rows (bench, 100k). The sold
            # count is in it for a common word's relevance pool, read above a sold count: the planner, expecting
            # few of two words together, read all 16k "gula aren" at 1M products to keep 1,503 (29 → 9 ms).
            GinIndex(fields=["search_vector", "category", "category_root", "kabkota", "price_band", "sold_count"],
                     name="product_search_facets_gin"),
            # The text of halal products alone: halal goes with food, which the planner cannot know, so a word
            # outside food with "Halal" ("seragam": 89k products at 1M, none halal) read each of the word's rows
            # to find none (58 ms; 2 ms through this). The other flags are not selective enough (TKDN ≥ 40%: 97%
            # of the bench's products).
            GinIndex(fields=["search_vector"], name="product_search_halal_gin", condition=models.Q(is_halal=True)),
            models.Index(fields=["status", "-created_at"], name="product_status_created"),
            models.Index(fields=["category", "status"], name="product_category_status"),
            # A leaf category by best selling: its "terlaris" page and every product page's related products.
            models.Index(fields=["category", "-sold_count", "-id"], name="product_leaf_bestselling",
                         condition=models.Q(status="active")),
            # Sorted listings walk these and stop after a page, instead of sorting every listed product.
            models.Index(fields=["price_min", "id"], name="product_listed_price",
                         condition=models.Q(status="active")),
            models.Index(fields=["-sold_count", "-id"], name="product_listed_bestselling",
                         condition=models.Q(status="active")),
            # Newest first (the home page and the default listing): with the id, products created in the same
            # instant (a bulk import) need no sort of the tie.
            models.Index(fields=["-created_at", "-id"], name="product_listed_newest",
                         condition=models.Q(status="active")),
            # The same sorts within a top-level category (its page lists the leaves of its whole subtree).
            models.Index(fields=["category_root", "price_min", "id"], name="product_root_price",
                         condition=models.Q(status="active")),
            models.Index(fields=["category_root", "-created_at", "-id"], name="product_root_newest",
                         condition=models.Q(status="active")),
            models.Index(fields=["category_root", "-sold_count", "-id"], name="product_root_bestselling",
                         condition=models.Q(status="active")),
            # urut=pengadaan (government buyers): PDN tier, then UMK in Banten, then best selling.
            models.Index(fields=["-pdn_tier", "-umk_local", "-sold_count", "-id"], name="product_listed_procurement",
                         condition=models.Q(status="active")),
            # A minimum rating ("★4.5+") keeps few of a common word's matches: they are found through this, not by
            # reading each of the word's matches (17k for "batik" at 100k products).
            models.Index(fields=["rating_band"], name="product_listed_rating", condition=models.Q(status="active")),
        ]

    def __str__(self):
        return self.name


FACET_KEY = ("category_id", "kabkota_id", "is_halal", "tkdn_local", "is_banten", "price_band", "rating_band",
             "pdn_tier", "shop_is_umk")


class FacetCell(models.Model):
    """How many listed products (active, verified shop) share one combination of facet values.

    Written only by database triggers (migration 0005): each statement on catalog_product, and each change of a
    shop's verification, appends signed counts; ``catalog.tasks.facet_cells_compact`` folds them into one row per
    combination every minute. Appending never waits on another writer, and a reader sums the rows per
    combination, so the counts are exact at every commit. The listing's facets then read a few hundred rows
    instead of counting 100,000 products.
    """

    category = models.ForeignKey(Category, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    kabkota = models.ForeignKey("regions.Region", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    is_halal = models.BooleanField()
    tkdn_local = models.BooleanField()
    is_banten = models.BooleanField()
    price_band = models.PositiveSmallIntegerField()
    rating_band = models.PositiveSmallIntegerField()
    pdn_tier = models.PositiveSmallIntegerField(default=0)
    shop_is_umk = models.BooleanField(default=False)
    products = models.IntegerField()  # signed until compacted

    class Meta:
        indexes = [models.Index(fields=["category", "kabkota"], name="facetcell_category_kabkota")]

    def __str__(self):
        return f"{self.category_id}/{self.kabkota_id}: {self.products}"


class ProductVariant(models.Model):
    """What is actually sold: a SKU with its own price and stock (e.g. ukuran L, warna biru).

    ``stock`` is the physical count on hand (what the seller types), ``allocated`` the units unpaid orders hold (the
    sum of their ``orders.StockAllocation`` rows, kept by ``orders.stock``); a buyer can take ``available`` =
    stock − allocated, never below zero (a CHECK constraint). A variant that was ever ordered is archived instead
    of deleted: hidden from the storefront, the cart and checkout, kept for the order history.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=60)
    name = models.CharField(_("varian"), max_length=80, blank=True)
    price = models.BigIntegerField(_("harga (Rp)"), validators=[MinValueValidator(100)])
    stock = models.IntegerField(_("stok"), default=0)
    allocated = models.IntegerField(_("dipesan (belum dibayar)"), default=0)
    position = models.PositiveSmallIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="variant_product_sku_unique"),
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="variant_stock_nonnegative"),
            models.CheckConstraint(condition=models.Q(allocated__gte=0), name="variant_allocated_nonnegative"),
            models.CheckConstraint(condition=models.Q(stock__gte=models.F("allocated")),
                                   name="variant_stock_covers_allocated"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="variant_price_positive"),
        ]

    def __str__(self):
        return f"{self.product.name} {self.name}".strip()

    @property
    def available(self) -> int:
        return self.stock - self.allocated

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ProductImage(models.Model):
    """An uploaded photo; a Celery task writes its renditions (WebP + JPEG fallback) next to it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Diproses")
        READY = "ready", _("Siap")
        FAILED = "failed", _("Gagal")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    original = models.ImageField(upload_to=UploadTo("products/originals/%Y/%m", field="original"))
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    renditions = models.JSONField(default=dict, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.product_id}#{self.position}"


class ProductImport(models.Model):
    """A seller's CSV upload (the export's format), validated and written by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Diproses")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Ada kesalahan, tidak ada yang diimpor")

    shop = models.ForeignKey("vendors.Shop", on_delete=models.CASCADE, related_name="product_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    content = models.TextField()  # the CSV text (≤ 2 MB), kept for the task and for support
    valid_rows_only = models.BooleanField(_("impor baris yang valid saja"), default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 3, "message": "..."}]
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"impor #{self.pk} {self.shop_id} ({self.status})"

    @property
    def percent(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
