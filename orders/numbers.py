"""Order, invoice and credit-note numbers.

Order numbers: `PB` + yymmdd + 8 Crockford base32 characters + 1 check character, e.g. `PB261203K7W2M9QXR`.
The 8 characters are a fixed bijection of the 40-bit value of the Postgres sequence `orders_order_number_seq`
(created by a migration), so two orders can never get the same number, and the numbers do not count up
visibly (a buyer cannot read the platform's daily volume off them). The check character (Luhn mod 32) catches a
mistyped or misread character when a buyer reads the number to support.

Invoice and credit-note numbers: one gapless series per shop per month and kind, `INV/T000123/2026/12/000001`
and `CN/T000123/2026/12/000001`, counted by one `INSERT … ON CONFLICT DO UPDATE … RETURNING` on the counter row:
the row stays locked until the paying (or refunding) transaction commits, and a rollback takes the number back.
"""

from django.db import connection
from django.utils import timezone

from .models import DocumentCounter, Order

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BITS = 40
_MASK = (1 << _BITS) - 1
# Odd multipliers: multiplication by an odd number modulo 2^40 is a bijection, and so is y ^ (y >> 20).
_MUL1, _MUL2 = 0x9E3779B97F & _MASK, 0xC2B2AE3D27 & _MASK


def shop_code(shop_id: int) -> str:
    """The shop's code in document numbers: `T` and its id, at least 6 digits (T000123). Derived, not stored:
    it never changes when the shop is renamed or moves, and it is unique because the id is."""
    return f"T{shop_id:06d}"


def number_scramble(value: int) -> int:
    """A fixed bijection of [0, 2^40): consecutive sequence values give unrelated-looking numbers."""
    value &= _MASK
    value = (value * _MUL1) & _MASK
    value ^= value >> 20
    value = (value * _MUL2) & _MASK
    value ^= value >> 20
    return value


def check_char(text: str) -> str:
    """Luhn mod 32 over the Crockford alphabet: catches any single wrong character and most swaps of neighbours."""
    factor, total = 2, 0
    for char in reversed(text):
        addend = factor * CROCKFORD.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return CROCKFORD[(32 - total % 32) % 32]


def order_number_valid(number: str) -> bool:
    body = number[8:]
    return (len(number) == 17 and number.startswith("PB") and number[2:8].isdigit()
            and all(char in CROCKFORD for char in body) and check_char(body[:-1]) == body[-1])


def order_number_format(*, sequence_value: int, day) -> str:
    value = number_scramble(sequence_value)
    body = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(_BITS - 5, -1, -5))
    return f"PB{day:%y%m%d}{body}{check_char(body)}"


def order_number_new() -> str:
    """A new order number. Every call gets its own sequence value, so two checkouts never collide with each
    other; numbers already taken are skipped, so a sequence set back (a restore from an old dump) cannot make a
    checkout fail either."""
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('orders_order_number_seq')")
            (value,) = cursor.fetchone()
        number = order_number_format(sequence_value=value, day=timezone.localdate())
        if not Order.objects.filter(number=number).exists():
            return number


def document_number_next(*, series: str, shop_id: int) -> str:
    """The next `<series>/<shop code>/YYYY/MM/000001` of this shop this month. Call it inside the transaction
    that issues the document: the counter row stays locked until it commits, so the series has no gaps."""
    today = timezone.localdate()
    table = DocumentCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, shop_id, year, month, last) VALUES (%s, %s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (series, shop_id, year, month) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [series, shop_id, today.year, today.month])
        (last,) = cursor.fetchone()
    return f"{series}/{shop_code(shop_id)}/{today.year}/{today.month:02d}/{last:06d}"


def invoice_number_next(*, order: Order) -> str:
    """INV/<shop code>/<year>/<month>/<6 digits>: the shop's own series, gapless within a month."""
    return document_number_next(series=DocumentCounter.Series.INVOICE, shop_id=order.shop_id)
