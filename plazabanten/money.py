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


_UNITS = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas"]
_SCALES = [(10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (1000, "ribu")]


def _words(n: int) -> str:
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        return f"{_UNITS[n // 10]} puluh {_words(n % 10)}".strip()
    if n < 200:
        return f"seratus {_words(n - 100)}".strip()
    if n < 1000:
        return f"{_UNITS[n // 100]} ratus {_words(n % 100)}".strip()
    for scale, name in _SCALES:
        if n >= scale:
            head = "se" + name if (n // scale == 1 and scale == 1000) else f"{_words(n // scale)} {name}"
            return f"{head} {_words(n % scale)}".strip()
    raise AssertionError("unreachable")


def rupiah_in_words(amount: int) -> str:
    """Terbilang for invoices and receipts: 1250000 → 'satu juta dua ratus lima puluh ribu rupiah'."""
    amount = int(amount)
    if amount == 0:
        return "nol rupiah"
    return f"{'minus ' if amount < 0 else ''}{_words(abs(amount))} rupiah"
