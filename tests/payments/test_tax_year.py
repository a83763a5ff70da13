"""Proof for issue 14's taxes: a year (2026) of government packages and consumer sales, with a PKP and a non-PKP
government seller, a consumer seller withheld and one with a turnover statement, an invoice issued before a rate
change and paid after it, a refund, and deposits. Every invoice, every month of the ledger and of the report,
and the seller's yearly summary are checked against figures worked out by hand below (never by calling the code).

The rate change (hypothetical, through the dated settings): from 1 July 2026 PPN is a plain 12% (no DPP nilai
lain), so a price including PPN holds 12/112 of PPN instead of 11/111.
"""

import csv
import io
from datetime import date

import pytest
from django.test import override_settings

from payments.ledger import ledger_check_invariants, shop_balances, tax_payable
from payments.models import OrderTax
from payments.selectors import tax_ledger_totals, tax_rows, tax_totals, tax_year_of_shop
from payments.services import TaxError, orders_settle, refund_request, tax_deposit_record
from procurement.models import Paket
from tests.factories import make_product
from tests.procurement.helpers import Team
from tests.vendors.helpers import make_verifikator

from .taxes import paid_consumer_checkout, pay_paket, taxed_shop

pytestmark = pytest.mark.django_db
S = Paket.Status
RATES = [
    {"valid_from": "2025-01-01", "ppn_rate": "12/100", "ppn_dpp_fraction": "11/12", "pph22_government": "5/1000",
     "pph22_consumer": "5/1000", "consumer_turnover_threshold": 500_000_000},
    {"valid_from": "2026-07-01", "ppn_rate": "12/100", "ppn_dpp_fraction": "1", "pph22_government": "5/1000",
     "pph22_consumer": "5/1000", "consumer_turnover_threshold": 500_000_000},
]


def taxes_of(paket_or_order) -> tuple[int, int, int, int, int]:
    order_id = paket_or_order.order_id if isinstance(paket_or_order, Paket) else paket_or_order.pk
    tax = OrderTax.objects.get(order_id=order_id)
    return tax.gross, tax.dpp, tax.dpp_nilai_lain, tax.ppn, tax.pph22


def month_totals(year: int, month: int) -> tuple[int, int, int]:
    totals = tax_totals(tax_rows(period=date(year, month, 1)))
    return totals["dpp"], totals["ppn"], totals["pph22"]


