"""The 40% mandate: targets, the realisation per OPD / Pemda / province against numbers worked out by hand, the
same figures from a fresh SQL count, the snapshot at the SP, the pages (query counts pinned) and the open data."""

import csv
import io
import json
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from payments.models import CreditNote
from payments.services import refund_request
from plazabanten.models import AuditLog
from procurement import services
from procurement.models import OpdTarget, Paket, Role
from procurement.payment import paket_payment_start
from procurement.realisation import opd_realisation, province_realisation, realisation_cells, year_fraction
from tests.factories import make_product, make_shop, make_user
from tests.procurement.helpers import Team, add_member, make_opd
from tests.procurement.test_payment import pay_by_webhook
from vendors.models import Shop

pytestmark = pytest.mark.django_db
S = Paket.Status
WIB = ZoneInfo("Asia/Jakarta")


def _team_for(opd) -> Team:
    """A Team around an existing OPD (its admin, PP, PPK, bendahara); the shop changes per package."""
    team = Team.__new__(Team)
    team.opd = opd
    team.admin = opd.members.get().user
    team.pp = add_member(opd, Role.PP)
    team.ppk = add_member(opd, Role.PPK)
    team.bendahara = add_member(opd, Role.BENDAHARA)
    team.auditor = add_member(opd, Role.AUDITOR)
    return team


def buy(client, team: Team, shop: Shop, quantities: dict, *, paid: date | None) -> Paket:
    """One package through the real path: created, SP, accepted, shipped, inspected, BAST, paid by VA webhook;
    then its payment day is set to the month it stands for (the year is compressed into one test)."""
    team.seller = shop.owner
    paket = services.paket_create(
        actor=team.pp, shop_id=shop.pk, quantities={p.variants.get().pk: q for p, q in quantities.items()},
        nama="Belanja rutin", kode_rup="56082744", tahun_anggaran=2026, sumber_dana="APBD",
        alamat_kirim="Jl. Syekh Nawawi Al Bantani, Serang", permintaan_tiba=date(2026, 12, 31), ppk_id=team.ppk.pk)
    team.walk(paket, S.MENUNGGU_PEMBAYARAN)
    if paid is None:
        return paket
    attempt = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri")
    assert pay_by_webhook(client, attempt).json() == {"result": "paid"}
    Paket.objects.filter(pk=paket.pk).update(paid_on=paid)
    paket.refresh_from_db()
    assert paket.status == S.DIBAYAR
    return paket


@pytest.fixture
def year(client, django_capture_on_commit_callbacks):
    """Shops: A mikro in Kota Serang, B menengah in Kota Tangerang, C kecil in Jakarta, D a koperasi (menengah by
    size) in Kab. Pandeglang. PDN = TKDN + BMP ≥ 40: pA1 (35+10), pB1 (40+0), pD1 (30+15); pA2 (20) and pC1 (0)
    are not."""
    a = make_shop(kabkota="36.73", umkm_class=Shop.UmkmClass.MIKRO)
    b = make_shop(kabkota="36.71", umkm_class=Shop.UmkmClass.MENENGAH)
    c = make_shop(kabkota="31.71", umkm_class=Shop.UmkmClass.KECIL)
    d = make_shop(kabkota="36.01", umkm_class=Shop.UmkmClass.MENENGAH, is_koperasi=True)
    pa1 = make_product(shop=a, price=100_000, stock=500, tkdn_percent=35, bmp_percent=10)
    pa2 = make_product(shop=a, price=50_000, stock=500, tkdn_percent=20)
    pb1 = make_product(shop=b, price=200_000, stock=500, tkdn_percent=40)
    pc1 = make_product(shop=c, price=80_000, stock=500)
    pd1 = make_product(shop=d, price=60_000, stock=500, tkdn_percent=30, bmp_percent=15)
    o1 = _team_for(make_opd(pemda="36", name="Dinas Koperasi Provinsi"))
    o2 = _team_for(make_opd(pemda="36.73", name="Dinas Pendidikan Kota Serang"))
    o3 = _team_for(make_opd(pemda="36.73", name="Kecamatan Serang"))
    OpdTarget.objects.create(opd=o1.opd, year=2026, pagu=10_000_000, umk_percent=40, updated_by=o1.admin)
    OpdTarget.objects.create(opd=o2.opd, year=2026, pagu=5_000_000, umk_percent=50, updated_by=o2.admin)
    p1 = buy(client, o1, a, {pa1: 10, pa2: 4}, paid=date(2026, 1, 20))  # 1.200.000, PDN 1.000.000
    buy(client, o1, b, {pb1: 5}, paid=date(2026, 3, 5))  # 1.000.000, not UMK
    buy(client, o1, c, {pc1: 10}, paid=date(2026, 6, 30))  # 800.000, UMK outside Banten
    buy(client, o2, d, {pd1: 10}, paid=date(2026, 9, 1))  # 600.000, koperasi
    buy(client, o2, b, {pb1: 2}, paid=date(2026, 9, 2))  # 400.000, not UMK
    buy(client, o3, a, {pa1: 6, pa2: 2}, paid=date(2026, 11, 11))  # 700.000, PDN 600.000
    buy(client, o3, a, {pa1: 50}, paid=date(2025, 12, 20))  # last year: not in 2026
    buy(client, o1, a, {pa1: 30}, paid=None)  # awaiting payment: not counted
    # Shop C grows into a medium business after its package: the package keeps the class it had at the SP.
    Shop.objects.filter(pk=c.pk).update(umkm_class=Shop.UmkmClass.MENENGAH)
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_request(order_id=p1.order_id, amount=300_000, reason="Sebagian barang rusak")
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    CreditNote.objects.filter(refund=refund).update(created_at=datetime(2026, 10, 10, 9, tzinfo=WIB))
    return SimpleNamespace(o1=o1, o2=o2, o3=o3)


