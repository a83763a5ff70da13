import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.selectors import product_storefront_queryset
from plazabanten.models import AuditLog, Notification, OutboxMessage
from tests.factories import make_product, make_user
from vendors import services
from vendors.models import Shop, ShopEvent

from .helpers import make_complete_draft, make_verifikator

pytestmark = pytest.mark.django_db
Status = Shop.Status


def _audit(shop, action):
    return AuditLog.objects.filter(target_type="vendors.shop", target_id=str(shop.pk), action=action)


def test_draft_shop_is_created_with_its_owner_as_admin():
    owner = make_user()
    shop = services.shop_create_draft(owner=owner, name="Kopi Lebak", slug="kopi-lebak")
    assert shop.status == Status.DRAFT
    assert shop.members.get().user == owner
    assert owner.has_role("shop_member")


def test_submit_refuses_an_incomplete_shop():
    owner = make_user()
    shop = services.shop_create_draft(owner=owner, name="Kopi Lebak", slug="kopi-lebak")
    with pytest.raises(services.ShopStateError, match="Lengkapi"):
        services.shop_submit(shop=shop, actor=owner)
    shop.refresh_from_db()
    assert shop.status == Status.DRAFT
    assert not OutboxMessage.objects.exists()


def test_full_path_revision_then_verify_writes_one_audit_row_and_one_message_per_decision():
    shop = make_complete_draft()
    owner, verifikator = shop.owner, make_verifikator()
    assert shop.umkm_class == "mikro"

    shop = services.shop_submit(shop=shop, actor=owner)
    assert shop.status == Status.SUBMITTED and shop.submitted_at
    shop = services.shop_request_revision(shop=shop, actor=verifikator,
                                          reasons={"nib": "NIB tidak terbaca", "bank": ""})
    assert shop.status == Status.REVISION_REQUESTED
    event = shop.events.first()
    assert event.reasons == {"nib": "NIB tidak terbaca"}  # empty reasons are dropped
    revision = _audit(shop, "shop.request_revision").get()
    assert revision.actor == verifikator
    assert revision.before == {"status": "submitted"}
    assert revision.after == {"status": "revision_requested", "reasons": {"nib": "NIB tidak terbaca"}}

    shop = services.shop_submit(shop=shop, actor=owner)
    shop = services.shop_verify(shop=shop, actor=verifikator)
    assert shop.status == Status.VERIFIED and shop.verified_at
    assert _audit(shop, "shop.verify").count() == 1
    assert list(shop.events.order_by("pk").values_list("to_status", flat=True)) == [
        "submitted", "revision_requested", "submitted", "verified"]
    subjects = list(OutboxMessage.objects.filter(recipient=owner).order_by("pk").values_list("subject", flat=True))
    assert subjects == [
        "Pendaftaran toko Batik Rangkasbitung diterima", "Toko Batik Rangkasbitung perlu perbaikan",
        "Pendaftaran toko Batik Rangkasbitung diterima", "Toko Batik Rangkasbitung terverifikasi"]
    assert not Notification.objects.exists()  # delivery waits for the commit (see test_notifications)


@pytest.mark.parametrize(("status", "action"), [
    (Status.DRAFT, "verify"), (Status.DRAFT, "reject"), (Status.DRAFT, "suspend"),
    (Status.SUBMITTED, "suspend"), (Status.SUBMITTED, "reinstate"),
    (Status.VERIFIED, "verify"), (Status.VERIFIED, "request_revision"), (Status.VERIFIED, "reject"),
    (Status.REJECTED, "verify"), (Status.REJECTED, "reinstate"),
    (Status.SUSPENDED, "verify"), (Status.REVISION_REQUESTED, "verify"),
])
def test_invalid_transitions_are_refused_and_write_nothing(status, action):
    shop = make_complete_draft()
    Shop.objects.filter(pk=shop.pk).update(status=status)
    calls = {
        "verify": lambda s, a: services.shop_verify(shop=s, actor=a),
        "reject": lambda s, a: services.shop_reject(shop=s, actor=a, reason="Data palsu"),
        "suspend": lambda s, a: services.shop_suspend(shop=s, actor=a, reason="Produk terlarang"),
        "reinstate": lambda s, a: services.shop_reinstate(shop=s, actor=a),
        "request_revision": lambda s, a: services.shop_request_revision(shop=s, actor=a, reasons={"nib": "x"}),
    }
    audits_before = AuditLog.objects.count()
    with pytest.raises(services.ShopStateError):
        calls[action](shop, make_verifikator())
    shop.refresh_from_db()
    assert shop.status == status
    assert AuditLog.objects.count() == audits_before
    assert not ShopEvent.objects.filter(shop=shop).exists()
    assert not OutboxMessage.objects.exists()


def test_only_a_verifikator_decides_and_only_the_shop_admin_submits():
    shop = make_complete_draft()
    stranger = make_user()
    with pytest.raises(PermissionDenied):
        services.shop_submit(shop=shop, actor=stranger)
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    with pytest.raises(PermissionDenied):
        services.shop_verify(shop=shop, actor=shop.owner)
    with pytest.raises(PermissionDenied):
        services.shop_verify(shop=shop, actor=stranger)


