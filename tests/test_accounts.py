import re

import pytest
from django.core import mail

from accounts import roles
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_page_is_in_indonesian(client):
    html = client.get("/akun/signup/").content.decode()
    assert 'lang="id"' in html
    assert "Nama lengkap" in html and "Kata sandi" in html


def test_signup_creates_a_buyer_with_a_normalised_phone(client):
    response = client.post("/akun/signup/", {
        "email": "Siti@Example.test", "name": "Siti Aminah", "phone": "0812-3456-7890",
        "password1": "batik-tulis-2026", "password2": "batik-tulis-2026",
    })
    assert response.status_code == 302
    user = User.objects.get(email="siti@example.test")
    assert (user.name, user.phone) == ("Siti Aminah", "+6281234567890")
    assert user.has_role(roles.BUYER)
    assert len(mail.outbox) == 1  # email verification


def test_signup_with_a_bad_phone_says_why_and_saves_nothing(client):
    response = client.post("/akun/signup/", {
        "email": "budi@example.test", "name": "Budi", "phone": "+1 202 555 0100",
        "password1": "batik-tulis-2026", "password2": "batik-tulis-2026",
    })
    assert response.status_code == 200
    assert "Gunakan nomor Indonesia" in response.content.decode()
    assert not User.objects.filter(email="budi@example.test").exists()


def test_login_with_email_and_wrong_password_is_refused_in_indonesian(client):
    User.objects.create_user(email="ani@example.test", name="Ani", password="benar-sekali-1")
    wrong = client.post("/akun/login/", {"login": "ani@example.test", "password": "salah"})
    assert wrong.status_code == 200
    assert "tidak tepat" in wrong.content.decode() or "tidak benar" in wrong.content.decode()
    right = client.post("/akun/login/", {"login": "ani@example.test", "password": "benar-sekali-1"})
    assert right.status_code == 302


def test_english_can_be_chosen(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/akun/login/"})
    html = client.get("/akun/login/").content.decode()
    assert 'lang="en"' in html and "Password" in html


def test_indonesian_stays_the_default_for_an_english_browser(client):
    html = client.get("/akun/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in html and "Lupa kata sandi" in html


def test_login_is_locked_after_repeated_wrong_passwords(client):
    User.objects.create_user(email="korban@example.test", name="Korban", password="benar-sekali-1")
    pages = [client.post("/akun/login/", {"login": "korban@example.test", "password": f"salah{i}"}).content.decode()
             for i in range(6)]
    assert all("tidak benar" in page for page in pages[:5])
    assert "Terlalu banyak percobaan masuk yang gagal" in pages[5]
    locked = client.post("/akun/login/", {"login": "korban@example.test", "password": "benar-sekali-1"})
    assert locked.status_code == 200 and "_auth_user_id" not in client.session  # the right password waits too


def test_signup_is_rate_limited_per_address_and_the_refusal_saves_nothing(client):
    """allauth's default, kept on purpose: 20 sign-up attempts a minute per IP (a school or office shares one)."""
    for n in range(20):
        response = client.post("/akun/signup/", {"email": f"bot{n}@example.test", "name": "Bot", "phone": "x",
                                                 "password1": "batik-tulis-2026", "password2": "batik-tulis-2026"})
        assert response.status_code == 200  # a form error, not yet a refusal
    response = client.post("/akun/signup/", {
        "email": "orang@example.test", "name": "Orang", "phone": "081234567890",
        "password1": "batik-tulis-2026", "password2": "batik-tulis-2026"})
    assert response.status_code == 429
    assert "Terlalu banyak" in response.content.decode()
    assert not User.objects.filter(email="orang@example.test").exists()
    other = client.post("/akun/signup/", {
        "email": "orang@example.test", "name": "Orang", "phone": "081234567890",
        "password1": "batik-tulis-2026", "password2": "batik-tulis-2026"}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302  # another address is not affected


def test_signing_up_with_a_registered_email_looks_the_same_as_a_new_one_and_mails_the_owner(client):
    from tests.factories import make_user

    make_user(email="terdaftar@example.test", name="Sudah Ada")
    form = {"name": "Siapa Saja", "phone": "081234567890", "password1": "batik-tulis-2026",
            "password2": "batik-tulis-2026"}
    taken = client.post("/akun/signup/", {**form, "email": "terdaftar@example.test"}, follow=True)
    client.cookies.clear()
    new = client.post("/akun/signup/", {**form, "email": "baru@example.test"}, follow=True)
    assert taken.redirect_chain == new.redirect_chain == [("/akun/confirm-email/", 302)]
    assert taken.status_code == new.status_code == 200
    def shown(response, email):
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.text).replace(email, "X")

    assert shown(taken, "terdaftar@example.test") == shown(new, "baru@example.test")
    assert User.objects.filter(email="terdaftar@example.test").count() == 1  # nothing created, nobody signed in
    assert "_auth_user_id" not in client.session
    to_owner, to_new = mail.outbox
    assert to_owner.to == ["terdaftar@example.test"] and to_new.to == ["baru@example.test"]
    assert "/akun/password/reset/" in to_owner.body  # "you already have an account": a way back in
    assert "/akun/confirm-email/" in to_new.body


def test_the_signed_in_user_is_read_as_a_prepared_statement_and_only_while_allowed_in(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_user

    make_user(email="dewi@example.test", password="benar-sekali-1")
    assert client.post("/akun/login/", {"login": "dewi@example.test", "password": "benar-sekali-1"}).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/pesanan/").status_code == 200  # signed in: the page, not the login form
    assert any(q["sql"].startswith(("EXECUTE pb_accounts_user_", "PREPARE pb_accounts_user_"))
               for q in queries.captured_queries)
    assert not any(q["sql"].startswith("SELECT") and 'FROM "accounts_user"' in q["sql"]
                   for q in queries.captured_queries)
    User.objects.filter(email="dewi@example.test").update(is_active=False)  # a deactivated account is signed out
    assert client.get("/pesanan/").status_code == 302
    client.post("/akun/login/", {"login": "dewi@example.test", "password": "benar-sekali-1"})
    User.objects.filter(email="dewi@example.test").delete()
    assert client.get("/pesanan/").status_code == 302
