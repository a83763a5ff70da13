"""Documents of shops rejected or closed go after PB_DOCUMENT_RETENTION_DAYS, audited; the privacy page says what
is collected, why, for how long and whom to ask, and the footer links it."""

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from plazabanten.models import AuditLog
from privacy.tasks import shop_documents_retention
from tests.vendors.helpers import make_complete_draft, make_verifikator
from vendors import services
from vendors.models import Shop, ShopDocument, ShopEvent, ShopIdentity

pytestmark = pytest.mark.django_db


def rejected(days_ago: int) -> Shop:
    shop = make_complete_draft()
    services.shop_submit(shop=shop, actor=shop.owner)
    services.shop_reject(shop=shop, actor=make_verifikator(), reason="Dokumen palsu")
    ShopEvent.objects.filter(shop=shop, to_status=Shop.Status.REJECTED).update(
        created_at=timezone.now() - timedelta(days=days_ago))
    return Shop.objects.get(pk=shop.pk)


def test_the_beat_job_deletes_the_documents_of_shops_rejected_long_ago_and_audits_it(
        settings, django_capture_on_commit_callbacks):
    settings.PB_DOCUMENT_RETENTION_DAYS = 30
    old, recent, verified = rejected(31), rejected(29), make_complete_draft()
    paths = [d.file.storage.path(d.file.name) for d in old.documents.all()]
    with django_capture_on_commit_callbacks(execute=True):
        assert shop_documents_retention() == 3
    assert not ShopDocument.objects.filter(shop=old).exists() and not any(os.path.exists(p) for p in paths)
    assert ShopIdentity.objects.get(shop=old).owner_nik == ""
    assert ShopDocument.objects.filter(shop=recent).count() == 3  # not yet
    assert ShopDocument.objects.filter(shop=verified).count() == 3  # a live shop keeps its documents
    audit = AuditLog.objects.get(action="shop.documents_retention_deleted")
    assert audit.target_id == str(old.pk) and sorted(audit.before["documents"]) == ["ktp", "nib", "npwp"]
    assert audit.after == {"retention_days": 30}
    assert shop_documents_retention() == 0  # nothing twice


def test_the_privacy_page_in_indonesian_and_english(client, settings):
    settings.PB_DPO_EMAIL = "dpo@bantenprov.go.id"
    page = client.get(reverse("privacy:policy"))
    assert page.status_code == 200
    for words in ("Data yang kami kumpulkan", "Untuk apa", "Berapa lama", "Hubungi kami", "dpo@bantenprov.go.id",
                  "UU PDP", "365 hari"):
        assert words in page.text, words
    assert f'href="{reverse("privacy:policy")}"' in client.get(reverse("catalog:home")).text
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(reverse("privacy:policy")).text
    assert "Privacy Policy" in english and "What we collect" in english and "dpo@bantenprov.go.id" in english