def test_a_year_of_packages_gives_the_hand_worked_40_percent_figures(year):
    p, t1 = opd_realisation(opd=year.o1.opd, year=2026, today=date(2026, 12, 31))
    f = p.figures
    # O1: 1.200.000 + 1.000.000 + 800.000 − 300.000 refunded in October.
    assert (f.packages, f.spent, f.umk, f.pdn, f.banten) == (3, 2_700_000, 1_700_000, 1_750_000, 1_900_000)
    # The refund's PDN part: 300.000 × 1.000.000 / 1.200.000 = 250.000.
    assert [m.spent for m in p.months] == [1_200_000, 0, 1_000_000, 0, 0, 800_000, 0, 0, 0, -300_000, 0, 0]
    assert (t1.pagu, t1.umk_amount, p.umk_target) == (10_000_000, 4_000_000, 4_000_000)
    assert p.umk_of_pagu == pytest.approx(17.0) and p.umk_reached == pytest.approx(42.5)
    assert f.umk_share == pytest.approx(1_700_000 * 100 / 2_700_000)
    assert p.projected_umk == 1_700_000 and p.on_track is False  # the year is over: projection = actual

    province = province_realisation(year=2026, today=date(2026, 12, 31))
    by_name = {row.opd.name: row.progress.figures for row in province.ranking}
    o2, o3 = by_name["Dinas Pendidikan Kota Serang"], by_name["Kecamatan Serang"]
    assert (o2.packages, o2.spent, o2.umk, o2.pdn, o2.banten) == (2, 1_000_000, 600_000, 1_000_000, 1_000_000)
    assert (o3.packages, o3.spent, o3.umk, o3.pdn, o3.banten) == (1, 700_000, 700_000, 600_000, 700_000)
    pemdas = {row.pemda.code: row.progress for row in province.pemdas}
    serang = pemdas["36.73"]
    assert (serang.figures.spent, serang.figures.umk, serang.figures.pdn, serang.figures.banten) == (
        1_700_000, 1_300_000, 1_600_000, 1_700_000)
    assert (serang.pagu, serang.umk_target) == (5_000_000, 2_500_000)  # O3 has no target
    assert pemdas["36"].figures.spent == 2_700_000
    total = province.progress
    assert (total.figures.packages, total.figures.spent, total.figures.umk, total.figures.pdn,
            total.figures.banten) == (6, 4_400_000, 3_000_000, 3_350_000, 3_600_000)
    assert (total.pagu, total.umk_target) == (15_000_000, 6_500_000)
    assert total.figures.umk_share == pytest.approx(3_000_000 * 100 / 4_400_000)
    assert total.months[8].spent == 1_000_000 and total.months[9].spent == -300_000
    # Ranked by the planned UMK rupiah reached: O1 42.5%, O2 24%, then O3 without a target.
    assert [row.opd.name for row in province.ranking] == [
        "Dinas Koperasi Provinsi", "Dinas Pendidikan Kota Serang", "Kecamatan Serang"]


