"""Factories for government buying: a verified OPD with its people, and a package walked to any state."""

import itertools
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from procurement import services
from procurement.models import Opd, OpdMember, Paket, PaketDelivery, Role
from tests.factories import DEFAULT_PASSWORD, make_product, make_shop, make_user

_seq = itertools.count(1)
S = Paket.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def make_opd(*, pemda="36", status=Opd.Status.VERIFIED, **fields) -> Opd:
    n = next(_seq)
    admin = fields.pop("admin", None) or make_user()
    opd = Opd.objects.create(pemda_id=pemda, name=fields.pop("name", f"Dinas Uji {n}"),
                             kode_satker=fields.pop("kode_satker", f"{900000 + n}"), address="Jl. Syekh Nawawi, Serang",
                             npwp_bendahara="013000666091000", status=status, created_by=admin, **fields)
    opd.sk_file.save(f"procurement/test/sk-{n}.pdf", ContentFile(PDF), save=True)
    OpdMember.objects.create(opd=opd, user=admin, roles=[Role.ADMIN])
    return opd


def add_member(opd: Opd, *roles: str, **fields):
    user = make_user(**fields)
    OpdMember.objects.create(opd=opd, user=user, roles=list(roles))
    return user


def all_good(paket: Paket, delivery=None) -> dict[int, tuple[int, bool, str]]:
    """An inspection of a delivery (the oldest one out) that finds everything as shipped."""
    delivery = delivery or paket.deliveries.filter(status=PaketDelivery.Status.SHIPPED).order_by("seq").first()
    return {row.line_id: (row.quantity, True, "") for row in delivery.lines.all()}


class Team:
    """An OPD with an admin, a PP, a PPK, a Bendahara and an Auditor, and a verified shop with one product."""

    def __init__(self, *, price=150_000, stock=20, shop=None):
        self.opd = make_opd()
        self.admin = OpdMember.objects.get(opd=self.opd).user
        self.pp = add_member(self.opd, Role.PP)
        self.ppk = add_member(self.opd, Role.PPK)
        self.bendahara = add_member(self.opd, Role.BENDAHARA)
        self.auditor = add_member(self.opd, Role.AUDITOR)
        self.shop = shop or make_shop()
        self.seller = self.shop.owner
        self.product = make_product(shop=self.shop, price=price, stock=stock)
        self.variant = self.product.variants.get()

    def paket(self, *, quantity=4, creator=None, **fields) -> Paket:
        fields.setdefault("nama", "Pengadaan ATK Triwulan IV")
        fields.setdefault("kode_rup", "56082744")
        fields.setdefault("tahun_anggaran", timezone.localdate().year)
        fields.setdefault("sumber_dana", "APBD")
        fields.setdefault("alamat_kirim", "Jl. Syekh Nawawi Al Bantani, KP3B, Serang")
        fields.setdefault("permintaan_tiba", timezone.localdate() + timedelta(days=14))
        creator = creator or self.pp
        if "ppk_id" not in fields:
            fields["ppk_id"] = self.ppk.pk
        return services.paket_create(actor=creator, shop_id=self.shop.pk, quantities={self.variant.pk: quantity},
                                     **fields)

    def walk(self, paket: Paket, to: str) -> Paket:
        """Take the package along the main path until it reaches `to`, each step by whoever may take it."""
        steps = [
            (S.MENUNGGU_PPK, lambda: services.paket_submit(paket_id=paket.pk, actor=paket.created_by)),
            (S.SP_TERBIT, lambda: services.paket_sp_sign(paket_id=paket.pk, actor=self.ppk,
                                                        password=DEFAULT_PASSWORD)),
            (S.DIPROSES, lambda: services.paket_seller_accept(paket_id=paket.pk, actor=self.seller,
                                                              password=DEFAULT_PASSWORD)),
            (S.DIKIRIM, lambda: services.paket_ship(paket_id=paket.pk, actor=self.seller, courier="Kurir toko")),
            (S.DITERIMA, lambda: services.paket_inspect(paket_id=paket.pk, actor=self.ppk,
                                                        lines=all_good(paket))),
            (S.BAST_PPK, lambda: services.paket_bast_sign(paket_id=paket.pk, actor=self.ppk,
                                                          password=DEFAULT_PASSWORD)),
            (S.MENUNGGU_PEMBAYARAN, lambda: services.paket_bast_sign(paket_id=paket.pk, actor=self.seller,
                                                                     password=DEFAULT_PASSWORD)),
        ]
        paket.refresh_from_db()
        order = [S.DRAFT] + [status for status, _step in steps]
        for _status, step in steps[order.index(paket.status):]:
            if paket.status == to:
                return paket
            step()
            paket.refresh_from_db()
        paket.refresh_from_db()
        assert paket.status == to, paket.status
        return paket
