"""Integer rupiah: the one money type and the one formatter (PUEBI style, ``Rp15.000``)."""

import re

_DIGITS = re.compile(r"^\s*(?:rp\.?\s*)?(-?)\s*([\d.]+)(?:,00?)?\s*$", re.IGNORECASE)


def format_rupiah(amount: int | None) -> str:
    """15000 → 'Rp15.000'; -2500 → '-Rp2.500'. No decimals: rupiah amounts are whole."""
    if amount is None:
        return ""
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def parse_rupiah(text: str) -> int:
    """'Rp15.000', '15.000', '15000' → 15000. Raises ValueError on anything else (no fractions)."""
    match = _DIGITS.match(str(text))
    if not match or not re.fullmatch(r"\d{1,3}(\.\d{3})*|\d+", match.group(2)):
        raise ValueError(f"not a rupiah amount: {text!r}")
    value = int(match.group(2).replace(".", ""))
    return -value if match.group(1) else value