def test_reject_suspend_and_revision_need_reasons():
    shop = make_complete_draft()
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    verifikator = make_verifikator()
    with pytest.raises(ValidationError):
        services.shop_reject(shop=shop, actor=verifikator, reason="  ")
    with pytest.raises(ValidationError):
        services.shop_request_revision(shop=shop, actor=verifikator, reasons={"nib": " "})
    with pytest.raises(ValidationError):
        services.shop_request_revision(shop=shop, actor=verifikator, reasons={"favourite_colour": "merah"})
    rejected = services.shop_reject(shop=shop, actor=verifikator, reason="NIB milik usaha lain")
    assert rejected.status == Status.REJECTED
    assert _audit(shop, "shop.reject").get().reason == "NIB milik usaha lain"


def test_steps_cannot_change_a_shop_under_review():
    shop = make_complete_draft()
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    with pytest.raises(services.ShopStateError):
        services.shop_update_bank(shop=shop, actor=shop.owner, bank="bca", number="1234567890", holder_name="X")
    assert shop.bank_account.bank == "bri"


def test_suspending_takes_the_products_off_the_storefront_at_once_and_reinstating_brings_them_back():
    shop = make_complete_draft()
    verifikator = make_verifikator()
    shop = services.shop_verify(shop=services.shop_submit(shop=shop, actor=shop.owner), actor=verifikator)
    product = make_product(shop=shop)
    assert product_storefront_queryset().filter(pk=product.pk).exists()

    services.shop_suspend(shop=shop, actor=verifikator, reason="Menjual produk tanpa izin edar")
    assert not product_storefront_queryset().filter(pk=product.pk).exists()
    assert _audit(shop, "shop.suspend").get().reason == "Menjual produk tanpa izin edar"

    services.shop_reinstate(shop=shop, actor=verifikator)
    assert product_storefront_queryset().filter(pk=product.pk).exists()
    assert OutboxMessage.objects.filter(recipient=shop.owner, subject__contains="dibekukan").count() == 1
    assert OutboxMessage.objects.filter(recipient=shop.owner, subject__contains="aktif kembali").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_verifikators_deciding_at_once_make_one_decision():
    import threading

    from django.db import connection

    shop = make_complete_draft()
    shop = services.shop_submit(shop=shop, actor=shop.owner)
    first, second = make_verifikator(), make_verifikator()
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(action):
        try:
            barrier.wait()
            action()
            outcomes.append("done")
        except services.ShopStateError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(lambda: services.shop_verify(shop=shop, actor=first),)),
               threading.Thread(target=decide, args=(lambda: services.shop_reject(shop=shop, actor=second,
                                                                                  reason="Data tidak cocok"),))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "done"]
    decisions = AuditLog.objects.filter(target_id=str(shop.pk), action__in=["shop.verify", "shop.reject"])
    assert decisions.count() == 1
    shop.refresh_from_db()
    assert shop.status == {"shop.verify": Status.VERIFIED, "shop.reject": Status.REJECTED}[decisions.get().action]
    assert ShopEvent.objects.filter(shop=shop).count() == 2  # the submit and the one decision


def test_numbers_give_the_median_days_from_submit_to_decision_and_revisions_per_shop():
    from datetime import timedelta

    from vendors.selectors import verification_numbers

    verifikator = make_verifikator()
    fast, slow = make_complete_draft(), make_complete_draft()
    fast = services.shop_verify(shop=services.shop_submit(shop=fast, actor=fast.owner), actor=verifikator)
    slow = services.shop_request_revision(shop=services.shop_submit(shop=slow, actor=slow.owner), actor=verifikator,
                                          reasons={"bank": "Nama rekening beda"})
    for shop, days in ((fast, 2), (slow, 4)):
        submit, decision = shop.events.order_by("pk")
        ShopEvent.objects.filter(pk=decision.pk).update(created_at=submit.created_at + timedelta(days=days))
    numbers = verification_numbers()
    assert numbers["median_days_to_decision"] == 3.0
    assert numbers["decisions"] == 2
    assert numbers["revisions_per_shop"] == 0.5
    assert numbers["by_status"]["verified"] == 1 and numbers["by_status"]["revision_requested"] == 1
    assert numbers["by_kabkota"] == [{"name": "Kabupaten Lebak", "total": 2, "verified": 1,
                                      "revision_requested": 1}]


def test_a_suspended_shops_products_leave_the_cached_storefront_pages_at_once(
        client, django_capture_on_commit_callbacks):
    shop = make_complete_draft()
    verifikator = make_verifikator()
    shop = services.shop_verify(shop=services.shop_submit(shop=shop, actor=shop.owner), actor=verifikator)
    make_product(shop=shop, name="Kain Batik Sura Sowan")
    assert "Kain Batik Sura Sowan" in client.get("/cari/?q=batik").content.decode()  # now cached for visitors
    with django_capture_on_commit_callbacks(execute=True):
        services.shop_suspend(shop=shop, actor=verifikator, reason="Menjual produk tanpa izin edar")
    assert "Kain Batik Sura Sowan" not in client.get("/cari/?q=batik").content.decode()
