"""Addenda of a signed SP (quantities and date, asked by one side, accepted and signed by the other, numbered and
versioned, stock and limits re-checked, one open at a time, one winner of two concurrent accepts), partial
deliveries to several addresses with an inspection per delivery (by the PPK or the pemeriksa they name), and the
BAST covering every delivery."""

import hashlib
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from catalog.models import ProductVariant
from plazabanten.models import AuditLog
from procurement import services
from procurement.addenda import (
    paket_addendum_accept,
    paket_addendum_countersign,
    paket_addendum_decline,
    paket_addendum_request,
)
from procurement.lifecycle import (
    PaketActionForbidden,
    PaketActionInvalid,
    PaketTransitionError,
    line_progress,
    paket_actions_for,
)
from procurement.models import Paket, PaketAddendum, PaketDelivery, PaketDocument, PaketSignature, Role
from tests.factories import DEFAULT_PASSWORD, make_product, make_user
from tests.procurement.helpers import Team, add_member, make_opd
from tests.procurement.test_journey_browser import pdf_text

pytestmark = pytest.mark.django_db
S = Paket.Status
A = PaketAddendum.Status


def variant_of(team: Team) -> ProductVariant:
    return ProductVariant.objects.get(pk=team.variant.pk)


def stock(team: Team) -> tuple[int, int]:
    variant = variant_of(team)
    return variant.stock, variant.allocated


def processing(team: Team, quantity: int = 10, **fields) -> Paket:
    return team.walk(team.paket(quantity=quantity, **fields), S.DIPROSES)


def ship(team: Team, paket: Paket, quantity: int, **options) -> PaketDelivery:
    line = paket.lines.get()
    services.paket_ship(paket_id=paket.pk, actor=team.seller, courier="Kurir toko", lines={line.pk: quantity},
                        **options)
    return paket.deliveries.order_by("-seq").first()


def inspect(team: Team, paket: Paket, delivery: PaketDelivery, received: int | None = None, ok: bool = True,
            actor=None) -> Paket:
    row = delivery.lines.get()
    services.paket_inspect(paket_id=paket.pk, actor=actor or team.ppk, delivery_id=delivery.pk,
                           lines={row.line_id: (row.quantity if received is None else received, ok, "")})
    paket.refresh_from_db()
    return paket


# --- partial deliveries -------------------------------------------------------------------------------------------


def test_partial_deliveries_keep_the_package_dikirim_until_every_unit_arrived():
    team = Team(stock=20)
    paket = processing(team, 10)
    assert stock(team) == (20, 10)
    first = ship(team, paket, 4)
    paket.refresh_from_db()
    assert paket.status == S.DIKIRIM and stock(team) == (16, 6)
    second = ship(team, paket, 3)
    assert stock(team) == (13, 3)
    assert [a.slug for a in paket_actions_for(paket, team.seller)] == ["kirim"]  # 3 more to ship
    assert inspect(team, paket, first).status == S.DIKIRIM  # the second one is still out
    assert inspect(team, paket, second).status == S.DIPROSES  # 3 left for the seller
    progress = line_progress(paket)[paket.lines.get().pk]
    assert (progress.shipped, progress.accepted, progress.out, progress.outstanding) == (7, 7, 0, 3)
    third = ship(team, paket, 3)
    assert stock(team) == (10, 0) and Paket.objects.get(pk=paket.pk).stock == Paket.Stock.SHIPPED
    assert paket_actions_for(Paket.objects.get(pk=paket.pk), team.seller) == []  # nothing left to ship
    assert inspect(team, paket, third).status == S.DITERIMA
    team.walk(paket, S.MENUNGGU_PEMBAYARAN)
    bast = pdf_text(paket.documents.get(kind="bast").file.open("rb").read())
    for seq in (1, 2, 3):
        assert f"Pengiriman {seq}" in bast
    assert paket.order.total == 10 * 150_000


@pytest.mark.parametrize(("lines", "address", "message"), [
    ("too_many", None, "Jumlah kirim"),
    ("zero", None, "Isi jumlah barang"),
    ("other_line", None, "bukan bagian"),
    (None, "Jl. Entah di mana", "Pilih salah satu alamat"),
])
def test_a_shipment_beyond_what_is_left_or_elsewhere_is_refused_and_nothing_is_written(lines, address, message):
    team = Team(stock=20)
    paket = processing(team, 5)
    ship(team, paket, 2)
    line = paket.lines.get()
    quantities = {"too_many": {line.pk: 4}, "zero": {line.pk: 0}, "other_line": {line.pk + 999: 1}, None: None}[lines]
    with pytest.raises(PaketActionInvalid, match=message):
        services.paket_ship(paket_id=paket.pk, actor=team.seller, courier="JNE", lines=quantities, address=address)
    assert paket.deliveries.count() == 1 and stock(team) == (18, 3)


