from datetime import date

import pytest
from django.core.exceptions import ValidationError

from vendors.validators import luhn_valid, nib_check, nik_check, npwp_check, umkm_class

TODAY = date(2026, 11, 28)
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("3674011708950001", "3674011708950001"),     # man, Serpong (Tangerang Selatan), 17-08-1995
    ("3674015708950002", "3674015708950002"),     # woman: day 17 + 40
    ("36.7401.170895.0001", "3674011708950001"),  # dotted as some forms print it
    ("3601 0101 0180 0003", "3601010101800003"),  # spaced, Pandeglang, 01-01-1980
    ("3273012902000004", "3273012902000004"),     # issued in Bandung (outside Banten is fine), 29-02-2000
    ("3171017112990005", "3171017112990005"),     # woman born 31-12-1999: day 71 is the top of the range
])
def test_nik_valid(raw, cleaned):
    result = nik_check(raw, today=TODAY)
    assert result.value == cleaned
    assert result.warnings == ()


@pytest.mark.parametrize(("raw", "code"), [
    ("367401170895000", "format"),       # 15 digits
    ("36740117089500011", "format"),     # 17 digits
    ("36740117O8950001", "format"),      # letter O for zero
    ("", "format"),
    ("3699011708950001", "region"),      # 36.99 is not a kab/kota
    ("9901011708950001", "region"),      # no province 99
    ("3674011713950001", "month"),       # month 13
    ("3674011700950001", "month"),       # month 00
    ("3674013508950001", "day"),         # day 35: neither a man's nor a woman's day
    ("3674010008950001", "day"),         # day 00
    ("3674019908950001", "day"),         # day 99
    ("3674013102950001", "date"),        # 31 February
    ("3674016902950001", "date"),        # woman, 29 February 1995 (not a leap year)
    ("3674011708950000", "serial"),      # serial 0000
])
def test_nik_invalid(raw, code):
    with pytest.raises(ValidationError) as error:
        nik_check(raw, today=TODAY)
    assert error.value.code == code
    assert error.value.messages[0]  # a sentence for the seller


@pytest.mark.parametrize(("raw", "warning_part"), [
    ("3674017708950001", "tidak lazim"),    # day 77: the +60 anomaly seen in real KTP data
    ("3674018508950001", "tidak lazim"),    # day 85
    ("3674011701150001", "berusia 11"),     # born 2015: too young for a KTP
    ("3674991708950001", "kecamatan"),      # kecamatan 99 is not in the current list (split or renamed)
])
def test_nik_odd_values_warn_but_pass(raw, warning_part):
    result = nik_check(raw, today=TODAY)
    assert result.value == raw
    assert any(warning_part in warning for warning in result.warnings), result.warnings


def test_nik_two_digit_year_never_lies_in_the_future():
    assert nik_check("3674011708250001", today=TODAY).warnings  # 2025: a baby, so it warns
    assert nik_check("3674011708300001", today=TODAY).warnings == ()  # 30 → 1930, not 2030


@pytest.mark.parametrize("digits", ["013000666", "0013000666", "79927398713", "0"])
def test_luhn_valid(digits):
    assert luhn_valid(digits)


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("01.300.066.6-091.000", "013000666091000"),   # old 15-digit form as printed on the card
    ("013000666091000", "013000666091000"),
    ("012345674123000", "012345674123000"),
    ("0013000666091000", "0013000666091000"),      # 16-digit form for an entity: 0 + old NPWP
    ("3674011708950001", "3674011708950001"),      # 16-digit form for a person: the NIK
])
def test_npwp_valid(raw, cleaned):
    assert npwp_check(raw, today=TODAY).value == cleaned


@pytest.mark.parametrize(("raw", "code"), [
    ("013000667091000", "checksum"),    # one digit typed wrong
    ("02.451.880.6-023.000", "checksum"),
    ("0013000667091000", "checksum"),
    ("3699011708950001", "nik"),        # 16 digits, not 0-led, and not a valid NIK
    ("01300066609100", "format"),       # 14 digits
    ("01300066609100012", "format"),
    ("NPWP013000666091", "format"),
])
def test_npwp_invalid(raw, code):
    with pytest.raises(ValidationError) as error:
        npwp_check(raw, today=TODAY)
    assert error.value.code == code


