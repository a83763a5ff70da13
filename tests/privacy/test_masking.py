"""NIKs and account numbers are masked by one helper everywhere but the verifikator's verification pages, and never
reach a log line, an email, an export or an error report."""

import io
import json
import logging
import sys
import zipfile

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import get_exception_reporter_class

from plazabanten.models import AuditLog, OutboxMessage
from plazabanten.services import outbox_deliver
from privacy.masking import PersonalDataFilter, mask_account, mask_nik, mask_text
from privacy.selectors import user_data_export
from tests.factories import make_product
from tests.vendors.helpers import make_complete_draft, make_verifikator
from vendors import services
from vendors.models import ShopBankChange

pytestmark = pytest.mark.django_db
NIK, ACCOUNT, NEW_ACCOUNT = "3602015708950001", "012301000123567", "9876543210"


def test_the_one_masking_rule():
    assert mask_nik("3603012345670001") == "3603********0001"
    assert mask_account("12345671234") == "*******1234"
    assert mask_nik("") == "" and mask_account(None) == ""
    assert mask_text("NIK 3603012345670001, rek. 0123010001235, Rp150.000, order 42") == (
        "NIK 3603********0001, rek. *********1235, Rp150.000, order 42")


def test_the_sellers_own_pages_show_them_masked_and_the_verifikator_sees_them_whole(client):
    shop = make_complete_draft()
    client.force_login(shop.owner)
    pages = {name: client.get(url).text for name, url in {
        "review": reverse("vendors:review", args=[shop.pk]),
        "identity": reverse("vendors:step", args=[shop.pk, "identity"]),
        "bank": reverse("vendors:step", args=[shop.pk, "bank"]),
        "status": reverse("vendors:status", args=[shop.pk])}.items()}
    for name, html in pages.items():
        assert NIK not in html and ACCOUNT not in html, name
    assert "3602********0001" in pages["review"] and "***********3567" in pages["review"]
    assert "3602********0001" in pages["identity"] and "***********3567" in pages["bank"]
    services.shop_submit(shop=shop, actor=shop.owner)
    verifikator = make_verifikator()
    services.shop_verify(shop=shop, actor=verifikator)
    balance = client.get(reverse("payments:shop_balance", args=[shop.pk])).text
    assert ACCOUNT not in balance and "***********3567" in balance
    client.force_login(verifikator)
    console = client.get(reverse("vendors:console_shop", args=[shop.pk])).text
    assert NIK in console and ACCOUNT in console  # the verifikator compares them with the KTP and the bank


def test_an_identity_left_empty_keeps_the_stored_nik(client):
    shop = make_complete_draft()
    client.force_login(shop.owner)
    response = client.post(reverse("vendors:step", args=[shop.pk, "identity"]), {
        "owner_name": "Siti Aminah", "owner_nik": "", "entity_type": "individual", "nib": "9120001234567",
        "npwp": "013000666091000", "capital": "50.000.000", "turnover": "300.000.000"})
    assert response.status_code == 302
    shop.identity.refresh_from_db()
    assert shop.identity.owner_nik == NIK


def test_no_email_notification_or_audit_row_carries_a_nik_or_an_account_number():
    shop = make_complete_draft()
    services.shop_submit(shop=shop, actor=shop.owner)
    verifikator = make_verifikator()
    services.shop_verify(shop=shop, actor=verifikator)
    shop.refresh_from_db()
    change = services.shop_bank_change_request(shop=shop, actor=shop.owner, bank="bni", number=NEW_ACCOUNT,
                                               holder_name="Siti Aminah")
    services.shop_bank_change_decide(change_id=change.pk, actor=verifikator, approve=True)
    assert ShopBankChange.objects.get(pk=change.pk).status == ShopBankChange.Status.APPROVED
    for message in OutboxMessage.objects.all():
        outbox_deliver(message_id=message.pk)
    assert len(mail.outbox) >= 3
    for sent in mail.outbox:
        text = sent.subject + sent.body
        assert NIK not in text and ACCOUNT not in text and NEW_ACCOUNT not in text, sent.subject
    for row in AuditLog.objects.all():
        text = json.dumps([row.before, row.after, row.reason])
        assert NIK not in text and ACCOUNT not in text and NEW_ACCOUNT not in text, row.action


def test_a_log_line_is_masked_by_the_configured_handler():
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter)
                                                                  for f in h.filters))
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        logger = logging.getLogger("vendors.services")
        logger.error("identity of %s: NIK %s", "Siti", NIK)
        try:
            raise ValueError(f"bad account {ACCOUNT}")
        except ValueError:
            logger.exception("payout failed")
    finally:
        handler.setStream(old)
    output = stream.getvalue()
    assert "3602********0001" in output and "payout failed" in output and "***********3567" in output
    assert NIK not in output and ACCOUNT not in output


def test_an_error_report_masks_post_data_local_variables_and_the_message():
    request = RequestFactory().post("/penjual/1/identity/", {"owner_nik": NIK, "number": ACCOUNT})
    owner_nik = NIK  # noqa: F841 - a local variable the report would print
    try:
        raise RuntimeError(f"duplicate key (owner_nik)=({NIK})")
    except RuntimeError:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    for report in (reporter.get_traceback_text(), reporter.get_traceback_html()):
        assert NIK not in report and ACCOUNT not in report
        assert "3602********0001" in report


def test_the_data_export_carries_them_masked():
    shop = make_complete_draft()
    archive = zipfile.ZipFile(io.BytesIO(user_data_export(user=shop.owner)))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert NIK.encode() not in everything and ACCOUNT.encode() not in everything
    shops = json.loads(archive.read("toko.json"))
    assert shops[0]["identity"]["owner_nik"] == "3602********0001"
    assert shops[0]["bank_account"]["number"] == "***********3567"


def test_the_celery_workers_own_log_handlers_mask_too():
    from celery.signals import after_setup_logger

    logger = logging.getLogger("celery-worker-under-test")
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    after_setup_logger.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="",
                            colorize=False)
    logger.error("payout to %s failed", ACCOUNT)
    assert "***********3567" in stream.getvalue() and ACCOUNT not in stream.getvalue()


def test_no_csv_or_spreadsheet_export_of_a_shop_carries_them(client):
    """Every export route of a shop (found by its URL: .csv, .xlsx, or "ekspor"), as the shop's owner."""
    from tests.privacy.test_access_log import walk

    shop = make_complete_draft()
    make_product(shop=shop, name="Kain Tenun Baduy")
    client.force_login(shop.owner)
    exports = [route for route, _pattern in walk() if route.startswith("penjual/<int:shop_id>/")
               and (route.endswith((".csv", ".xlsx")) or "ekspor" in route) and route.count("<") == 1]
    assert exports
    for route in exports:
        response = client.get("/" + route.replace("<int:shop_id>", str(shop.pk)))
        assert response.status_code == 200, route
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert NIK.encode() not in body and ACCOUNT.encode() not in body, route
