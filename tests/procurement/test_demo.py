"""The demo government buyers: four OPDs with their people, packages left in many states, idempotent."""

import pytest
from django.utils import timezone

from accounts import roles
from orders.models import CartLine
from plazabanten.demo.government import PAKETS, PARTIAL, seed_government
from procurement.models import Opd, OpdMember, OpdTarget, Paket
from procurement.realisation import opd_realisation
from tests.factories import make_product, make_shop, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_opds_people_and_packages_in_many_states_once():
    for name in {row[2] for row in PAKETS} | {"Sambal Rawu Kota Serang"}:
        shop = make_shop(name=name, owner=make_user(password="PlazaBanten2026"))  # as the demo sellers
        make_product(shop=shop, stock=60)
        make_product(shop=shop, stock=60)
    verifikator = make_user()
    seed_government(verifikator)
    assert Opd.objects.filter(status=Opd.Status.VERIFIED).count() == 4
    assert Opd.objects.filter(status=Opd.Status.SUBMITTED).count() == 1  # work for the verifikator
    assert set(Opd.objects.values_list("pemda_id", flat=True)) == {"36", "36.73", "36.01"}
    pp = OpdMember.objects.get(user__email="pp.dinkop@plazabanten.test")
    assert pp.roles == ["pp"] and pp.user.check_password("PlazaBanten2026") and pp.user.has_role(roles.GOVERNMENT)
    states = {(paket.nama, paket.status) for paket in Paket.objects.exclude(nama__startswith="Belanja rutin")}
    assert states == {(name, state) for _opd, name, _shop, _lines, state in PAKETS}
    # The 40% dashboards: every OPD has this year's target, and paid packages spread over the months.
    year = timezone.localdate().year
    assert OpdTarget.objects.filter(year=year).count() == 4
    dinkop = Opd.objects.get(name="Dinas Koperasi dan UKM Provinsi Banten")
    progress, target = opd_realisation(opd=dinkop, year=year)
    assert target.umk_percent == 40 and progress.figures.spent > 0
    paid_months = [index for index, month in enumerate(progress.months) if month.spent]
    assert len(paid_months) >= min(3, timezone.localdate().month)
    selesai = Paket.objects.get(status=Paket.Status.SELESAI, nama="Kopi dan teh ruang tamu")
    assert set(selesai.documents.values_list("kind", flat=True)) == {"sp", "bast", "invoice", "kuitansi"}
    assert CartLine.objects.filter(user=pp.user).count() == 2  # ready for "Buat paket"
    negotiating = Paket.objects.get(status=Paket.Status.NEGOSIASI)
    assert list(negotiating.offers.values_list("party", "outcome")) == [("pembuat", "countered"), ("penyedia", "open")]
    partial = Paket.objects.get(nama=PARTIAL)  # an accepted, co-signed addendum and two deliveries, one out
    addendum = partial.addenda.get()
    assert (addendum.version, addendum.document.signatures.count()) == (1, 2)
    assert list(partial.deliveries.values_list("status", flat=True)) == ["accepted", "shipped"]
    assert partial.deliveries.get(seq=1).inspected_by.email == "pemeriksa.dinkop@plazabanten.test"
    counts = (Opd.objects.count(), OpdMember.objects.count(), Paket.objects.count())
    seed_government(verifikator)
    assert (Opd.objects.count(), OpdMember.objects.count(), Paket.objects.count()) == counts
