"""The marketplace benchmark: every page that matters, against one gunicorn, in one run.

    bench/run.sh [--products 100000] [--duration 10] [--orders 3000] [--cold] [--workers 2]

gunicorn (sync, 2 workers unless --workers) with production settings on its own database (plazabanten_bench,
seeded once with --products), wrk -t2 -c16 against: a trivial view (the ceiling), home, listing, category,
search (a mix of 60 queries with facets), product pages (500), a signed-in cart and its checkout page, place
order (each request a different buyer's checkout) and payment webhooks (each a different paid charge, then the same
ones again as duplicates). Prints requests/s, p50, p99 and each page's ratio to the trivial view of the same run.
``--cold`` turns the page and fragment caches off. Figures only: nothing here asserts on time.

Then it checks what the requests did, and prints a FAIL line and exits 1 when a check fails: every variant in the
buyers' carts was given a finite, known stock (SEED_UNITS) and sold (paid) + allocated (unpaid) + remaining must
equal it, with the allocations equal to the unpaid order lines; checkouts created must match the place-order
requests (at least those answered with a redirect, at most those sent) with one checkout per buyer; payments
applied must match the new webhooks in the same way, each applied once, and the duplicates must apply nothing.
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench"
PORT = 8765
BENCH_DB = "plazabanten_bench"
SEARCH_WORDS = [
    "batik", "batk", "kopi", "kopi robusta", "emping", "emping melinjo", "sate bandeng", "madu", "madu hutan",
    "tas anyaman", "anyaman", "gerabah", "golok", "kerupuk", "kerupuk ikan", "ikan asin", "sambal", "sambal rawu",
    "kemeja", "kemeja batik", "gamis", "hijab", "pashmina", "eco-print", "pewarna alami", "syal", "lampu led",
    "kipas", "casing", "kabel", "sabun herbal", "jamu", "beras organik", "dodol", "hampers", "ukiran kayu",
    "bambu", "taplak", "seragam", "helm", "sarung jok", "agenda", "plakat", "miniatur", "teh rosela", "gula aren",
    "piyama anak", "dress anak", "keranjang", "minyak urut", "wadah makanan", "panci", "premium", "grosir",
    "motif baru", "kain tulis", "kawangsan", "surosowan", "baduy", "kapurban",
]
FACETS = ["", "&kabkota=36.74", "&halal=1", "&tkdn=1", "&harga=100-250rb", "&urut=termurah", "&rating=4.5",
          "&kabkota=36.73&urut=terlaris"]
CSRF = "benchcsrf" + "x" * 23  # an unmasked 32-character secret: cookie and form field
EARLIER_VISITORS_SECONDS = 120  # the realistic mix's warm-up
SEED_UNITS = 2  # the stock each variant in a bench cart gets: finite and known, so the counts can be checked


def run(*args, env=None, **kwargs):
    return subprocess.run(args, check=True, cwd=ROOT, env=env, **kwargs)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    run("apt-get", "update", "-q", stdout=subprocess.DEVNULL)
    run("apt-get", "install", "-y", "-q", "wrk", stdout=subprocess.DEVNULL)


def bench_environment(cold: bool) -> dict[str, str]:
    """Production settings on the bench database of the embedded (or DATABASE_URL's) Postgres server."""
    import psycopg2
    from cryptography.fernet import Fernet

    out = run(str(VENV_BIN / "python"), "-m", "plazabanten.embedded", "start", capture_output=True, text=True).stdout
    urls = dict(line.split(" ", 1) for line in out.strip().splitlines())
    base = urllib.parse.urlparse(os.environ.get("DATABASE_URL") or urls["postgres"])
    admin = psycopg2.connect(base._replace(path="/postgres").geturl())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    admin.close()
    env = {"DATABASE_URL": base._replace(path=f"/{BENCH_DB}").geturl(),
           "REDIS_URL": os.environ.get("REDIS_URL") or urls["redis"],
           "DJANGO_SETTINGS_MODULE": "plazabanten.settings.production", "SECRET_KEY": "bench-" + "x" * 50,
           "PB_ALLOW_SANDBOX_GATEWAY": "true", "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "LOG_LEVEL": "WARNING",
           # Production settings require the private documents' key; the bench reads no document.
           "PB_DOCUMENT_KEYS": os.environ.get("PB_DOCUMENT_KEYS") or Fernet.generate_key().decode()}
    if cold:
        env["PB_CATALOG_CACHE_SECONDS"] = "0"
    return env


def seed(count: int, env: dict[str, str]) -> None:
    started = time.monotonic()
    full = {**os.environ, **env}
    run(str(VENV_BIN / "python"), "manage.py", "migrate", "-v0", env=full)
    out = run(str(VENV_BIN / "python"), "manage.py", "seed_demo", "--products", str(count), env=full,
              capture_output=True, text=True).stdout.splitlines()
    print("\n".join(line for line in out[-2:] if "bulk:" in line or "demo data" in line), flush=True)
    run(str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0", env=full)
    import psycopg2

    database = psycopg2.connect(env["DATABASE_URL"])
    database.autocommit = True
    with database.cursor() as cursor:
        # What autovacuum does to a live catalogue soon after a bulk load, done now rather than in the middle of a
        # measured run: the planner's statistics, the visibility map, the text index's pending list merged.
        cursor.execute("VACUUM ANALYZE")
    database.close()
    print(f"migrate + seed_demo --products {count} + collectstatic + VACUUM ANALYZE: {time.monotonic() - started:.1f}s",
          flush=True)


def signed_in(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}; csrftoken={CSRF}"


def seed_stock(*, count: int, exclude=()) -> list:
    """``count`` variants of listed products that no unpaid order holds, each given exactly SEED_UNITS units."""
    from django.db import transaction

    from catalog.models import ProductVariant
    from catalog.selectors import product_storefront_queryset
    from catalog.services import product_stock_refresh

    listed = product_storefront_queryset().values("pk")
    variants = list(ProductVariant.objects.filter(product__in=listed, archived_at__isnull=True, allocated=0)
                    .exclude(pk__in=list(exclude)).select_related("product").order_by("?")[:count])
    if len(variants) < count:
        raise SystemExit(f"FAIL: only {len(variants)} free variants for {count} cart lines; seed more products")
    with transaction.atomic():
        ids = sorted(variant.pk for variant in variants)
        list(ProductVariant.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        ProductVariant.objects.filter(pk__in=ids).update(stock=SEED_UNITS)
        product_stock_refresh(product_ids=[variant.product_id for variant in variants])
    return variants


def buyers_with_carts(count: int, run_id: str, lines_each: int, exclude=()) -> list[dict]:
    """Buyers (no password hashing: sessions are made directly) with an address and a cart of demo products, each
    cart line a variant of its own with SEED_UNITS in stock (no two buyers wait for the same row)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Address, User
    from orders.models import CartLine
    from regions.models import Region

    desa = Region.objects.filter(code__startswith="36.74.", level=4).order_by("code").first()
    variants = seed_stock(count=count * lines_each, exclude=exclude)
    users = User.objects.bulk_create([User(email=f"bench-{run_id}-{i}@bench.test", name=f"Pembeli Bench {i}",
                                           password=make_password(None)) for i in range(count)])
    addresses = Address.objects.bulk_create([
        Address(user=user, recipient=user.name, phone="+6281234567890", street="Jl. Bench 1", region=desa,
                postal_code="15310", is_default=True) for user in users])
    CartLine.objects.bulk_create([CartLine(user=user, variant=variants[i * lines_each + j], quantity=1)
                                  for i, user in enumerate(users) for j in range(lines_each)])
    return [{"user": user, "address": address.pk, "cookie": signed_in(user),
             "shops": sorted({variants[i * lines_each + j].product.shop_id for j in range(lines_each)}),
             "variants": [variants[i * lines_each + j].pk for j in range(lines_each)]}
            for i, (user, address) in enumerate(zip(users, addresses, strict=True))]


def lua_requests(name: str, requests: list[tuple[str, str, dict, str]]) -> Path:
    """A wrk script that sends each (method, path, headers, body) in turn; the two threads take turns so that no
    request is sent twice before the list is used up."""
    def quote(text: str) -> str:
        return json.dumps(text)  # a JSON string is a valid Lua string literal here (ASCII)

    lines = ["local requests = {}"]
    for index, (method, path, headers, body) in enumerate(requests, start=1):
        header_table = ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in headers.items())
        lines.append(f"requests[{index}] = wrk.format({quote(method)}, {quote(path)}, {{{header_table}}}, "
                     f"{quote(body) if body else 'nil'})")
    lines += ["local threads = {}",
              "function setup(thread) thread:set('offset', #threads); table.insert(threads, thread) end",
              "local i = -1",
              "sent = 0",
              "request = function()",
              "  i = i + 1",
              "  sent = sent + 1",
              "  return requests[((i * 2 + (offset or 0)) % #requests) + 1]",
              "end",
              # The page cache's answer (catalog.views sets X-Page-Cache on anonymous pages), for the hit rate.
              "hits = 0",
              "misses = 0",
              "response = function(status, headers, body)",
              "  local cache = headers['X-Page-Cache']",
              "  if cache == 'hit' then hits = hits + 1 elseif cache == 'miss' then misses = misses + 1 end",
              "end",
              # Requests sent, answered or not (the run stops with some in flight): the checks' upper bound.
              "done = function(summary, latency, requests)",
              "  local total, hit, miss = 0, 0, 0",
              "  for _, thread in ipairs(threads) do",
              "    total = total + thread:get('sent')",
              "    hit = hit + thread:get('hits')",
              "    miss = miss + thread:get('misses')",
              "  end",
              "  io.write(string.format('sent: %d\\nhits: %d\\nmisses: %d\\n', total, hit, miss))",
              "end"]
    script = WORK / f"{name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def wrk(url: str, duration: int, script: Path | None = None) -> dict[str, float]:
    args = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", url]
    if script:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    def count(name: str) -> int | None:
        found = re.search(rf"^{name}: (\d+)$", out, re.M)
        return int(found.group(1)) if found else None

    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": latency("50"), "p99": latency("99"), "errors": int(errors.group(1)) if errors else 0,
            "sent": count("sent"), "hits": count("hits"), "misses": count("misses")}


def warm(base_url: str, paths: list[str], cookie: str = "") -> None:
    """Visit every URL once, as earlier visitors would have: the run then measures the steady state."""
    for path in paths:
        request = urllib.request.Request(base_url + path,  # noqa: S310 (our own http URL)
                                         headers={"Cookie": cookie} if cookie else {})
        urllib.request.urlopen(request, timeout=30).read()  # noqa: S310


def zipf_ranks(rng, count: int, draws: int, exponent: float = 1.1) -> list[int]:
    """``draws`` ranks in [0, count), rank r drawn with probability ∝ 1 / (r + 1) ** exponent."""
    cumulative, total = [], 0.0
    for rank in range(count):
        total += 1 / (rank + 1) ** exponent
        cumulative.append(total)
    return rng.choices(range(count), cum_weights=cumulative, k=draws)


def realistic_paths(rng, *, products: list[str], queries: list[str], categories: list[str], draws: int) -> list[str]:
    """What a crowd of visitors asks for: product pages (55%), searches (35%, a facet or sort in half of them) and
    category pages (10%, any sort), each drawn Zipf-like (s ≈ 1.1) over all products, queries and categories."""
    kinds = rng.choices(("product", "search", "category"), weights=(55, 35, 10), k=draws)
    drawn = {kind: iter(zipf_ranks(rng, len(items), draws)) for kind, items in
             (("product", products), ("search", queries), ("category", categories))}
    paths = []
    for kind in kinds:
        if kind == "product":
            paths.append(products[next(drawn["product"])])
        elif kind == "search":
            facet = rng.choice(FACETS[1:]) if rng.random() < 0.5 else ""
            paths.append(f"/cari/?q={urllib.parse.quote_plus(queries[next(drawn['search'])])}{facet}")
        else:
            sort = rng.choice(("", "?urut=terlaris", "?urut=termurah", "?urut=termahal"))
            paths.append(f"/kategori/{categories[next(drawn['category'])]}/{sort}")
    return paths


CURVE_PAGES = {"home": "home", "listing": "listing", "category": "category, best selling",
               "categories": "category, every sort", "search": "search", "product": "product page",
               "mix": "realistic mix"}
CURVE_COLOURS = ("#1b6ca8", "#d1495b", "#edae49", "#8d6a9f", "#00798c", "#66a182", "#6a4c93")


def cost_curve_svg(runs: list[dict], title: str) -> str:
    """p99 per page against the number of products (log scale), one line per page: plain SVG text."""
    width, height, left, right, top, bottom = 660, 360, 56, 170, 30, 40
    counts = sorted({run["products"] for run in runs})
    highest = max([run["p99"].get(key, 0) for run in runs for key in CURVE_PAGES] + [1])
    top_ms = next(step * 10 ** power for power in range(7) for step in (1, 2, 5) if step * 10 ** power >= highest)
    low, high = math.log10(min(counts)), math.log10(max(counts))

    def x(count: int) -> float:
        return left + (width - left - right) * ((math.log10(count) - low) / (high - low) if high > low else 0.5)

    def y(ms: float) -> float:
        return height - bottom - (height - top - bottom) * ms / top_ms

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="18" font-size="13">{title}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>']
    for step in range(5):
        ms = top_ms * step / 4
        parts.append(f'<text x="{left - 6}" y="{y(ms) + 4:.1f}" text-anchor="end">{ms:g}</text>'
                     f'<line x1="{left}" y1="{y(ms):.1f}" x2="{width - right}" y2="{y(ms):.1f}" stroke="#ddd"/>')
    parts.append(f'<text x="14" y="{(height - bottom + top) / 2}" transform="rotate(-90 14 '
                 f'{(height - bottom + top) / 2})" text-anchor="middle">p99 ms</text>')
    for count in counts:
        parts.append(f'<text x="{x(count):.1f}" y="{height - bottom + 16}" text-anchor="middle">{count:,}</text>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle">products</text>')
    for index, (key, label) in enumerate(CURVE_PAGES.items()):
        points = [(run["products"], run["p99"][key]) for run in sorted(runs, key=lambda run: run["products"])
                  if key in run["p99"]]
        if not points:
            continue
        colour = CURVE_COLOURS[index % len(CURVE_COLOURS)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                     + " ".join(f"{x(count):.1f},{y(ms):.1f}" for count, ms in points) + '"/>')
        parts += [f'<circle cx="{x(count):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>' for count, ms in points]
        legend_y = top + 16 * index
        parts.append(f'<rect x="{width - right + 12}" y="{legend_y}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{width - right + 28}" y="{legend_y + 9}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def results_save(*, products: int, cold: bool, workers: int, results: list[tuple[str, str, dict]]) -> Path:
    """This run's p99 per page kept under var/bench/, then the cost curve over every product count run so far
    (with as many web workers)."""
    mode = ("cold" if cold else "cached") + ("" if workers == 2 else f"-w{workers}")
    run = {"products": products, "p99": {key: figures["p99"] for key, _label, figures in results if key}}
    (WORK / f"results-{mode}-{products}.json").write_text(json.dumps(run))
    runs = [json.loads(path.read_text()) for path in sorted(WORK.glob(f"results-{mode}-*.json"))]
    svg = WORK / f"cost-curve-{mode}.svg"
    svg.write_text(cost_curve_svg(runs, f"p99 by catalogue size, {'uncached' if cold else 'caches on'}"))
    return svg


def paid_notifications(groups) -> list[str]:
    """A QRIS charge per checkout, settled at the sandbox gateway: the signed notification it would send."""
    from payments.gateways.sandbox import sandbox_status_body
    from payments.models import SandboxCharge
    from payments.services import payment_start

    bodies = []
    for group in groups:
        attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
        SandboxCharge.objects.filter(attempt_ref=attempt.attempt_ref).update(status="settlement")
        bodies.append(json.dumps(sandbox_status_body(SandboxCharge.objects.get(attempt_ref=attempt.attempt_ref))))
    return bodies


def count_check(label: str, *, applied: int, answered_ok: int, sent: int | None, distinct: int) -> list[str]:
    """FAIL lines unless the work applied matches the requests: at least every request answered with success
    (2xx/3xx), at most every request sent (a run stops with some in flight), each item sent at most once."""
    sent = answered_ok if sent is None else sent
    if sent > distinct:
        return [f"FAIL {label}: {sent} requests for {distinct} distinct items, some sent twice; raise --orders"]
    if not answered_ok <= applied <= sent:
        return [f"FAIL {label}: {applied} applied for {answered_ok} successful of {sent} sent requests"]
    return []


def stock_check(*, variant_ids: list[int], seeded_each: int, run_id: str) -> list[str]:
    """FAIL lines unless sold (paid) + allocated (unpaid) + remaining (available) = the stock seeded, and the
    allocations are exactly the unpaid order lines. Only this run's orders count: the same variants may have been
    sold before the stock was seeded (the demo's reviewed orders, an earlier run on the same database)."""
    from django.db.models import Sum

    from catalog.models import ProductVariant
    from orders.models import Order, OrderLine, StockAllocation

    unpaid_or_ended = [Order.Status.AWAITING_PAYMENT, Order.Status.EXPIRED, Order.Status.CANCELLED]
    lines = OrderLine.objects.filter(variant_id__in=variant_ids, order__buyer__email__startswith=f"bench-{run_id}-")
    sold = lines.exclude(order__status__in=unpaid_or_ended).aggregate(n=Sum("quantity"))["n"] or 0
    unpaid = lines.filter(order__status=Order.Status.AWAITING_PAYMENT).aggregate(n=Sum("quantity"))["n"] or 0
    rows = StockAllocation.objects.filter(variant_id__in=variant_ids).aggregate(n=Sum("quantity"))["n"] or 0
    totals = ProductVariant.objects.filter(pk__in=variant_ids).aggregate(stock=Sum("stock"), allocated=Sum("allocated"))
    stock, allocated = totals["stock"] or 0, totals["allocated"] or 0
    seeded, remaining = seeded_each * len(variant_ids), stock - allocated
    print(f"stock: seeded {seeded} = sold {sold} + allocated {allocated} + remaining {remaining}?")
    fails = []
    if sold + allocated + remaining != seeded:
        fails.append(f"FAIL stock: sold {sold} + allocated {allocated} + remaining {remaining} != seeded {seeded}")
    if not allocated == rows == unpaid:
        fails.append(f"FAIL stock: allocated {allocated}, allocation rows {rows}, unpaid order lines {unpaid}")
    if ProductVariant.objects.filter(pk__in=variant_ids, stock__lt=0).exists():
        fails.append("FAIL stock: a variant below zero")
    return fails


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--orders", type=int, default=3000,
                        help="buyers ready to place an order (one each; more than the run can send)")
    parser.add_argument("--cold", action="store_true", help="no page or fragment cache")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (the issue's figures: 2)")
    options = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    env = bench_environment(options.cold)
    seed(options.products, env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db.models import Count

    from catalog.cache import CACHE_SECONDS, PRODUCT_CACHE_SECONDS
    from catalog.selectors import product_storefront_queryset
    from catalog.services import facet_cells_compact
    from orders.models import CheckoutGroup, Order
    from payments.models import Payment, PaymentEvent

    facet_cells_compact()
    run_id = str(int(time.time()))
    cart_buyer = buyers_with_carts(1, f"{run_id}-cart", 3)[0]
    cart_cookie = cart_buyer["cookie"]
    buyers = buyers_with_carts(options.orders, run_id, 1, exclude=cart_buyer["variants"])
    fails: list[str] = []
    form = {"Content-Type": "application/x-www-form-urlencoded", "Host": "127.0.0.1"}
    place = lua_requests("place-order", [
        ("POST", "/checkout/", {**form, "Cookie": buyer["cookie"]}, urllib.parse.urlencode(
            {"csrfmiddlewaretoken": CSRF, "key": f"bench-{run_id}-{i}", "address": buyer["address"],
             **{f"shipping_{shop}": "pickup" for shop in buyer["shops"]}})) for i, buyer in enumerate(buyers)])
    product_list = [f"/p/{shop}/{slug}/" for shop, slug in product_storefront_queryset().order_by("?")
                    .values_list("shop__slug", "slug")[:500]]
    search_list = [f"/cari/?q={word.replace(' ', '+')}{facet}"
                   for i, word in enumerate(SEARCH_WORDS) for facet in FACETS[i % 3::3]]
    category = "/kategori/fashion-batik/?urut=terlaris"
    from catalog.selectors import category_tree

    category_sorts = [f"/kategori/{node.slug}/?urut={sort}" for node in category_tree().roots
                      for sort in ("terbaru", "termurah", "termahal", "terlaris")]
    mix = []
    if not options.cold:
        from django.db import connection

        everything = [f"/p/{shop}/{slug}/" for shop, slug in product_storefront_queryset().order_by("?")
                      .values_list("shop__slug", "slug")]
        with connection.cursor() as cursor:  # the catalogue's words, most used first
            cursor.execute("SELECT word FROM catalog_searchterm ORDER BY products DESC, word LIMIT 1500")
            queries = [word for (word,) in cursor.fetchall()]
        # then two-word queries, most frequent pairs in product names first (the rarer, longer tail)
        pairs = Counter(pair for name in product_storefront_queryset().order_by().values_list("name", flat=True)
                        [:50_000] for pair in pairwise(re.findall(r"[^\W\d_]{3,}", name.lower())))
        queries += [" ".join(pair) for pair, _n in pairs.most_common(1500 - len(queries))]
        categories = [node.slug for node in category_tree().by_id.values()]
        rng = random.Random(15)
        # earlier visitors (the warm-up), then the measured crowd: two draws from the same distribution
        mix = [realistic_paths(rng, products=everything, queries=queries, categories=categories, draws=40_000)
               for _ in range(2)]
        print(f"realistic mix: {len(everything)} products, {len(queries)} queries, {len(categories)} categories",
              flush=True)

    def gets(name: str, paths: list[str], cookie: str = "") -> Path:
        headers = {"Cookie": cookie} if cookie else {}
        return lua_requests(name, [("GET", path, headers, "") for path in paths])

    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "plazabanten.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(options.workers),
         "-k", "sync", "--access-logfile", "/dev/null", "--error-logfile", str(WORK / "gunicorn.log")],
        cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    base_url = f"http://127.0.0.1:{PORT}"
    results = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base_url + "/ping", timeout=1)  # noqa: S310 (our own http URL)
                break
            except OSError:
                time.sleep(0.2)
        pages = [("", "trivial view /ping", ["/ping"], ""), ("home", "home /", ["/"], ""),
                 ("listing", "listing /cari/ (24)", ["/cari/"], ""),
                 ("category", "category, best selling", [category], ""),
                 ("categories", f"category, every sort ({len(category_sorts)} URLs)", category_sorts, ""),
                 ("search", f"search ({len(search_list)} URLs)", search_list, ""),
                 ("product", f"product page ({len(product_list)} URLs)", product_list, ""),
                 ("", "cart, signed in (3 lines, 3 shops)", ["/keranjang/"], cart_cookie),
                 ("", "checkout page, signed in (3 shops)", ["/checkout/"], cart_cookie)]
        for key, label, paths, cookie in pages:
            script = gets(label.split()[0], paths, cookie)
            if not options.cold:
                warm(base_url, paths, cookie)
            wrk(base_url + "/", 2, script)  # warm-up: connections, workers
            results.append((key, label, wrk(base_url + "/", options.duration, script)))
            print(f"  {label}: done", flush=True)
        if mix:
            # Earlier visitors first, for two minutes (each of their 40,000 requests sent at least once on this
            # machine): the steady state, in which a URL misses when nobody asked for it within its page's
            # lifetime, or its product changed since.
            earlier = max(options.duration, CACHE_SECONDS, EARLIER_VISITORS_SECONDS)
            wrk(base_url + "/", earlier, gets("mix-earlier", mix[0]))
            results.append(("mix", "realistic mix (Zipf, see above)",
                            wrk(base_url + "/", options.duration, gets("mix", mix[1]))))
            print("  realistic mix: done", flush=True)

        figures = wrk(base_url + "/", options.duration, place)
        time.sleep(2)  # requests still in flight when wrk stopped finish
        run_groups = CheckoutGroup.objects.filter(buyer__email__startswith=f"bench-{run_id}-")
        placed = list(run_groups.select_related("buyer").order_by("pk"))
        results.append(("", f"place order ({len(placed)} placed)", figures))
        print(f"  place order: {len(placed)} checkouts placed by {figures['requests']} requests "
              f"({figures['sent']} sent)", flush=True)
        fails += count_check("place order", applied=len(placed), answered_ok=figures["requests"] - figures["errors"],
                             sent=figures["sent"], distinct=len(buyers))
        if run_groups.values("buyer").annotate(n=Count("pk")).filter(n__gt=1).exists():
            fails.append("FAIL place order: a buyer has two checkouts for one request")

        bodies = dict(zip((group.pk for group in placed), paid_notifications(placed), strict=True))

        def webhooks(name: str, group_ids) -> Path:
            return lua_requests(name, [("POST", "/payments/webhooks/sandbox/", {"Content-Type": "application/json"},
                                        bodies[pk]) for pk in group_ids])

        figures = wrk(base_url + "/", min(options.duration, 5), webhooks("webhook-new", bodies))
        time.sleep(2)
        paid = list(Payment.objects.filter(group__in=placed, status=Payment.Status.PAID)
                    .values_list("group_id", flat=True))
        results.append(("", f"webhook, new payment ({len(paid)} paid)", figures))
        fails += count_check("payment webhook", applied=len(paid), answered_ok=figures["requests"] - figures["errors"],
                             sent=figures["sent"], distinct=len(bodies))

        def applied() -> tuple[int, int]:
            """(payment events applied as paid, orders paid) for this run's checkouts"""
            return (PaymentEvent.objects.filter(payment__group__in=placed, kind="paid").count(),
                    Order.objects.filter(group__in=placed, status=Order.Status.PAID).count())

        before = applied()
        if before != (len(paid), Order.objects.filter(group_id__in=paid).count()):
            fails.append(f"FAIL payment webhook: {before[0]} payments applied and {before[1]} orders paid for "
                         f"{len(paid)} paid checkouts")
        results.append(("", "webhook, duplicate of a paid one", wrk(base_url + "/", options.duration,
                                                                     webhooks("webhook-duplicate", paid))))
        time.sleep(2)
        if applied() != before:
            fails.append(f"FAIL duplicate webhook: applied {applied()} after the duplicates, {before} before")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    baseline = results[0][2]["rps"]
    mode = ("cold: page and fragment cache off" if options.cold else
            f"page cache {CACHE_SECONDS} s (product pages {PRODUCT_CACHE_SECONDS} s), each URL visited once first")
    listed = product_storefront_queryset().count()
    print(f"\n{listed} listed products, gunicorn sync -w{options.workers}, production settings, "
          f"wrk -t2 -c16 -d{options.duration}s, {mode}")
    print(f"{'page':40} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'vs trivial':>10} {'non-2xx':>7} {'cache hits':>10}")
    for _key, label, figures in results:
        answered = (figures["hits"] or 0) + (figures["misses"] or 0)
        hits = f"{figures['hits'] / answered:.0%}" if answered else "–"
        print(f"{label:40} {figures['rps']:8.0f} {figures['p50']:7.2f} {figures['p99']:7.2f} "
              f"{figures['rps'] / baseline:9.0%} {figures['errors']:7d} {hits:>10}")
    print(f"cost curve (p99 by catalogue size, every --products run so far): "
          f"{results_save(products=listed, cold=options.cold, workers=options.workers, results=results)}")
    fails += stock_check(variant_ids=[pk for buyer in buyers for pk in buyer["variants"]], seeded_each=SEED_UNITS,
                         run_id=run_id)
    for line in fails:
        print(line)
    if not fails:
        print("checks: every order and payment applied once, stock adds up")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
