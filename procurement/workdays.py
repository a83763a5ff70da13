"""Government working days (hari kerja): Monday to Friday, minus Indonesian public holidays (the `holidays`
package) and the cuti bersama dates of the SKB 3 Menteri (settings.PROCUREMENT_CUTI_BERSAMA, maintained by hand
each year: the library does not know them)."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year))


def _cuti_bersama() -> frozenset[date]:
    return frozenset(date.fromisoformat(value) for value in settings.PROCUREMENT_CUTI_BERSAMA)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in _cuti_bersama()


def working_days_after(start: date, n: int) -> date:
    """The n-th working day after `start` (start itself never counts: a SP signed on Tuesday gives the seller
    Wednesday as day 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def deadline_after(moment: datetime, n: int) -> datetime:
    """The end (23:59:59 WIB) of the n-th working day after the local date of `moment`."""
    last_day = working_days_after(timezone.localtime(moment).date(), n)
    return timezone.make_aware(datetime.combine(last_day, time(23, 59, 59)))
