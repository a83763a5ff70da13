"""The Django admin has no login of its own: allauth's login, with its lockout, guards it."""

import pytest

from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_admin_login_sends_people_to_the_one_login_page(client):
    response = client.get("/admin/login/?next=/admin/orders/")
    assert response.status_code == 302 and response["Location"] == "/akun/login/?next=/admin/orders/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    evil = client.get("/admin/login/?next=https://evil.example/")
    assert evil["Location"] == "/akun/login/?next=/admin/"


def test_a_password_posted_to_the_admin_login_signs_nobody_in(client):
    staff = make_user(is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/akun/login/")
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_through_allauth_and_reach_the_admin(client):
    staff = make_user(is_staff=True, is_superuser=True)
    client.post("/akun/login/?next=/admin/", {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/admin/"


def test_a_signed_in_buyer_gets_a_403_at_the_admin_login_not_a_redirect_loop(client):
    client.force_login(make_user())
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_thirty_wrong_admin_passwords_lock_the_account_even_for_the_right_one(client):
    staff = make_user(is_staff=True, is_superuser=True)
    refused = [client.post("/akun/login/", {"login": staff.email, "password": f"tebakan-{n}"}) for n in range(30)]
    assert "Terlalu banyak percobaan masuk yang gagal" in refused[-1].text
    client.post("/akun/login/?next=/admin/", {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