def test_the_projection_is_a_straight_line_to_31_december(year):
    assert year_fraction(2026, date(2026, 7, 2)) == pytest.approx(183 / 365)
    assert year_fraction(2025, date(2026, 7, 2)) == 1 and year_fraction(2027, date(2026, 7, 2)) == 0
    p, _target = opd_realisation(opd=year.o1.opd, year=2026, today=date(2026, 7, 2))
    assert p.projected_umk == round(1_700_000 * 365 / 183)
    assert p.projected_spent == round(2_700_000 * 365 / 183)
    assert p.projected_umk == 3_390_710 and p.on_track is False  # below the 4.000.000 planned for UMK
    p2, _target = opd_realisation(opd=year.o2.opd, year=2026, today=date(2026, 2, 1))
    assert p2.projected_umk == round(600_000 * 365 / 32) and p2.on_track is True


FRESH_SQL = """
WITH paid AS (
  SELECT p.opd_id, EXTRACT(MONTH FROM p.paid_on)::int AS month, COUNT(DISTINCT p.id) AS n,
         SUM(l.unit_price * l.quantity) AS spent,
         SUM(CASE WHEN p.shop_umk THEN l.unit_price * l.quantity ELSE 0 END) AS umk,
         SUM(CASE WHEN l.pdn THEN l.unit_price * l.quantity ELSE 0 END) AS pdn,
         SUM(CASE WHEN p.shop_banten THEN l.unit_price * l.quantity ELSE 0 END) AS banten
  FROM procurement_paket p JOIN procurement_paketline l ON l.paket_id = p.id
  WHERE p.status IN ('dibayar', 'selesai') AND p.paid_on >= %(start)s AND p.paid_on < %(end)s
  GROUP BY 1, 2),
refunded AS (
  SELECT p.opd_id, EXTRACT(MONTH FROM cn.created_at AT TIME ZONE 'Asia/Jakarta')::int AS month,
         SUM(cn.amount) AS spent, SUM(CASE WHEN p.shop_umk THEN cn.amount ELSE 0 END) AS umk,
         SUM(cn.amount * (SELECT SUM(l.unit_price * l.quantity) FROM procurement_paketline l
                           WHERE l.paket_id = p.id AND l.pdn) / p.total) AS pdn,
         SUM(CASE WHEN p.shop_banten THEN cn.amount ELSE 0 END) AS banten
  FROM payments_creditnote cn JOIN procurement_paket p ON p.order_id = cn.order_id
  WHERE (cn.created_at AT TIME ZONE 'Asia/Jakarta') >= %(start)s
    AND (cn.created_at AT TIME ZONE 'Asia/Jakarta') < %(end)s
  GROUP BY 1, 2)
SELECT COALESCE(paid.opd_id, refunded.opd_id), COALESCE(paid.month, refunded.month), COALESCE(paid.n, 0),
       COALESCE(paid.spent, 0) - COALESCE(refunded.spent, 0), COALESCE(paid.umk, 0) - COALESCE(refunded.umk, 0),
       COALESCE(paid.pdn, 0) - COALESCE(refunded.pdn, 0), COALESCE(paid.banten, 0) - COALESCE(refunded.banten, 0)
FROM paid FULL JOIN refunded ON paid.opd_id = refunded.opd_id AND paid.month = refunded.month
"""


def test_the_realisation_equals_a_fresh_sql_count_from_the_lines(year):
    with connection.cursor() as cursor:
        cursor.execute(FRESH_SQL, {"start": date(2026, 1, 1), "end": date(2027, 1, 1)})
        fresh = {(row[0], row[1]): tuple(int(v) for v in row[2:]) for row in cursor.fetchall()}
    cells = {key: (f.packages, f.spent, f.umk, f.pdn, f.banten) for key, f in realisation_cells(year=2026).items()}
    assert cells == fresh
    assert len(cells) == 6  # O1: Jan, Mar, Jun, Oct (the refund); O2: Sep; O3: Nov


