"""English: the catalog is complete, and the shopper's pages render in English with the language cookie."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

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


def po_entries(text):
    """(flags, msgid, msgstr forms) for each entry of a .po file, read with the standard library."""
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