def test_deliveries_go_to_any_of_the_packages_addresses():
    team = Team(stock=20)
    paket = processing(team, 6, alamat_lain="Puskesmas Curug, Kota Serang\n\nPuskesmas Walantaka, Kota Serang\n"
                                             "Puskesmas Curug,   Kota Serang")
    assert paket.addresses == [paket.alamat_kirim, "Puskesmas Curug, Kota Serang", "Puskesmas Walantaka, Kota Serang"]
    first = ship(team, paket, 2, address="Puskesmas Walantaka, Kota Serang")
    second = ship(team, paket, 4)
    assert (first.address, second.address) == ("Puskesmas Walantaka, Kota Serang", paket.alamat_kirim)


def test_a_mismatch_in_one_delivery_is_its_complaint_and_the_rest_is_shipped_again():
    team = Team(stock=10)
    paket = processing(team, 4)
    delivery = ship(team, paket, 4)
    paket = inspect(team, paket, delivery, received=3)
    delivery.refresh_from_db()
    assert paket.status == S.DIPROSES and delivery.status == PaketDelivery.Status.MISMATCH
    assert "Pengiriman 1 tidak sesuai" in delivery.complaint and "diterima 3/4" in delivery.complaint
    assert paket.reason == delivery.complaint
    replacement = ship(team, paket, 1)
    assert stock(team) == (6, 0)  # the replacement takes nothing more (the seller corrects the stock)
    assert inspect(team, paket, replacement).status == S.DITERIMA


def test_units_in_bad_condition_do_not_count_as_delivered():
    team = Team(stock=10)
    paket = processing(team, 4)
    paket = inspect(team, paket, ship(team, paket, 4), ok=False)
    assert paket.status == S.DIPROSES and line_progress(paket)[paket.lines.get().pk].outstanding == 4


def test_receiving_more_than_the_delivery_carried_is_refused():
    team = Team(stock=10)
    paket = processing(team, 4)
    delivery = ship(team, paket, 2)
    with pytest.raises(PaketActionInvalid, match="Jumlah diterima"):
        inspect(team, paket, delivery, received=3)
    delivery.refresh_from_db()
    assert delivery.status == PaketDelivery.Status.SHIPPED and delivery.lines.get().received_quantity is None


def test_the_ppk_names_a_pemeriksa_who_then_inspects_and_nobody_else_can():
    team = Team(stock=10)
    paket = processing(team, 4)
    inspector = add_member(team.opd, Role.PEMERIKSA)
    other_inspector = add_member(team.opd, Role.PEMERIKSA)
    with pytest.raises(PaketActionForbidden):
        services.paket_inspector_name(paket_id=paket.pk, actor=team.pp, inspector_id=inspector.pk)
    with pytest.raises(ValidationError, match="Pilih pemeriksa"):
        services.paket_inspector_name(paket_id=paket.pk, actor=team.ppk, inspector_id=team.bendahara.pk)
    elsewhere = add_member(make_opd(), Role.PEMERIKSA)
    with pytest.raises(ValidationError, match="Pilih pemeriksa"):
        services.paket_inspector_name(paket_id=paket.pk, actor=team.ppk, inspector_id=elsewhere.pk)
    services.paket_inspector_name(paket_id=paket.pk, actor=team.ppk, inspector_id=inspector.pk)
    delivery = ship(team, paket, 4)
    for stranger in (other_inspector, team.bendahara, team.seller):
        with pytest.raises(PaketActionForbidden):
            inspect(team, paket, delivery, actor=stranger)
    assert [a.slug for a in paket_actions_for(Paket.objects.get(pk=paket.pk), inspector)] == ["periksa"]
    assert inspect(team, paket, delivery, actor=inspector).status == S.DITERIMA
    assert paket.events.filter(actor=inspector, actor_kind="pemeriksa").exists()
    with pytest.raises(PaketTransitionError):
        services.paket_inspector_name(paket_id=paket.pk, actor=team.ppk, inspector_id=other_inspector.pk)


# --- addenda ------------------------------------------------------------------------------------------------------


