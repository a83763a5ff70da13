"""Catalog benchmark: 100,000 products, gunicorn (sync, 2 workers) with production settings, wrk -t2 -c16.

    .venv/bin/python bench/catalog.py [--products 100000] [--duration 10] [--cold]

Prints requests/s, p50 and p99 for a trivial view, the listing, search (rotating queries with facets) and the
product page (rotating products), each with its ratio to the trivial view of the same run. ``--cold`` turns the
shared fragment cache off (every request renders and queries) to show the uncached cost.
Uses the embedded Postgres and Redis (started if needed); stops the gunicorn it starts.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench"
PORT = 8765
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


def run(*args, env=None, **kwargs):
    return subprocess.run(args, check=True, cwd=ROOT, env=env, **kwargs)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    run("apt-get", "update", "-q", stdout=subprocess.DEVNULL)
    run("apt-get", "install", "-y", "-q", "wrk", stdout=subprocess.DEVNULL)


def services() -> dict[str, str]:
    out = run(str(VENV_BIN / "python"), "-m", "plazabanten.embedded", "start", capture_output=True, text=True).stdout
    urls = dict(line.split(" ", 1) for line in out.strip().splitlines())
    return {"DATABASE_URL": urls["postgres"], "REDIS_URL": urls["redis"]}


def seed(count: int):
    started = time.monotonic()
    run(str(VENV_BIN / "python"), "manage.py", "migrate", "-v0")
    run(str(VENV_BIN / "python"), "manage.py", "seed_demo", "--products", str(count), stdout=subprocess.DEVNULL)
    print(f"seed_demo --products {count}: {time.monotonic() - started:.1f}s")


def product_paths(env) -> list[str]:
    code = ("from catalog.selectors import product_storefront_queryset as q\n"
            "for s, p in q().order_by('?').values_list('shop__slug', 'slug')[:500]: print(f'/p/{s}/{p}/')")
    out = run(str(VENV_BIN / "python"), "manage.py", "shell", "-c", code, env=env, capture_output=True,
              text=True).stdout
    return [line for line in out.splitlines() if line.startswith("/p/")]


def warm(base_url: str, paths: list[str]) -> None:
    """Visit every URL once, as earlier visitors would have: the run then measures the steady state."""
    for path in paths:
        urllib.request.urlopen(base_url + path, timeout=30).read()  # noqa: S310 (our own http URL)


def lua_rotating(name: str, paths: list[str]) -> Path:
    quoted = ",\n".join(f'  "{path}"' for path in paths)
    script = WORK / f"{name}.lua"
    script.write_text(f"local paths = {{\n{quoted}\n}}\nlocal i = 0\n"
                      "request = function()\n  i = i + 1\n"
                      "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n")
    return script


def production_env(base: dict[str, str], cold: bool) -> dict[str, str]:
    env = {**os.environ, **base,
           "DJANGO_SETTINGS_MODULE": "plazabanten.settings.production", "SECRET_KEY": "bench-" + "x" * 50,
           "PB_ALLOW_SANDBOX_GATEWAY": "true", "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if cold:
        env["PB_CATALOG_CACHE_SECONDS"] = "0"
    return env


def wrk(url: str, duration: int, script: Path | None = None) -> dict[str, float]:
    args = ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", url]
    if script:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(pct: str) -> float:
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return {"rps": rps, "p50": latency("50"), "p99": latency("99"), "errors": int(errors.group(1)) if errors else 0}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--cold", action="store_true", help="no fragment cache: every request queries and renders")
    options = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    base = services()
    seed(options.products)
    env = production_env(base, options.cold)
    run(str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    product_list = product_paths(env)
    products = lua_rotating("product", product_list)
    search_paths = [f"/cari/?q={word.replace(' ', '+')}{facet}"
                    for i, word in enumerate(SEARCH_WORDS) for facet in FACETS[i % 3::3]]
    searches = lua_rotating("search", search_paths)
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "plazabanten.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "-k", "sync",
         "--access-logfile", "/dev/null", "--error-logfile", str(WORK / "gunicorn.log")],
        cwd=ROOT, env=env, start_new_session=True)
    base_url = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base_url + "/ping", timeout=1)  # noqa: S310 (our own http URL)
                break
            except OSError:
                time.sleep(0.2)
        category = "/kategori/fashion-batik/?urut=terlaris"
        pages = [("trivial view /ping", "/ping", None, ["/ping"]), ("listing /cari/ (24)", "/cari/", None, ["/cari/"]),
                 ("listing /kategori/fashion-batik/", category, None, [category]),
                 (f"search ({len(search_paths)} URLs)", "/", searches, search_paths),
                 (f"product page ({len(product_list)} URLs)", "/", products, product_list)]
        results = []
        for label, path, script, urls in pages:
            started = time.monotonic()
            if not options.cold:
                warm(base_url, urls)
            wrk(base_url + path, 2, script)  # warm-up: connections, workers
            print(f"  warm-up {label}: {time.monotonic() - started:.1f}s", flush=True)
            results.append((label, wrk(base_url + path, options.duration, script)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    baseline = results[0][1]["rps"]
    mode = ("cold: page and fragment cache off" if options.cold
            else "page cache 30 s, every URL visited once before its run")
    print(f"\n{options.products} products, gunicorn sync -w2, wrk -t2 -c16 -d{options.duration}s, {mode}")
    print(f"{'page':38} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'vs trivial':>10} {'non-2xx':>7}")
    for label, figures in results:
        print(f"{label:38} {figures['rps']:8.0f} {figures['p50']:7.2f} {figures['p99']:7.2f} "
              f"{figures['rps'] / baseline:9.0%} {figures['errors']:7d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
