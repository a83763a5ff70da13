"""Indonesian phone numbers, normalised to +62… (used for accounts, shops and WhatsApp links)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ALLOWED = re.compile(r"^[\d\s\-().+]+$")


def normalize_phone(value: str) -> str:
    """'0812-3456-7890', '62812…', '+62 812…' → '+628123456789'. Raises ValidationError otherwise."""
    raw = (value or "").strip()
    if not raw or not _ALLOWED.match(raw):
        raise ValidationError(_("Nomor telepon hanya boleh berisi angka, spasi, tanda + atau -."), code="invalid")
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith("8"):
        national = digits
    else:
        raise ValidationError(_("Gunakan nomor Indonesia yang diawali 08, 62 atau +62."), code="country")
    national = national.lstrip("0")
    # Mobile numbers are 8xx with 9–12 digits after the 0; landlines start with an area code 2–9.
    if not re.fullmatch(r"[2-9]\d{7,11}", national):
        raise ValidationError(_("Nomor telepon tidak lengkap atau terlalu panjang."), code="length")
    return f"+62{national}"


def whatsapp_link(phone: str, text: str = "") -> str:
    from urllib.parse import quote

    link = f"https://wa.me/{phone.lstrip('+')}"
    return f"{link}?text={quote(text)}" if text else link
