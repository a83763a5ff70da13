"""Demo marketplace: verified shops in all 8 Banten kab/kota, products with drawn photos, buyers and a verifikator.

Running it again adds nothing that is already there. ``--products N`` grows the catalog to N products with bulk
inserts (for benchmarks); ``--logins`` only prints the demo logins.
"""

import io
import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import roles
from accounts.models import User
from accounts.services import user_grant_role
from catalog.models import Category, Product, ProductImage, ProductVariant
from catalog.services import category_tree_ensure, facet_cells_compact, product_image_render, search_terms_refresh
from plazabanten.demo.data import BUYERS, DEMO_PASSWORD, LINES, QUEUE, SHOPS, VERIFIKATOR
from plazabanten.demo.government import logins_lines as government_logins
from plazabanten.demo.government import seed_government
from plazabanten.demo.photos import draw_document, draw_product_photo
from plazabanten.demo.reviews import demo_reviews_seed
from regions.models import Region
from vendors.models import Shop, ShopBankAccount, ShopDocument, ShopIdentity, ShopMember
from vendors.services import shop_document_preview_render

BULK_BATCH = 50_000  # products per COPY (one transaction each)


def _render(image_id: int) -> None:
    try:
        product_image_render(image_id=image_id)
    finally:
        connection.close()  # this thread's own connection


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_products(cursor, products: list[Product]) -> None:
    """INSERT through COPY (several times faster than bulk_create at a million rows); the model's own fields and
    defaults, the generated columns computed by Postgres, the facet-cell triggers fired once."""
    fields = [field for field in Product._meta.concrete_fields if not field.primary_key and not field.generated]
    now = timezone.now()
    for product in products:
        product.created_at = product.updated_at = now
    rows = io.StringIO("".join(
        "\t".join(_copy_text(getattr(product, field.attname)) for field in fields) + "\n" for product in products))
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    cursor.cursor.copy_expert(f"COPY catalog_product ({columns}) FROM STDIN", rows)