@override_settings(TAX_RATES=RATES)
def test_a_year_of_taxes_matches_the_figures_worked_out_by_hand(client, clock, django_capture_on_commit_callbacks):
    clock.set(2026, 1, 5)
    pkp = taxed_shop(pkp=True, name="Sinar Banten", npwp="012345678901234")
    umkm = taxed_shop(pkp=False, name="Kerajinan Baduy", npwp="098765432109876")
    withheld = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    exempt = taxed_shop(pkp=False, statement=True, name="Sate Bandeng", npwp="034567890123456")
    team_pkp, team_umkm = Team(price=333_000, shop=pkp), Team(price=150_000, shop=umkm)
    emping = make_product(shop=withheld, price=250_000, stock=10).variants.get()
    sate = make_product(shop=exempt, price=40_000, stock=10).variants.get()
    staff = make_verifikator()

    def walk(team, quantity, rup):
        return team.walk(team.paket(quantity=quantity, kode_rup=rup), S.MENUNGGU_PEMBAYARAN)

    # 10 Feb: PKP, 4 × 333.000 = 1.332.000 incl. PPN. PPN = 1.332.000 × 11/111 = 132.000; DPP 1.200.000;
    # DPP nilai lain 11/12 × 1.200.000 = 1.100.000; PPh 22 0,5% × 1.200.000 = 6.000.
    clock.set(2026, 2, 10)
    feb = walk(team_pkp, 4, "56081001")
    assert taxes_of(feb) == (1_332_000, 1_200_000, 1_100_000, 132_000, 6_000)
    pay_paket(client, team_pkp, feb)
    assert ledger_check_invariants() == []

    # 5 Mar: non-PKP, 10 × 150.000 = 1.500.000; no PPN; PPh 22 7.500. Then February is deposited.
    clock.set(2026, 3, 5)
    mar = walk(team_umkm, 10, "56081002")
    assert taxes_of(mar) == (1_500_000, 1_500_000, 0, 0, 7_500)
    pay_paket(client, team_umkm, mar)
    tax_deposit_record(period=date(2026, 2, 1), tax="ppn", ntpn="NTPNPPN202602AAA", deposited_on=date(2026, 3, 5),
                       actor=staff)
    tax_deposit_record(period=date(2026, 2, 1), tax="pph22", ntpn="NTPNPPH202602AAA",
                       deposited_on=date(2026, 3, 5), actor=staff)
    assert tax_payable(tax="ppn", period=date(2026, 2, 1)) == tax_payable(tax="pph22", period=date(2026, 2, 1)) == 0
    with pytest.raises(TaxError, match="sudah disetor"):
        tax_deposit_record(period=date(2026, 2, 1), tax="pph22", ntpn="NTPNPPH202602BBB",
                           deposited_on=date(2026, 3, 6), actor=staff)
    assert ledger_check_invariants() == []

    # 20 Mar: one consumer checkout: Emping 250.000 (no statement: PPh 22 1.250), Sate 40.000 (statement: 0).
    clock.set(2026, 3, 20)
    group = paid_consumer_checkout(client, variants=[emping, sate], key="mar")
    by_shop = {order.shop_id: order for order in group.orders.all()}
    assert taxes_of(by_shop[withheld.pk]) == (250_000, 250_000, 0, 0, 1_250)
    assert taxes_of(by_shop[exempt.pk]) == (40_000, 40_000, 0, 0, 0)
    assert ledger_check_invariants() == []

    # 29 Jun: PKP, 3 × 333.000 = 999.000, invoiced under the old rates: PPN 999.000 × 11/111 = 99.000;
    # DPP 900.000; DPP nilai lain 825.000; PPh 22 4.500. Paid on 2 Jul: July's period, June's rates kept.
    clock.set(2026, 6, 29)
    jun = walk(team_pkp, 3, "56081003")
    clock.set(2026, 7, 2)
    pay_paket(client, team_pkp, jun)
    assert taxes_of(jun) == (999_000, 900_000, 825_000, 99_000, 4_500)

    # 15 Jul: PKP, 2 × 333.000 = 666.000 under the new rates: PPN 666.000 × 12/112 = 71.357,14 → 71.357;
    # DPP 594.643 (= DPP nilai lain); PPh 22 0,5% × 594.643 = 2.973,215 → 2.973.
    clock.set(2026, 7, 15)
    jul = walk(team_pkp, 2, "56081004")
    assert taxes_of(jul) == (666_000, 594_643, 594_643, 71_357, 2_973)
    pay_paket(client, team_pkp, jul)
    assert ledger_check_invariants() == []

    # 10 Aug: one unit of the July package (333.000 = half of it) is refunded. The goods split by
    # [PPN 71.357, PPh 22 2.973, DPP − PPh 22 591.670]: halves 35.678,5 / 1.486,5 / 295.835; the rupiah left
    # over goes to the first tie (PPN): 35.679, 1.486, 295.835 → DPP back 297.321 (+ PPN 35.679 = 333.000).
    clock.set(2026, 8, 10)
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(order_id=jul.order_id, amount=333_000, refund_key="jul-satu", reason="Satu unit rusak")
    assert ledger_check_invariants() == []
    clock.set(2026, 9, 2)
    with pytest.raises(TaxError, match="Tidak ada PPN terutang"):  # August's PPN is negative: nothing to pay
        tax_deposit_record(period=date(2026, 8, 1), tax="ppn", ntpn="NTPNPPN202608AAA",
                           deposited_on=date(2026, 9, 2), actor=staff)

    # 3 Nov: two more Emping, bought by two buyers: 2 × 250.000, PPh 22 2 × 1.250.
    clock.set(2026, 11, 3)
    group = paid_consumer_checkout(client, variants=[emping], key="nov")
    assert taxes_of(group.orders.get()) == (250_000, 250_000, 0, 0, 1_250)
    group = paid_consumer_checkout(client, variants=[emping], key="nov2")
    assert taxes_of(group.orders.get()) == (250_000, 250_000, 0, 0, 1_250)
    orders_settle()
    assert ledger_check_invariants() == []

    # The months, by hand (DPP, PPN, PPh 22). March: 1.500.000 + 250.000 (the Sate order is not taxed).
    # July: 900.000 + 594.643; 99.000 + 71.357; 4.500 + 2.973. August: the refund. November: 2 × 1.250.
    expected = {1: (0, 0, 0), 2: (1_200_000, 132_000, 6_000), 3: (1_750_000, 0, 8_750), 6: (0, 0, 0),
                7: (1_494_643, 170_357, 7_473), 8: (-297_321, -35_679, -1_486), 11: (500_000, 0, 2_500)}
    for month, figures in expected.items():
        assert month_totals(2026, month) == figures, month
        ledger = tax_ledger_totals(period=date(2026, month, 1))
        assert (ledger["ppn"], ledger["pph22"]) == figures[1:], month
    # The year: PPN 132.000 + 170.357 − 35.679 = 266.678; PPh 22 6.000 + 8.750 + 7.473 − 1.486 + 2.500 = 23.237
    year = [month_totals(2026, month) for month in range(1, 13)]
    assert (sum(m[1] for m in year), sum(m[2] for m in year)) == (266_678, 23_237)

    # The CSV of July: the two PKP invoices, each with its own rates' figures; totals = the ledger's.
    client.force_login(staff)
    lines = list(csv.reader(io.StringIO(client.get("/keuangan/pajak/2026-07.csv").content.decode("utf-8-sig"))))
    assert [(row[4], row[9], row[10], row[11], row[12]) for row in lines[1:-1]] == [
        ("CV Sinar Banten", "900000", "825000", "99000", "4500"),
        ("CV Sinar Banten", "594643", "594643", "71357", "2973")]
    assert lines[-1][9:14] == ["1494643", "1419643", "170357", "7473", "final"]

    # The PKP seller's own year: PPN 132.000 + 170.357 − 35.679 = 266.678; PPh 22 6.000 + 4.500 + 2.973 − 1.486
    # = 11.987. Its money: 1.332.000 − 13.320 − 132.000 − 6.000 = 1.180.680; 999.000 − 9.990 − 99.000 − 4.500 =
    # 885.510; 666.000 − 6.660 − 71.357 − 2.973 = 585.010; the refund takes back 333.000 − 3.330 (fee) − 35.679
    # − 1.486 = 292.505: 1.180.680 + 885.510 + 585.010 − 292.505 = 2.358.695.
    summary = tax_year_of_shop(shop_id=pkp.pk, year=2026)
    assert (sum(m["ppn"] for m in summary), sum(m["pph22"] for m in summary)) == (266_678, 11_987)
    balances = shop_balances(shop_id=pkp.pk)
    assert balances["pending"] + balances["available"] == 2_358_695
    # The withheld consumer seller: 3 × (250.000 − 2.500 − 1.250) = 738.750; the exempt one 40.000 − 400.
    balances = shop_balances(shop_id=withheld.pk)
    assert balances["pending"] + balances["available"] == 738_750
    assert sum(m["pph22"] for m in tax_year_of_shop(shop_id=withheld.pk, year=2026)) == 3_750
    balances = shop_balances(shop_id=exempt.pk)
    assert balances["pending"] + balances["available"] == 39_600
    assert ledger_check_invariants() == []
