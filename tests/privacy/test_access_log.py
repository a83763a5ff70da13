"""Every view or download of a private document writes an access-log row in the same request: who, when, which,
why. The routes are discovered, so a new document route without the log fails here. The owner sees who looked;
the Pemprov searches the log."""

import inspect
import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from privacy.models import DocumentAccess
from procurement.models import Paket
from tests.factories import make_user
from tests.procurement.helpers import Team
from tests.vendors.helpers import make_complete_draft, make_verifikator, upload
from vendors import services
from vendors.models import Shop, ShopMember

pytestmark = pytest.mark.django_db
P = DocumentAccess.Purpose
_CALL = re.compile(r"\b([A-Za-z_]\w*)\(")
PROJECT = ("vendors.", "procurement.", "orders.", "payments.", "catalog.", "accounts.", "privacy.", "plazabanten.",
           "regions.")


def walk(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _innermost(function):
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return function


def serves_stored_file(function, seen=None) -> bool:
    """Does this view (or a helper of ours it calls) stream a stored file? FileResponse is how a file goes out."""
    seen = seen if seen is not None else set()
    function = _innermost(function)
    if function in seen or not inspect.isfunction(function):
        return False
    seen.add(function)
    source = inspect.getsource(function)
    if "FileResponse(" in source or ".open(\"rb\")" in source:
        return True
    for name in set(_CALL.findall(source)):
        called = function.__globals__.get(name)
        if inspect.isfunction(called) and called.__module__.startswith(PROJECT) and serves_stored_file(called, seen):
            return True
    return False


def test_the_discovery_recognises_a_file_view_and_ignores_a_page():
    from catalog.views import home
    from vendors.views import document_file

    assert serves_stored_file(document_file) and not serves_stored_file(home)


class World:
    def __init__(self):
        self.shop = make_complete_draft(name="Batik Privasi")
        Shop.objects.filter(pk=self.shop.pk).update(status=Shop.Status.VERIFIED)
        self.owner = self.shop.owner
        self.ktp = self.shop.documents.get(kind="ktp")
        self.verifikator = make_verifikator(name="Vera Verifikator")
        self.team = Team(shop=self.shop)
        self.paket = self.team.walk(self.team.paket(quantity=2), Paket.Status.SP_TERBIT)
        self.sp = self.paket.documents.get()
        self.opd = self.team.opd
        self.sppkp = services.shop_tax_declare(shop=self.shop, actor=self.owner, kind="pkp", upload=upload(
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf", "pdf", "sppkp"))


# Each private-document route: who asks, the path, the purpose and the document the row must name.
REQUESTS = {
    "vendors:document": lambda w: (w.verifikator, reverse("vendors:document", args=[w.shop.pk, w.ktp.pk])
                                   + "?tujuan=verifikasi", P.VERIFICATION, w.ktp),
    "procurement:opd_sk": lambda w: (w.team.admin, reverse("procurement:opd_sk"), P.OWNER, w.opd),
    "procurement:console_opd_sk": lambda w: (w.verifikator, reverse("procurement:console_opd_sk", args=[w.opd.pk]),
                                             P.VERIFICATION, w.opd),
    "procurement:document": lambda w: (w.team.ppk, reverse("procurement:document", args=[w.paket.pk, w.sp.pk]),
                                       P.PROCUREMENT, w.sp),
    "procurement:shop_document": lambda w: (w.owner, reverse("procurement:shop_document",
                                                             args=[w.shop.pk, w.paket.pk, w.sp.pk]),
                                            P.PROCUREMENT, w.sp),
    "vendors:tax_declaration_file": lambda w: (w.verifikator, reverse("vendors:tax_declaration_file",
                                                                      args=[w.sppkp.pk]), P.VERIFICATION, w.sppkp),
}


def document_routes() -> dict[str, URLPattern]:
    found = {}
    for route, pattern in walk():
        if route.startswith(("admin/", "media/", "static/")) or not serves_stored_file(pattern.callback):
            continue
        namespace = pattern.callback.__module__.split(".")[0]
        found[f"{namespace}:{pattern.name}"] = pattern
    return found


def test_every_route_that_streams_a_stored_file_is_a_logged_private_document_route():
    routes = document_routes()
    assert len(routes) >= 5
    unmarked = [name for name, pattern in routes.items() if not getattr(pattern.callback, "private_document", False)]
    assert not unmarked, f"serve a stored file without privacy.documents.private_document_view: {unmarked}"
    untested = sorted(set(routes) - set(REQUESTS))
    assert not untested, f"add these routes to REQUESTS so their access-log row is checked: {untested}"


def test_each_private_document_route_writes_one_row_in_the_same_request(client):
    world = World()
    for name in document_routes():
        user, path, purpose, document = REQUESTS[name](world)
        client.force_login(user)
        before = DocumentAccess.objects.count()
        response = client.get(path, headers={"referer": "http://testserver/verifikasi/1/"})
        assert response.status_code == 200, (name, response.status_code)
        assert b"".join(response.streaming_content)  # the file itself went out
        assert DocumentAccess.objects.count() == before + 1, name
        row = DocumentAccess.objects.latest("pk")
        assert (row.accessor, row.purpose, row.document_type, row.document_id) == (
            user, purpose, document._meta.label_lower, str(document.pk)), name
        assert row.source == "/verifikasi/1/" and timezone.now() - row.accessed_at < timedelta(minutes=1)


def test_a_refused_request_writes_no_row_and_the_purpose_is_not_the_callers_to_choose(client):
    world = World()
    stranger = make_user()
    client.force_login(stranger)
    assert client.get(reverse("vendors:document", args=[world.shop.pk, world.ktp.pk])).status_code == 404
    assert not DocumentAccess.objects.exists()
    # The owner cannot log their own look as a verification, nor a foreign Referer as where they came from.
    client.force_login(world.owner)
    path = reverse("vendors:document", args=[world.shop.pk, world.ktp.pk])
    assert client.get(path + "?tujuan=verifikasi", headers={"referer": "https://evil.example/x"}).status_code == 200
    row = DocumentAccess.objects.get()
    assert (row.purpose, row.source, row.owner, row.shop) == (P.OWNER, "", world.owner, world.shop)


def test_the_bank_change_queue_links_the_ktp_for_a_bank_check(client):
    world = World()
    services.shop_bank_change_request(shop=world.shop, actor=world.owner, bank="bni", number="9876543210",
                                      holder_name="Siti Aminah")
    client.force_login(world.verifikator)
    queue = client.get(reverse("vendors:console_bank_changes")).text
    link = reverse("vendors:document", args=[world.shop.pk, world.ktp.pk]) + "?tujuan=rekening"
    assert f'href="{link}"' in queue
    assert client.get(link).status_code == 200
    assert DocumentAccess.objects.get().purpose == P.BANK_CHECK


def test_the_owner_sees_who_looked_at_their_documents_and_nobody_else_does(client):
    world = World()
    client.force_login(world.verifikator)
    client.get(reverse("vendors:document", args=[world.shop.pk, world.ktp.pk]))
    client.get(reverse("procurement:console_opd_sk", args=[world.opd.pk]))
    client.force_login(world.owner)
    page = client.get(reverse("privacy:my_accesses")).text
    assert "Vera Verifikator" in page and "Foto KTP pemilik" in page and "Verifikasi identitas oleh Pemprov" in page
    assert "Surat Tugas / SK" not in page  # the OPD's SK is the OPD's business, not the seller's
    client.force_login(world.team.admin)
    page = client.get(reverse("privacy:my_accesses")).text
    assert "Surat Tugas / SK penunjukan" in page and "Foto KTP" not in page
    operations = make_user()  # a shop member without the identity capability sees no identity log
    ShopMember.objects.create(shop=world.shop, user=operations, role=ShopMember.Role.OPERATIONS)
    client.force_login(operations)
    assert "Vera Verifikator" not in client.get(reverse("privacy:my_accesses")).text


def test_the_pemprov_searches_the_log_by_who_whose_and_date(client):
    world = World()
    client.force_login(world.verifikator)
    client.get(reverse("vendors:document", args=[world.shop.pk, world.ktp.pk]))
    client.force_login(world.owner)
    client.get(reverse("vendors:document", args=[world.shop.pk, world.ktp.pk]))
    DocumentAccess.objects.filter(accessor=world.owner).update(accessed_at=timezone.now() - timedelta(days=40))
    url = reverse("privacy:console_accesses")
    assert client.get(url).status_code == 403  # the owner is not the Pemprov
    client.force_login(world.verifikator)
    everything = client.get(url)
    assert everything.status_code == 200 and "2 catatan" in everything.text
    by_who = client.get(url, {"accessor": "vera"}).text
    assert "1 catatan" in by_who and "Vera Verifikator" in by_who
    by_whose = client.get(url, {"owner": "Batik Privasi"}).text
    assert "2 catatan" in by_whose
    recent = client.get(url, {"date_from": (timezone.localdate() - timedelta(days=7)).isoformat()}).text
    assert "1 catatan" in recent
    assert client.get(url, {"date_from": "kemarin"}).status_code == 400
