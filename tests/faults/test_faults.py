"""Fault suite: Redis stopped, a Celery worker killed mid-task, Postgres restarted; each on a throwaway server."""

import os
import signal
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import ProductImage
from catalog.services import product_image_add
from orders.models import Order
from orders.services import order_transition
from plazabanten.models import Notification, OutboxMessage
from plazabanten.services import outbox_enqueue
from tests.catalog.test_photos import jpeg_bytes
from tests.factories import make_product, make_user
from tests.orders.test_checkout import buy


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_pages_and_checkout_work_and_the_backlog_catches_up_when_it_returns(
        client, throwaway_redis, app_on_redis, start_worker, wait_until):
    from catalog.tasks import product_images_render_pending
    from plazabanten.tasks import outbox_deliver_pending

    product = make_product(name="Batik Cipta Rasa", price=85000)
    variant = product.variants.first()
    buyer = make_user(email="pembeli@example.com")
    client.force_login(buyer)
    throwaway_redis.stop()

    pages = [reverse("catalog:home"), reverse("catalog:search") + "?q=batik",
             reverse("catalog:product", args=[product.shop.slug, product.slug]), reverse("orders:cart")]
    assert [client.get(url).status_code for url in pages] == [200] * 4
    group = buy(buyer, variant, key="redis-down")
    order = Order.objects.get(group=group)
    order_transition(order_id=order.pk, to_status=Order.Status.PAID)  # notifies buyer and shop
    image = product_image_add(product=product, upload=SimpleUploadedFile("down.jpg", jpeg_bytes()))
    assert client.get(reverse("orders:cart")).status_code == 200

    messages = OutboxMessage.objects.filter(recipient__in=[buyer, product.shop.owner])
    assert messages.count() == 2 and not messages.filter(delivered_at__isnull=False).exists()
    assert ProductImage.objects.get(pk=image.pk).status == ProductImage.Status.PENDING

    throwaway_redis.start()
    # The beat jobs leave fresh rows to their own on_commit enqueue; these rows are older than that by now.
    long_ago = timezone.now() - timedelta(minutes=10)
    messages.update(created_at=long_ago)
    ProductImage.objects.filter(pk=image.pk).update(created_at=long_ago)
    start_worker()
    outbox_deliver_pending.delay()  # what celery beat sends every minute
    product_images_render_pending.delay()
    assert wait_until(lambda: Notification.objects.filter(outbox__in=messages).count() == 2, timeout=60)
    assert wait_until(lambda: ProductImage.objects.get(pk=image.pk).status == ProductImage.Status.READY, timeout=60)
    assert not messages.filter(delivered_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_delivering_a_notification_leaves_it_to_the_next_worker(
        throwaway_redis, app_on_redis, start_worker, tmp_path, wait_until):
    """The whole worker (not just a pool child, see tests/catalog/test_photos.py) dies with SIGKILL mid-delivery.

    acks_late keeps the message unacknowledged on the broker; a new worker restores it once the visibility
    timeout has passed (shortened here from the hour in settings) and delivers it exactly once.
    """
    gate = tmp_path / "mail-gate"
    buyer = make_user(email="pembeli@example.com")
    with transaction.atomic():
        message = outbox_enqueue(recipient=buyer, subject="Pesanan dibayar", body="Terima kasih.")
    first = start_worker(PB_FAULTS_MAIL_GATE=str(gate))
    assert wait_until(gate.with_suffix(".started").exists, timeout=60)  # blocked inside send_mail
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    message.refresh_from_db()
    assert message.delivered_at is None and not Notification.objects.filter(outbox=message).exists()
    gate.touch()
    start_worker(PB_FAULTS_MAIL_GATE=str(gate), PB_FAULTS_VISIBILITY_TIMEOUT="2")
    assert wait_until(lambda: Notification.objects.filter(outbox=message).exists(), timeout=60)
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert Notification.objects.filter(outbox=message).count() == 1


ALIAS = "faults_pg"


def test_after_a_postgres_restart_the_next_request_reconnects_by_itself(throwaway_postgres, django_db_blocker):
    """A second database alias on a throwaway cluster (the test database stays up for the rest of the suite),
    with the production connection settings: persistent connections and health checks."""
    template = connections["default"].settings_dict
    connections.settings[ALIAS] = {**template, "HOST": "127.0.0.1", "PORT": str(throwaway_postgres.port),
                                   "NAME": "postgres", "USER": "postgres", "PASSWORD": "",
                                   "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True, "TEST": {}}
    connection = connections[ALIAS]

    def backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    try:
        with django_db_blocker.unblock():
            request_started.send(sender=WSGIHandler)
            before = backend_pid()
            request_started.send(sender=WSGIHandler)
            assert backend_pid() == before  # persistent: the same server process across requests

            throwaway_postgres.stop()
            throwaway_postgres.start()
            assert not connection.is_usable()  # the kept connection died with the server

            request_started.send(sender=WSGIHandler)  # what every request does first (close_old_connections)
            assert backend_pid() != before
    finally:
        connection.close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
