"""Document numbers of an OPD: `SP/<kode satker>/<year>/000001`, and the same for BAST, INV (invoice), KWT
(kuitansi) and ADD (an accepted addendum). One gapless series per OPD, kind and year, counted the way
orders/numbers.py counts a shop's invoices (one INSERT … ON CONFLICT DO UPDATE … RETURNING: the counter row
stays locked until the issuing transaction commits, a rollback gives the number back). orders.DocumentCounter is
keyed by shop and month, so the government series (by OPD and year) keep their own counter table."""

from django.db import connection
from django.utils import timezone

from .models import Opd, ProcurementCounter

SERIES = {"sp": "SP", "bast": "BAST", "invoice": "INV", "kuitansi": "KWT", "addendum": "ADD"}


def paket_document_number_next(*, opd: Opd, kind: str) -> str:
    series = SERIES[kind]
    year = timezone.localdate().year
    table = ProcurementCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (opd_id, series, year, last) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (opd_id, series, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [opd.pk, series, year])
        (last,) = cursor.fetchone()
    return f"{series}/{opd.kode_satker}/{year}/{last:06d}"
