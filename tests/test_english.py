"""English: the catalog is complete, and the shopper's pages render in English with the language cookie."""

import ast
import os
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
    for folder, subfolders, files in os.walk(source):
        subfolders[:] = [name for name in subfolders if name not in SOURCE_SKIP]
        for name in files:
            if name.endswith((".py", ".html", ".txt")):
                path = Path(folder) / name
                (tmp_path / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / path.relative_to(source)).write_bytes(path.read_bytes())
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


# --- order history, invoice and credit note ------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text operators of a PDF from fpdf2 (core fonts: Latin-1 strings in zlib-compressed page streams)."""
    import zlib

    assert data.startswith(b"%PDF")
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    return b"".join(chunks).decode("latin-1")


@pytest.fixture
def shipped_order(client):
    """A courier order paid through the sandbox gateway (the system's note), then accepted and shipped by a
    seller whose pages are in English (the note is still stored in Indonesian)."""
    from django.utils import translation

    from orders.models import Order
    from tests.factories import make_user, order_walk
    from tests.orders.test_checkout import buy
    from tests.payments.test_money_back import pay

    group = buy(make_user(), make_product(name="Kopi Robusta Pandeglang", price=85000).variants.get(),
                method="jne:REG")
    pay(client, group)
    with translation.override("en"):
        return order_walk(group.orders.get(), Order.Status.SHIPPED, resi="JP1234567890")


def test_the_order_timeline_is_in_the_readers_language(english, shipped_order):
    from django.test import Client

    order = shipped_order
    assert list(order.events.values_list("note", flat=True)) == [
        "", "Pembayaran diterima.", "", "Dikirim dengan JNE, resi JP1234567890."]  # stored as written, in Indonesian
    english.force_login(order.buyer)
    html = page(english, f"/pesanan/{order.number}/")
    timeline = re.search(r'<ol class="timeline">.*?</ol>', html, re.S).group()
    for text in ("Awaiting payment", "Paid", "Payment received.", "Shipped",
                 "Shipped with JNE, tracking number JP1234567890."):
        assert text in timeline, text
    assert "Pembayaran diterima" not in timeline and "Dikirim" not in timeline and "Dibayar" not in timeline

    indonesian = Client()
    indonesian.force_login(order.shop.owner)
    html = indonesian.get(f"/penjual/{order.shop_id}/pesanan/{order.number}/").content.decode()
    assert "Pembayaran diterima." in html and "Dikirim dengan JNE, resi JP1234567890." in html


def test_a_persons_own_words_stay_as_written_and_old_system_notes_become_translatable(english, shipped_order):
    import importlib

    from django.apps import apps

    from orders.models import OrderEvent

    order = shipped_order
    OrderEvent.objects.filter(order=order).update(message="", message_args={})  # as events were before 0010
    OrderEvent.objects.create(order=order, to_status=order.status, note="Barang dikirim sore ini, Bu.")
    importlib.import_module("orders.migrations.0010_orderevent_message").fixed_notes_translatable(apps, None)
    english.force_login(order.buyer)
    html = page(english, f"/pesanan/{order.number}/")
    assert "Payment received." in html and "Barang dikirim sore ini, Bu." in html
    assert "Dikirim dengan JNE, resi JP1234567890." in html  # a note with arguments stays as it was written


def test_the_invoice_page_and_pdf_are_in_english(english, shipped_order):
    order = shipped_order
    english.force_login(order.buyer)
    html = page(english, f"/pesanan/{order.number}/invoice/")
    assert "Seller" in html and "Buyer" in html and "In words" in html and "Terbilang" not in html
    response = english.get(f"/pesanan/{order.number}/invoice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for label in ("(Seller)", "(Buyer)", "(Item)", "(Quantity)", "(Price)", "(Total)",
                  f"(Number: {order.invoice_number})", f"(Order: {order.number}   Date: ", "(Shipping \\(",
                  "(In words: "):
        assert label in text, label
    assert "rupiah" in text  # the amount in words stays Indonesian, under an English label
    assert "(PAID)" in text and "(Paid: " in text and "   Payment method: QRIS)" in text
    for indonesian in ("(Penjual)", "(Pembeli)", "(Barang)", "Terbilang", "Ongkos kirim", "Nomor:", "LUNAS",
                       "Metode pembayaran"):
        assert indonesian not in text, indonesian

    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    indonesian_pdf = pdf_text(english.get(f"/pesanan/{order.number}/invoice.pdf").content)
    assert "(Penjual)" in indonesian_pdf and "Terbilang: " in indonesian_pdf and "(LUNAS)" in indonesian_pdf


def test_the_credit_note_pdf_is_in_english(english, shipped_order, django_capture_on_commit_callbacks):
    from orders.lifecycle import order_transition
    from orders.models import Order
    from payments.models import CreditNote
    from payments.services import refund_request

    order = Order.objects.get(pk=shipped_order.pk)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.ACCEPTED)  # rejected before it left the shop
    order_transition(order_id=order.pk, to_status=Order.Status.CANCELLED, actor=order.shop.owner, note="Stok habis")
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(order_id=order.pk, reason="Stok habis")
    note = CreditNote.objects.get(order=order)
    english.force_login(order.buyer)
    text = pdf_text(english.get(f"/nota-kredit/{note.pk}.pdf").content)
    for label in ("(CREDIT NOTE)", f"(For invoice: {order.invoice_number}   Order: {order.number})",
                  "Reason: Stok habis", f"(Refund for the items of order {order.number})", "(Shipping refund \\("):
        assert label in text, label
    assert "NOTA KREDIT" not in text and "Pengembalian" not in text


def test_a_pickup_order_bought_in_indonesian_is_named_in_english_on_its_pages_and_invoice(english):
    from django.utils import translation

    from orders.lifecycle import order_transition
    from orders.models import Order
    from tests.factories import make_user
    from tests.orders.test_checkout import buy

    with translation.override("id"):
        order = buy(make_user(), make_product(price=20000).variants.get(), method="pickup").orders.get()
    assert order.shipping_label == "Ambil di toko"  # written in the buyer's language at checkout
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)
    order.refresh_from_db()
    english.force_login(order.buyer)
    for url in (f"/pesanan/{order.number}/", f"/pesanan/{order.number}/invoice/"):
        html = page(english, url)
        assert "Pick up at shop" in html and "Ambil di toko" not in html, url
    assert "(Shipping \\(Pick up at shop\\))" in pdf_text(english.get(f"/pesanan/{order.number}/invoice.pdf").content)
