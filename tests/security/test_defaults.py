"""What a newcomer runs is safe: DEBUG off, our own error pages, a secret key nobody else has."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

ROOT = Path(__file__).resolve().parent.parent.parent


def local_settings(var_dir: Path, **env) -> dict:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(DJANGO_SETTINGS_MODULE="plazabanten.settings.local", PB_VAR_DIR=str(var_dir),
                       DATABASE_URL="postgres://x@127.0.0.1:1/x", REDIS_URL="redis://127.0.0.1:1/0", **env)
    code = ("import json; from django.conf import settings as s; "
            "print(json.dumps({'DEBUG': s.DEBUG, 'SECRET_KEY': s.SECRET_KEY}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                            timeout=60, check=True)
    return json.loads(result.stdout)


def test_local_settings_run_with_debug_off_unless_asked(tmp_path):
    assert local_settings(tmp_path)["DEBUG"] is False
    assert local_settings(tmp_path, DEBUG="true")["DEBUG"] is True


def test_local_secret_key_is_generated_into_var_once_and_kept(tmp_path):
    first = local_settings(tmp_path)["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first and len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert local_settings(tmp_path)["SECRET_KEY"] == first  # the sessions survive a restart
    assert local_settings(tmp_path / "elsewhere")["SECRET_KEY"] != first  # every checkout its own
    assert "django-insecure" not in (ROOT / "plazabanten" / "settings" / "local.py").read_text()


@pytest.mark.django_db
def test_an_unknown_url_shows_our_404_page_and_no_url_list(client, settings):
    settings.DEBUG = False
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text and "Kembali ke beranda" in response.text
    assert 'class="brand"' in response.text  # in the layout
    assert "URLconf" not in response.text and "The current path" not in response.text


def test_the_500_page_is_in_the_layout_and_needs_no_database():
    from plazabanten.views import server_error

    response = server_error(RequestFactory().get("/"))  # no django_db mark: a query would raise here
    assert response.status_code == 500
    text = response.content.decode()
    assert "Maaf, terjadi kesalahan" in text and 'class="brand"' in text


@pytest.mark.django_db
def test_a_view_that_fails_answers_our_500_page_without_the_settings(client, settings):
    settings.ROOT_URLCONF = "tests.security.failing_urls"
    client.raise_request_exception = False
    response = client.get("/rusak/")
    assert response.status_code == 500
    assert "Maaf, terjadi kesalahan" in response.text
    assert "SECRET_KEY" not in response.text and "Traceback" not in response.text


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_our_page_not_djangos():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/akun/login/", {"login": "a@example.test", "password": "x"})
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.content.decode() and "CSRF" not in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_404_page_on_a_phone(live_server, page, screenshot):
    from playwright.sync_api import expect

    from tests.browser import fits_the_phone

    response = page.goto(f"{live_server.url}/p/tidak-ada/produk-hilang/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")
    expect(page.get_by_role("link", name="Kembali ke beranda")).to_be_visible()
    fits_the_phone(page)
    screenshot("404")
