"""The demo government buyers: four OPDs with their people, packages left in many states, idempotent."""

import pytest

from accounts import roles
from orders.models import CartLine
from plazabanten.demo.government import PAKETS, PARTIAL, seed_government
from procurement.models import Opd, OpdMember, Paket
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
    states = {(paket.nama, paket.status) for paket in Paket.objects.all()}
    assert states == {(name, state) for _opd, name, _shop, _lines, state in PAKETS}
    selesai = Paket.objects.get(status=Paket.Status.SELESAI)
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
