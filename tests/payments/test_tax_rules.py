"""The tax rules of payments/tax.py against examples worked out by hand (government-flow.md §4.2 and our own).
Every expected figure below was computed on paper, not by calling the code."""

from datetime import date

import pytest
from django.test import override_settings

from payments.tax import consumer_split, government_split, round_half_up, tax_period_end, tax_rates_on

RATES_2026 = tax_rates_on(date(2026, 3, 1))

# gross (what the Bendahara pays), PKP?, then DPP, DPP nilai lain, PPN, PPh 22
GOVERNMENT = [
    # research §4.2 A: H 12.000.000; DPP nilai lain 11/12 = 11.000.000; PPN 12% = 1.320.000; PPh 22 0,5% = 60.000
    (13_320_000, True, 12_000_000, 11_000_000, 1_320_000, 60_000),
    # §4.2 B: a non-PKP UMKM, no PPN: PPh 22 = 4.500.000 × 0,5% = 22.500
    (4_500_000, False, 4_500_000, 0, 0, 22_500),
    # §4.2 C: goods + own courier 4.800.000; 4.400.000; 528.000; 24.000
    (5_328_000, True, 4_800_000, 4_400_000, 528_000, 24_000),
    # §4.2 rounding check: H 1.234.567 → DPP nilai lain 1.131.686 (…,4 down); PPN 135.802 (…,32 down);
    # gross 1.370.369; PPN out of it = 1.370.369 × 11/111 = 135.802,33 → 135.802; PPh 22 6.172,835 → 6.173 (up)
    (1_370_369, True, 1_234_567, 1_131_686, 135_802, 6_173),
    # 150.000 incl. PPN: 150.000 × 11/111 = 14.864,86 → 14.865; DPP 135.135; 11/12 = 123.873,75 → 123.874;
    # PPh 22 135.135 × 0,005 = 675,675 → 676
    (150_000, True, 135_135, 123_874, 14_865, 676),
    # exactly half a rupiah rounds up: 1.100 × 0,5% = 5,5 → 6
    (1_100, False, 1_100, 0, 0, 6),
    # 111 incl. PPN: PPN 11, DPP 100, 11/12 × 100 = 91,67 → 92, PPh 22 0,5 → 1
    (111, True, 100, 92, 11, 1),
    # 600.000 from a non-PKP shop (the procurement tests' package): PPh 22 3.000
    (600_000, False, 600_000, 0, 0, 3_000),
]


@pytest.mark.parametrize(("gross", "pkp", "dpp", "dpp_nilai_lain", "ppn", "pph22"), GOVERNMENT)
def test_government_invoice_split_matches_the_worked_example(gross, pkp, dpp, dpp_nilai_lain, ppn, pph22):
    split = government_split(gross=gross, seller_is_pkp=pkp, rates=RATES_2026)
    assert (split.dpp, split.dpp_nilai_lain, split.ppn, split.pph22) == (dpp, dpp_nilai_lain, ppn, pph22)
    assert split.dpp + split.ppn == gross  # the parts always add up to what the Bendahara pays


# gross goods, PKP?, statement filed?, then DPP, PPh 22 (no PPN is collected on consumer sales)
CONSUMER = [
    (250_000, False, False, 250_000, 1_250),  # 0,5% of 250.000
    (250_000, False, True, 250_000, 0),  # turnover statement accepted: nothing withheld
    (111_000, True, False, 100_000, 500),  # a PKP's price includes PPN 11.000; 0,5% of 100.000
    (15_000, False, False, 15_000, 75),
    (15_100, False, False, 15_100, 76),  # 75,5 → 76
]


@pytest.mark.parametrize(("gross", "pkp", "statement", "dpp", "pph22"), CONSUMER)
def test_consumer_sale_withholding_matches_the_worked_example(gross, pkp, statement, dpp, pph22):
    split = consumer_split(gross=gross, seller_is_pkp=pkp, statement_filed=statement, rates=RATES_2026)
    assert (split.dpp, split.ppn, split.pph22) == (dpp, 0, pph22)


def test_consumer_pph22_starts_with_pmk_37_2025():
    before = tax_rates_on(date(2025, 7, 13))
    assert consumer_split(gross=250_000, seller_is_pkp=False, statement_filed=False, rates=before).pph22 == 0
    after = tax_rates_on(date(2025, 7, 14))
    assert consumer_split(gross=250_000, seller_is_pkp=False, statement_filed=False, rates=after).pph22 == 1_250


CHANGE = [{"valid_from": "2025-01-01", "ppn_rate": "12/100", "ppn_dpp_fraction": "11/12",
           "pph22_government": "5/1000", "pph22_consumer": "5/1000", "consumer_turnover_threshold": 500_000_000},
          {"valid_from": "2026-07-01", "ppn_rate": "12/100", "ppn_dpp_fraction": "1",
           "pph22_government": "1/100", "pph22_consumer": "5/1000", "consumer_turnover_threshold": 500_000_000}]


@override_settings(TAX_RATES=CHANGE)
def test_a_rate_change_applies_from_its_date():
    june, july = tax_rates_on(date(2026, 6, 30)), tax_rates_on(date(2026, 7, 1))
    # June: 11% effective. July: plain 12% and PPh 22 1%: 11.200.000 × 12/112 = 1.200.000; 1% of 10.000.000
    assert government_split(gross=11_100_000, seller_is_pkp=True, rates=june).ppn == 1_100_000
    split = government_split(gross=11_200_000, seller_is_pkp=True, rates=july)
    assert (split.dpp, split.ppn, split.pph22) == (10_000_000, 1_200_000, 100_000)


@override_settings(TAX_RATES=CHANGE)
def test_no_rates_before_the_first_row_is_an_error():
    with pytest.raises(ValueError, match="no tax rates"):
        tax_rates_on(date(2024, 12, 31))


@pytest.mark.parametrize(("value", "expected"), [("1/2", 1), ("49/100", 0), ("3/2", 2), ("-1/2", -1), (7, 7)])
def test_round_half_up(value, expected):
    from fractions import Fraction

    assert round_half_up(Fraction(value)) == expected


def test_tax_period_end_rolls_over_december():
    assert tax_period_end(date(2026, 12, 1)) == date(2027, 1, 1)
    assert tax_period_end(date(2026, 2, 1)) == date(2026, 3, 1)