def test_the_class_and_pdn_status_are_taken_when_the_sp_is_issued():
    team = Team(price=100_000, stock=50, shop=make_shop(kabkota="36.73", umkm_class=Shop.UmkmClass.KECIL))
    team.product.tkdn_percent, team.product.bmp_percent = 30, 10
    team.product.save(update_fields=["tkdn_percent", "bmp_percent"])
    paket = team.paket(quantity=3)
    assert (paket.shop_umk, paket.pdn_amount) == (False, 0)  # a draft carries no snapshot yet
    paket = team.walk(paket, S.SP_TERBIT)
    assert (paket.shop_umkm_class, paket.shop_umk, paket.shop_banten, paket.pdn_amount) == ("kecil", True, True,
                                                                                            300_000)
    assert paket.lines.get().pdn is True
    Shop.objects.filter(pk=team.shop.pk).update(umkm_class=Shop.UmkmClass.MENENGAH, kabkota_id="31.71")
    team.product.tkdn_percent = 0
    team.product.save(update_fields=["tkdn_percent"])
    paket = team.walk(paket, S.MENUNGGU_PEMBAYARAN)
    assert (paket.shop_umk, paket.shop_banten, paket.pdn_amount) == (True, True, 300_000)


# --- targets -------------------------------------------------------------------------------------------------


def test_the_admin_sets_a_target_and_a_share_below_40_percent_is_refused():
    team = Team()
    with pytest.raises(ValidationError) as refused:
        services.opd_target_set(opd_id=team.opd.pk, actor=team.admin, year=2026, pagu=1_000_000_000, umk_percent=39)
    assert "minimal 40%" in str(refused.value)
    target = services.opd_target_set(opd_id=team.opd.pk, actor=team.admin, year=2026, pagu=1_000_000_000,
                                     umk_percent=40)
    assert (target.pagu, target.umk_amount) == (1_000_000_000, 400_000_000)
    for someone in (team.ppk, team.auditor, make_user()):
        with pytest.raises(PermissionDenied):
            services.opd_target_set(opd_id=team.opd.pk, actor=someone, year=2026, pagu=5, umk_percent=50)
    assert OpdTarget.objects.get().pagu == 1_000_000_000


def test_a_budget_below_what_was_spent_needs_a_reason_which_is_kept_and_audited(year):
    admin = year.o1.admin
    services.opd_target_set(opd_id=year.o1.opd.pk, actor=admin, year=2026, pagu=3_000_000, umk_percent=40)
    with pytest.raises(ValidationError) as warned:
        services.opd_target_set(opd_id=year.o1.opd.pk, actor=admin, year=2026, pagu=2_000_000, umk_percent=40)
    assert "Rp2.700.000" in str(warned.value) and "reason" in warned.value.message_dict
    assert OpdTarget.objects.get(opd=year.o1.opd).pagu == 3_000_000  # nothing half-written
    target = services.opd_target_set(opd_id=year.o1.opd.pk, actor=admin, year=2026, pagu=2_000_000, umk_percent=45,
                                     reason="APBD Perubahan memangkas pagu")
    assert (target.pagu, target.reason) == (2_000_000, "APBD Perubahan memangkas pagu")
    log = AuditLog.objects.filter(action="opd.target_set").latest("pk")
    assert log.reason == "APBD Perubahan memangkas pagu" and log.after["spent"] == 2_700_000
    assert log.before == {"pagu": 3_000_000, "umk_percent": 40}


def test_the_target_form_warns_with_400_and_saves_with_a_reason(client, year):
    client.force_login(year.o1.admin)
    url = "/pengadaan/realisasi/?tahun=2026"
    response = client.post(url, {"year": "2026", "pagu": "2jt", "umk_percent": "40", "reason": ""})
    assert response.status_code == 400
    assert "lebih kecil dari belanja yang sudah dibayar" in response.content.decode()
    assert client.post(url, {"year": "2026", "pagu": "12.000.000", "umk_percent": "30"}).status_code == 400
    response = client.post(url, {"year": "2026", "pagu": "2jt", "umk_percent": "40", "reason": "Pagu dipangkas"})
    assert response.status_code == 302
    assert OpdTarget.objects.get(opd=year.o1.opd).reason == "Pagu dipangkas"
    client.force_login(year.o1.ppk)
    assert client.post(url, {"year": "2026", "pagu": "9jt", "umk_percent": "90"}).status_code == 403
    client.force_login(make_user())
    assert client.get(url).status_code == 404


# --- pages -----------------------------------------------------------------------------------------------------


