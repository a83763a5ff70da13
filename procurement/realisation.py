"""The 40% mandate made visible (issue 14, items 8–10): what each OPD, each Pemda and the province paid through
Plaza Banten, and how much of it went to UMK (micro, small and cooperative shops), to PDN products (TKDN + BMP ≥
40%) and to Banten-based shops, against the OPD's plan (procurement.models.OpdTarget).

What counts, one rule everywhere (the dashboards, the open data and the test's own SQL):

* a package counts when it is paid, in the month (WIB) its payment arrived (Paket.paid_on), for its total;
* its UMK, Banten and PDN parts come from the snapshot taken when the SP was issued (Paket.shop_umk,
  shop_banten, pdn_amount = the lines whose product had TKDN + BMP ≥ 40% then), so a later change of the shop's
  class does not rewrite history;
* a refund of a package (its credit note, payments.CreditNote) subtracts in the month (WIB) of the credit note: its
  whole amount from the spending, from UMK and Banten when the package was, and from PDN pro rata
  (amount × pdn_amount ÷ total, rounded down);
* the year is the calendar year of those dates (the APBD year).

Read straight from the packages through two partial covering indexes (paket_paid_by_day, paket_paid_by_opd):
always live, two queries per view; `bench/realisation.py` measures it at 100k packages.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Case, Count, F, Sum, Value, When
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from regions.models import Region

from .models import Opd, OpdTarget, Paket

MONTHS = range(1, 13)


@dataclass
class Figures:
    packages: int = 0
    spent: int = 0
    umk: int = 0
    pdn: int = 0
    banten: int = 0

    def add(self, other: "Figures") -> None:
        self.packages += other.packages
        self.spent += other.spent
        self.umk += other.umk
        self.pdn += other.pdn
        self.banten += other.banten

    def share(self, part: int) -> float | None:
        return part * 100 / self.spent if self.spent > 0 else None

    @property
    def umk_share(self) -> float | None:
        return self.share(self.umk)

    @property
    def pdn_share(self) -> float | None:
        return self.share(self.pdn)

    @property
    def banten_share(self) -> float | None:
        return self.share(self.banten)


def year_fraction(year: int, today: date | None = None) -> float:
    """How much of the year has passed: 1 for a past year, 0 for a future one, days so far ÷ days in the year."""
    today = today or timezone.localdate()
    if year < today.year:
        return 1.0
    if year > today.year:
        return 0.0
    start, end = date(year, 1, 1), date(year, 12, 31)
    return ((today - start).days + 1) / ((end - start).days + 1)


@dataclass
class Progress:
    """Figures against a plan: the budget (pagu) and the rupiah planned for UMK, with a straight-line projection
    of this year's pace to 31 December."""

    figures: Figures
    pagu: int = 0
    umk_target: int = 0
    fraction: float = 1.0
    months: list[Figures] = field(default_factory=list)

    @property
    def umk_plan_percent(self) -> float | None:
        return self.umk_target * 100 / self.pagu if self.pagu else None

    def of_pagu(self, amount: int) -> float | None:
        return amount * 100 / self.pagu if self.pagu else None

    @property
    def spent_of_pagu(self) -> float | None:
        return self.of_pagu(self.figures.spent)

    @property
    def umk_of_pagu(self) -> float | None:
        return self.of_pagu(self.figures.umk)

    @property
    def umk_reached(self) -> float | None:
        """The UMK rupiah paid as a share of the UMK rupiah planned."""
        return self.figures.umk * 100 / self.umk_target if self.umk_target else None

    def _projected(self, amount: int) -> int | None:
        return round(amount / self.fraction) if self.fraction > 0 else None

    @property
    def projected_spent(self) -> int | None:
        return self._projected(self.figures.spent)

    @property
    def projected_umk(self) -> int | None:
        return self._projected(self.figures.umk)

    @property
    def projected_umk_of_pagu(self) -> float | None:
        projected = self.projected_umk
        return self.of_pagu(projected) if projected is not None else None

    @property
    def on_track(self) -> bool | None:
        projected = self.projected_umk
        if not self.umk_target or projected is None:
            return None
        return projected >= self.umk_target


def _money(condition: str) -> Sum:
    return Sum(Case(When(**{condition: True}, then=F("total")), default=Value(0)), output_field=BigIntegerField())


# A package's credit notes, by the OPD and month (WIB) of the note. Written as SQL so that it starts from the notes of
# the year and finds each package by its order (paket.order_id is unique): through the ORM's order__paket path the
# planner walked every package instead.
REFUNDS_SQL = """
SELECT p.opd_id, EXTRACT(MONTH FROM cn.created_at AT TIME ZONE 'Asia/Jakarta')::int,
       SUM(cn.amount)::bigint, SUM(CASE WHEN p.shop_umk THEN cn.amount ELSE 0 END)::bigint,
       SUM(cn.amount * p.pdn_amount / p.total)::bigint, SUM(CASE WHEN p.shop_banten THEN cn.amount ELSE 0 END)::bigint
FROM payments_creditnote cn JOIN procurement_paket p ON p.order_id = cn.order_id
WHERE cn.created_at >= %(start)s AND cn.created_at < %(end)s {opd_filter}
GROUP BY 1, 2
"""


