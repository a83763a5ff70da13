"""Demo government buyers: OPDs of the Banten province and of two kab/kota governments, their people, and packages
in different states, all made through the procurement services (so every document is numbered, drawn and signed
as in real use). Idempotent: an OPD or a package that exists is left alone."""

from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from accounts.services import user_grant_role
from catalog.models import ProductVariant
from orders.models import CartLine
from payments.gateways.base import Kind
from payments.models import Payment
from payments.services import orders_settle, payment_apply
from procurement import services
from procurement.models import Opd, OpdEvent, OpdMember, OpdTarget, Paket, Role
from procurement.payment import paket_close_paid, paket_payment_start
from vendors.models import Shop

from .data import DEMO_PASSWORD

# (login slug, pemda code, name, kode satker, address, NPWP bendahara)
OPDS = [
    ("dinkop", "36", "Dinas Koperasi dan UKM Provinsi Banten", "1.26.0.00.0.00.01.0000",
     "Jl. Syekh Nawawi Al Bantani, KP3B, Curug, Kota Serang", "013000666091000"),
    ("dindik", "36", "Dinas Pendidikan dan Kebudayaan Provinsi Banten", "1.01.0.00.0.00.01.0000",
     "Jl. Syekh Nawawi Al Bantani, KP3B, Curug, Kota Serang", "013000666091000"),
    ("dindik.serang", "36.73", "Dinas Pendidikan dan Kebudayaan Kota Serang", "1.01.0.00.0.00.01.3673",
     "Jl. Jenderal Sudirman No. 5, Kota Serang", "013000666091000"),
    ("dinkes.pandeglang", "36.01", "Dinas Kesehatan Kabupaten Pandeglang", "1.02.0.00.0.00.01.3601",
     "Jl. Mayor Widagdo No. 7, Pandeglang", "013000666091000"),
]
# Waiting for the verifikator at /verifikasi/opd/: only its Admin OPD so far.
WAITING = ("disperindag.pandeglang", "36.01", "Dinas Perindustrian dan Perdagangan Kabupaten Pandeglang",
           "3.31.0.00.0.00.01.3601", "Jl. Bhayangkara No. 2, Pandeglang", "013000666091000")
PEOPLE = [("admin", Role.ADMIN, "Admin OPD"), ("pp", Role.PP, "Pejabat Pengadaan"),
          ("ppk", Role.PPK, "PPK"), ("bendahara", Role.BENDAHARA, "Bendahara Pengeluaran"),
          ("auditor", Role.AUDITOR, "Auditor Inspektorat"), ("pemeriksa", Role.PEMERIKSA, "Pemeriksa Barang")]
S = Paket.Status
# (OPD slug, package name, shop name, how many lines, the state it is left in)
PAKETS = [
    ("dinkop", "ATK Bidang UMKM Triwulan IV", "Alat Tulis Kramatwatu", 2, S.DRAFT),
    ("dinkop", "Konsumsi rapat koordinasi UMKM", "Dapur Bunda Ciledug", 2, S.MENUNGGU_PPK),
    ("dinkop", "Cendera mata tamu pameran UMKM", "Suvenir Banten Lama", 1, S.SP_TERBIT),
    ("dinkop", "Seragam pendamping koperasi", "Konveksi Pondok Aren", 1, S.DIPROSES),
    ("dinkop", "Hampers kunjungan kerja", "Dapur Bunda Ciledug", 1, S.DIKIRIM),
    ("dinkop", "Kaos kegiatan Hari Koperasi", "Konveksi Pondok Aren", 1, S.DIKIRIM),  # addendum + 2 deliveries
    ("dinkop", "Batik untuk duta UMKM", "Batik Banten Mukarnas", 1, S.MENUNGGU_PEMBAYARAN),
    ("dinkop", "Kopi dan teh ruang tamu", "Kopi Gunung Karang", 2, S.SELESAI),
    ("dinkop", "Kopi untuk rapat pimpinan", "Kopi Gunung Karang", 1, S.NEGOSIASI),
    ("dindik", "Buku agenda guru SMA", "Alat Tulis Kramatwatu", 1, S.BAST_PPK),
    ("dindik.serang", "Map arsip sekolah dasar", "Alat Tulis Kramatwatu", 1, S.DITERIMA),
    ("dinkes.pandeglang", "Madu untuk posyandu", "Madu Hutan Cikeusik", 1, S.SP_TERBIT),
]

# The 40% dashboards (/pengadaan/realisasi/, /verifikasi/realisasi/, /data/umk/): each OPD's plan for this year
# (pagu, planned UMK share) and the packages it paid, month by month (OPD slug → shops, one package a month in turn).
TARGETS = {"dinkop": (20_000_000, 40), "dindik": (30_000_000, 45), "dindik.serang": (10_000_000, 40),
           "dinkes.pandeglang": (8_000_000, 50)}