def test_every_member_of_the_opd_sees_its_dashboard_in_pinned_queries(client, year, django_assert_num_queries):
    for user in (year.o1.admin, year.o1.pp, year.o1.ppk, year.o1.bendahara, year.o1.auditor):
        client.force_login(user)
        with django_assert_num_queries(7):  # the session comes from Redis
            response = client.get("/pengadaan/realisasi/?tahun=2026")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Rp2.700.000" in html and "<svg" in html and "Rp1.700.000" in html
        assert ('name="pagu"' in html) == (user == year.o1.admin)
    assert client.get("/pengadaan/realisasi/?tahun=1999").status_code == 404


def test_the_pemprov_ranking_is_for_the_verifikator_in_pinned_queries(client, year, django_assert_num_queries):
    from accounts import roles
    from accounts.services import user_grant_role

    client.force_login(year.o1.admin)
    assert client.get("/verifikasi/realisasi/").status_code == 403
    verifikator = make_user()
    user_grant_role(user=verifikator, role=roles.VERIFIKATOR)
    client.force_login(verifikator)
    with django_assert_num_queries(6):  # user, roles; OPDs, targets, paid packages, credit notes (session: Redis)
        response = client.get("/verifikasi/realisasi/?tahun=2026")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Dinas Koperasi Provinsi") < html.index("Dinas Pendidikan Kota Serang") < html.index(
        "Kecamatan Serang")
    assert "Rp4.400.000" in html


# --- open data -----------------------------------------------------------------------------------------------


def test_open_data_shows_aggregates_only_and_hides_small_ones(client, year, settings, django_assert_num_queries):
    settings.REALISATION_OPEN_MIN_PACKAGES = 2
    with django_assert_num_queries(4):
        data = client.get("/data/umk.json?tahun=2026").json()
    assert data["provinsi"]["belanja"] == 4_400_000 and data["provinsi"]["umk"] == 3_000_000
    opds = {row["nama"]: row for row in data["opd"]}
    assert opds["Dinas Koperasi Provinsi"]["belanja"] == 2_700_000
    assert opds["Kecamatan Serang"] == {**opds["Kecamatan Serang"], "belanja": None, "umk": None, "porsi_umk": None,
                                        "disembunyikan": True}  # one package: its price would show
    # …and Kota Serang minus Dinas Pendidikan would give it away: the smallest shown sibling is withheld too.
    assert opds["Dinas Pendidikan Kota Serang"]["belanja"] is None
    assert {p["nama"]: p["belanja"] for p in data["pemda"]} == {"Provinsi Banten": 2_700_000, "Kota Serang": 1_700_000}
    assert data["provinsi"]["bulan"][5]["disembunyikan"] is True  # June: one package
    text = json.dumps(data)
    for private in ("Belanja rutin", "56082744", year.o1.ppk.email, year.o1.ppk.name, "Jl. Syekh"):
        assert private not in text
    with django_assert_num_queries(0):  # cached: realisation:open:v1:2026
        assert client.get("/data/umk.json?tahun=2026").json() == data
    rows = list(csv.reader(io.StringIO(client.get("/data/umk.csv?tahun=2026").content.decode())))
    assert rows[0][:3] == ["tingkat", "kode", "nama"] and rows[1][:3] == ["provinsi", "36", "Provinsi Banten"]
    hidden = next(row for row in rows if row[2] == "Kecamatan Serang")
    assert hidden[8] == "" and hidden[-1] == "True"
    page = client.get("/data/umk/?tahun=2026")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert "Kecamatan Serang" in page.content.decode()


def test_open_data_is_rate_limited_per_ip(client, settings, monkeypatch):
    import django_ratelimit.core

    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    settings.REALISATION_OPEN_RATE = "3/m"
    statuses = [client.get(url).status_code for url in ("/data/umk.json", "/data/umk.csv", "/data/umk/",
                                                        "/data/umk.json")]
    assert statuses == [200, 200, 200, 429]


# --- koperasi --------------------------------------------------------------------------------------------------


def test_a_koperasi_counts_as_umk_whatever_its_size(client):
    from tests.vendors.helpers import make_complete_draft
    from vendors.services import shop_update_identity

    shop = make_complete_draft()
    products = [make_product(shop=shop), make_product(shop=shop)]
    identity = {"owner_name": "Siti Aminah", "owner_nik": "3602015708950001", "business_name": "Koperasi Maju",
                "nib": "9120001234567", "npwp": "013000666091000", "capital": 8_000_000_000,
                "turnover": 40_000_000_000}
    shop_update_identity(shop=shop, actor=shop.owner, entity_type="business", **identity)
    assert not any(p.__class__.objects.get(pk=p.pk).shop_is_umk for p in products)  # a medium CV: not UMK
    shop_update_identity(shop=shop, actor=shop.owner, entity_type="koperasi", **identity)
    shop.refresh_from_db()
    assert (shop.umkm_class, shop.is_koperasi, shop.is_umk) == ("menengah", True, True)
    assert all(p.__class__.objects.get(pk=p.pk).shop_is_umk for p in products)
    shop_update_identity(shop=shop, actor=shop.owner, entity_type="business", **identity)
    shop.refresh_from_db()
    assert (shop.is_koperasi, shop.is_umk) == (False, False)
    assert not any(p.__class__.objects.get(pk=p.pk).shop_is_umk for p in products)


