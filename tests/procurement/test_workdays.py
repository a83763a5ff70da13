"""Working days: Monday–Friday minus public holidays (the `holidays` package) and the cuti bersama setting."""

from datetime import date

import pytest

from procurement.workdays import is_working_day, working_days_after


def test_idul_fitri_2026_with_its_cuti_bersama_pushes_the_deadline_past_the_holiday_weeks():
    # SP signed Tue 17 Mar 2026: Wed 18 (cuti), Thu 19 (Nyepi), Fri 20 (cuti), Sat–Sun 21–22 (Idul Fitri),
    # Mon 23 and Tue 24 (cuti) are no working days: day 1 is Wed 25, day 3 Fri 27 (research/government-flow.md §7).
    assert working_days_after(date(2026, 3, 17), 3) == date(2026, 3, 27)


def test_without_cuti_bersama_only_the_public_holidays_count(settings):
    settings.PROCUREMENT_CUTI_BERSAMA = []
    assert working_days_after(date(2026, 3, 17), 3) == date(2026, 3, 23)


def test_christmas_2026_weekend():
    # Wed 23 Dec: Thu 24 (cuti bersama), Fri 25 (Natal), Sat–Sun 26–27 → Mon 28, Tue 29, Wed 30.
    assert working_days_after(date(2026, 12, 23), 3) == date(2026, 12, 30)
    assert working_days_after(date(2026, 12, 23), 1) == date(2026, 12, 28)


def test_an_ordinary_week_and_a_friday():
    assert working_days_after(date(2026, 12, 1), 3) == date(2026, 12, 4)  # Tue → Fri
    assert working_days_after(date(2026, 12, 4), 3) == date(2026, 12, 9)  # Fri → Wed


def test_new_year_across_the_year_boundary():
    # Wed 30 Dec 2026: Thu 31, (Fri 1 Jan 2027 New Year, weekend), Mon 4, (Tue 5 Isra Mikraj 1448 H), Wed 6.
    assert working_days_after(date(2026, 12, 30), 3) == date(2027, 1, 6)


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 8, 17), False), (date(2026, 8, 18), True), (date(2026, 2, 16), False), (date(2026, 12, 5), False),
])
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_n_below_one_is_a_programming_error():
    with pytest.raises(ValueError):
        working_days_after(date(2026, 12, 1), 0)
