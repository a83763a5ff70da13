"""Migrating a database that has shipped packages: procurement 0003 gives each of them its one delivery (still out,
found wrong, or accepted), so that inspection and the BAST keep working on packages shipped before deliveries
existed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from procurement.lifecycle import line_progress
from procurement.models import Paket, PaketDelivery
from tests.factories import make_product, make_shop, make_user

BEFORE = [("procurement", "0002_paket_negotiation")]


@pytest.mark.django_db(transaction=True)
def test_packages_shipped_before_deliveries_existed_get_their_delivery():
    executor = MigrationExecutor(connection)
    latest = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "procurement"]
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        user, shop = make_user(), make_shop()
        variant = make_product(shop=shop, stock=30).variants.get()
        opd = old.get_model("procurement", "Opd").objects.create(
            pemda_id="36", name="Dinas Lama", kode_satker="LAMA-1", address="Serang", npwp_bendahara="0" * 15,
            status="verified", created_by_id=user.pk)
        made = {}
        for status, received, ok in (("dikirim", None, None), ("diproses", 3, True), ("menunggu_bayar", 4, True),
                                     ("draft", None, None)):
            paket = old.get_model("procurement", "Paket").objects.create(
                opd=opd, shop_id=shop.pk, nama=status, kode_rup="12345", tahun_anggaran=2026, sumber_dana="APBD",
                alamat_kirim="KP3B", permintaan_tiba=timezone.localdate(), created_by_id=user.pk, created_as="ppk",
                ppk_id=user.pk, status=status, total=400, courier="JNE", tracking_number="JNE1",
                stock="none" if status == "draft" else "shipped")
            old.get_model("procurement", "PaketLine").objects.create(
                paket=paket, variant_id=variant.pk, product_name="Map", sku="M1", unit_price=100, quantity=4,
                received_quantity=received, condition_ok=ok)
            made[status] = paket.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    for status, delivery_status, accepted, outstanding in (("dikirim", "shipped", 0, 0), ("diproses", "mismatch", 3, 1),
                                                           ("menunggu_bayar", "accepted", 4, 0)):
        paket = Paket.objects.get(pk=made[status])
        delivery = paket.deliveries.get()
        assert (delivery.seq, delivery.status, delivery.courier, delivery.tracking_number) == (
            1, delivery_status, "JNE", "JNE1")
        progress = line_progress(paket)[paket.lines.get().pk]
        assert (progress.shipped, progress.accepted, progress.outstanding) == (4, accepted, outstanding)
    assert not PaketDelivery.objects.filter(paket_id=made["draft"]).exists()
