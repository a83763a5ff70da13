"""The 40% realisation at scale: 100k paid government packages, how long the dashboards take.

    .venv/bin/python bench/realisation.py [--packages 100000] [--opds 300] [--runs 5] [--max-ms 300] [--fresh]

Needs the embedded Postgres/Redis (bin/test or `python -m plazabanten.embedded start`). Uses its own database,
plazabanten_realisation (created and migrated the first time, seeded once: re-runs reuse it), with test settings.
Seeds OPDs across Banten's Pemda, shops of every class, and packages paid over 2025–2026 with one line each
(bulk inserts, not the lifecycle: the figures are about reading), 1% of them partly refunded with a credit note.

Prints, for the province view (every OPD, the ranking, the Pemda roll-up) and one OPD's dashboard: the selector's
median ms, and the page's median ms and queries through the Django test client. Then it checks, and prints FAIL
and exits 1 when a check fails: the province totals equal a fresh SQL count over the package lines and credit
notes, the pages use no more queries than the pinned tests allow (7 and 8), and the province page's median stays
under --max-ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plazabanten.settings.test")
DB_NAME = "plazabanten_realisation"
YEAR = 2026
WIB = ZoneInfo("Asia/Jakarta")
PEMDAS = ["36", "36.01", "36.02", "36.03", "36.04", "36.71", "36.72", "36.73", "36.74"]


def database_ready(*, fresh: bool = False) -> None:
    """Point Django at the bench database, creating and migrating it the first time (or again with --fresh)."""
    import psycopg2
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    default = settings.DATABASES["default"]
    admin = psycopg2.connect(host=default["HOST"], port=default["PORT"], user=default["USER"],
                             password=default["PASSWORD"], dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    admin.close()
    connections.close_all()
    default["NAME"] = DB_NAME
    call_command("migrate", verbosity=0)


def seed(*, packages: int, opds: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from catalog.models import Category, Product, ProductVariant
    from orders.models import CheckoutGroup, Order
    from payments.models import CreditNote, Payment, Refund
    from procurement.models import Opd, OpdMember, OpdTarget, Paket, PaketLine, Role
    from vendors.models import Shop

    existing = Paket.objects.filter(paid_on__isnull=False).count()
    if existing >= packages:
        return
    if existing:
        raise SystemExit(f"{DB_NAME} holds {existing} packages, fewer than --packages {packages}: add --fresh")
    print(f"seeding {packages} paid packages across {opds} OPDs…", flush=True)
    rng = random.Random(14)
    started = time.perf_counter()
    User = get_user_model()
    with transaction.atomic():
        users = User.objects.bulk_create([User(email=f"bench-opd-{i}@realisation.test", name=f"Pegawai {i}")
                                          for i in range(opds * 2)])
        shops = Shop.objects.bulk_create([
            Shop(owner=users[i % len(users)], name=f"Toko Bench {i}", slug=f"toko-bench-{i}",
                 status=Shop.Status.VERIFIED, kabkota_id=rng.choice(PEMDAS[1:] + ["31.71", "32.01"]),
                 umkm_class=rng.choice(["mikro", "mikro", "kecil", "menengah"]), is_koperasi=i % 25 == 0)
            for i in range(400)])
        category = Category.objects.create(name="Bench", slug="bench-realisation", level=3)
        products = Product.objects.bulk_create([
            Product(shop=shop, name=f"Barang {shop.pk}", slug=f"barang-bench-{shop.pk}", category=category,
                    status=Product.Status.ACTIVE, price_min=100_000, price_max=100_000, tkdn_percent=rng.choice(
                        [0, 20, 30, 45]), bmp_percent=rng.choice([0, 10]), shop_is_umk=shop.is_umk)
            for shop in shops])
        variants = ProductVariant.objects.bulk_create([
            ProductVariant(product=product, sku=f"BENCH-{product.pk}", price=100_000, stock=10**6)
            for product in products])
        offices = Opd.objects.bulk_create([
            Opd(pemda_id=PEMDAS[i % len(PEMDAS)], name=f"Dinas Bench {i}", kode_satker=f"BENCH{i:05d}",
                address="Serang", npwp_bendahara="013000666091000", status=Opd.Status.VERIFIED,
                created_by=users[2 * i]) for i in range(opds)])
        OpdMember.objects.bulk_create([OpdMember(opd=opd, user=users[2 * i], roles=[Role.ADMIN, Role.AUDITOR])
                                       for i, opd in enumerate(offices)])
        OpdMember.objects.bulk_create([OpdMember(opd=opd, user=users[2 * i + 1], roles=[Role.PPK])
                                       for i, opd in enumerate(offices)])
        OpdTarget.objects.bulk_create([OpdTarget(opd=opd, year=YEAR, pagu=rng.randrange(5, 80) * 10**9,
                                                 umk_percent=rng.choice([40, 40, 45, 50]), updated_by=users[2 * i])
                                       for i, opd in enumerate(offices) if i % 7])
        shop_index = {shop.pk: (shop, variants[index]) for index, shop in enumerate(shops)}
        batch, lines = [], []
        for n in range(packages):
            opd_index = rng.randrange(opds)
            shop, variant = shop_index[shops[rng.randrange(len(shops))].pk]
            quantity = rng.randrange(1, 40)
            total = quantity * 100_000
            pdn = variant.product.tkdn_percent + variant.product.bmp_percent >= 40
            paid_on = date(YEAR - (n % 5 == 0), 1, 1) + timedelta(days=rng.randrange(0, 334))
            batch.append(Paket(
                opd=offices[opd_index], shop=shop, nama="Bench", kode_rup="56082744", tahun_anggaran=paid_on.year,
                sumber_dana="APBD", alamat_kirim="Serang", permintaan_tiba=paid_on, created_by=users[2 * opd_index + 1],
                created_as=Role.PPK, ppk=users[2 * opd_index + 1], status=Paket.Status.SELESAI, total=total,
                shop_umkm_class=shop.umkm_class, shop_umk=shop.is_umk,
                shop_banten=bool(shop.kabkota_id.startswith("36.")), pdn_amount=total if pdn else 0, paid_on=paid_on))
            lines.append((variant, quantity, pdn))
            if len(batch) == 5000 or n == packages - 1:
                created = Paket.objects.bulk_create(batch)
                PaketLine.objects.bulk_create([
                    PaketLine(paket=paket, variant=variant, product_name="Barang", sku=variant.sku, unit_price=100_000,
                              quantity=quantity, pdn=pdn)
                    for paket, (variant, quantity, pdn) in zip(created, lines, strict=True)])
                batch, lines = [], []
        refunded = list(Paket.objects.filter(paid_on__year=YEAR).order_by("pk")[::100])
        for index, paket in enumerate(refunded):
            moment = datetime.combine(paket.paid_on + timedelta(days=20), datetime.min.time(), WIB)
            group = CheckoutGroup.objects.create(buyer=paket.ppk, idempotency_key=f"bench-{paket.pk}",
                                                 total=paket.total, payment_deadline=moment, address={})
            order = Order.objects.create(
                group=group, shop=paket.shop, buyer=paket.ppk, number=f"BENCH-{paket.pk}", subtotal=paket.total,
                shipping_fee=0, total=paket.total, shipping_method="pengadaan", shipping_label="Pengadaan",
                payment_deadline=moment)
            payment = Payment.objects.create(group=group, amount=paket.total)
            amount = max(1, paket.total // 4)
            refund = Refund.objects.create(payment=payment, order=order, amount=amount, refund_key=f"bench-{paket.pk}",
                                           reason="Bench", status=Refund.Status.SUCCEEDED)
            CreditNote.objects.create(number=f"CN/BENCH/{index:06d}", order=order, refund=refund, amount=amount,
                                      goods_amount=amount, shipping_amount=0)
            CreditNote.objects.filter(refund=refund).update(created_at=min(moment, datetime(YEAR, 12, 1, tzinfo=WIB)))
            Paket.objects.filter(pk=paket.pk).update(order=order)
    with connection.cursor() as cursor:  # autocommit again: the visibility map lets the index-only scans skip the heap
        cursor.execute("VACUUM ANALYZE procurement_paket")
        cursor.execute("VACUUM ANALYZE payments_creditnote")
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def timed(function, runs: int) -> float:
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def page(client, url: str, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _run in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(times), queries


FRESH_TOTAL = """
SELECT (SELECT COALESCE(SUM(l.unit_price * l.quantity), 0) FROM procurement_paket p
        JOIN procurement_paketline l ON l.paket_id = p.id WHERE p.paid_on BETWEEN %(start)s AND %(end)s)
     - (SELECT COALESCE(SUM(cn.amount), 0) FROM payments_creditnote cn JOIN procurement_paket p
        ON p.order_id = cn.order_id
        WHERE (cn.created_at AT TIME ZONE 'Asia/Jakarta')::date BETWEEN %(start)s AND %(end)s),
       (SELECT COUNT(*) FROM procurement_paket WHERE paid_on BETWEEN %(start)s AND %(end)s)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packages", type=int, default=100_000)
    parser.add_argument("--opds", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-ms", type=float, default=300.0)
    parser.add_argument("--fresh", action="store_true", help="drop the bench database and seed it again")
    args = parser.parse_args()

    import django

    django.setup()
    database_ready(fresh=args.fresh)
    seed(packages=args.packages, opds=args.opds)

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accounts import roles
    from accounts.services import user_grant_role
    from procurement.models import OpdMember, Paket
    from procurement.realisation import opd_realisation, province_realisation

    settings.ALLOWED_HOSTS = ["*"]
    today = date(YEAR, 12, 3)
    paid = Paket.objects.filter(paid_on__year=YEAR).count()
    member = OpdMember.objects.filter(roles__contains=["admin"]).select_related("opd", "user").order_by("pk").first()
    province_ms = timed(lambda: province_realisation(year=YEAR, today=today), args.runs)
    opd_ms = timed(lambda: opd_realisation(opd=member.opd, year=YEAR, today=today), args.runs)
    verifikator = member.user.__class__.objects.get_or_create(email="bench-verifikator@realisation.test",
                                                              defaults={"name": "Verifikator"})[0]
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)
    client = Client()
    client.force_login(verifikator)
    province_page_ms, province_queries = page(client, f"/verifikasi/realisasi/?tahun={YEAR}", args.runs)
    client.force_login(member.user)
    opd_page_ms, opd_queries = page(client, f"/pengadaan/realisasi/?tahun={YEAR}", args.runs)

    print(f"packages paid in {YEAR}: {paid} (all years: {Paket.objects.filter(paid_on__isnull=False).count()}), "
          f"OPDs: {args.opds}")
    print(f"province_realisation (all OPDs, ranking, Pemda roll-up): {province_ms:.1f} ms")
    print(f"opd_realisation (one OPD):                              {opd_ms:.1f} ms")
    print(f"/verifikasi/realisasi/ page: {province_page_ms:.1f} ms, {province_queries} queries")
    print(f"/pengadaan/realisasi/ page:  {opd_page_ms:.1f} ms, {opd_queries} queries")

    failures = []
    with connection.cursor() as cursor:
        cursor.execute(FRESH_TOTAL, {"start": date(YEAR, 1, 1), "end": date(YEAR, 12, 31)})
        fresh_spent, fresh_count = cursor.fetchone()
    province = province_realisation(year=YEAR, today=today).progress.figures
    if (province.spent, province.packages) != (fresh_spent, fresh_count):
        failures.append(f"province totals {province.spent}/{province.packages} != fresh SQL {fresh_spent}/"
                        f"{fresh_count}")
    if province_queries > 7 or opd_queries > 8:
        failures.append(f"queries per page {province_queries}/{opd_queries} above the pinned 7/8")
    if province_page_ms > args.max_ms:
        failures.append(f"province page {province_page_ms:.0f} ms > --max-ms {args.max_ms:.0f}")
    for failure in failures:
        print(f"FAIL {failure}")
    if not failures:
        print("ok: totals equal the fresh SQL count; queries and time within bounds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