class Command(BaseCommand):
    help = "Seed a believable demo marketplace (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=0,
                            help="grow the catalog to at least this many products (bulk, for benchmarks)")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args, products, logins, **options):
        if logins:
            self.stdout.write(self.logins_text())
            return
        started = time.monotonic()
        category_tree_ensure()
        self.seed_people()
        shops = self.seed_shops()
        self.seed_queue()
        self.demo_emails_verify()
        images = [image_id for index, shop in enumerate(shops) for image_id in self.seed_products(shop, index)]
        self.render_photos(images)
        reviews = demo_reviews_seed(shops=shops, buyers=list(User.objects.filter(
            email__in=[email for email, _name, _phone in BUYERS]).order_by("pk")))
        created = len(images)
        if products:
            created += self.seed_bulk(products)
        search_terms_refresh()
        facet_cells_compact()
        government = seed_government(User.objects.get(email=VERIFIKATOR[0]))
        total = Product.objects.count()
        self.stdout.write(f"demo data: {len(shops)} shops, {total} products ({created} new), {reviews} new reviews, "
                          f"{government} "
                          f"in {time.monotonic() - started:.1f}s")

    def logins_text(self) -> str:
        return "\n".join([
            f"  Demo logins (password for all: {DEMO_PASSWORD}):",
            f"    verifikator  {VERIFIKATOR[0]}",
            f"    pembeli      {BUYERS[0][0]}",
            "    penjual      penjual01@plazabanten.test … "
            f"penjual{len(SHOPS):02d}@plazabanten.test (penjual01 = {SHOPS[0][0]})",
            f"    in the verification queue: penjual{len(SHOPS) + 1:02d} … penjual{len(SHOPS) + len(QUEUE):02d}",
            *government_logins(),
        ])

    def ensure_user(self, email, name, phone, role):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, phone=phone)
        user_grant_role(user=user, role=role)
        return user

    def demo_emails_verify(self):
        """Sign-in needs a verified email (ACCOUNT_EMAIL_VERIFICATION=mandatory): the demo accounts have one, also
        in a database seeded before that was the rule."""
        for user in User.objects.filter(email__endswith="@plazabanten.test").exclude(
                emailaddress__verified=True):
            EmailAddress.objects.update_or_create(user=user, email=user.email,
                                                  defaults={"primary": True, "verified": True})

    def seed_people(self):
        self.ensure_user(*VERIFIKATOR, "", roles.VERIFIKATOR)
        for email, name, phone in BUYERS:
            self.ensure_user(email, name, f"+62{phone[1:]}", roles.BUYER)

    @transaction.atomic
    def seed_shops(self) -> list[Shop]:
        shops = []
        for index, (name, kabkota, whatsapp, umkm_class, _leaves) in enumerate(SHOPS, start=1):
            slug = slugify(name)[:60]
            shop = Shop.objects.filter(slug=slug).first()
            if shop is None:
                owner = self.ensure_user(f"penjual{index:02d}@plazabanten.test", f"Pemilik {name}",
                                         f"+62{whatsapp[1:]}", roles.SHOP_MEMBER)
                desa = (Region.objects.filter(level=Region.Level.DESA, code__startswith=f"{kabkota}.")
                        .order_by("code")[index % 7])
                now = timezone.now()
                shop = Shop.objects.create(
                    owner=owner, name=name, slug=slug, region=desa, kabkota_id=kabkota,
                    street=f"Jl. Raya {desa.name} No. {index * 3}", postal_code=f"4{index:04d}"[:5],
                    whatsapp=f"+62{whatsapp[1:]}", status=Shop.Status.VERIFIED, umkm_class=umkm_class,
                    is_pkp=umkm_class != Shop.UmkmClass.MIKRO and index % 3 == 0,
                    description=f"{name}: UMKM binaan Pemprov Banten sejak {2015 + index % 9}.",
                    submitted_at=now, verified_at=now,
                )
                ShopMember.objects.create(shop=shop, user=owner, role=ShopMember.Role.ADMIN)
            shops.append(shop)
        return shops

    @transaction.atomic
    def seed_queue(self) -> None:
        """A few shops waiting for the verifikator, with their documents, so the console has work in the demo."""
        for index, (name, kabkota, owner_name, nik, days) in enumerate(QUEUE, start=len(SHOPS) + 1):
            slug = slugify(name)[:60]
            if Shop.objects.filter(slug=slug).exists():
                continue
            owner = self.ensure_user(f"penjual{index:02d}@plazabanten.test", owner_name,
                                     f"+6281234501{index:02d}", roles.SHOP_MEMBER)
            desa = Region.objects.filter(level=Region.Level.DESA, code__startswith=f"{kabkota}.").order_by("code")[0]
            submitted = timezone.now() - timedelta(days=days)
            shop = Shop.objects.create(
                owner=owner, name=name, slug=slug, region=desa, kabkota_id=kabkota, street=f"Kp. {desa.name} RT 02/03",
                postal_code="42000", whatsapp=f"+6281234501{index:02d}", status=Shop.Status.SUBMITTED,
                umkm_class=Shop.UmkmClass.MIKRO, description=f"{name}, usaha rumahan di {desa.name}.",
                submitted_at=submitted)
            Shop.objects.filter(pk=shop.pk).update(created_at=submitted)
            ShopMember.objects.create(shop=shop, user=owner, role=ShopMember.Role.ADMIN)
            ShopIdentity.objects.create(shop=shop, owner_name=owner_name, owner_nik=nik, nib=f"91200012345{index:02d}",
                                        npwp=nik, capital=150_000_000, turnover=600_000_000)
            ShopBankAccount.objects.create(shop=shop, bank="bank_banten", number=f"00123456{index:04d}",
                                           holder_name=owner_name)
            for kind, content_type, extension in (("ktp", "image/png", "png"), ("nib", "application/pdf", "pdf"),
                                                  ("npwp", "image/png", "png")):
                content = draw_document(kind, owner_name, nik, pdf=extension == "pdf")
                document = ShopDocument(shop=shop, kind=kind, original_name=f"{kind}.{extension}",
                                        content_type=content_type, size=len(content), uploaded_by=owner)
                document.file.save(f"{kind}-{slug}.{extension}", ContentFile(content), save=True)
                if document.is_pdf:  # the console shows its first page (the worker does this for uploads)
                    shop_document_preview_render(document_id=document.pk)

    def render_photos(self, image_ids: list[int]) -> None:
        """The demo renders its photos at once, on every core, so the storefront has them before it opens.

        Uploads in the running marketplace go through Celery instead (catalog.services.product_image_add).
        """
        if not image_ids:
            return
        # Pillow releases the GIL while it decodes, resizes and encodes, so threads use every core.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(_render, image_ids))

    def seed_products(self, shop: Shop, shop_index: int) -> list[int]:
        leaves = SHOPS[shop_index][4]
        categories = {c.name: c for c in Category.objects.filter(level=3, name__in=leaves)}
        existing = set(shop.products.values_list("slug", flat=True))
        image_ids = []
        for leaf in leaves:
            bases, (axis, values), (low, high), grams, halal, (tkdn_low, tkdn_high), description = LINES[leaf]
            # Every line also sells its first item as a bundle, as UMKM on marketplaces do.
            for base in [*bases, f"Paket Hemat {bases[0]} isi 3"]:
                slug = slugify(base)[:180]
                if slug in existing:
                    continue
                rng = random.Random(f"{shop.slug}/{slug}")
                bundle = base.startswith("Paket Hemat")
                with transaction.atomic():
                    product = self.create_product(
                        shop, categories[leaf], base, slug, description, rng,
                        (low * 3, high * 3) if bundle else (low, high), grams * (3 if bundle else 1), halal,
                        (tkdn_low, tkdn_high), axis, values[:1] if bundle else values)
                    photo = ContentFile(draw_product_photo(base, seed=rng.randrange(10_000)), name=f"{slug}.jpg")
                    image_ids.append(ProductImage.objects.create(product=product, original=photo, position=0).pk)
        return image_ids

    def create_product(self, shop, category, name, slug, description, rng, price_range, grams, halal, tkdn, axis,
                       values) -> Product:
        base_price = round(rng.randint(*price_range), -3)
        prices = [base_price + i * round(base_price * 0.15, -3) for i in range(len(values))]
        stocks = [rng.randint(0, 60) for _ in values]
        product = Product.objects.create(
            shop=shop, category=category, name=name, slug=slug,
            description=f"{description}\n\nDikirim dari {shop.kabkota.name}. {axis}: {', '.join(values)}.",
            weight_grams=grams, min_order=1, status=Product.Status.ACTIVE,
            tkdn_percent=rng.randint(*tkdn), is_halal=halal, bmp_percent=rng.choice((0, 0, 5, 10, 15)),
            shop_is_umk=shop.is_umk, halal_number=f"ID36110000{rng.randint(1000000, 9999999)}" if halal else "",
            price_min=min(prices), price_max=max(prices), stock_total=sum(stocks),
            sold_count=rng.randint(0, 400),  # ratings come from real reviews (plazabanten.demo.reviews)
            is_banten=True, kabkota_id=shop.kabkota_id,
        )
        ProductVariant.objects.bulk_create([
            ProductVariant(product=product, sku=f"{slug[:40]}-{i + 1}".upper(), name=f"{axis} {value}",
                           price=price, stock=stock, position=i)
            for i, (value, price, stock) in enumerate(zip(values, prices, stocks, strict=True))
        ])
        return product

    def seed_bulk(self, target: int) -> int:
        """Grow to `target` products by copying demo products under new names; covers are shared."""
        have = Product.objects.count()
        if have >= target:
            return 0
        templates = list(Product.objects.filter(slug__regex=r"[a-z]$").select_related("shop")
                         .only("shop", "category_id", "name", "slug", "description", "weight_grams", "tkdn_percent",
                               "bmp_percent", "shop_is_umk", "is_halal", "price_min", "cover", "kabkota_id")
                         .order_by("pk"))
        qualifiers = ["Premium", "Ekonomis", "Edisi Spesial", "Kemasan Hemat", "Grosir", "Original", "Eksklusif",
                      "Seri Nusantara", "Motif Baru", "Pilihan"]
        created = 0
        serial = have
        started = time.monotonic()
        while have + created < target:
            batch = []
            for _ in range(min(BULK_BATCH, target - have - created)):
                serial += 1
                source = templates[serial % len(templates)]
                qualifier = qualifiers[(serial // len(templates)) % len(qualifiers)]
                batch.append(Product(
                    shop_id=source.shop_id, category_id=source.category_id,
                    name=f"{source.name} {qualifier} #{serial}", slug=f"{source.slug}-{serial}",
                    description=source.description, weight_grams=source.weight_grams, status=Product.Status.ACTIVE,
                    tkdn_percent=source.tkdn_percent, bmp_percent=source.bmp_percent, is_halal=source.is_halal,
                    shop_is_umk=source.shop_is_umk,
                    price_min=source.price_min + (serial % 50) * 1000,
                    price_max=source.price_min + (serial % 50) * 1000,
                    stock_total=20, sold_count=serial % 300, cover=source.cover, is_banten=True,
                    kabkota_id=source.kabkota_id,
                ))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT coalesce(max(id), 0) FROM catalog_product")
                before = cursor.fetchone()[0]
                _copy_products(cursor, batch)
                # One variant for each new product, straight in SQL: no round trip per row.
                cursor.execute(
                    """INSERT INTO catalog_productvariant (product_id, sku, name, price, stock, allocated, position)
                       SELECT p.id, 'SKU-' || p.id, '', p.price_min, p.stock_total, 0, 0 FROM catalog_product p
                       WHERE p.id > %s""", [before])
            created += len(batch)
            self.stdout.write(f"  bulk: {have + created} products, {created / (time.monotonic() - started):.0f}/s")
        with connection.cursor() as cursor:  # the planner's statistics for the new rows (autovacuum comes later)
            cursor.execute("ANALYZE catalog_product")
            cursor.execute("ANALYZE catalog_productvariant")
        return created