def request(team: Team, paket: Paket, *, actor=None, quantity: int | None = None, days: int | None = None,
            reason: str = "Kebutuhan bertambah") -> PaketAddendum:
    line = paket.lines.get()
    return paket_addendum_request(
        paket_id=paket.pk, actor=actor or team.ppk, reason=reason,
        quantities={line.pk: quantity} if quantity is not None else None,
        tiba=paket.permintaan_tiba + timedelta(days=days) if days else None)


def accept(team: Team, paket: Paket, addendum: PaketAddendum, actor=None) -> PaketAddendum:
    return paket_addendum_accept(paket_id=paket.pk, addendum_id=addendum.pk, actor=actor or team.seller,
                                 password=DEFAULT_PASSWORD)


def test_an_accepted_addendum_is_numbered_signed_and_the_package_follows_it_while_the_sp_stays():
    team = Team(stock=20)
    paket = processing(team, 4)
    sp = paket.documents.get(kind="sp")
    sp_bytes = sp.file.open("rb").read()
    old_tiba = paket.permintaan_tiba
    addendum = request(team, paket, quantity=6, days=7)
    assert stock(team) == (20, 4)  # a request changes nothing yet
    accept(team, paket, addendum)
    paket.refresh_from_db()
    addendum.refresh_from_db()
    year = timezone.localdate().year
    assert (addendum.status, addendum.version) == (A.ACCEPTED, 1)
    assert addendum.document.number == f"ADD/{team.opd.kode_satker}/{year}/000001"
    content = addendum.document.file.open("rb").read()
    assert hashlib.sha256(content).hexdigest() == addendum.document.sha256
    text = pdf_text(content)
    assert "ADDENDUM 1 SURAT PESANAN" in text and sp.number in text and "4 menjadi 6" in text
    assert (paket.lines.get().quantity, paket.total, paket.permintaan_tiba) == (6, 900_000, old_tiba + timedelta(7))
    assert stock(team) == (20, 6)
    sp.refresh_from_db()
    assert sp.file.open("rb").read() == sp_bytes and sp.amount == 600_000
    assert list(addendum.document.signatures.values_list("party", "signer")) == [("penyedia", team.seller.pk)]
    paket_addendum_countersign(paket_id=paket.pk, addendum_id=addendum.pk, actor=team.ppk, password=DEFAULT_PASSWORD)
    assert set(addendum.document.signatures.values_list("party", flat=True)) == {"ppk", "penyedia"}
    assert {s.sha256 for s in addendum.document.signatures.all()} == {addendum.document.sha256}
    with pytest.raises(PaketTransitionError, match="sudah ditandatangani"):
        paket_addendum_countersign(paket_id=paket.pk, addendum_id=addendum.pk, actor=team.ppk,
                                   password=DEFAULT_PASSWORD)

    # The seller asks for fewer; the PPK accepts: Addendum 2, the next number, one unit released.
    second = request(team, paket, actor=team.seller, quantity=5, reason="Satu warna tidak diproduksi lagi")
    accept(team, paket, second, actor=team.ppk)
    second.refresh_from_db()
    assert second.version == 2 and second.document.number == f"ADD/{team.opd.kode_satker}/{year}/000002"
    assert stock(team) == (20, 5) and Paket.objects.get(pk=paket.pk).total == 750_000
    assert paket.documents.filter(kind=PaketDocument.Kind.ADDENDUM).count() == 2
    assert AuditLog.objects.filter(action="paket.addendum_accept").count() == 2

    # Another OPD's addenda have their own series.
    other = Team(stock=20)
    third = request(other, processing(other, 2), quantity=3)
    accept(other, Paket.objects.get(pk=third.paket_id), third)
    third.refresh_from_db()
    assert third.document.number == f"ADD/{other.opd.kode_satker}/{year}/000001"

    # The package then goes on to the BAST and the invoice with the addendum's quantities.
    team.walk(paket, S.MENUNGGU_PEMBAYARAN)
    assert paket.order.total == 750_000
    assert "Addendum 1" in pdf_text(paket.documents.get(kind="bast").file.open("rb").read())


