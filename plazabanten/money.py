"""Integer rupiah: the one money type, the one formatter (PUEBI style, ``Rp15.000``) and the one parser.

Every money input of the site is a :class:`RupiahField`, and every other rupiah text we read (the CSV import's
``harga`` column) goes through :func:`rupiah_parse`, so ``350.000`` means three hundred and fifty thousand
everywhere.

The rules :func:`rupiah_parse` implements, in order:

1. Case and the spaces around the text do not matter. A leading ``Rp``, ``Rp.`` or ``IDR`` (with or without a space)
   and a trailing ``,-`` (``Rp 350.000,-``) are dropped.
2. A trailing unit multiplies: ``rb``/``ribu``/``k`` (×1.000), ``jt``/``juta`` (×1.000.000), ``miliar``/``milyar``
   (×1.000.000.000), with or without a space before it (``350rb``, ``2 jt``). ``M`` is not a unit: it means
   *miliar* to some and *million* to others.
3. What is left must be ASCII digits, dots and commas, starting with a digit: no sign (``-5.000`` is refused as
   negative), no spaces inside, no exponent, no other scripts' digits (Babel alone would take ``1e5``, ``+5`` and
   ``٣٥٠``).
4. Babel's ``parse_decimal(number, locale="id", strict=True)`` reads it with the Indonesian symbols: ``.`` groups
   thousands, ``,`` starts the decimals, and in strict mode a dot must separate groups of exactly three digits
   (``3.50.000`` and ``350.00`` are refused; ``350000`` without dots is fine).
5. Rupiah have no cents, and ``12,345`` is what an English keyboard writes for twelve thousand: so without a unit
   the only decimals allowed are ``,0`` and ``,00`` (``Rp350.000,00``); ``350,5``, ``12,345`` and ``350,000`` are
   refused as ambiguous (Babel 2.19, even strict, reads ``350,5`` as 350.5 and ``12,345`` as 12.345 without a
   word, so this check is ours). With a unit one or two decimals are allowed (``1,5jt``, ``1,25 juta``) as long as the
   result is a whole number of rupiah (``1,5rb`` = 1.500; ``1,05rb`` = 1.050).

A refusal is a ``ValidationError`` whose message says how to write the amount (``Tulis harga seperti 350.000 atau
350rb.``). ``format_rupiah(rupiah_parse(x))`` parses back to the same number, so a form shown again after another
field's error shows ``Rp350.000`` and submits it unchanged.

The field's widget is a plain text input (no ``inputmode``): ``inputmode="numeric"`` gives iPhones a keypad with no
dot and no letters, and ``inputmode="decimal"`` gives them only the phone's decimal separator (a comma on an
Indonesian iPhone), so neither can type ``350.000`` or ``350rb``; the full keyboard can, and plain digits work on it
too.
"""

import re
from dataclasses import dataclass

from babel.numbers import NumberFormatError, parse_decimal
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def format_rupiah(amount: int | None) -> str:
    """15000 → 'Rp15.000'; -2500 → '-Rp2.500'. No decimals: rupiah amounts are whole."""
    if amount is None:
        return ""
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


_PREFIX = re.compile(r"^(?:rp|idr)\.?\s*")
_UNIT = re.compile(r"\s*(rb|ribu|k|jt|juta|miliar|milyar)\.?$")
_MULTIPLIERS = {"rb": 1000, "ribu": 1000, "k": 1000, "jt": 10**6, "juta": 10**6, "miliar": 10**9, "milyar": 10**9}
_NUMBER = re.compile(r"^[0-9][0-9.,]*$")
MAX_TEXT = 40


def _refuse(code: str, what: str | None) -> ValidationError:
    what = what or _("nominal")
    messages = {
        "invalid": _("Tulis %(what)s seperti 350.000 atau 350rb."),
        "grouping": _("Titik memisahkan ribuan, tiap tiga angka dari kanan. Tulis %(what)s seperti 350.000 atau "
                      "350rb."),
        "decimal": _("Rupiah tidak memakai sen, dan koma bukan pemisah ribuan. Tulis %(what)s seperti 350.000 atau "
                     "350rb."),
        "negative": _("%(What)s tidak boleh negatif."),
    }
    return ValidationError(messages[code] % {"what": what, "What": capfirst(what)}, code=code)


def rupiah_parse(text: str, *, what: str | None = None) -> int:
    """Typed rupiah → whole rupiah: '350.000', 'Rp 350.000,00', '350rb', '1,5jt' → int (rules: module docstring).

    ``what`` names the amount in the message (``harga``, ``modal usaha``; default ``nominal``).
    Raises ``ValidationError`` (codes ``invalid``, ``grouping``, ``decimal``, ``negative``) with an Indonesian message.
    """
    rest = str(text).replace("\u00a0", " ").strip().casefold()
    if not rest or len(rest) > MAX_TEXT:
        raise _refuse("invalid", what)
    rest = _PREFIX.sub("", rest, count=1)
    if rest[:1] in ("-", "\u2212"):
        raise _refuse("negative", what)
    unit = _UNIT.search(rest)
    multiplier = 1
    if unit:
        multiplier, rest = _MULTIPLIERS[unit.group(1)], rest[:unit.start()]
    elif rest.endswith(",-"):
        rest = rest[:-2]
    if not _NUMBER.match(rest):
        raise _refuse("invalid", what)
    try:
        number = parse_decimal(rest, locale="id", strict=True)
    except NumberFormatError:
        raise _refuse("grouping" if "." in rest else "invalid", what) from None
    decimals = rest.partition(",")[2]
    if "," in rest:
        allowed = len(decimals) in (1, 2) and (multiplier > 1 or not decimals.strip("0"))
        if not allowed:
            raise _refuse("decimal", what)
    amount = number * multiplier
    if amount != amount.to_integral_value():
        raise _refuse("decimal", what)
    return int(amount)


