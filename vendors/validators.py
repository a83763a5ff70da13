"""Indonesian business identifiers (NIK, NPWP, NIB) and the PP 7/2021 UMKM class.

Each check returns the cleaned digits and a tuple of warnings: a hard error raises ValidationError, while an odd
but plausible value (real KTP data has them) is let through with a warning the verifikator sees.

The NPWP check digit is python-stdnum's (``stdnum.id.npwp``, Luhn). The NIK is ours: ``stdnum.id.nik`` has no check
digit to add (a NIK has none) and is weaker on what it does check (python-stdnum 2.2): its region table passes any
kab/kota of a known province (36.99) and refuses the Papua codes of 2022 (92.02 Manokwari, 93.01 Merauke), it reads
day 81–91 as day 1–11 and refuses 72–80 (we warn on both: real KTP data has them), guesses 19xx before 20xx (a 2015
birth reads as 1915, so the under-17 warning is lost), and takes serial 0000. Our region check reads the Kemendagri
2025 codes in the database.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

_SEPARATORS = re.compile(r"[\s.\-/]")

# PP 7/2021 Ps 35: capital excluding land and buildings, and yearly sales, in rupiah (upper bounds, inclusive).
MILIAR = 1_000_000_000
UMKM_CAPITAL_LIMITS = (("mikro", 1 * MILIAR), ("kecil", 5 * MILIAR), ("menengah", 10 * MILIAR))
UMKM_TURNOVER_LIMITS = (("mikro", 2 * MILIAR), ("kecil", 15 * MILIAR), ("menengah", 50 * MILIAR))
_CLASS_ORDER = ("mikro", "kecil", "menengah")


@dataclass(frozen=True)
class Checked:
    value: str
    warnings: tuple[str, ...] = field(default=())


def _digits(value: str) -> str:
    """Separators dropped; full-width digits (some phone keyboards) become ASCII; other scripts' digits fail."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "").strip())


def luhn_valid(digits: str) -> bool:
    return luhn.is_valid(digits)


def _kabkota_exists(code: str) -> bool:
    from regions.models import Region

    return Region.objects.filter(code=code, level=Region.Level.KABKOTA).exists()


def _birth_year(two_digits: int, today: date) -> int:
    year = 2000 + two_digits
    return year if year <= today.year else year - 100


def nik_check(value: str, *, today: date | None = None) -> Checked:
    """NIK = PP RR SS DDMMYY XXXX: region of issue, birth date (day + 40 for women), serial."""
    nik = _digits(value)
    if not re.fullmatch(r"[0-9]{16}", nik):
        raise ValidationError(_("NIK harus 16 angka."), code="format")
    kabkota = f"{nik[0:2]}.{nik[2:4]}"
    if not _kabkota_exists(kabkota):
        raise ValidationError(_("Kode wilayah %(code)s di awal NIK tidak dikenal (data Kemendagri).")
                              % {"code": kabkota}, code="region")
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if not 1 <= month <= 12:
        raise ValidationError(_("Bulan lahir di NIK (angka ke-9 dan ke-10) harus 01–12."), code="month")
    if nik[12:] == "0000":
        raise ValidationError(_("Nomor urut NIK (4 angka terakhir) tidak boleh 0000."), code="serial")

    warnings = []
    today = today or timezone.localdate()
    if 1 <= day <= 31 or 41 <= day <= 71:
        real_day = day - 40 if day > 40 else day
        birth_year = _birth_year(year, today)
        try:
            born = date(birth_year, month, real_day)
        except ValueError:
            raise ValidationError(_("Tanggal lahir di NIK tidak ada di kalender (%(d)02d-%(m)02d).")
                                  % {"d": real_day, "m": month}, code="date") from None
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < 17:
            warnings.append(_("Menurut NIK, pemilik berusia %(age)s tahun (KTP diterbitkan mulai 17 tahun).")
                            % {"age": age})
    elif 72 <= day <= 91:
        # Issued records with day + 50/60 exist; the KTP photo decides.
        warnings.append(_("Tanggal lahir di NIK tidak lazim (%(day)s); cocokkan dengan foto KTP.") % {"day": nik[6:8]})
    else:
        raise ValidationError(_("Tanggal lahir di NIK (angka ke-7 dan ke-8) harus 01–31, atau 41–71 untuk "
                                "perempuan."), code="day")

    from regions.models import Region

    if not Region.objects.filter(code=f"{kabkota}.{nik[4:6]}").exists():
        warnings.append(_("Kode kecamatan %(code)s tidak ada di data wilayah terbaru (bisa karena pemekaran).")
                        % {"code": f"{kabkota}.{nik[4:6]}"})
    return Checked(nik, tuple(warnings))


def npwp_check(value: str, *, today: date | None = None) -> Checked:
    """Old 15-digit NPWP (Luhn over the first 9 digits) or the 16-digit form: 0 + old NPWP, or a NIK.
    The check digit is python-stdnum's; a NIK-form NPWP goes through our ``nik_check`` (region, birth date)."""
    npwp = _digits(value)
    if re.fullmatch(r"[1-9][0-9]{15}", npwp):
        try:
            return nik_check(npwp, today=today)
        except ValidationError as error:
            raise ValidationError(_("NPWP 16 angka yang tidak diawali 0 adalah NIK: %(error)s")
                                  % {"error": " ".join(error.messages)}, code="nik") from None
    try:
        stdnum_npwp.validate(npwp)
    except InvalidChecksum:
        if len(npwp) == 15:
            raise ValidationError(_("Angka pemeriksa NPWP (angka ke-9) tidak cocok. Periksa kembali."),
                                  code="checksum") from None
        raise ValidationError(_("Angka pemeriksa NPWP 16 angka tidak cocok. Periksa kembali."),
                              code="checksum") from None
    except StdnumError:
        raise ValidationError(_("NPWP harus 15 angka (format lama) atau 16 angka."), code="format") from None
    return Checked(npwp)


def nib_check(value: str) -> Checked:
    """NIB from OSS: 13 digits, no public checksum (the number is verified against OSS by the verifikator)."""
    nib = _digits(value)
    if not re.fullmatch(r"[0-9]{13}", nib):
        raise ValidationError(_("NIB harus 13 angka."), code="format")
    warnings = ()
    if len(set(nib)) == 1:
        warnings = (_("NIB berisi angka yang sama semua; pastikan sesuai dokumen NIB."),)
    return Checked(nib, warnings)


def umkm_class(*, capital: int, turnover: int) -> str:
    """The PP 7/2021 class: the higher of the class by capital and the class by yearly sales."""
    if capital < 0 or turnover < 0:
        raise ValidationError(_("Modal dan omzet tidak boleh negatif."), code="negative")

    def by(limits, amount):
        for name, limit in limits:
            if amount <= limit:
                return name
        return None

    by_capital, by_turnover = by(UMKM_CAPITAL_LIMITS, capital), by(UMKM_TURNOVER_LIMITS, turnover)
    if by_capital is None or by_turnover is None:
        raise ValidationError(_("Modal di atas Rp10 miliar atau omzet di atas Rp50 miliar setahun termasuk usaha "
                                "besar; Plaza Banten khusus untuk UMKM."), code="too_big")
    return max(by_capital, by_turnover, key=_CLASS_ORDER.index)