def test_the_migration_splits_cooperatives_out_of_business_entities():
    import importlib

    from django.apps import apps

    from vendors.models import ShopIdentity

    migration = importlib.import_module("vendors.migrations.0009_shop_is_koperasi")
    shops = {name: make_shop(umkm_class=Shop.UmkmClass.MENENGAH) for name in
             ("Koperasi Serba Usaha Maju", "KUD Sinar Tani", "Kop. Wanita Mandiri", "CV Koperindo", "PT Kopi Banten")}
    for name, shop in shops.items():
        ShopIdentity.objects.create(shop=shop, owner_name="Ani", owner_nik="3602015708950001",
                                    entity_type="business", business_name=name, nib="9120001234567",
                                    npwp="013000666091000", capital=6_000_000_000, turnover=20_000_000_000)
        make_product(shop=shop)
    migration.koperasi_split(apps, None)
    koperasi = {s.name for s in Shop.objects.filter(is_koperasi=True)}
    assert {ShopIdentity.objects.get(shop=s).business_name for s in Shop.objects.filter(is_koperasi=True)} == {
        "Koperasi Serba Usaha Maju", "KUD Sinar Tani", "Kop. Wanita Mandiri"}, koperasi
    assert ShopIdentity.objects.filter(entity_type="koperasi").count() == 3
    from catalog.models import Product

    assert Product.objects.filter(shop_is_umk=True).count() == 3


def test_the_migration_backfills_packages_issued_before_it(client):
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("procurement.migrations.0005_realisation")
    team = Team(price=100_000, stock=50, shop=make_shop(kabkota="36.73", umkm_class=Shop.UmkmClass.MIKRO))
    team.product.tkdn_percent, team.product.bmp_percent = 40, 0
    team.product.save(update_fields=["tkdn_percent", "bmp_percent"])
    paid = team.walk(team.paket(quantity=2), S.MENUNGGU_PEMBAYARAN)
    attempt = paket_payment_start(paket_id=paid.pk, actor=team.bendahara, channel="bri")
    pay_by_webhook(client, attempt)
    draft = team.paket(quantity=1)
    Paket.objects.update(shop_umkm_class="", shop_umk=False, shop_banten=False, pdn_amount=0, paid_on=None)
    paid.lines.update(pdn=False)
    migration.realisation_backfill(apps, None)
    paid.refresh_from_db()
    assert (paid.shop_umkm_class, paid.shop_umk, paid.shop_banten, paid.pdn_amount, paid.paid_on) == (
        "mikro", True, True, 200_000, timezone.localdate())
    assert paid.lines.get().pdn is True
    draft.refresh_from_db()
    assert (draft.shop_umk, draft.paid_on) == (False, None)  # not issued yet: its SP will take the snapshot


@pytest.mark.django_db(transaction=True)
def test_two_admins_saving_the_same_year_at_once_leave_one_target_and_two_audit_rows():
    import threading

    from django.db import connections

    team = Team()
    second_admin = add_member(team.opd, Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes = []

    def save(actor, pagu):
        try:
            barrier.wait()
            services.opd_target_set(opd_id=team.opd.pk, actor=actor, year=2027, pagu=pagu, umk_percent=40)
            outcomes.append(pagu)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(team.admin, 7_000_000)),
               threading.Thread(target=save, args=(second_admin, 9_000_000))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [7_000_000, 9_000_000]
    target = OpdTarget.objects.get(opd=team.opd, year=2027)
    logs = list(AuditLog.objects.filter(action="opd.target_set").order_by("pk"))
    assert len(logs) == 2 and logs[-1].after["pagu"] == target.pagu  # the later writer's values stand
    assert logs[0].before == {} and logs[1].before["pagu"] == logs[0].after["pagu"]  # the second saw the first
