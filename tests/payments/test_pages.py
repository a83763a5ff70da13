"""The buyer's payment page, the QR image, the polling fragment, the simulator and the shop balance page."""

import pytest

from payments.models import PaymentAttempt
from tests.factories import make_user

from .conftest import notify, place_checkout, sandbox_body, sandbox_set

pytestmark = pytest.mark.django_db


def test_checkout_page_links_to_payment_and_the_page_offers_every_method(client):
    group = place_checkout()
    client.force_login(group.buyer)
    assert f'href="/bayar/{group.pk}/"' in client.get(f"/checkout/{group.pk}/").text
    number = group.orders.first().number
    assert f'href="/bayar/{group.pk}/"' in client.get(f"/pesanan/{number}/").text
    page = client.get(f"/bayar/{group.pk}/")
    assert page.status_code == 200
    for label in ("QRIS", "Virtual account BCA", "Virtual account BNI", "Virtual account BRI",
                  "Virtual account Mandiri", "Virtual account Permata", "GoPay", "ShopeePay"):
        assert label in page.text
    assert "data-deadline" in page.text


def test_choosing_qris_shows_the_qr_image_payload_and_simulator(client):
    group = place_checkout()
    client.force_login(group.buyer)
    response = client.post(f"/bayar/{group.pk}/", {"choice": "qris:"}, follow=True)
    attempt = PaymentAttempt.objects.get()
    assert attempt.qr_string in response.text
    assert f"/bayar/qr/{attempt.attempt_ref}.svg" in response.text
    assert "hx-trigger=\"every 3s\"" in response.text
    image = client.get(f"/bayar/qr/{attempt.attempt_ref}.svg")
    assert image["Content-Type"] == "image/svg+xml" and image.content.startswith(b"<svg")
    assert f"/bayar/sandbox/{attempt.attempt_ref}/" in response.text


def test_choosing_a_va_shows_the_number_and_the_same_choice_reuses_the_charge(client):
    group = place_checkout()
    client.force_login(group.buyer)
    response = client.post(f"/bayar/{group.pk}/", {"choice": "va:bri"}, follow=True)
    attempt = PaymentAttempt.objects.get()
    assert attempt.va_number.startswith("26215") and attempt.va_number in response.text
    client.post(f"/bayar/{group.pk}/", {"choice": "va:bri"})
    client.post(f"/bayar/{group.pk}/", {"choice": "ewallet:gopay"})
    assert PaymentAttempt.objects.count() == 2
    wallet = PaymentAttempt.objects.get(method="ewallet")
    assert client.get(wallet.redirect_url).status_code == 200


def test_a_bad_method_is_400_with_a_message(client):
    group = place_checkout()
    client.force_login(group.buyer)
    response = client.post(f"/bayar/{group.pk}/", {"choice": "cash:"})
    assert response.status_code == 400 and "Metode pembayaran tidak dikenal" in response.text


def test_another_buyer_sees_nothing(client):
    group = place_checkout()
    client.force_login(group.buyer)
    client.post(f"/bayar/{group.pk}/", {"choice": "qris:"})
    ref = PaymentAttempt.objects.get().attempt_ref
    client.force_login(make_user())
    for url in (f"/bayar/{group.pk}/", f"/bayar/{group.pk}/status/", f"/bayar/qr/{ref}.svg", f"/bayar/sandbox/{ref}/"):
        assert client.get(url).status_code == 404


def test_the_status_fragment_turns_paid_and_stops_polling(client, django_assert_max_num_queries):
    group = place_checkout()
    client.force_login(group.buyer)
    client.post(f"/bayar/{group.pk}/", {"choice": "qris:"})
    ref = PaymentAttempt.objects.get().attempt_ref
    assert "every 3s" in client.get(f"/bayar/{group.pk}/status/").text
    sandbox_set(ref, status="settlement")
    notify(client, sandbox_body(ref))
    with django_assert_max_num_queries(3):  # session, user, payment+group
        fragment = client.get(f"/bayar/{group.pk}/status/").text
    assert "Pembayaran diterima" in fragment and "every 3s" not in fragment
    polled = client.get(f"/bayar/{group.pk}/status/", headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"  # htmx reloads the page: no QR and no method choice any more
    page = client.get(f"/bayar/{group.pk}/").text
    assert "Pembayaran diterima" in page and "Lanjutkan" not in page and "qris" not in page


def test_the_simulator_exists_only_in_sandbox_mode(client, settings):
    group = place_checkout()
    client.force_login(group.buyer)
    client.post(f"/bayar/{group.pk}/", {"choice": "qris:"})
    ref = PaymentAttempt.objects.get().attempt_ref
    assert client.get(f"/bayar/sandbox/{ref}/").status_code == 200
    assert client.post(f"/bayar/sandbox/{ref}/", {"action": "explode"}).status_code == 400
    settings.PAYMENT_GATEWAY = "midtrans"
    assert client.get(f"/bayar/sandbox/{ref}/").status_code == 404


def test_the_simulator_calls_the_configured_base_url_whatever_host_the_request_names(client, settings, monkeypatch):
    import payments.views

    sent = []
    monkeypatch.setattr(payments.views, "simulator_act", lambda **kwargs: sent.append(kwargs["webhook_url"]))
    settings.PB_BASE_URL = "http://127.0.0.1:8123"
    group = place_checkout()
    client.force_login(group.buyer)
    client.post(f"/bayar/{group.pk}/", {"choice": "qris:"})
    ref = PaymentAttempt.objects.get().attempt_ref
    response = client.post(f"/bayar/sandbox/{ref}/", {"action": "pay"}, headers={"Host": "127.0.0.1:6379"})
    assert response.status_code == 302
    assert sent == ["http://127.0.0.1:8123/payments/webhooks/sandbox"]


def test_shop_balance_page_for_the_shops_admin_and_finance_only(client):
    group = place_checkout(prices=(20000,))
    shop = group.orders.get().shop
    url = f"/penjual/{shop.pk}/saldo/"
    client.force_login(shop.owner)
    page = client.get(url)
    assert page.status_code == 200 and "Saldo tertahan" in page.text
    assert "Isi rekening bank toko terlebih dahulu." in page.text
    assert client.post(url, {"amount": "5.000"}).status_code == 400
    assert client.post(url, {"amount": "50,5"}).status_code == 400
    assert client.post(url, {"amount": "50.000"}).status_code == 400
    client.force_login(group.buyer)
    assert client.get(url).status_code == 404


def test_finance_page_is_for_staff_and_shows_the_invariants(client):
    group = place_checkout()
    client.force_login(group.buyer)
    assert client.get("/keuangan/").status_code == 404
    client.force_login(make_user(is_staff=True))
    page = client.get("/keuangan/")
    assert page.status_code == 200 and "Semua invarian terpenuhi" in page.text
