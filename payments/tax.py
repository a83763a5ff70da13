"""The tax rules: which rates apply on a date, and how a price is split into DPP, PPN and PPh 22. The ledger
(payments.ledger), the invoices (procurement.documents, orders.invoice) and the reports all call this module;
nothing else computes a tax.

Rules (research/government-flow.md §4, domain.md §0):

* **Government invoices, PMK 58/2022** (the platform collects as Pihak Lain). The catalog price is what the
  Bendahara pays; for a PKP seller it includes PPN. PPN = 12% × DPP nilai lain, DPP nilai lain = 11/12 × harga
  jual (PMK 131/2024), so the effective rate is 11% of the price before PPN. A non-PKP seller's invoice carries
  no PPN. PPh 22 = 0.5% of the DPP (the price before PPN).
* **Consumer sales, PMK 37/2025**: PPh 22 = 0.5% of the seller's goods before PPN (shipping is not the seller's
  turnover), withheld unless the seller's turnover statement (≤ Rp500 juta) for that year was accepted. The
  platform collects no PPN on consumer sales: a PKP seller issues its own faktur.

**Rounding rule.** Integer rupiah, each figure rounded once, half up (≥ 0,50 up), as PER-11/PJ/2025 Ps 129(3)
rounds DPP, PPN and PPh. For an invoice that includes PPN the PPN is taken out of the total first:
``PPN = round_half_up(total × r / (1 + r))`` with r the effective rate (11/100), and ``DPP = total − PPN``, so
**DPP + PPN == total exactly**, always. Then ``DPP nilai lain = round_half_up(DPP × 11/12)`` (shown on the
faktur) and ``PPh 22 = round_half_up(DPP × 0,5%)``. The figures are stored on the transaction (OrderTax) with
the rates used and never recomputed: a rate change applies from its date, and old invoices keep theirs.

Why this order: the buyer pays the catalog price, so the total is fixed and the parts must add up to it. No
rule working forwards from a whole-rupiah DPP can hit every total (about one total in ten has no DPP with
DPP + round(11% × DPP) equal to it), so the PPN is derived from the total; in those cases PPN differs by Rp1
from 12% × DPP nilai lain recomputed, which the README states.
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.conf import settings


def round_half_up(value: Fraction | int) -> int:
    """Whole rupiah, ≥ 0,50 up (for negative values: away from zero, symmetrically)."""
    value = Fraction(value)
    if value < 0:
        return -round_half_up(-value)
    return int(value + Fraction(1, 2))  # int() truncates toward zero; value ≥ 0 here


@dataclass(frozen=True)
class TaxRates:
    """The rates in force from `valid_from` (a row of settings.TAX_RATES)."""

    valid_from: date
    ppn_rate: Fraction  # 12/100
    ppn_dpp_fraction: Fraction  # DPP nilai lain = harga jual × 11/12
    pph22_government: Fraction  # PMK 58/2022: 5/1000
    pph22_consumer: Fraction  # PMK 37/2025: 5/1000
    consumer_turnover_threshold: int  # no PPh 22 with an accepted statement of turnover ≤ this (Rp500 juta)

    @property
    def ppn_effective(self) -> Fraction:
        return self.ppn_rate * self.ppn_dpp_fraction

    def as_record(self) -> dict[str, str]:
        """Stored with each transaction so the report and the documents say which rates were used."""
        return {"valid_from": self.valid_from.isoformat(), "ppn_rate": str(self.ppn_rate),
                "ppn_dpp_fraction": str(self.ppn_dpp_fraction), "pph22_government": str(self.pph22_government),
                "pph22_consumer": str(self.pph22_consumer)}


def _rates_row(row: dict) -> TaxRates:
    return TaxRates(valid_from=date.fromisoformat(row["valid_from"]), ppn_rate=Fraction(row["ppn_rate"]),
                    ppn_dpp_fraction=Fraction(row["ppn_dpp_fraction"]),
                    pph22_government=Fraction(row["pph22_government"]),
                    pph22_consumer=Fraction(row["pph22_consumer"]),
                    consumer_turnover_threshold=int(row["consumer_turnover_threshold"]))


def tax_rates_on(day: date) -> TaxRates:
    """The row of settings.TAX_RATES with the latest valid_from on or before `day`."""
    rows = sorted((_rates_row(row) for row in settings.TAX_RATES), key=lambda rates: rates.valid_from)
    in_force = [rates for rates in rows if rates.valid_from <= day]
    if not in_force:
        raise ValueError(f"no tax rates in force on {day}")
    return in_force[-1]


@dataclass(frozen=True)
class TaxSplit:
    gross: int  # what the buyer pays for the goods (PPN included for a PKP seller)
    dpp: int  # the price before PPN (harga jual); the base of PPh 22
    dpp_nilai_lain: int  # 11/12 of the DPP, the base the faktur shows PPN on (0 without PPN)
    ppn: int
    pph22: int

    @property
    def seller_gets(self) -> int:
        """Before the platform fee."""
        return self.gross - self.ppn - self.pph22


def ppn_out_of(*, gross: int, rates: TaxRates) -> tuple[int, int, int]:
    """(DPP, DPP nilai lain, PPN) of a total that includes PPN; DPP + PPN == gross."""
    if gross < 0:
        raise ValueError("a total cannot be negative")
    rate = rates.ppn_effective
    ppn = round_half_up(gross * rate / (1 + rate))
    dpp = gross - ppn
    return dpp, round_half_up(dpp * rates.ppn_dpp_fraction), ppn


def government_split(*, gross: int, seller_is_pkp: bool, rates: TaxRates) -> TaxSplit:
    """A government invoice (PMK 58/2022): PPN only for a PKP seller, PPh 22 on the DPP for every seller."""
    if seller_is_pkp:
        dpp, dpp_nilai_lain, ppn = ppn_out_of(gross=gross, rates=rates)
    else:
        dpp, dpp_nilai_lain, ppn = gross, 0, 0
    return TaxSplit(gross=gross, dpp=dpp, dpp_nilai_lain=dpp_nilai_lain, ppn=ppn,
                    pph22=round_half_up(dpp * rates.pph22_government))


def consumer_split(*, gross: int, seller_is_pkp: bool, statement_filed: bool, rates: TaxRates) -> TaxSplit:
    """A consumer sale (PMK 37/2025): only PPh 22 is withheld, on the goods before PPN, unless the seller's
    turnover statement was accepted. No PPN is collected (ppn = 0); a PKP seller's price still includes it, so
    the base is its DPP."""
    dpp = ppn_out_of(gross=gross, rates=rates)[0] if seller_is_pkp else gross
    pph22 = 0 if statement_filed else round_half_up(dpp * rates.pph22_consumer)
    return TaxSplit(gross=gross, dpp=dpp, dpp_nilai_lain=0, ppn=0, pph22=pph22)


def tax_period_of(day: date) -> date:
    """A tax period (masa pajak) is a calendar month, named by its first day."""
    return day.replace(day=1)


def tax_period_end(period: date) -> date:
    """The first day after the period."""
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def rate_text(rate: Fraction) -> str:
    """12/100 → "12%", 5/1000 → "0,5%" (Indonesian decimal comma), as documents print a rate."""
    percent = Fraction(rate) * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{float(percent):.4f}".rstrip("0").replace(".", ",") + "%"
