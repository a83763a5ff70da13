"""The package lifecycle: the main path, every illegal step refused with nothing written, Kode RUP, the PP
limit, PP ≠ PPK, signing (step-up, someone else's SP, the deadline, a second BAST), stock held and returned."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from catalog.models import ProductVariant
from orders.models import Order
from plazabanten.models import AuditLog
from procurement import services
from procurement.lifecycle import (
    SYSTEM,
    TRANSITIONS,
    PaketActionForbidden,
    PaketActionInvalid,
    PaketTransitionError,
    paket_actions_for,
    paket_transition,
)
from procurement.models import OpdMember, Paket, PaketDocument, PaketEvent, PaketSignature, Role
from procurement.services import paket_cancel_unanswered
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.procurement.helpers import Team, add_member, make_opd

pytestmark = pytest.mark.django_db
S = Paket.Status


def test_the_main_path_issues_numbered_signed_documents_and_an_order_to_pay():
    team = Team()
    paket = team.walk(team.paket(quantity=4), S.MENUNGGU_PEMBAYARAN)
    year = timezone.localdate().year
    documents = {d.kind: d for d in paket.documents.all()}
    assert documents["sp"].number == f"SP/{team.opd.kode_satker}/{year}/000001"
    assert documents["bast"].number == f"BAST/{team.opd.kode_satker}/{year}/000001"
    assert set(documents) == {"sp", "bast", "invoice", "kuitansi"}
    for document in documents.values():
        content = document.file.open("rb").read()
        assert content.startswith(b"%PDF-")
        import hashlib

        assert hashlib.sha256(content).hexdigest() == document.sha256
    signatures = {(s.document.kind, s.party): s.signer_id for s in PaketSignature.objects.filter(
        document__paket=paket)}
    assert signatures == {("sp", "ppk"): team.ppk.pk, ("sp", "penyedia"): team.seller.pk,
                          ("bast", "ppk"): team.ppk.pk, ("bast", "penyedia"): team.seller.pk}
    assert paket.order.status == Order.Status.AWAITING_PAYMENT
    assert paket.order.total == paket.total == 600_000
    assert list(PaketEvent.objects.filter(paket=paket).values_list("to_status", flat=True)) == [
        S.DRAFT, S.MENUNGGU_PPK, S.SP_TERBIT, S.DIPROSES, S.DIKIRIM, S.DITERIMA, S.BAST_PPK, S.SUDAH_BAST,
        S.MENUNGGU_PEMBAYARAN]
    assert AuditLog.objects.filter(target_type="procurement.paket", target_id=str(paket.pk)).count() >= 8


def test_stock_is_held_at_the_sp_and_leaves_at_shipping():
    team = Team(stock=10)
    paket = team.walk(team.paket(quantity=4), S.SP_TERBIT)
    variant = ProductVariant.objects.get(pk=team.variant.pk)
    assert (variant.stock, variant.allocated) == (10, 4)
    team.walk(paket, S.DIKIRIM)
    variant.refresh_from_db()
    assert (variant.stock, variant.allocated) == (6, 0)


@pytest.mark.parametrize("ending", ["decline", "auto", "ppk_cancel_before_sp"])
def test_stock_returns_when_the_package_ends_before_shipping(ending):
    team = Team(stock=10)
    paket = team.paket(quantity=4)
    if ending == "ppk_cancel_before_sp":
        team.walk(paket, S.MENUNGGU_PPK)
        services.paket_cancel(paket_id=paket.pk, actor=team.ppk, reason="Anggaran direvisi")
    else:
        team.walk(paket, S.SP_TERBIT)
        if ending == "decline":
            services.paket_seller_decline(paket_id=paket.pk, actor=team.seller, reason="Stok habis di gudang")
        else:
            Paket.objects.filter(pk=paket.pk).update(seller_deadline=timezone.now() - timedelta(minutes=1))
            assert paket_cancel_unanswered() == 1
    variant = ProductVariant.objects.get(pk=team.variant.pk)
    assert (variant.stock, variant.allocated) == (10, 0)
    paket.refresh_from_db()
    assert paket.status in (S.DITOLAK_PENYEDIA, S.BATAL_OTOMATIS, S.DIBATALKAN)


def test_the_sp_is_refused_when_the_shop_no_longer_has_the_stock_and_nothing_is_written():
    team = Team(stock=3)
    paket = team.walk(team.paket(quantity=3), S.MENUNGGU_PPK)
    ProductVariant.objects.filter(pk=team.variant.pk).update(stock=2)
    with pytest.raises(PaketActionInvalid, match="Stok penyedia tidak cukup"):
        services.paket_sp_sign(paket_id=paket.pk, actor=team.ppk, password=DEFAULT_PASSWORD)
    paket.refresh_from_db()
    assert paket.status == S.MENUNGGU_PPK and not paket.documents.exists()
    assert ProductVariant.objects.get(pk=team.variant.pk).allocated == 0


# --- every illegal transition ------------------------------------------------------------------------------

ALL_STATES = list(S.values)


def _actor(team: Team, kind: str, paket: Paket):
    if kind == "pemeriksa":
        inspector = add_member(team.opd, Role.PEMERIKSA)
        Paket.objects.filter(pk=paket.pk).update(inspector=inspector)
        return inspector
    return {"pembuat": paket.created_by, "ppk": team.ppk, "penyedia": team.seller, "bendahara": team.bendahara,
            "auditor": team.auditor, "system": None, "stranger": make_user()}[kind]


def test_every_pair_of_states_not_in_the_table_is_refused_for_everyone():
    team = Team()
    paket = team.paket()
    allowed = {(t.source, t.target) for t in TRANSITIONS}
    for source in ALL_STATES:
        for target in ALL_STATES:
            if (source, target) in allowed:
                continue
            Paket.objects.filter(pk=paket.pk).update(status=source)
            for kind in ("pembuat", "ppk", "pemeriksa", "penyedia", "bendahara", "system"):
                with pytest.raises(PaketTransitionError):
                    paket_transition(paket_id=paket.pk, to_status=target, actor=_actor(team, kind, paket),
                                     note="uji", password=DEFAULT_PASSWORD if kind != "system" else None)
            assert Paket.objects.get(pk=paket.pk).status == source
    assert PaketEvent.objects.filter(paket=paket).count() == 1  # only the creation


@pytest.mark.parametrize("row", [t for t in TRANSITIONS if t.slug], ids=lambda t: f"{t.source}->{t.target}")
def test_each_table_step_is_refused_to_everyone_it_does_not_name(row):
    team = Team()
    paket = team.paket()
    Paket.objects.filter(pk=paket.pk).update(status=row.source)
    # (some pairs are several rows: dikirim → dikirim is the seller shipping again or the PPK/pemeriksa inspecting one
    # delivery of several; the negotiation's offers and counters)
    named = set().union(*(t.who for t in TRANSITIONS if (t.source, t.target) == (row.source, row.target)))
    for kind in ("pembuat", "ppk", "pemeriksa", "penyedia", "bendahara", "auditor", "stranger", "system"):
        if kind in named or kind == SYSTEM:
            continue
        with pytest.raises(PaketActionForbidden):
            paket_transition(paket_id=paket.pk, to_status=row.target, actor=_actor(team, kind, paket), note="uji",
                             password=DEFAULT_PASSWORD)
        assert Paket.objects.get(pk=paket.pk).status == row.source


def test_the_buttons_come_from_the_table():
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    assert [a.slug for a in paket_actions_for(paket, team.ppk)] == ["kembalikan", "terbitkan-sp", "batalkan"]
    assert paket_actions_for(paket, team.pp) == []
    assert paket_actions_for(paket, team.seller) == []
    assert paket_actions_for(paket, team.auditor) == []
    draft = team.paket()
    assert [a.slug for a in paket_actions_for(draft, team.pp)] == ["ajukan", "nego", "batalkan"]
    assert paket_actions_for(draft, team.seller) == []


# --- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kode", ["RUP-123", "12a45678", "", "1234", "５６０８２７４４"])
def test_a_kode_rup_that_is_not_digits_is_refused_with_a_clear_message(kode):
    team = Team()
    with pytest.raises(ValidationError) as error:
        team.paket(kode_rup=kode)
    assert "Kode RUP hanya berisi angka" in str(error.value.message_dict["kode_rup"])
    assert not Paket.objects.exists()


def test_a_kode_rup_with_spaces_is_kept_as_its_digits():
    team = Team()
    assert team.paket(kode_rup=" 5608 2744 ").kode_rup == "56082744"


def test_a_pp_cannot_create_a_package_over_the_pp_limit_but_a_ppk_can(settings):
    settings.PROCUREMENT_PP_LIMIT = 500_000
    team = Team(price=150_000)
    with pytest.raises(ValidationError, match="melebihi batas Pejabat Pengadaan"):
        team.paket(quantity=4)  # Rp600.000
    assert not Paket.objects.exists()
    paket = team.paket(quantity=4, creator=team.ppk, ppk_id=None)
    assert (paket.created_as, paket.ppk_id) == (Role.PPK, team.ppk.pk)


def test_the_bela_mode_limits_every_package(settings):
    settings.PROCUREMENT_BELA_MODE = True
    settings.PROCUREMENT_BELA_LIMIT = 500_000
    team = Team(price=150_000)
    with pytest.raises(ValidationError, match="melebihi batas"):
        team.paket(quantity=4, creator=team.ppk, ppk_id=None)


def test_a_pp_cannot_name_themself_or_another_opds_person_as_ppk():
    team = Team()
    both = add_member(team.opd, Role.PP, Role.PPK)
    with pytest.raises(ValidationError, match="tidak boleh orang yang sama"):
        team.paket(creator=both, ppk_id=both.pk)
    elsewhere = add_member(make_opd(), Role.PPK)
    with pytest.raises(ValidationError, match="Pilih PPK"):
        team.paket(ppk_id=elsewhere.pk)
    with pytest.raises(ValidationError, match="Pilih PPK"):
        team.paket(ppk_id=team.bendahara.pk)


def test_the_database_refuses_a_pp_package_reviewed_by_its_own_pp():
    team = Team()
    paket = team.paket()
    with pytest.raises(IntegrityError):
        Paket.objects.filter(pk=paket.pk).update(ppk=team.pp)


def test_a_pp_approving_their_own_package_is_refused():
    team = Team()
    both = add_member(team.opd, Role.PP, Role.PPK)
    paket = team.walk(team.paket(creator=both), S.MENUNGGU_PPK)
    with pytest.raises(PaketActionForbidden):
        services.paket_sp_sign(paket_id=paket.pk, actor=both, password=DEFAULT_PASSWORD)


def test_a_person_who_lost_the_role_can_no_longer_act():
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    OpdMember.objects.filter(user=team.ppk).update(roles=[Role.AUDITOR])
    with pytest.raises(PaketActionForbidden):
        services.paket_sp_sign(paket_id=paket.pk, actor=team.ppk, password=DEFAULT_PASSWORD)


def test_a_return_needs_a_reason_and_goes_back_to_the_creator():
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    with pytest.raises(PaketActionInvalid):
        services.paket_return(paket_id=paket.pk, actor=team.ppk, reason="  ")
    services.paket_return(paket_id=paket.pk, actor=team.ppk, reason="Kode RUP salah paket")
    paket.refresh_from_db()
    assert (paket.status, paket.reason) == (S.DRAFT, "Kode RUP salah paket")
    team.walk(paket, S.MENUNGGU_PPK)


# --- signing ---------------------------------------------------------------------------------------------------


def test_signing_needs_the_signers_own_password():
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    with pytest.raises(PaketActionInvalid, match="Kata sandi salah"):
        services.paket_sp_sign(paket_id=paket.pk, actor=team.ppk, password="salah-sekali")
    paket.refresh_from_db()
    assert paket.status == S.MENUNGGU_PPK and not paket.documents.exists()


def test_five_wrong_passwords_lock_signing_for_a_while(client):
    from django.core.cache import cache

    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    cache.delete(f"procurement:sign-failures:{team.ppk.pk}")
    client.force_login(team.ppk)
    for _attempt in range(5):
        assert client.post(f"/pengadaan/paket/{paket.pk}/terbitkan-sp/", {"password": "tebak"}).status_code == 400
    response = client.post(f"/pengadaan/paket/{paket.pk}/terbitkan-sp/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 429 and "Terlalu banyak" in response.content.decode()
    assert Paket.objects.get(pk=paket.pk).status == S.MENUNGGU_PPK
    cache.delete(f"procurement:sign-failures:{team.ppk.pk}")


def test_signing_someone_elses_sp_is_refused():
    team = Team()
    other_ppk = add_member(team.opd, Role.PPK)
    paket = team.walk(team.paket(), S.MENUNGGU_PPK)
    with pytest.raises(PaketActionForbidden):
        services.paket_sp_sign(paket_id=paket.pk, actor=other_ppk, password=DEFAULT_PASSWORD)
    team.walk(paket, S.SP_TERBIT)
    other_shop_owner = Team().seller
    with pytest.raises(PaketActionForbidden):
        services.paket_seller_accept(paket_id=paket.pk, actor=other_shop_owner, password=DEFAULT_PASSWORD)
    assert PaketSignature.objects.filter(document__paket=paket).count() == 1


def test_a_seller_accepting_after_the_deadline_is_refused_and_the_package_cancels():
    team = Team()
    paket = team.walk(team.paket(), S.SP_TERBIT)
    Paket.objects.filter(pk=paket.pk).update(seller_deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(PaketTransitionError, match="Batas waktu menanggapi"):
        services.paket_seller_accept(paket_id=paket.pk, actor=team.seller, password=DEFAULT_PASSWORD)
    assert Paket.objects.get(pk=paket.pk).status == S.SP_TERBIT
    assert paket_cancel_unanswered() == 1
    assert Paket.objects.get(pk=paket.pk).status == S.BATAL_OTOMATIS


def test_the_seller_deadline_is_three_working_days_after_the_sp():
    team = Team()
    paket = team.walk(team.paket(), S.SP_TERBIT)
    from procurement.workdays import working_days_after

    expected = working_days_after(timezone.localdate(), 3)
    assert timezone.localtime(paket.seller_deadline).date() == expected


def test_a_second_bast_is_refused():
    team = Team()
    paket = team.walk(team.paket(), S.MENUNGGU_PEMBAYARAN)
    with pytest.raises(PaketTransitionError):
        services.paket_bast_sign(paket_id=paket.pk, actor=team.ppk, password=DEFAULT_PASSWORD)
    with pytest.raises(PaketTransitionError):
        services.paket_bast_sign(paket_id=paket.pk, actor=team.seller, password=DEFAULT_PASSWORD)
    assert paket.documents.filter(kind=PaketDocument.Kind.BAST).count() == 1
    with pytest.raises(IntegrityError):
        PaketDocument.objects.create(paket=paket, kind="bast", number="BAST/X/1", sha256="0" * 64)


def test_a_mismatch_at_inspection_goes_back_to_the_seller_with_what_was_wrong():
    team = Team(stock=10)
    paket = team.walk(team.paket(quantity=4), S.DIKIRIM)
    line = paket.lines.get()
    services.paket_inspect(paket_id=paket.pk, actor=team.ppk, lines={line.pk: (3, True, "1 dus kurang")})
    paket.refresh_from_db()
    assert paket.status == S.DIPROSES and "diterima 3/4" in paket.reason
    services.paket_ship(paket_id=paket.pk, actor=team.seller, courier="Kurir toko")
    assert ProductVariant.objects.get(pk=team.variant.pk).stock == 6  # the re-shipment takes nothing more
    team.walk(paket, S.DITERIMA)


def test_an_inspection_must_cover_every_line():
    team = Team()
    paket = team.walk(team.paket(), S.DIKIRIM)
    with pytest.raises(PaketActionInvalid):
        services.paket_inspect(paket_id=paket.pk, actor=team.ppk, lines={})
    assert Paket.objects.get(pk=paket.pk).status == S.DIKIRIM


def test_a_stranger_cannot_create_a_package():
    team = Team()
    with pytest.raises(PermissionDenied):
        team.paket(creator=make_user())


def test_the_creator_fixes_a_returned_draft_and_sends_it_again(client, settings):
    team = Team(price=150_000)
    paket = team.walk(team.paket(quantity=4), S.MENUNGGU_PPK)
    services.paket_return(paket_id=paket.pk, actor=team.ppk, reason="Jumlah terlalu banyak, Kode RUP salah")
    line = paket.lines.get()
    form = {"nama": paket.nama, "kode_rup": "56082799", "tahun_anggaran": str(paket.tahun_anggaran),
            "sumber_dana": "APBD", "alamat_kirim": paket.alamat_kirim,
            "permintaan_tiba": paket.permintaan_tiba.isoformat(), "ppk": str(team.ppk.pk)}
    client.force_login(team.pp)
    assert "Ubah draf" in client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    settings.PROCUREMENT_PP_LIMIT = 500_000
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", {**form, f"quantity-{line.pk}": "4"})
    assert response.status_code == 400 and "melebihi batas Pejabat Pengadaan" in response.content.decode()
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", {**form, "kode_rup": "RUP-1",
                                                                  f"quantity-{line.pk}": "3"})
    assert response.status_code == 400 and "Kode RUP hanya berisi angka" in response.content.decode()
    assert Paket.objects.get(pk=paket.pk).kode_rup == "56082744"
    response = client.post(f"/pengadaan/paket/{paket.pk}/ubah/", {**form, f"quantity-{line.pk}": "3"})
    assert response.status_code == 302
    paket.refresh_from_db()
    assert (paket.kode_rup, paket.total, paket.lines.get().quantity) == ("56082799", 450_000, 3)
    client.force_login(team.ppk)  # not the creator
    assert client.post(f"/pengadaan/paket/{paket.pk}/ubah/", {**form, f"quantity-{line.pk}": "1"}).status_code == 403
    team.walk(paket, S.MENUNGGU_PPK)
    client.force_login(team.pp)
    assert client.post(f"/pengadaan/paket/{paket.pk}/ubah/", {**form, f"quantity-{line.pk}": "1"}).status_code == 409
    assert Paket.objects.get(pk=paket.pk).total == 450_000