def test_a_second_open_addendum_is_refused_until_the_first_is_answered():
    team = Team(stock=20)
    paket = processing(team, 4)
    first = request(team, paket, quantity=5)
    for actor in (team.ppk, team.seller):
        with pytest.raises(PaketTransitionError, match="satu permintaan pada satu waktu"):
            request(team, paket, actor=actor, quantity=6)
    assert paket.addenda.count() == 1
    with pytest.raises(PaketActionInvalid, match="alasan penolakan"):
        paket_addendum_decline(paket_id=paket.pk, addendum_id=first.pk, actor=team.seller, reason=" ")
    paket_addendum_decline(paket_id=paket.pk, addendum_id=first.pk, actor=team.seller, reason="Bahan baku habis")
    first.refresh_from_db()
    assert (first.status, first.version, first.document) == (A.DECLINED, None, None)
    second = request(team, paket, quantity=6)
    paket_addendum_decline(paket_id=paket.pk, addendum_id=second.pk, actor=team.ppk, reason="")  # withdrawn
    assert PaketAddendum.objects.get(pk=second.pk).status == A.WITHDRAWN
    assert stock(team) == (20, 4) and Paket.objects.get(pk=paket.pk).lines.get().quantity == 4
    with pytest.raises(PaketTransitionError, match="sudah ditarik"):
        accept(team, paket, second)


def test_only_the_other_side_accepts_and_strangers_cannot_touch_addenda():
    team = Team(stock=20)
    paket = processing(team, 4)
    addendum = request(team, paket, quantity=5)
    with pytest.raises(PaketActionForbidden, match="pihak lain"):
        accept(team, paket, addendum, actor=team.ppk)
    for stranger in (team.pp, team.auditor, team.bendahara, Team().seller, make_user()):
        with pytest.raises(PaketActionForbidden):
            accept(team, paket, addendum, actor=stranger)
        with pytest.raises(PaketActionForbidden):
            request(team, paket, actor=stranger, quantity=7)
    with pytest.raises(PaketActionInvalid, match="Kata sandi salah"):
        paket_addendum_accept(paket_id=paket.pk, addendum_id=addendum.pk, actor=team.seller, password="salah")
    addendum.refresh_from_db()
    assert addendum.status == A.OPEN and not PaketDocument.objects.filter(kind="addendum").exists()


ADDENDUM_STATES = {S.DIPROSES, S.DIKIRIM, S.DITERIMA}


@pytest.mark.parametrize("status", [s for s in S.values if s not in ADDENDUM_STATES])
def test_an_addendum_is_refused_before_both_signed_the_sp_and_from_the_bast_on(status):
    team = Team(stock=20)
    paket = processing(team, 4)
    addendum = request(team, paket, quantity=5)
    Paket.objects.filter(pk=paket.pk).update(status=status)
    with pytest.raises(PaketTransitionError, match="Addendum hanya bisa"):
        accept(team, paket, addendum)
    PaketAddendum.objects.filter(pk=addendum.pk).update(status=A.WITHDRAWN)
    with pytest.raises(PaketTransitionError, match="Addendum hanya bisa"):
        request(team, paket, quantity=6)
    assert PaketAddendum.objects.filter(paket=paket).count() == 1
    assert Paket.objects.get(pk=paket.pk).lines.get().quantity == 4


@pytest.mark.parametrize(("quantity", "days", "message"), [
    (4, None, "Tidak ada perubahan"),
    (0, None, "Jumlah setiap barang"),
    (None, -30, "setelah hari ini"),
])
def test_an_addendum_that_changes_nothing_or_makes_no_sense_is_refused(quantity, days, message):
    team = Team(stock=20)
    paket = processing(team, 4)
    with pytest.raises(PaketActionInvalid, match=message):
        request(team, paket, quantity=quantity, days=days)
    assert not paket.addenda.exists()


def test_an_addendum_increase_needs_the_stock_and_the_pp_limit(settings):
    team = Team(stock=6, price=150_000)
    paket = processing(team, 4)
    addendum = request(team, paket, quantity=7)
    with pytest.raises(PaketActionInvalid, match="Stok penyedia tidak cukup"):
        accept(team, paket, addendum)
    addendum.refresh_from_db()
    assert addendum.status == A.OPEN and stock(team) == (6, 4)
    assert not PaketDocument.objects.filter(kind="addendum").exists()
    settings.PROCUREMENT_PP_LIMIT = 800_000
    with pytest.raises(ValidationError, match="melebihi batas Pejabat Pengadaan"):
        accept(team, paket, addendum)  # the limit is checked again at acceptance
    PaketAddendum.objects.filter(pk=addendum.pk).update(status=A.WITHDRAWN)
    with pytest.raises(ValidationError, match="melebihi batas Pejabat Pengadaan"):
        request(team, paket, quantity=6)  # Rp900.000


