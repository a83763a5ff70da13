"""OPD registration with the SK, verification with per-field reasons, invitations (verified email, one OPD per
person), and the pages: another OPD's package is a 404, actions by the table, bad input without a 500."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.db.utils import IntegrityError

from accounts import roles
from accounts.services import user_grant_role
from orders.models import CartLine
from plazabanten.models import AuditLog, OutboxMessage
from procurement import services
from procurement.lifecycle import PaketTransitionError
from procurement.models import Opd, OpdEvent, OpdInvitation, OpdMember, Paket, PaketSignature, Role
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.procurement.helpers import PDF, Team, add_member, make_opd

S = Paket.Status


def opd_post(**changes):
    data = {"pemda": "36.73", "name": "Dinas Pendidikan Kota Serang", "kode_satker": "1.01.0.00.0.00.01.0000",
            "address": "Jl. Jenderal Sudirman No. 5, Serang", "npwp_bendahara": "01.300.066.6-091.000",
            "sk": SimpleUploadedFile("sk penunjukan.pdf", PDF, content_type="application/pdf")}
    data.update(changes)
    return data


# --- OPD ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_registers_an_opd_with_the_sk_and_the_verifikator_asks_for_a_fix_then_verifies(client):
    admin = make_user()
    client.force_login(admin)
    response = client.post("/pengadaan/daftar/", opd_post())
    assert response.status_code == 302, [line for line in response.content.decode().splitlines() if "error" in line]
    opd = Opd.objects.get()
    assert opd.status == Opd.Status.SUBMITTED and opd.sk_file.name.startswith("procurement/opd/")
    assert opd.sk_original_name == "sk_penunjukan.pdf"
    assert OpdMember.objects.get(user=admin).roles == [Role.ADMIN]
    assert admin.has_role(roles.GOVERNMENT)
    assert client.get("/pengadaan/satker/sk/").status_code == 200

    verifikator = make_user()
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)
    client.force_login(verifikator)
    assert client.get(f"/verifikasi/opd/{opd.pk}/sk/").status_code == 200
    response = client.post(f"/verifikasi/opd/{opd.pk}/", {"decision": "reject"})
    assert response.status_code == 400 and "minimal satu" in response.content.decode()
    response = client.post(f"/verifikasi/opd/{opd.pk}/", {"decision": "reject",
                                                          "reason_kode_satker": "Tidak sama dengan SK"})
    assert response.status_code == 302
    opd.refresh_from_db()
    assert opd.status == Opd.Status.REJECTED
    assert OpdEvent.objects.filter(opd=opd).last().reasons == {"kode_satker": "Tidak sama dengan SK"}
    assert AuditLog.objects.filter(action="opd.reject", target_id=str(opd.pk)).exists()

    client.force_login(admin)
    page = client.get("/pengadaan/satker/").content.decode()
    assert "Tidak sama dengan SK" in page
    response = client.post("/pengadaan/satker/", {**opd_post(kode_satker="1.01.0.00.0.00.02.0000"), "form": "fix",
                                                  "sk": ""})
    assert response.status_code == 302
    client.force_login(verifikator)
    assert client.post(f"/verifikasi/opd/{opd.pk}/", {"decision": "verify"}).status_code == 302
    opd.refresh_from_db()
    assert opd.status == Opd.Status.VERIFIED and opd.kode_satker == "1.01.0.00.0.00.02.0000"


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "message"), [
    ({"pemda": "32.73"}, "Pilih Pemerintah Provinsi Banten atau salah satu kabupaten/kota di Banten."),
    ({"npwp_bendahara": "12345"}, "NPWP harus 15 angka"),
    ({"sk": SimpleUploadedFile("sk.pdf", b"not a pdf", content_type="application/pdf")}, "JPEG/PNG atau PDF"),
])
def test_bad_opd_registration_input_is_a_400_with_a_message_and_nothing_written(client, change, message):
    client.force_login(make_user())
    response = client.post("/pengadaan/daftar/", opd_post(**change))
    assert response.status_code == 400
    errors = " ".join(line for line in response.content.decode().splitlines() if "errorlist" in line)
    assert message in errors
    assert not Opd.objects.exists() and not OpdMember.objects.exists()


@pytest.mark.django_db
def test_invitations_are_accepted_only_from_a_verified_email_and_one_opd_per_person(client):
    opd = make_opd()
    admin = OpdMember.objects.get(opd=opd).user
    client.force_login(admin)
    response = client.post("/pengadaan/satker/", {"form": "invite", "email": "pp.baru@example.test", "role": "pp"})
    assert response.status_code == 302
    invitation = OpdInvitation.objects.get()
    assert OutboxMessage.objects.filter(email="pp.baru@example.test").exists()

    unverified = make_user(email="pp.baru@example.test", email_verified=False)
    with pytest.raises(services.OpdStateError, match="Konfirmasi dulu"):
        services.opd_invitation_accept(invitation_id=invitation.pk, user=unverified)
    assert not OpdMember.objects.filter(user=unverified).exists()

    elsewhere = make_opd()
    busy = add_member(elsewhere, Role.PPK, email="sibuk@example.test")
    with pytest.raises(Exception, match="satuan kerja lain"):
        services.opd_member_invite(opd_id=opd.pk, actor=admin, email="sibuk@example.test", role="ppk")
    other_invitation = OpdInvitation.objects.create(opd=opd, email=busy.email, role="ppk")
    with pytest.raises(services.OpdStateError, match="satuan kerja lain"):
        services.opd_invitation_accept(invitation_id=other_invitation.pk, user=busy)
    with pytest.raises(IntegrityError):
        OpdMember.objects.create(opd=opd, user=busy, roles=["pp"])


@pytest.mark.django_db
def test_an_accepted_invitation_adds_the_role(client):
    opd = make_opd()
    admin = OpdMember.objects.get(opd=opd).user
    person = make_user()
    invitation = services.opd_member_invite(opd_id=opd.pk, actor=admin, email=person.email, role=Role.BENDAHARA)
    client.force_login(person)
    assert client.post(f"/pengadaan/undangan/{invitation.pk}/terima/").status_code == 302
    assert OpdMember.objects.get(user=person).roles == [Role.BENDAHARA]
    second = services.opd_member_invite(opd_id=opd.pk, actor=admin, email=person.email, role=Role.AUDITOR)
    services.opd_invitation_accept(invitation_id=second.pk, user=person)
    assert OpdMember.objects.get(user=person).roles == [Role.BENDAHARA, Role.AUDITOR]


@pytest.mark.django_db
def test_only_the_admin_invites_and_only_when_verified():
    opd = make_opd(status=Opd.Status.SUBMITTED)
    admin = OpdMember.objects.get(opd=opd).user
    with pytest.raises(services.OpdStateError):
        services.opd_member_invite(opd_id=opd.pk, actor=admin, email="a@example.test", role="pp")
    Opd.objects.filter(pk=opd.pk).update(status=Opd.Status.VERIFIED)
    pp = add_member(opd, Role.PP)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.opd_member_invite(opd_id=opd.pk, actor=pp, email="a@example.test", role="pp")


# --- pages --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_opds_package_is_a_404_for_every_page(client):
    team, other = Team(), Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    document = paket.documents.first()
    for person in (other.pp, other.ppk, other.bendahara, other.auditor, other.admin, make_user()):
        client.force_login(person)
        for path in (f"/pengadaan/paket/{paket.pk}/", f"/pengadaan/paket/{paket.pk}/dokumen/{document.pk}.pdf"):
            assert client.get(path).status_code == 404, (person, path)
        for path in (f"/pengadaan/paket/{paket.pk}/bayar/", f"/pengadaan/paket/{paket.pk}/terbitkan-sp/"):
            assert client.post(path, {"bank": "bri", "password": DEFAULT_PASSWORD}).status_code == 404
    client.force_login(other.seller)
    assert client.get(f"/penjual/{other.shop.pk}/pengadaan/{paket.pk}/").status_code == 404
    assert client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_auditor_reads_everything_of_the_opd_without_buttons(client):
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    client.force_login(team.auditor)
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert paket.nama in page and "hanya baca" in page and "terbitkan-sp" not in page
    assert client.post(f"/pengadaan/paket/{paket.pk}/terbitkan-sp/", {"password": DEFAULT_PASSWORD}
                       ).status_code == 403
    assert paket.nama in client.get("/pengadaan/").content.decode()


@pytest.mark.django_db
def test_the_pp_builds_a_package_from_the_cart_of_one_shop_through_the_pages(client):
    team = Team()
    CartLine.objects.create(user=team.pp, variant=team.variant, quantity=3)
    client.force_login(team.pp)
    assert "Buat paket" in client.get("/pengadaan/").content.decode()
    form = {"nama": "Makan minum rapat", "kode_rup": "56O82744", "tahun_anggaran": "2026", "sumber_dana": "APBD",
            "alamat_kirim": "KP3B Serang", "permintaan_tiba": "2026-12-20", "ppk": str(team.ppk.pk)}
    response = client.post(f"/pengadaan/buat/{team.shop.pk}/", form)
    assert response.status_code == 400 and "Kode RUP hanya berisi angka" in response.content.decode()
    assert not Paket.objects.exists() and CartLine.objects.filter(user=team.pp).exists()
    response = client.post(f"/pengadaan/buat/{team.shop.pk}/", {**form, "kode_rup": "56082744"})
    assert response.status_code == 302
    paket = Paket.objects.get()
    assert (paket.total, paket.created_as, paket.ppk_id) == (450_000, Role.PP, team.ppk.pk)
    assert not CartLine.objects.filter(user=team.pp).exists()
    assert client.post(f"/pengadaan/paket/{paket.pk}/ajukan/").status_code == 302

    client.force_login(team.ppk)
    response = client.post(f"/pengadaan/paket/{paket.pk}/terbitkan-sp/", {"password": "keliru"})
    assert response.status_code == 400 and "Kata sandi salah" in response.content.decode()
    response = client.post(f"/pengadaan/paket/{paket.pk}/terbitkan-sp/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    response = client.post(f"/pengadaan/paket/{paket.pk}/terbitkan-sp/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 409  # a second click

    client.force_login(team.seller)
    listing = client.get(f"/penjual/{team.shop.pk}/pengadaan/").content.decode()
    assert paket.nama in listing
    page = client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").content.decode()
    assert "Terima &amp; tandatangani Surat Pesanan" in page and "3 hari kerja" in page
    sp = paket.documents.get(kind="sp")
    pdf = client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/dokumen/{sp.pk}.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/terima/",
                       {"password": DEFAULT_PASSWORD}).status_code == 302
    assert client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/kirim/", {"courier": "Kurir toko"}
                       ).status_code == 302
    client.force_login(team.ppk)
    line = paket.lines.get()
    response = client.post(f"/pengadaan/paket/{paket.pk}/periksa/", {f"received-{line.pk}": "x"})
    assert response.status_code == 400 and "Isi jumlah diterima" in response.content.decode()
    assert client.post(f"/pengadaan/paket/{paket.pk}/periksa/", {f"received-{line.pk}": "3", f"ok-{line.pk}": "on"}
                       ).status_code == 302
    assert client.post(f"/pengadaan/paket/{paket.pk}/tandatangani-bast/", {"password": DEFAULT_PASSWORD}
                       ).status_code == 302
    client.force_login(team.seller)
    assert client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/tandatangani-bast/",
                       {"password": DEFAULT_PASSWORD}).status_code == 302
    paket.refresh_from_db()
    assert paket.status == S.MENUNGGU_PEMBAYARAN


@pytest.mark.django_db
def test_the_seller_cannot_take_the_opds_actions_nor_see_a_draft(client):
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    client.force_login(team.seller)
    assert client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").status_code == 404
    team.walk(paket, S.DIKIRIM)
    response = client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/periksa/", {})
    assert response.status_code == 403
    assert Paket.objects.get(pk=paket.pk).status == S.DIKIRIM


# --- concurrent double signing ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_signatures_of_the_same_sp_make_one_signature():
    team = Team()
    second_ppk_tab = team.ppk  # the same PPK clicking twice (two tabs): one SP, one signature
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    barrier = threading.Barrier(2)
    outcomes = []

    def sign():
        try:
            barrier.wait()
            services.paket_sp_sign(paket_id=paket.pk, actor=second_ppk_tab, password=DEFAULT_PASSWORD)
            outcomes.append("signed")
        except PaketTransitionError as error:
            outcomes.append(f"refused: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "signed"], outcomes
    assert PaketSignature.objects.filter(document__paket=paket).count() == 1
    assert paket.documents.count() == 1
    from catalog.models import ProductVariant

    assert ProductVariant.objects.get(pk=team.variant.pk).allocated == 4  # reserved once


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bast_signatures_by_the_seller_make_one():
    team = Team()
    paket = team.walk(team.paket(), S.BAST_PPK)
    barrier = threading.Barrier(2)
    outcomes = []

    def sign():
        try:
            barrier.wait()
            services.paket_bast_sign(paket_id=paket.pk, actor=team.seller, password=DEFAULT_PASSWORD)
            outcomes.append("signed")
        except PaketTransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "signed"]
    assert PaketSignature.objects.filter(document__paket=paket, document__kind="bast").count() == 2  # PPK + seller
    assert paket.documents.filter(kind="invoice").count() == 1
