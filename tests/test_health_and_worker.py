import pytest
from django.db import transaction

from plazabanten.models import Notification
from plazabanten.services import outbox_enqueue
from tests.factories import make_user


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"db": "ok", "redis": "ok", "worker": "fail", "backup": "stale"}


def test_healthz_is_200_with_a_running_worker(client, celery_worker):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "redis": "ok", "worker": "ok", "backup": "stale"}


def test_real_worker_delivers_an_outbox_message_after_commit(celery_worker, wait_until, mailoutbox):
    user = make_user(email="penjual@example.test")
    with transaction.atomic():
        outbox_enqueue(recipient=user, subject="Toko Anda terverifikasi", body="Selamat berjualan!")
        assert not Notification.objects.filter(user=user).exists()  # nothing leaves before commit
    delivered = wait_until(lambda: Notification.objects.filter(user=user).first())
    assert delivered is not None and delivered.subject == "Toko Anda terverifikasi"
    assert delivered.outbox.delivered_at is not None
    assert [m.subject for m in mailoutbox] == ["Toko Anda terverifikasi"]


@pytest.mark.django_db
def test_outbox_delivery_is_idempotent():
    from plazabanten.services import outbox_deliver

    user = make_user()
    message = outbox_enqueue(recipient=user, subject="Pesanan baru", body="Ada pesanan baru.")
    assert outbox_deliver(message_id=message.pk) is True
    assert outbox_deliver(message_id=message.pk) is False
    assert Notification.objects.filter(user=user).count() == 1