def realisation_cells(*, year: int, opd_ids: list[int] | None = None) -> dict[tuple[int, int], Figures]:
    """{(opd id, month): Figures} for one year, refunds subtracted. Two queries."""
    paid = Paket.objects.filter(paid_on__year=year)
    if opd_ids is not None:
        paid = paid.filter(opd_id__in=opd_ids)
    start = datetime(year, 1, 1, tzinfo=timezone.get_default_timezone())
    end = datetime(year + 1, 1, 1, tzinfo=timezone.get_default_timezone())
    cells: dict[tuple[int, int], Figures] = {}
    for row in (paid.values("opd_id", month=ExtractMonth("paid_on")).order_by()
                .annotate(n=Count("pk"), spent=Sum("total"), umk=_money("shop_umk"), pdn=Sum("pdn_amount"),
                          banten=_money("shop_banten"))):
        cells[row["opd_id"], row["month"]] = Figures(row["n"], row["spent"], row["umk"], row["pdn"], row["banten"])
    with connection.cursor() as cursor:
        cursor.execute(REFUNDS_SQL.format(opd_filter="AND p.opd_id = ANY(%(opds)s)" if opd_ids is not None else ""),
                       {"start": start, "end": end, "opds": opd_ids})
        for opd_id, month, spent, umk, pdn, banten in cursor.fetchall():
            cell = cells.setdefault((opd_id, month), Figures())
            cell.add(Figures(0, -spent, -umk, -pdn, -banten))
    return cells


def _months(cells: dict[tuple[int, int], Figures], opd_ids) -> list[Figures]:
    months = [Figures() for _month in MONTHS]
    for (opd_id, month), figures in cells.items():
        if opd_ids is None or opd_id in opd_ids:
            months[month - 1].add(figures)
    return months


def _total(months: list[Figures]) -> Figures:
    total = Figures()
    for month in months:
        total.add(month)
    return total


def opd_realisation(*, opd: Opd, year: int, today: date | None = None) -> tuple[Progress, OpdTarget | None]:
    """One OPD's year: the twelve months, the total, its target. Three queries."""
    target = OpdTarget.objects.filter(opd=opd, year=year).first()
    months = _months(realisation_cells(year=year, opd_ids=[opd.pk]), None)
    progress = Progress(figures=_total(months), pagu=target.pagu if target else 0,
                        umk_target=target.umk_amount if target else 0, fraction=year_fraction(year, today),
                        months=months)
    return progress, target


@dataclass
class OpdRow:
    opd: Opd
    progress: Progress
    target: OpdTarget | None


@dataclass
class PemdaRow:
    pemda: Region
    progress: Progress
    opds: list[OpdRow]


@dataclass
class Province:
    year: int
    progress: Progress
    pemdas: list[PemdaRow]
    ranking: list[OpdRow]


def _rank_key(row: OpdRow):
    """Best first: the share of the planned UMK rupiah already paid; OPDs without a plan after, by UMK share."""
    reached = row.progress.umk_reached
    share = row.progress.figures.umk_share
    return (reached is None, -(reached or 0), -(share or 0), row.opd.name)


def province_realisation(*, year: int, today: date | None = None) -> Province:
    """Every verified OPD, rolled up per Pemda and for the province, with the OPD ranking. Four queries."""
    fraction = year_fraction(year, today)
    opds = list(Opd.objects.filter(status=Opd.Status.VERIFIED).select_related("pemda").order_by("pemda_id", "name"))
    targets = {t.opd_id: t for t in OpdTarget.objects.filter(year=year, opd__status=Opd.Status.VERIFIED)}
    cells = realisation_cells(year=year)
    by_opd: dict[int, list[Figures]] = {}
    for (opd_id, month), figures in cells.items():
        by_opd.setdefault(opd_id, [Figures() for _month in MONTHS])[month - 1].add(figures)
    rows, pemdas = [], {}
    for opd in opds:
        months = by_opd.get(opd.pk, [Figures() for _month in MONTHS])
        target = targets.get(opd.pk)
        row = OpdRow(opd, Progress(figures=_total(months), pagu=target.pagu if target else 0,
                                   umk_target=target.umk_amount if target else 0, fraction=fraction, months=months),
                     target)
        rows.append(row)
        pemdas.setdefault(opd.pemda_id, PemdaRow(opd.pemda, Progress(Figures(), fraction=fraction,
                                                                     months=[Figures() for _m in MONTHS]), []))
    for row in rows:
        pemda = pemdas[row.opd.pemda_id]
        pemda.opds.append(row)
        _roll_up(pemda.progress, row.progress)
    province = Progress(Figures(), fraction=fraction, months=[Figures() for _month in MONTHS])
    for pemda in pemdas.values():
        _roll_up(province, pemda.progress)
    return Province(year=year, progress=province, pemdas=list(pemdas.values()), ranking=sorted(rows, key=_rank_key))


