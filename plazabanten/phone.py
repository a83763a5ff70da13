"""Indonesian phone numbers, normalised to +62… (used for accounts, shops and WhatsApp links).

Parsing and the number plan are Google's libphonenumber (``phonenumberslite``: the same metadata without the
geocoder and carrier data): it knows which mobile prefixes and landline area codes exist and how long each number
is, so ``+62 800 1234 5678`` or ``0812 1`` are refused. Ours on top: only digits, spaces, ``+``, ``-``, ``.`` and
brackets are accepted (libphonenumber would read letters as a keypad, ``0812-CALL-ME``), a number written ``62…``
without the plus is read as +62 (libphonenumber would try it as a national number first), and only mobile and
landline numbers are kept (no toll-free 0800, premium or shared-cost numbers).
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

_ALLOWED = re.compile(r"^[\d\s\-().+]+$")
_KEPT_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_WRONG_LENGTH = {ValidationResult.TOO_SHORT, ValidationResult.TOO_LONG, ValidationResult.INVALID_LENGTH,
                 ValidationResult.IS_POSSIBLE_LOCAL_ONLY}


def normalize_phone(value: str) -> str:
    """'0812-3456-7890', '62812…', '+62 812…', '(0254) 267001' → '+62…' (E.164). Raises ValidationError otherwise."""
    raw = unicodedata.normalize("NFKC", value or "").strip()  # full-width digits (some keyboards) become ASCII
    if not raw or not raw.isascii() or not _ALLOWED.match(raw):
        raise ValidationError(_("Nomor telepon hanya boleh berisi angka, spasi, tanda + atau -."), code="invalid")
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("62") and not raw.startswith("+"):
        raw = f"+{digits}"  # 62812… is the country code written without its plus
    try:
        number = phonenumbers.parse(raw, "ID")
    except NumberParseException:
        raise ValidationError(_("Nomor telepon tidak lengkap atau terlalu panjang."), code="length") from None
    if number.country_code != 62:
        raise ValidationError(_("Gunakan nomor Indonesia yang diawali 08, 62 atau +62."), code="country")
    national = phonenumbers.national_significant_number(number)
    if phonenumbers.is_possible_number_with_reason(number) in _WRONG_LENGTH or not 8 <= len(national) <= 12:
        raise ValidationError(_("Nomor telepon tidak lengkap atau terlalu panjang."), code="length")
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in _KEPT_TYPES:
        raise ValidationError(_("Nomor ini bukan nomor HP atau telepon rumah Indonesia. Periksa kembali."),
                              code="unknown")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def whatsapp_link(phone: str, text: str = "") -> str:
    from urllib.parse import quote

    link = f"https://wa.me/{phone.lstrip('+')}"
    return f"{link}?text={quote(text)}" if text else link