def test_an_addendum_cannot_go_below_what_was_shipped_and_a_decrease_to_it_completes_the_package():
    team = Team(stock=20)
    paket = processing(team, 10)
    inspect(team, paket, ship(team, paket, 6))
    ship(team, paket, 1)
    with pytest.raises(PaketActionInvalid, match="tidak bisa kurang dari 7"):
        request(team, paket, quantity=6)
    inspect(team, paket, paket.deliveries.get(seq=2), received=0)  # nothing of it arrived
    assert stock(team) == (13, 3)
    addendum = request(team, paket, actor=team.seller, quantity=6, reason="Sisa stok dialihkan")
    paket_addendum_accept(paket_id=paket.pk, addendum_id=addendum.pk, actor=team.ppk, password=DEFAULT_PASSWORD)
    paket.refresh_from_db()
    assert paket.status == S.DITERIMA and stock(team) == (13, 0)
    assert paket.events.last().note.startswith("Setelah addendum")
    # And more units after the inspection was complete send it back to the seller.
    more = request(team, paket, quantity=8)
    accept(team, paket, more)
    paket.refresh_from_db()
    # 2 more to ship, 1 more held: the lost unit of delivery 2 already left the stock, its replacement takes none
    assert paket.status == S.DIPROSES and stock(team) == (13, 1)
    assert line_progress(paket)[paket.lines.get().pk].outstanding == 2


