"""English: the catalog is complete, and the shopper's pages render in English with the language cookie."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_product

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert 'lang="en"' in html, url
    return html


def test_home_page_is_in_english(english):
    make_product(name="Batik Tulis Rangkasbitung")
    html = page(english, "/")
    assert "Cart" in html and "Log in" in html and "Sign up" in html
    assert "New arrivals" in html and "See all products" in html
    assert 'placeholder="Search batik, coffee, crafts…"' in html
    assert "Baru masuk" not in html and "Lihat semua produk" not in html and ">Cari<" not in html


def test_search_page_is_in_english(english):
    make_product(name="Kopi Robusta Pandeglang")
    html = page(english, "/cari/?q=kopi")
    assert "Results for" in html and "Sort by" in html and "Most relevant" in html
    assert "Kopi Robusta Pandeglang" in html  # product names stay as the seller wrote them
    assert "Hasil untuk" not in html and "Urutkan" not in html and ">Cari<" not in html


def test_cart_page_is_in_english(english):
    html = page(english, "/keranjang/")
    assert "Your cart is empty." in html and "Start shopping" in html
    assert "Keranjang Anda masih kosong" not in html and "Mulai belanja" not in html


def test_signup_page_is_in_english(english):
    html = page(english, "/akun/signup/")
    assert "Full name" in html and "Phone number (optional)" in html and "Password" in html
    assert "Nama lengkap" not in html and "Kata sandi" not in html and ">Daftar<" not in html


def test_language_switch_sets_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/keranjang/"})
    assert response.status_code == 302
    assert "Your cart is empty." in page(client, "/keranjang/")


def po_blocks(text):
    """(flags, fields) for each entry of a .po file, read with the standard library."""
    for block in re.split(r"\n\s*\n", text.strip()):
        flags, fields, current = set(), {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        if "msgid" in fields:
            yield flags, fields


def po_entries(text):
    """(flags, msgid, msgstr forms) for each entry of a .po file."""
    for flags, fields in po_blocks(text):
        forms = [value for key, value in fields.items() if key.startswith("msgstr")]
        yield flags, fields["msgid"], forms


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = list(po_entries(PO_FILE.read_text(encoding="utf-8")))
    assert len(entries) > 500
    header = [forms for _, msgid, forms in entries if msgid == ""]
    assert header and "Language: en" in header[0][0]
    untranslated = [msgid for _, msgid, forms in entries if msgid and (not forms or not all(forms))]
    fuzzy = [msgid or "(header)" for flags, msgid, _ in entries if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


# --- every message has an English entry ------------------------------------------------------------------------

SOURCE_SKIP = (".git", ".venv", "var", "static", "tests", "bench", "locale", "node_modules", "test-artifacts",
               "__pycache__")


def test_every_message_in_the_code_has_an_english_entry(tmp_path, monkeypatch):
    """makemessages over a copy of the code (templates, Python, email texts) finds no msgid the .po lacks. The
    .po is kept by hand (a makemessages run over the repository rewrites every location line), so this is
    what notices a new or changed message without its English."""
    from django.core.management import call_command
    from django.test import override_settings

    source = Path(settings.BASE_DIR)
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.suffix in (".py", ".html", ".txt") and not set(relative.parts) & set(SOURCE_SKIP):
            (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / relative).write_bytes(path.read_bytes())
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["en"], verbosity=0)

    def keys(text):
        return {(fields.get("msgctxt"), fields["msgid"]) for _, fields in po_blocks(text) if fields["msgid"]}

    extracted = keys((tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    assert len(extracted) > 500
    assert sorted(extracted - keys(PO_FILE.read_text(encoding="utf-8")), key=str) == []


# --- the language switch, categories, badges -------------------------------------------------------------------


def language_options(html):
    select = re.search(r'<select name="language".*?</select>', html, re.S).group()
    return re.findall(r'<option value="(\w+)" lang="\w+"[^>]*>([^<]+)</option>', select)


def test_the_language_switch_names_each_language_in_itself(client, english):
    from django.test import Client

    indonesian = Client().get("/keranjang/").content.decode()
    assert language_options(indonesian) == [("id", "Bahasa Indonesia"), ("en", "English")]
    assert "Inggris" not in indonesian
    assert language_options(page(english, "/keranjang/")) == [("id", "Bahasa Indonesia"), ("en", "English")]


@pytest.fixture
def taxonomy():
    from catalog.models import Category
    from catalog.services import category_tree_ensure

    category_tree_ensure()
    return Category.objects.get(slug="makanan-minuman-minuman-kopi")


def test_categories_are_shown_in_english_on_the_home_category_and_product_pages(english, taxonomy):
    product = make_product(name="Kopi Robusta Pandeglang", category=taxonomy)
    home = page(english, "/")
    assert "Food &amp; Drinks" in home and "Handicrafts" in home
    assert "Makanan &amp; Minuman" not in home and "Kerajinan Tangan" not in home

    listing = page(english, "/kategori/makanan-minuman/")
    assert "<h1>Food &amp; Drinks</h1>" in listing and ">Drinks</a>" in listing  # heading and the facet below
    assert "<title>Food &amp; Drinks" in listing
    leaf = page(english, f"/kategori/{taxonomy.slug}/")
    assert re.search(r"Food &amp; Drinks</a> › <a [^>]*>Drinks</a> › <span aria-current=\"page\">Coffee</span>", leaf)
    assert "Minuman" not in leaf and "Kopi Robusta Pandeglang" in leaf  # product names stay as the seller wrote
    article = page(english, reverse("catalog:product", args=[product.shop.slug, product.slug]))
    assert ">Coffee</a></nav>" in article


def test_the_english_page_is_never_served_from_the_indonesian_cache_entry(taxonomy):
    """Anonymous pages (and the category tree) are cached per URL: the language cookie is part of the key."""
    from django.test import Client

    make_product(name="Kopi Robusta Pandeglang", category=taxonomy)
    for url in ("/", "/kategori/makanan-minuman/", "/cari/?q=kopi"):
        assert "Makanan &amp; Minuman" in Client().get(url).content.decode(), url  # fills the cache in Indonesian
        visitor = Client()
        visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = visitor.get(url).content.decode()
        assert "Food &amp; Drinks" in html and "Makanan &amp; Minuman" not in html, url
        assert "Makanan &amp; Minuman" in Client().get(url).content.decode(), url  # and back


def test_the_sellers_category_choices_are_in_english(english, taxonomy):
    from tests.factories import make_shop

    shop = make_shop()
    english.force_login(shop.owner)
    html = page(english, f"/penjual/{shop.pk}/produk/baru/")
    assert f'<option value="{taxonomy.pk}">Food &amp; Drinks › Drinks › Coffee</option>' in html
    assert "Makanan &amp; Minuman › Minuman › Kopi" not in html


def test_the_standard_tree_has_an_english_name_for_every_category_and_old_installs_get_them(taxonomy):
    import importlib

    from django.apps import apps

    from catalog.models import Category

    assert not Category.objects.filter(name_en="").exists()
    assert Category.objects.filter(level=1).count() == 11
    Category.objects.update(name_en="")  # an install seeded before the English names
    importlib.import_module("catalog.migrations.0010_category_name_en").english_names_fill(apps, None)
    assert Category.objects.get(slug="makanan-minuman").name_en == "Food & Drinks"
    assert not Category.objects.filter(name_en="").exists()


def test_badges_are_in_english(english):
    from tests.factories import make_shop

    shop = make_shop(kabkota="36.73")
    product = make_product(shop=shop, name="Sate Bandeng Presto", tkdn_percent=60, is_halal=True, is_banten=True,
                           rating_avg="4.8", rating_count=3, sold_count=12)
    home = page(english, "/")
    assert "Made in Banten" in home and "Local content 60%" in home and "Halal" in home and "12 sold" in home
    assert "Produk Banten" not in home and "TKDN 60%" not in home and "terjual" not in home
    listing = page(english, "/cari/")
    assert "Local content ≥ 40%" in listing and "TKDN ≥ 40%" not in listing
    article = page(english, reverse("catalog:product", args=[shop.slug, product.slug]))
    assert "3 reviews" in article and "12 sold" in article and "Local content 60%" in article


def test_government_badges_are_in_english(english):
    from accounts import roles
    from accounts.services import user_grant_role
    from tests.factories import make_shop, make_user

    shop = make_shop(umkm_class="mikro", is_pkp=False)
    make_product(shop=shop, name="Batik PDN", tkdn_percent=35, bmp_percent=10, is_banten=True)
    buyer = make_user()
    user_grant_role(user=buyer, role=roles.GOVERNMENT)
    english.force_login(buyer)
    html = page(english, "/cari/")
    for badge in ("Local content + BMP ≥ 40%", ">Small business<", ">Not VAT registered<", "Made in Banten"):
        assert badge in html, badge
    assert "TKDN+BMP ≥ 40%" not in html and ">UMK<" not in html and ">Non-PKP<" not in html