@pytest.mark.parametrize(("check", "raw"), [
    (nik_check, "٣٦٧٤٠١١٧٠٨٩٥٠٠٠١"),       # Arabic-Indic digits: int() reads them, the register does not
    (npwp_check, "٠١٣٠٠٠٦٦٦٠٩١٠٠٠"),
    (nib_check, "٩١٢٠٠٠١٢٣٤٥٦٧"),
])
def test_only_ascii_digits_are_accepted(check, raw):
    with pytest.raises(ValidationError) as error:
        check(raw)
    assert error.value.code == "format"


@pytest.mark.parametrize(("check", "raw", "cleaned"), [
    (nik_check, "３６７４０１１７０８９５０００１", "3674011708950001"),  # full-width, as some phone keyboards type
    (npwp_check, "０１.３００.０６６.６-０９１.０００", "013000666091000"),
    (nib_check, "９１２０００１２３４５６７", "9120001234567"),
])
def test_full_width_digits_are_read_as_digits(check, raw, cleaned):
    assert check(raw).value == cleaned


@pytest.mark.parametrize(("raw", "expected"), [
    ("9202031708950001", None),             # Manokwari (Papua Barat, 2022 codes): python-stdnum 2.2 refuses it
    ("3674018108950001", "tidak lazim"),    # day 81: python-stdnum reads it as the 1st without a word
    ("3674011701150001", "berusia 11"),     # python-stdnum reads 15 as 1915
])
def test_nik_check_stays_ours_where_stdnum_is_weaker(raw, expected):
    from stdnum.id import nik as stdnum_nik

    result = nik_check(raw, today=TODAY)
    assert any(expected in warning for warning in result.warnings) if expected else result.warnings == ()
    if expected is None:
        assert not stdnum_nik.is_valid(raw)
    else:
        assert stdnum_nik.is_valid(raw)


def test_npwp_check_digit_agrees_with_python_stdnum():
    from stdnum.id import npwp as stdnum_npwp

    for raw in ("013000666091000", "013000667091000", "0013000666091000", "0013000667091000", "024518806023000"):
        ours = True
        try:
            npwp_check(raw, today=TODAY)
        except ValidationError:
            ours = False
        assert ours == stdnum_npwp.is_valid(raw), raw


def test_npwp_as_nik_passes_the_nik_warnings_on():
    assert npwp_check("3674017708950001", today=TODAY).warnings


@pytest.mark.parametrize("raw", ["9120001234567", "1234 5678 90123", "0220000000011"])
def test_nib_valid(raw):
    assert len(nib_check(raw).value) == 13


@pytest.mark.parametrize("raw", ["912000123456", "91200012345678", "91200O1234567", ""])
def test_nib_invalid(raw):
    with pytest.raises(ValidationError):
        nib_check(raw)


def test_nib_of_one_repeated_digit_warns():
    assert nib_check("1111111111111").warnings


M = 1_000_000_000


@pytest.mark.parametrize(("capital", "turnover", "expected"), [
    (50_000_000, 300_000_000, "mikro"),
    (1 * M, 2 * M, "mikro"),                 # the limits are inclusive
    (1 * M + 1, 0, "kecil"),                 # capital decides
    (0, 2 * M + 1, "kecil"),                 # turnover decides
    (5 * M, 15 * M, "kecil"),
    (500_000_000, 20 * M, "menengah"),       # small capital, big sales: the higher class wins
    (10 * M, 50 * M, "menengah"),
])
def test_umkm_class_follows_pp_7_2021(capital, turnover, expected):
    assert umkm_class(capital=capital, turnover=turnover) == expected


@pytest.mark.parametrize(("capital", "turnover"), [(10 * M + 1, 0), (0, 50 * M + 1), (-1, 0)])
def test_umkm_class_refuses_large_businesses_and_negative_amounts(capital, turnover):
    with pytest.raises(ValidationError):
        umkm_class(capital=capital, turnover=turnover)
