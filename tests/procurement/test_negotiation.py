"""Negotiation before the PPK's review (e-Katalog "Negosiasi") and the creator's draft line edits: offers kept as
rows, prices within the catalog, quantities within the stock, bounded rounds, turns, the PP limit on the agreed
total, the agreed prices on the SP, one winner of a concurrent accept and counter, notifications to the other
party, and the pages of both sides."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from catalog.models import ProductVariant
from plazabanten.models import AuditLog, OutboxMessage
from procurement import services
from procurement.lifecycle import (
    SELLER,
    TRANSITIONS,
    PaketActionInvalid,
    PaketTransitionError,
    paket_actions_for,
    paket_transition,
)
from procurement.models import Paket, PaketEvent, PaketOffer
from tests.factories import make_product, make_user
from tests.procurement.helpers import Team
from tests.procurement.test_journey_browser import pdf_text

pytestmark = pytest.mark.django_db
S = Paket.Status
O = PaketOffer.Outcome  # noqa: E741


def offer(team: Team, paket: Paket, actor, price: int, quantity: int, note: str = "", **options) -> Paket:
    line = paket.lines.get()
    try:
        return services.paket_offer(paket_id=paket.pk, actor=actor, lines={line.pk: (price, quantity)}, note=note,
                                    **options)
    finally:
        paket.refresh_from_db()


def test_the_pp_offers_less_the_seller_counters_the_pp_accepts_and_the_sp_carries_the_agreed_price():
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)  # Rp600.000 at the catalog price
    offer(team, paket, team.pp, 120_000, 4, "Anggaran DPA Rp480.000")
    assert Paket.objects.get(pk=paket.pk).status == S.NEGOSIASI
    assert [a.slug for a in paket_actions_for(paket, team.seller)] == ["tawar", "setujui-nego", "tolak-nego"]
    assert [a.slug for a in paket_actions_for(paket, team.pp)] == ["akhiri-nego"]
    offer(team, paket, team.seller, 135_000, 4, "Harga bahan naik")
    assert [a.slug for a in paket_actions_for(paket, team.pp)] == ["tawar", "setujui-nego", "akhiri-nego"]
    services.paket_offer_accept(paket_id=paket.pk, actor=team.pp)
    paket.refresh_from_db()
    line = paket.lines.get()
    assert (paket.status, paket.total, line.unit_price, line.quantity) == (S.MENUNGGU_PPK, 540_000, 135_000, 4)
    offers = list(paket.offers.values_list("round", "party", "actor", "total", "outcome", "note"))
    assert offers == [(1, "pembuat", team.pp.pk, 480_000, O.COUNTERED, "Anggaran DPA Rp480.000"),
                      (1, "penyedia", team.seller.pk, 540_000, O.ACCEPTED, "Harga bahan naik")]
    assert list(paket.offers.first().lines.values_list("catalog_price", "unit_price", "quantity")) == [
        (150_000, 120_000, 4)]
    assert list(PaketEvent.objects.filter(paket=paket).values_list("to_status", flat=True)) == [
        S.DRAFT, S.NEGOSIASI, S.NEGOSIASI, S.MENUNGGU_PPK]
    assert set(AuditLog.objects.filter(target_id=str(paket.pk), action__startswith="paket.nego").values_list(
        "action", flat=True)) == {"paket.nego_offer", "paket.nego_counter", "paket.nego_accept"}
    team.walk(paket, S.SP_TERBIT)
    sp = paket.documents.get(kind="sp")
    assert sp.amount == 540_000
    text = pdf_text(sp.file.open("rb").read())
    assert "Rp540.000" in text and "Rp135.000" in text
    team.walk(paket, S.MENUNGGU_PEMBAYARAN)
    paket.refresh_from_db()
    assert paket.order.total == 540_000


@pytest.mark.parametrize(("price", "quantity", "message"), [
    (150_001, 4, "melebihi harga katalog Rp150.000"),
    (0, 4, "harus lebih dari Rp0"),
    (100_000, 21, "melebihi stok tersedia (20)"),
    (100_000, 0, "1–100.000"),
    (150_000, 4, "sama dengan tawaran terakhir"),
])
def test_a_bad_offer_is_refused_with_a_message_and_nothing_is_written(price, quantity, message):
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    with pytest.raises(PaketActionInvalid, match=re.escape(message)):
        offer(team, paket, team.pp, price, quantity)
    paket.refresh_from_db()
    assert paket.status == S.DRAFT and not paket.offers.exists() and paket.events.count() == 1
    assert not OutboxMessage.objects.filter(recipient=team.seller).exists()


def test_a_counter_above_the_catalog_price_is_refused_to_the_seller_too():
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 120_000, 4)
    ProductVariant.objects.filter(pk=team.variant.pk).update(price=140_000)  # the catalog price went down
    with pytest.raises(PaketActionInvalid, match="melebihi harga katalog Rp140.000"):
        offer(team, paket, team.seller, 145_000, 4)
    assert paket.offers.get().outcome == O.OPEN


def test_the_rounds_are_bounded_and_the_last_counter_can_only_be_accepted_or_ended(settings):
    settings.PROCUREMENT_NEGOTIATION_ROUNDS = 2
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 110_000, 4)
    offer(team, paket, team.seller, 140_000, 4)
    offer(team, paket, team.pp, 120_000, 4)
    offer(team, paket, team.seller, 130_000, 4)
    assert [a.slug for a in paket_actions_for(paket, team.pp)] == ["setujui-nego", "akhiri-nego"]
    with pytest.raises(PaketTransitionError, match="Ronde negosiasi sudah habis"):
        offer(team, paket, team.pp, 125_000, 4)
    assert list(paket.offers.values_list("round", "party")) == [(1, "pembuat"), (1, "penyedia"), (2, "pembuat"),
                                                                 (2, "penyedia")]
    services.paket_negotiation_end(paket_id=paket.pk, actor=team.pp, reason="Cari penyedia lain")
    paket.refresh_from_db()
    assert paket.status == S.DRAFT
    assert "nego" not in [a.slug for a in paket_actions_for(paket, team.pp)]  # no rounds left for another one
    with pytest.raises(PaketTransitionError, match="Ronde negosiasi sudah habis"):
        offer(team, paket, team.pp, 125_000, 4)


def test_nobody_answers_their_own_offer():
    team = Team()
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 120_000, 4)
    with pytest.raises(PaketTransitionError, match="Menunggu tanggapan penyedia"):
        offer(team, paket, team.pp, 110_000, 4)
    with pytest.raises(PaketTransitionError, match="Menunggu tanggapan penyedia"):
        services.paket_offer_accept(paket_id=paket.pk, actor=team.pp)
    offer(team, paket, team.seller, 140_000, 4)
    with pytest.raises(PaketTransitionError, match="Menunggu tanggapan pembuat paket"):
        services.paket_offer_accept(paket_id=paket.pk, actor=team.seller)
    with pytest.raises(PaketTransitionError, match="Menunggu tanggapan pembuat paket"):
        services.paket_negotiation_end(paket_id=paket.pk, actor=team.seller, reason="Tidak jadi")
    assert paket.offers.count() == 2


# Every negotiation row waits for its turn, except the creator ending the negotiation (allowed at any turn).
NEGOTIATION_ROWS = [t for t in TRANSITIONS if S.NEGOSIASI in (t.source, t.target) and t.slug != "akhiri-nego"]


@pytest.mark.parametrize("row", NEGOTIATION_ROWS, ids=lambda t: f"{t.source}->{t.target}:{'/'.join(sorted(t.who))}")
def test_each_negotiation_step_is_refused_when_it_is_not_its_turn(row, settings):
    """Every guarded negotiation row of the table, taken in the state its guard refuses: nothing is written."""
    settings.PROCUREMENT_NEGOTIATION_ROUNDS = 1
    team = Team()
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 120_000, 4)
    if row.source == S.DRAFT:  # no rounds left after one ended negotiation
        services.paket_negotiation_end(paket_id=paket.pk, actor=team.pp, reason="Tidak jadi")
    elif SELLER in row.who:  # the seller's step while the creator has to answer the seller's counter
        offer(team, paket, team.seller, 140_000, 4)
    actor = team.seller if SELLER in row.who else team.pp
    status, offers = Paket.objects.get(pk=paket.pk).status, paket.offers.count()
    line = paket.lines.get()
    with pytest.raises(PaketTransitionError):
        paket_transition(paket_id=paket.pk, to_status=row.target, actor=actor, note="uji",
                         offer={line.pk: (110_000, 4)} if row.form == "offer" else None)
    assert (Paket.objects.get(pk=paket.pk).status, paket.offers.count()) == (status, offers)
    assert paket.offers.filter(outcome=O.OPEN).count() == (0 if row.source == S.DRAFT else 1)


def test_the_seller_declines_with_a_reason_and_the_draft_keeps_its_prices():
    team = Team(price=150_000)
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 90_000, 4)
    with pytest.raises(PaketActionInvalid, match="Tuliskan alasannya"):
        services.paket_negotiation_end(paket_id=paket.pk, actor=team.seller, reason=" ")
    services.paket_negotiation_end(paket_id=paket.pk, actor=team.seller, reason="Di bawah harga pokok")
    paket.refresh_from_db()
    line = paket.lines.get()
    assert (paket.status, paket.total, line.unit_price, paket.reason) == (S.DRAFT, 600_000, 150_000,
                                                                          "Di bawah harga pokok")
    assert paket.offers.get().outcome == O.DECLINED
    team.walk(paket, S.SP_TERBIT)  # on to the PPK at the catalog price
    assert paket.documents.get(kind="sp").amount == 600_000


def test_the_pp_limit_is_checked_on_an_offer_and_again_on_the_agreed_total(settings):
    settings.PROCUREMENT_PP_LIMIT = 700_000
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    with pytest.raises(ValidationError, match="melebihi batas Pejabat Pengadaan"):
        offer(team, paket, team.pp, 140_000, 6)  # Rp840.000
    offer(team, paket, team.pp, 140_000, 5)  # Rp700.000
    settings.PROCUREMENT_PP_LIMIT = 600_000  # the limit changed while the seller was thinking
    with pytest.raises(ValidationError, match="melebihi batas Pejabat Pengadaan"):
        services.paket_offer_accept(paket_id=paket.pk, actor=team.seller)
    paket.refresh_from_db()
    assert (paket.status, paket.total, paket.lines.get().quantity) == (S.NEGOSIASI, 600_000, 4)
    assert paket.offers.get().outcome == O.OPEN


def test_an_answer_to_an_offer_that_has_changed_is_refused():
    team = Team()
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 120_000, 4)
    first = paket.offers.get()
    services.paket_negotiation_end(paket_id=paket.pk, actor=team.pp, reason="Salah ketik")
    offer(team, paket, team.pp, 100_000, 4)  # a new offer while the seller's page still shows the first
    with pytest.raises(PaketTransitionError, match="Tawaran sudah berubah"):
        services.paket_offer_accept(paket_id=paket.pk, actor=team.seller, answering=first.pk)
    assert Paket.objects.get(pk=paket.pk).status == S.NEGOSIASI


def test_each_negotiation_step_notifies_the_other_party_only():
    team = Team()
    paket = team.paket(quantity=4)
    OutboxMessage.objects.all().delete()
    offer(team, paket, team.pp, 120_000, 4, "Mohon harga terbaik")
    to_seller = OutboxMessage.objects.get()
    assert to_seller.recipient == team.seller and "Rp480.000" in to_seller.body and "Mohon harga terbaik" in \
        to_seller.body and to_seller.url == f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/"
    OutboxMessage.objects.all().delete()
    offer(team, paket, team.seller, 140_000, 4)
    assert [m.recipient for m in OutboxMessage.objects.all()] == [team.pp]
    OutboxMessage.objects.all().delete()
    services.paket_offer_accept(paket_id=paket.pk, actor=team.pp)
    assert {m.recipient for m in OutboxMessage.objects.all()} == {team.seller, team.pp, team.ppk}  # now the PPK too


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_accept_and_counter_of_the_same_offer_make_exactly_one_winner():
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 120_000, 4)
    open_offer = paket.offers.get()
    line = paket.lines.get()
    barrier = threading.Barrier(2)
    outcomes = []

    def act(name, call):
        try:
            barrier.wait()
            call()
            outcomes.append(name)
        except PaketTransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=("accepted", lambda: services.paket_offer_accept(
                   paket_id=paket.pk, actor=team.seller, answering=open_offer.pk))),
               threading.Thread(target=act, args=("countered", lambda: services.paket_offer(
                   paket_id=paket.pk, actor=team.seller, lines={line.pk: (140_000, 4)}, answering=open_offer.pk)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and outcomes.count("refused") == 1, outcomes
    paket.refresh_from_db()
    if "accepted" in outcomes:
        assert (paket.status, paket.total, paket.offers.count()) == (S.MENUNGGU_PPK, 480_000, 1)
    else:
        assert (paket.status, paket.total, paket.offers.count()) == (S.NEGOSIASI, 600_000, 2)
    assert paket.offers.filter(outcome=O.OPEN).count() == (0 if "accepted" in outcomes else 1)


# --- the pages ------------------------------------------------------------------------------------------------


def test_both_sides_negotiate_through_the_pages_and_see_the_history(client):
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    line = paket.lines.get()
    client.force_login(team.seller)
    assert client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").status_code == 404  # a draft: not yet
    client.force_login(team.pp)
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert "Ajukan negosiasi ke penyedia" in page and 'value="Rp150.000"' in page
    response = client.post(f"/pengadaan/paket/{paket.pk}/nego/", {f"offer-price-{line.pk}": "120,5",
                                                                  f"offer-quantity-{line.pk}": "4"})
    assert response.status_code == 400 and "Tulis harga seperti" in response.content.decode()
    assert 'value="120,5"' in response.content.decode()  # the typed value is shown again
    response = client.post(f"/pengadaan/paket/{paket.pk}/nego/", {f"offer-price-{line.pk}": "200.000",
                                                                  f"offer-quantity-{line.pk}": "4"})
    assert response.status_code == 400 and "melebihi harga katalog" in response.content.decode()
    response = client.post(f"/pengadaan/paket/{paket.pk}/nego/", {
        f"offer-price-{line.pk}": "120rb", f"offer-quantity-{line.pk}": "4", "offer-note": "Sesuai DPA"})
    assert response.status_code == 302
    first = paket.offers.get()

    client.force_login(team.seller)
    assert paket.nama in client.get(f"/penjual/{team.shop.pk}/pengadaan/").content.decode()
    page = client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").content.decode()
    assert "Sesuai DPA" in page and "Kirim tawaran balik" in page and "Setujui tawaran" in page
    assert client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/akhiri-nego/", {"reason": "x"}
                       ).status_code == 403  # the creator's step
    response = client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/tawar/", {
        f"offer-price-{line.pk}": "135.000", f"offer-quantity-{line.pk}": "4", "answering": str(first.pk)})
    assert response.status_code == 302
    response = client.post(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/setujui-nego/",
                           {"answering": str(first.pk)})
    assert response.status_code == 409  # its own counter

    client.force_login(team.pp)
    second = paket.offers.get(outcome=O.OPEN)
    response = client.post(f"/pengadaan/paket/{paket.pk}/setujui-nego/", {"answering": str(second.pk)})
    assert response.status_code == 302
    paket.refresh_from_db()
    assert (paket.status, paket.total) == (S.MENUNGGU_PPK, 540_000)
    client.force_login(team.auditor)
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert "Negosiasi" in page and "Rp135.000" in page and "Disepakati" in page
    client.force_login(team.seller)  # a negotiated package stays visible to its seller
    assert client.get(f"/penjual/{team.shop.pk}/pengadaan/{paket.pk}/").status_code == 200


# --- draft line edits ---------------------------------------------------------------------------------------------


def _draft_form(team: Team, paket: Paket, **extra) -> dict:
    return {"nama": paket.nama, "kode_rup": paket.kode_rup, "tahun_anggaran": str(paket.tahun_anggaran),
            "sumber_dana": paket.sumber_dana, "alamat_kirim": paket.alamat_kirim,
            "permintaan_tiba": paket.permintaan_tiba.isoformat(), "ppk": str(team.ppk.pk),
            **{f"quantity-{line.pk}": str(line.quantity) for line in paket.lines.all()}, **extra}


def test_the_creator_adds_and_removes_lines_of_a_draft_within_the_shop_and_the_limits(client, settings):
    settings.PROCUREMENT_PP_LIMIT = 1_000_000
    team = Team(price=150_000)
    paket = team.paket(quantity=4)
    first = paket.lines.get()
    folder = make_product(shop=team.shop, name="Map Batik", price=20_000).variants.get()
    elsewhere = make_product(price=10_000).variants.get()  # another shop
    client.force_login(team.pp)
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert "Map Batik" in page and "Tambah barang dari toko ini" in page
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", _draft_form(
        team, paket, **{"add-variant": str(elsewhere.pk), "add-quantity": "3"}))
    assert response.status_code == 400 and "Satu paket berisi barang dari satu toko" in response.content.decode()
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", _draft_form(
        team, paket, **{"add-variant": str(folder.pk), "add-quantity": "30"}))  # 600.000 + 600.000
    assert response.status_code == 400 and "melebihi batas Pejabat Pengadaan" in response.content.decode()
    assert paket.lines.count() == 1 and Paket.objects.get(pk=paket.pk).total == 600_000
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", _draft_form(
        team, paket, **{"add-variant": str(folder.pk), "add-quantity": "10"}))
    assert response.status_code == 302
    paket.refresh_from_db()
    assert (paket.total, sorted(paket.lines.values_list("sku", "unit_price", "quantity"))) == (
        800_000, sorted([(first.sku, 150_000, 4), (folder.sku, 20_000, 10)]))
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", _draft_form(
        team, paket, **{f"remove-{line.pk}": "on" for line in paket.lines.all()}))
    assert response.status_code == 400 and "minimal satu barang" in response.content.decode()
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", _draft_form(
        team, paket, **{f"remove-{first.pk}": "on"}))
    assert response.status_code == 302
    paket.refresh_from_db()
    assert (paket.total, list(paket.lines.values_list("variant_id", flat=True))) == (200_000, [folder.pk])
    assert "Dihapus" in paket.events.last().note
    client.force_login(make_user())
    assert client.post(f"/pengadaan/paket/{paket.pk}/ubah/", _draft_form(team, paket)).status_code == 404


def test_an_agreed_price_holds_only_for_the_agreed_quantity_when_the_ppk_returns_the_draft():
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 120_000, 4)
    services.paket_offer_accept(paket_id=paket.pk, actor=team.seller)
    services.paket_return(paket_id=paket.pk, actor=team.ppk, reason="Tambah jumlah, anggaran cukup")
    paket.refresh_from_db()
    line = paket.lines.get()
    data = {"nama": paket.nama, "kode_rup": paket.kode_rup, "tahun_anggaran": paket.tahun_anggaran,
            "sumber_dana": paket.sumber_dana, "alamat_kirim": paket.alamat_kirim,
            "permintaan_tiba": paket.permintaan_tiba, "ppk_id": team.ppk.pk}
    with pytest.raises(ValidationError, match="disepakati untuk 4 unit"):
        services.paket_update(paket_id=paket.pk, actor=team.pp, quantities={line.pk: 8}, **data)
    services.paket_update(paket_id=paket.pk, actor=team.pp, quantities={line.pk: 4}, **{**data, "nama": "ATK Q4"})
    paket.refresh_from_db()
    assert (paket.nama, paket.total, paket.lines.get().unit_price) == ("ATK Q4", 480_000, 120_000)
    offer(team, paket, team.pp, 115_000, 8)  # a new negotiation for the new quantity
    services.paket_offer_accept(paket_id=paket.pk, actor=team.seller)
    assert Paket.objects.get(pk=paket.pk).total == 920_000


def test_lines_cannot_be_edited_during_a_negotiation():
    team = Team()
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 120_000, 4)
    line = paket.lines.get()
    with pytest.raises(PaketTransitionError, match="saat berstatus Draf"):
        services.paket_update(paket_id=paket.pk, actor=team.pp, nama=paket.nama, kode_rup=paket.kode_rup,
                              tahun_anggaran=paket.tahun_anggaran, sumber_dana=paket.sumber_dana,
                              alamat_kirim=paket.alamat_kirim, permintaan_tiba=paket.permintaan_tiba,
                              ppk_id=team.ppk.pk, quantities={line.pk: 8})
    assert paket.lines.get().quantity == 4


def test_the_seller_signs_what_was_agreed():
    team = Team(price=150_000, stock=20)
    paket = team.paket(quantity=4)
    offer(team, paket, team.pp, 125_000, 4)
    services.paket_offer_accept(paket_id=paket.pk, actor=team.seller)
    team.walk(paket, S.DIPROSES)
    assert ProductVariant.objects.get(pk=team.variant.pk).allocated == 4
    paket.refresh_from_db()
    assert paket.total == 500_000 and paket.documents.get(kind="sp").signatures.count() == 2
