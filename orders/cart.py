"""The session cart: {variant_id: quantity}. Checkout and the database-backed cart come with the orders work."""

SESSION_KEY = "cart"


def cart_lines(session) -> dict[str, int]:
    lines = session.get(SESSION_KEY) or {}
    return {str(k): int(v) for k, v in lines.items() if str(k).isdigit() and int(v) > 0}


def cart_count(session) -> int:
    return sum(cart_lines(session).values())