def test_the_bast_waits_for_an_open_addendum():
    team = Team(stock=20)
    paket = team.walk(team.paket(quantity=4), S.DITERIMA)
    addendum = request(team, paket, actor=team.seller, days=3, reason="Tanggal disesuaikan")
    with pytest.raises(PaketTransitionError, match="permintaan addendum"):
        services.paket_bast_sign(paket_id=paket.pk, actor=team.ppk, password=DEFAULT_PASSWORD)
    accept(team, paket, addendum, actor=team.ppk)
    assert Paket.objects.get(pk=paket.pk).status == S.DITERIMA  # a date change does not move it
    team.walk(paket, S.BAST_PPK)


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_the_same_addendum_at_once_make_one_addendum():
    from vendors.models import ShopMember

    team = Team(stock=20)
    staff = make_user()
    ShopMember.objects.create(shop=team.shop, user=staff, role=ShopMember.Role.OPERATIONS)
    paket = processing(team, 4)
    addendum = request(team, paket, quantity=6)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept_as(user):
        try:
            barrier.wait()
            paket_addendum_accept(paket_id=paket.pk, addendum_id=addendum.pk, actor=user, password=DEFAULT_PASSWORD)
            outcomes.append("accepted")
        except PaketTransitionError as error:
            outcomes.append(f"refused: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept_as, args=(user,)) for user in (team.seller, staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split(":")[0] for o in outcomes) == ["accepted", "refused"], outcomes
    assert "sudah disetujui" in next(o for o in outcomes if o.startswith("refused"))
    assert PaketDocument.objects.filter(paket=paket, kind="addendum").count() == 1
    assert PaketSignature.objects.filter(document__kind="addendum").count() == 1
    assert stock(team) == (20, 6)  # held once
    assert Paket.objects.get(pk=paket.pk).lines.get().quantity == 6


def test_a_second_product_line_keeps_its_quantity_when_the_addendum_changes_another():
    team = Team(stock=20)
    second = make_product(shop=team.shop, price=10_000, stock=5).variants.get()
    paket = services.paket_create(
        actor=team.pp, shop_id=team.shop.pk, nama="Dua barang", kode_rup="56082744",
        tahun_anggaran=timezone.localdate().year, sumber_dana="APBD", alamat_kirim="KP3B Serang",
        permintaan_tiba=timezone.localdate() + timedelta(days=10), ppk_id=team.ppk.pk,
        quantities={team.variant.pk: 2, second.pk: 3})
    team.walk(paket, S.DIPROSES)
    first_line = paket.lines.get(variant=team.variant)
    addendum = paket_addendum_request(paket_id=paket.pk, actor=team.ppk, reason="Tambah",
                                      quantities={first_line.pk: 3})
    accept(team, paket, addendum)
    paket.refresh_from_db()
    assert sorted(paket.lines.values_list("quantity", flat=True)) == [3, 3]
    assert paket.total == 3 * 150_000 + 3 * 10_000
    assert ProductVariant.objects.get(pk=second.pk).allocated == 3


# --- the pages ----------------------------------------------------------------------------------------------------


def test_the_pages_request_answer_and_show_addenda_and_deliveries_to_the_parties_and_the_auditor(client):
    team = Team(stock=20)
    paket = processing(team, 4, alamat_lain="Gudang Dinas, Jl. Ahmad Yani No. 9, Serang")
    line = paket.lines.get()
    inspector = add_member(team.opd, Role.PEMERIKSA)
    client.force_login(team.ppk)
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert "Minta addendum" in page and "Tunjuk pemeriksa" in page
    assert client.post(f"/pengadaan/paket/{paket.pk}/pemeriksa/", {"inspector": str(inspector.pk)}).status_code == 302
    assert Paket.objects.get(pk=paket.pk).inspector_id == inspector.pk
    form = {f"quantity-{line.pk}": "6", "tiba": "", "reason": "Tambah dua kelas"}
    response = client.post(f"/pengadaan/paket/{paket.pk}/addendum/", {**form, "reason": ""})
    assert response.status_code == 400 and "Periksa isian addendum" in response.content.decode()
    response = client.post(f"/pengadaan/paket/{paket.pk}/addendum/", {**form, f"quantity-{line.pk}": "4"})
    assert response.status_code == 400 and "Tidak ada perubahan" in response.content.decode()
    assert client.post(f"/pengadaan/paket/{paket.pk}/addendum/", form).status_code == 302
    assert client.post(f"/pengadaan/paket/{paket.pk}/addendum/", form).status_code == 409  # one open at a time
    addendum = paket.addenda.get()
    response = client.post(f"/pengadaan/paket/{paket.pk}/addendum/{addendum.pk}/setujui/",
                           {"password": DEFAULT_PASSWORD})
    assert response.status_code == 403  # not the requester's to accept
    assert client.post(f"/pengadaan/paket/{paket.pk}/addendum/{addendum.pk}/hapus/", {}).status_code == 404

    client.force_login(team.seller)
    base = f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}"
    page = client.get(f"{base}/").content.decode()
    assert "Setujui & tandatangani addendum" in page and "Tambah dua kelas" in page
    assert client.post(f"{base}/addendum/{addendum.pk}/setujui/", {"password": "salah"}).status_code == 400
    assert client.post(f"{base}/addendum/{addendum.pk}/setujui/", {"password": DEFAULT_PASSWORD}).status_code == 302
    response = client.post(f"{base}/kirim/", {f"quantity-{line.pk}": "2", "courier": "JNE", "tracking": "jne 123 456",
                                             "address": "Gudang Dinas, Jl. Ahmad Yani No. 9, Serang"})
    assert response.status_code == 302
    assert client.post(f"{base}/kirim/", {f"quantity-{line.pk}": "9", "courier": "JNE"}).status_code == 400
    assert client.post(f"{base}/kirim/", {f"quantity-{line.pk}": "dua", "courier": "JNE"}).status_code == 400
    assert client.post(f"{base}/kirim/", {f"quantity-{line.pk}": "1", "courier": "Kurir toko"}).status_code == 302
    first, second = paket.deliveries.order_by("seq")
    assert (first.address, first.tracking_number, second.lines.get().quantity) == (
        "Gudang Dinas, Jl. Ahmad Yani No. 9, Serang", "JNE123456", 1)

    client.force_login(inspector)
    assert "Perlu pemeriksaan" in client.get("/pengadaan/").content.decode()
    assert paket.nama in client.get("/pengadaan/").content.decode()
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert "Pemeriksaan pengiriman 1" in page and "Pemeriksaan pengiriman 2" in page
    response = client.post(f"/pengadaan/paket/{paket.pk}/periksa/", {
        "delivery": str(second.pk), f"received-{line.pk}": "1", f"ok-{line.pk}": "on"})
    assert response.status_code == 302
    assert PaketDelivery.objects.get(pk=second.pk).status == PaketDelivery.Status.ACCEPTED
    assert PaketDelivery.objects.get(pk=first.pk).status == PaketDelivery.Status.SHIPPED

    client.force_login(team.auditor)
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    document = PaketAddendum.objects.get(pk=addendum.pk).document
    for text in ("Addendum 1", document.number, "Pengiriman 1", "Pengiriman 2", "resi JNE123456", "hanya baca"):
        assert text in page, text
    assert "Minta addendum" not in page and "Tunjuk pemeriksa" not in page
    pdf = client.get(f"/pengadaan/paket/{paket.pk}/dokumen/{document.pk}.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    client.force_login(Team().ppk)  # another OPD
    assert client.get(f"/pengadaan/paket/{paket.pk}/dokumen/{document.pk}.pdf").status_code == 404
    assert client.post(f"/pengadaan/paket/{paket.pk}/addendum/", form).status_code == 404
