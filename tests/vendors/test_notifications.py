from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker

from plazabanten.models import Notification, OutboxMessage
from plazabanten.tasks import outbox_deliver_pending
from vendors import services

from .helpers import make_complete_draft, make_verifikator

# Transactional: the worker thread must see committed rows (and the region codes are loaded again).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_worker(celery_eager, transactional_db):
    """Tasks go to the real Redis broker, but no worker is running: as after a worker crash."""
    celery_eager.conf.task_always_eager = False
    celery_eager.control.purge()
    yield celery_eager
    celery_eager.control.purge()
    celery_eager.conf.task_always_eager = True


def test_verification_notice_survives_a_crashed_worker_and_is_delivered_later(no_worker, wait_until, mailoutbox):
    shop = make_complete_draft()
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    services.shop_verify(shop=shop, actor=make_verifikator())

    # The worker that should have taken the delivery task died with it: the queued tasks are gone.
    no_worker.control.purge()
    verified = OutboxMessage.objects.get(recipient=shop.owner, subject__contains="terverifikasi")
    assert verified.delivered_at is None
    assert not Notification.objects.filter(user=shop.owner).exists()

    # The beat job picks up what is still pending once it is older than its grace period.
    OutboxMessage.objects.filter(pk=verified.pk).update(created_at=verified.created_at - timedelta(minutes=5))
    with start_worker(no_worker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        outbox_deliver_pending.delay()
        delivered = wait_until(lambda: Notification.objects.filter(outbox=verified).first())
    assert delivered is not None
    assert delivered.subject == "Toko Batik Rangkasbitung terverifikasi"
    assert "Toko Batik Rangkasbitung terverifikasi" in [message.subject for message in mailoutbox]


def test_a_running_worker_delivers_the_revision_request_with_its_reasons(celery_worker, wait_until, mailoutbox):
    shop = make_complete_draft()
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    services.shop_request_revision(shop=shop, actor=make_verifikator(), reasons={"doc_ktp": "Foto KTP buram"})
    notice = wait_until(lambda: Notification.objects.filter(user=shop.owner, subject__contains="perbaikan").first())
    assert notice is not None
    assert "Foto KTP: Foto KTP buram" in notice.body
    assert notice.url == f"/penjual/{shop.pk}/status/"