MONTHLY = {
    "dinkop": ["Kopi Gunung Karang", "Batik Banten Mukarnas", "Cilegon Safety Gear", "Dapur Bunda Ciledug",
               "Alat Tulis Kramatwatu", "Konveksi Pondok Aren"],
    "dindik": ["Alat Tulis Kramatwatu", "Cilegon Safety Gear", "Batik Krakatau Cilegon"],
    "dindik.serang": ["Alat Tulis Kramatwatu", "Kerupuk Ikan Karangantu"],
    "dinkes.pandeglang": ["Madu Hutan Cikeusik", "Cilegon Safety Gear"],
}
MONTHS_EVERY = {"dinkop": 1, "dindik": 2, "dindik.serang": 3, "dinkes.pandeglang": 3}
MONTH_NAMES = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
               "November", "Desember"]


def _sk_pdf(admin: str, opd: str) -> bytes:
    """A clearly fake Surat Keputusan naming the Admin OPD, for the demo."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, "SURAT KEPUTUSAN PENUNJUKAN ADMIN OPD (CONTOH)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, f"Kepala {opd} menunjuk {admin} sebagai Admin OPD pada Plaza Banten. Dokumen demo.")
    return bytes(pdf.output())


def login(slug: str, role: str) -> str:
    return f"{role}.{slug}@plazabanten.test"


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True, "verified": True})
    user_grant_role(user=user, role=roles.GOVERNMENT)
    return user


@transaction.atomic
def seed_opds(verifikator) -> dict[str, Opd]:
    opds = {}
    for slug, pemda, name, kode, address, npwp in OPDS:
        opd = Opd.objects.filter(kode_satker=kode).first()
        people = {role: _user(login(slug, key), f"{label} {name.split(' ', 1)[1][:40]}")
                  for key, role, label in PEOPLE}
        if opd is None:
            now = timezone.now()
            opd = Opd.objects.create(pemda_id=pemda, name=name, kode_satker=kode, address=address,
                                     npwp_bendahara=npwp, status=Opd.Status.VERIFIED, created_by=people[Role.ADMIN],
                                     submitted_at=now - timedelta(days=3), verified_at=now,
                                     sk_original_name="sk-penunjukan.pdf", sk_content_type="application/pdf")
            content = _sk_pdf(people[Role.ADMIN].name, name)
            opd.sk_file.save(f"procurement/opd/{opd.pk}/sk-demo.pdf", ContentFile(content), save=False)
            opd.sk_size = len(content)
            opd.save()
            OpdEvent.objects.create(opd=opd, actor=verifikator, from_status=Opd.Status.SUBMITTED,
                                    to_status=Opd.Status.VERIFIED, note="Data dan SK sesuai.")
        for role, user in people.items():
            OpdMember.objects.get_or_create(user=user, defaults={"opd": opd, "roles": [role]})
        opds[slug] = opd
    slug, pemda, name, kode, address, npwp = WAITING
    if not Opd.objects.filter(kode_satker=kode).exists():
        admin = _user(login(slug, "admin"), "Admin OPD Disperindag Pandeglang")
        opd = Opd.objects.create(pemda_id=pemda, name=name, kode_satker=kode, address=address, npwp_bendahara=npwp,
                                 status=Opd.Status.SUBMITTED, created_by=admin,
                                 submitted_at=timezone.now() - timedelta(days=1),
                                 sk_original_name="sk-penunjukan.pdf", sk_content_type="application/pdf")
        content = _sk_pdf(admin.name, name)
        opd.sk_file.save(f"procurement/opd/{opd.pk}/sk-demo.pdf", ContentFile(content), save=False)
        opd.sk_size = len(content)
        opd.save()
        OpdMember.objects.get_or_create(user=admin, defaults={"opd": opd, "roles": [Role.ADMIN]})
        OpdEvent.objects.create(opd=opd, actor=admin, from_status=Opd.Status.DRAFT, to_status=Opd.Status.SUBMITTED)
    return opds


def _quantities(shop: Shop, lines: int) -> dict[int, int]:
    variants = (ProductVariant.objects.filter(product__shop=shop, archived_at__isnull=True, stock__gte=12)
                .order_by("pk")[:lines])
    return {variant.pk: 3 + index for index, variant in enumerate(variants)}


def _walk(paket: Paket, to: str, people: dict, seller) -> None:
    """Take a package along the main path to `to`, each step by whoever signs it, with the demo password."""
    pk, ppk = paket.pk, people[Role.PPK]
    steps = {
        S.DRAFT: lambda: services.paket_submit(paket_id=pk, actor=paket.created_by),
        S.MENUNGGU_PPK: lambda: services.paket_sp_sign(paket_id=pk, actor=ppk, password=DEMO_PASSWORD),
        S.SP_TERBIT: lambda: services.paket_seller_accept(paket_id=pk, actor=seller, password=DEMO_PASSWORD),
        S.DIPROSES: lambda: services.paket_ship(paket_id=pk, actor=seller, courier="Kurir toko"),
        S.DIKIRIM: lambda: services.paket_inspect(paket_id=pk, actor=ppk, lines={
            line.pk: (line.quantity, True, "") for line in paket.lines.all()}),
        S.DITERIMA: lambda: services.paket_bast_sign(paket_id=pk, actor=ppk, password=DEMO_PASSWORD),
        S.BAST_PPK: lambda: services.paket_bast_sign(paket_id=pk, actor=seller, password=DEMO_PASSWORD),
        S.MENUNGGU_PEMBAYARAN: lambda: _pay(paket, people[Role.BENDAHARA]),
        S.DIBAYAR: lambda: (orders_settle(), paket_close_paid()),
    }
    for _guard in range(12):
        paket.refresh_from_db()
        if paket.status == to:
            return
        steps[paket.status]()


def _negotiate(paket: Paket, seller) -> None:
    """The PP offers 10% under the catalog price; the seller counters at 5% under. It waits for the PP."""
    lines = list(paket.lines.all())

    def at(share: int) -> dict[int, tuple[int, int]]:
        return {line.pk: (line.unit_price * share // 100 // 500 * 500 or line.unit_price, line.quantity)
                for line in lines}

    services.paket_offer(paket_id=paket.pk, actor=paket.created_by, lines=at(90),
                         note="Mohon harga terbaik; pagu DPA untuk kegiatan ini terbatas.")
    services.paket_offer(paket_id=paket.pk, actor=seller, lines=at(95),
                         note="Harga biji kopi naik bulan ini; kami beri potongan 5%.")


# A package delivered in parts to two addresses of the OPD, after an addendum (PARTIAL).
PARTIAL = "Kaos kegiatan Hari Koperasi"
SECOND_ADDRESS = "UPT Pelatihan Koperasi dan UKM, Jl. Raya Serang–Pandeglang Km 4, Kota Serang"


def _addendum_and_deliveries(paket: Paket, people: dict, seller) -> None:
    """The PPK asks for two more and a week later; the seller accepts and signs, the PPK co-signs. The PPK names
    the pemeriksa; the seller ships two to the UPT (inspected, as ordered) and two to the office (still out)."""
    from procurement.addenda import paket_addendum_accept, paket_addendum_countersign, paket_addendum_request

    ppk, line = people[Role.PPK], paket.lines.get()
    addendum = paket_addendum_request(paket_id=paket.pk, actor=ppk, quantities={line.pk: line.quantity + 2},
                                      tiba=paket.permintaan_tiba + timedelta(days=7),
                                      reason="Peserta kegiatan bertambah dari UPT Pelatihan Koperasi.")
    paket_addendum_accept(paket_id=paket.pk, addendum_id=addendum.pk, actor=seller, password=DEMO_PASSWORD)
    paket_addendum_countersign(paket_id=paket.pk, addendum_id=addendum.pk, actor=ppk, password=DEMO_PASSWORD)
    services.paket_inspector_name(paket_id=paket.pk, actor=ppk, inspector_id=people[Role.PEMERIKSA].pk)
    services.paket_ship(paket_id=paket.pk, actor=seller, courier="Kurir toko", lines={line.pk: 2},
                        address=SECOND_ADDRESS)
    delivery = paket.deliveries.get(seq=1)
    services.paket_inspect(paket_id=paket.pk, actor=people[Role.PEMERIKSA], delivery_id=delivery.pk,
                           lines={line.pk: (2, True, "Ukuran dan sablon sesuai.")})
    services.paket_ship(paket_id=paket.pk, actor=seller, courier="JNE", tracking="JNE0123456789",
                        lines={line.pk: 2})


def _pay(paket: Paket, bendahara) -> None:
    """The Bendahara opens a BRI virtual account; the demo bank pays it at once (as the sandbox would)."""
    attempt = paket_payment_start(paket_id=paket.pk, actor=bendahara, channel="bri")
    payment = Payment.objects.get(pk=attempt.payment_id)
    payment_apply(payment_id=payment.pk, provider=attempt.provider, dedupe_key=f"demo-paid-{attempt.attempt_ref}",
                  kind=Kind.PAID, amount=payment.amount, raw={"demo": True}, attempt_ref=attempt.attempt_ref,
                  paid_ref=f"DEMO-{attempt.attempt_ref}")


def seed_pakets(opds: dict[str, Opd]) -> int:
    made = 0
    shops = {shop.name: shop for shop in Shop.objects.filter(name__in={row[2] for row in PAKETS})}
    for slug, name, shop_name, lines, state in PAKETS:
        opd, shop = opds[slug], shops.get(shop_name)
        if shop is None or Paket.objects.filter(opd=opd, nama=name).exists():
            continue
        quantities = _quantities(shop, lines)
        if not quantities:
            continue
        people = {member.roles[0]: member.user for member in OpdMember.objects.filter(opd=opd).select_related("user")}
        paket = services.paket_create(
            actor=people[Role.PP], shop_id=shop.pk, nama=name, kode_rup=f"5608{2700 + made + len(name):04d}",
            tahun_anggaran=timezone.localdate().year, sumber_dana=Paket.SumberDana.APBD, alamat_kirim=opd.address,
            permintaan_tiba=timezone.localdate() + timedelta(days=14), ppk_id=people[Role.PPK].pk,
            quantities=quantities, alamat_lain=SECOND_ADDRESS if name == PARTIAL else "")
        if state == S.NEGOSIASI:
            _negotiate(paket, shop.owner)
        elif name == PARTIAL:
            _walk(paket, S.DIPROSES, people, shop.owner)
            _addendum_and_deliveries(paket, people, shop.owner)
        else:
            _walk(paket, state, people, shop.owner)
        made += 1
    # The PP of Dinas Koperasi has a cart of one shop, ready for "Buat paket".
    pp = User.objects.get(email=login("dinkop", "pp"))
    shop = Shop.objects.filter(name="Sambal Rawu Kota Serang").first()
    if shop is not None and not CartLine.objects.filter(user=pp).exists():
        for variant_id, quantity in _quantities(shop, 2).items():
            CartLine.objects.create(user=pp, variant_id=variant_id, quantity=quantity)
    return made


def seed_realisation(opds: dict[str, Opd]) -> int:
    """This year's targets, and packages paid through the real path (SP, BAST, VA payment) whose payment day is
    then set to the month they stand for, so the monthly charts have months to show."""
    today = timezone.localdate()
    made = 0
    shops = {shop.name: shop for shop in Shop.objects.filter(name__in={n for names in MONTHLY.values() for n in names})}
    for slug, (pagu, umk_percent) in TARGETS.items():
        opd = opds[slug]
        people = {member.roles[0]: member.user for member in OpdMember.objects.filter(opd=opd).select_related("user")}
        if not OpdTarget.objects.filter(opd=opd, year=today.year).exists():
            services.opd_target_set(opd_id=opd.pk, actor=people[Role.ADMIN], year=today.year, pagu=pagu,
                                    umk_percent=umk_percent)
        for index, month in enumerate(range(1, today.month + 1, MONTHS_EVERY[slug])):
            name = f"Belanja rutin {MONTH_NAMES[month - 1]} {today.year}"
            shop = shops.get(MONTHLY[slug][index % len(MONTHLY[slug])])
            if shop is None or Paket.objects.filter(opd=opd, nama=name).exists():
                continue
            quantities = _quantities(shop, 2)
            if not quantities:
                continue
            paket = services.paket_create(
                actor=people[Role.PP], shop_id=shop.pk, nama=name, kode_rup=f"5609{month:02d}{index:02d}",
                tahun_anggaran=today.year, sumber_dana=Paket.SumberDana.APBD, alamat_kirim=opd.address,
                permintaan_tiba=today + timedelta(days=14), ppk_id=people[Role.PPK].pk, quantities=quantities)
            _walk(paket, S.SELESAI, people, shop.owner)
            Paket.objects.filter(pk=paket.pk).update(paid_on=date(today.year, month, min(12, today.day)))
            made += 1
    return made


def seed_government(verifikator) -> str:
    opds = seed_opds(verifikator)
    made = seed_pakets(opds)
    paid = seed_realisation(opds)
    return f"{len(opds)} verified OPDs, {made} new packages, {paid} paid for the 40% dashboards"


def logins_lines() -> list[str]:
    return ["    pengadaan    pp.dinkop / ppk.dinkop / bendahara.dinkop / auditor.dinkop / admin.dinkop / "
            "pemeriksa.dinkop@plazabanten.test",
            "                 (also .dindik, .dindik.serang, .dinkes.pandeglang; sellers see /penjual/<id>/pengadaan/;",
            "                 admin.disperindag.pandeglang waits for the verifikator at /verifikasi/opd/;",
            "                 40% UMK: /pengadaan/realisasi/, verifikator /verifikasi/realisasi/, public /data/umk/)"]
