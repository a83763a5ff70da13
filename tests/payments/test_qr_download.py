""""Simpan QR": the QRIS code as a PNG download for a buyer paying from the same phone; the countdown stops once
paid."""

import io

import pytest
import segno
from PIL import Image

from payments.models import PaymentAttempt
from tests.factories import make_user

from .conftest import notify, place_checkout, sandbox_body, sandbox_set

pytestmark = pytest.mark.django_db


def start_qris(client):
    group = place_checkout()
    client.force_login(group.buyer)
    client.post(f"/bayar/{group.pk}/", {"choice": "qris:"})
    return group, PaymentAttempt.objects.get()


def test_simpan_qr_downloads_the_qris_code_as_a_png(client):
    group, attempt = start_qris(client)
    page = client.get(f"/bayar/{group.pk}/?ref={attempt.attempt_ref}").text
    assert f'href="/bayar/qr/{attempt.attempt_ref}.png" download>Simpan QR</a>' in page
    response = client.get(f"/bayar/qr/{attempt.attempt_ref}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="QRIS-Plaza-Banten-{attempt.attempt_ref}.png"'
    image = Image.open(io.BytesIO(response.content))
    modules = segno.make(attempt.qr_string, error="m", micro=False).symbol_size(scale=10, border=4)
    assert image.format == "PNG" and image.size == modules  # the charge's own payload, with a quiet zone


def test_only_the_buyer_may_download_the_png(client):
    _group, attempt = start_qris(client)
    url = f"/bayar/qr/{attempt.attempt_ref}.png"
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert client.get("/bayar/qr/PB999999-1.png").status_code == 302


def test_a_va_charge_has_no_qr_to_download(client):
    group = place_checkout()
    client.force_login(group.buyer)
    client.post(f"/bayar/{group.pk}/", {"choice": "va:bca"})
    attempt = PaymentAttempt.objects.get()
    assert client.get(f"/bayar/qr/{attempt.attempt_ref}.png").status_code == 404
    assert "Simpan QR" not in client.get(f"/bayar/{group.pk}/").text


def test_once_paid_the_page_says_lunas_and_has_no_countdown(client):
    group, attempt = start_qris(client)
    assert 'class="countdown" data-deadline=' in client.get(f"/bayar/{group.pk}/").text
    sandbox_set(attempt.attempt_ref, status="settlement")
    notify(client, sandbox_body(attempt.attempt_ref))
    page = client.get(f"/bayar/{group.pk}/").text
    assert '<strong class="pay-done">Lunas</strong>' in page
    assert "data-deadline" not in page and "Simpan QR" not in page