def _roll_up(into: Progress, part: Progress) -> None:
    into.figures.add(part.figures)
    into.pagu += part.pagu
    into.umk_target += part.umk_target
    for total, month in zip(into.months, part.months, strict=True):
        total.add(month)


# --- open data (item 10) --------------------------------------------------------------------------------------


def _open_figures(figures: Figures, *, withheld: bool) -> dict:
    """Aggregates only. Fewer than REALISATION_OPEN_MIN_PACKAGES packages behind a figure (or a figure that would
    give such a one away by subtraction, _complement): its amounts and shares are withheld."""
    if withheld:
        return {"paket": None, "belanja": None, "umk": None, "pdn": None, "banten": None, "porsi_umk": None,
                "porsi_pdn": None, "porsi_banten": None, "disembunyikan": True}
    return {"paket": figures.packages, "belanja": figures.spent, "umk": figures.umk, "pdn": figures.pdn,
            "banten": figures.banten, "porsi_umk": _round(figures.umk_share), "porsi_pdn": _round(figures.pdn_share),
            "porsi_banten": _round(figures.banten_share), "disembunyikan": False}


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _open_plan(progress: Progress) -> dict:
    return {"pagu": progress.pagu or None, "target_umk": progress.umk_target or None,
            "rencana_porsi_umk": _round(progress.umk_plan_percent)}


def _pemda_name(region: Region) -> str:
    return f"Provinsi {region.name}" if region.level == Region.Level.PROVINSI else region.name


def open_data(*, year: int) -> dict:
    """The public aggregates of a year: the province (with its months), each Pemda and each OPD (an office, not a
    person: its name and its published budget are public)."""
    province = province_realisation(year=year)
    months = [({"bulan": month}, figures) for month, figures in zip(MONTHS, province.progress.months, strict=True)]
    pemdas = {pemda.pemda.code: ({"kode": pemda.pemda.code, "nama": _pemda_name(pemda.pemda),
                                  **_open_plan(pemda.progress)}, pemda.progress.figures) for pemda in province.pemdas}
    opds = [({"kode_satker": row.opd.kode_satker, "nama": row.opd.name, "pemda": row.opd.pemda_id,
              **_open_plan(row.progress)}, row.progress.figures) for row in province.ranking]
    whole = ({**_open_plan(province.progress)}, province.progress.figures)
    hidden = _withheld([whole, *pemdas.values(), *opds, *months])
    for code, pemda in pemdas.items():  # an OPD's figure must not be its Pemda's minus the others'
        _complement(pemda, [row for row in opds if row[0]["pemda"] == code], hidden)
    _complement(whole, list(pemdas.values()), hidden)
    _complement(whole, months, hidden)
    return {
        "tahun": year,
        "aturan": "Perpres 12/2021 Ps 65: minimal 40% belanja barang/jasa untuk usaha mikro, kecil dan koperasi",
        "paket_minimal": settings.REALISATION_OPEN_MIN_PACKAGES,
        "provinsi": {**_open_row(whole, hidden), "bulan": [_open_row(row, hidden) for row in months]},
        "pemda": [_open_row(row, hidden) for row in pemdas.values()],
        "opd": [_open_row(row, hidden) for row in opds],
    }


def _withheld(rows: list[tuple[dict, Figures]]) -> set[int]:
    return {id(row) for row in rows if row[1].packages < settings.REALISATION_OPEN_MIN_PACKAGES}


def _complement(parent: tuple[dict, Figures], children: list[tuple[dict, Figures]], hidden: set[int]) -> None:
    """Secondary suppression: when the parent is shown and exactly one child with packages is withheld, the child
    would be the parent minus its shown siblings; withhold the smallest shown sibling too (or, with none, the
    parent)."""
    withheld = [child for child in children if id(child) in hidden and child[1].packages > 0]
    if id(parent) in hidden or len(withheld) != 1:
        return
    shown = sorted((child for child in children if id(child) not in hidden), key=lambda child: child[1].packages)
    hidden.add(id(shown[0]) if shown else id(parent))


def _open_row(row: tuple[dict, Figures], hidden: set[int]) -> dict:
    fields, figures = row
    return {**fields, **_open_figures(figures, withheld=id(row) in hidden)}


OPEN_CSV_COLUMNS = ["tingkat", "kode", "nama", "pemda", "pagu", "target_umk", "rencana_porsi_umk", "paket", "belanja",
                    "umk", "pdn", "banten", "porsi_umk", "porsi_pdn", "porsi_banten", "disembunyikan"]


def open_data_rows(data: dict) -> list[list]:
    """The same aggregates as flat CSV rows: the province, then each Pemda, then each OPD."""
    def row(level, code, name, pemda, values):
        return [level, code, name, pemda] + [values[c] for c in OPEN_CSV_COLUMNS[4:]]

    rows = [row("provinsi", "36", "Provinsi Banten", "36", data["provinsi"])]
    rows += [row("pemda", p["kode"], p["nama"], p["kode"], p) for p in data["pemda"]]
    rows += [row("opd", o["kode_satker"], o["nama"], o["pemda"], o) for o in data["opd"]]
    return rows