class RupiahInput(forms.TextInput):
    """A plain text input (no ``inputmode``: see the module docstring for why)."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})


class RupiahField(forms.Field):
    """Every money input: reads what :func:`rupiah_parse` reads, cleans to ``int``, shows ``Rp350.000`` back.

    ``min_value``/``max_value`` are whole rupiah; their messages print the limit as rupiah (``Harga minimal Rp100.``).
    ``what`` names the amount in messages (default ``nominal``); ``error_messages`` may replace any message by code
    (``required``, ``invalid``, ``grouping``, ``decimal``, ``negative``, ``min_value``, ``max_value``).
    """

    widget = RupiahInput
    default_error_messages = {
        "min_value": gettext_lazy("%(What)s minimal %(limit)s."),
        "max_value": gettext_lazy("%(What)s paling banyak %(limit)s."),
    }

    def __init__(self, *, min_value: int | None = 0, max_value: int | None = None, what=None, **kwargs):
        self.min_value, self.max_value, self.what = min_value, max_value, what
        super().__init__(**kwargs)

    def _what(self) -> str:
        return str(self.what) if self.what else _("nominal")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return rupiah_parse(str(value), what=self._what())
        except ValidationError as error:
            if error.code in self.error_messages:
                raise ValidationError(self.error_messages[error.code], code=error.code) from None
            raise

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        for code, limit, outside in (("min_value", self.min_value, lambda: value < self.min_value),
                                     ("max_value", self.max_value, lambda: value > self.max_value)):
            if limit is not None and outside():
                what = self._what()
                raise ValidationError(self.error_messages[code], code=code, params={
                    "What": capfirst(what), "what": what, "limit": format_rupiah(limit)})

    def prepare_value(self, value):
        """An amount, or text that parses, is shown as ``Rp350.000``; text that does not is shown as typed."""
        if isinstance(value, int) and not isinstance(value, bool):
            return format_rupiah(value)
        if isinstance(value, str) and value.strip():
            try:
                return format_rupiah(rupiah_parse(value))
            except ValidationError:
                return value
        return value


# A price that moves more than this many times up or down from the saved one is confirmed by the seller first.
PRICE_JUMP_FACTOR = 10


def price_jumps(*, saved: int | None, new: int | None) -> bool:
    """True when ``new`` is more than 10× ``saved`` or less than a tenth of it (a zero too many or too few)."""
    if not saved or new is None:
        return False
    return new > saved * PRICE_JUMP_FACTOR or new * PRICE_JUMP_FACTOR < saved


@dataclass(frozen=True)
class PriceConfirm:
    """The checkbox a form shows next to a price that jumped: ``<input type=checkbox name=… value=amount>``."""

    name: str
    amount: int
    saved: int


class PriceJumpConfirmMixin:
    """For forms with prices: ``self.price_jump_check(field, saved=…)`` in ``clean()`` refuses a price more than 10×
    away from the saved one until the seller ticks "Ya, harga Rp3.500.000 sudah benar" (templates/_price_confirm.html,
    posted as ``<field's html name>_ok`` = the amount, so a confirmation covers only the amount it was shown for).
    Server-side only: the CSP forbids inline script."""

    @property
    def price_confirms(self) -> dict[str, PriceConfirm]:
        return self.__dict__.setdefault("_price_confirms", {})

    def price_jump_check(self, name: str, *, saved: int | None) -> None:
        new = self.cleaned_data.get(name)
        if not price_jumps(saved=saved, new=new):
            return
        key = f"{self.add_prefix(name)}_ok"
        if self.data.get(key) == str(new):
            return
        self.price_confirms[name] = PriceConfirm(name=key, amount=new, saved=saved)
        self.add_error(name, ValidationError(
            _("Harga %(new)s berbeda lebih dari %(factor)s kali dari harga lama (%(saved)s). Periksa jumlah nolnya."),
            code="price_jump",
            params={"new": format_rupiah(new), "saved": format_rupiah(saved), "factor": PRICE_JUMP_FACTOR}))


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
    """Terbilang for invoices and receipts: 1250000 → 'satu juta dua ratus lima puluh ribu rupiah'.

    Kept instead of ``num2words(n, lang="id")``, which tests/test_money.py checks it against: num2words 0.5 agrees
    on every amount except that it writes 1.001.000 as "satu juta satu ribu" (and 1.000 as "seribu")."""
    amount = int(amount)
    if amount == 0:
        return "nol rupiah"
    return f"{'minus ' if amount < 0 else ''}{_words(abs(amount))} rupiah"
