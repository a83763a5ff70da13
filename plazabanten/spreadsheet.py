"""CSV cells that a spreadsheet opens as text, never as a formula (CSV/formula injection, OWASP)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value):
    """A text cell starting with = + - @ tab or CR gets a leading apostrophe; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_unescape(text: str) -> str:
    """The inverse of cell_safe for a cell read back from our own export (the CSV import)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
