"""The cart as a request sees it: saved lines for a signed-in buyer, the session for a guest."""

from django.db.models import QuerySet

from plazabanten.prepared import PreparedRead

from .models import CartLine
from .services import MAX_LINE_QUANTITY, cart_merge, cart_prices_acknowledge, cart_set_quantity

SESSION_KEY = "cart"
PRICES_KEY = "cart_prices"  # variant id → the unit price the guest last saw
COUNT_KEY = "cart_count"  # kept in the session so the header never needs a query


def _session_lines(session) -> dict[str, int]:
    lines = session.get(SESSION_KEY) or {}
    return {str(k): int(v) for k, v in lines.items() if str(k).isdigit() and int(v) > 0}


def _session_prices(session) -> dict[str, int]:
    prices = session.get(PRICES_KEY) or {}
    return {str(k): int(v) for k, v in prices.items() if str(k).isdigit()}


@PreparedRead
def _saved_lines(*, user_id: int) -> QuerySet[CartLine]:
    return CartLine.objects.filter(user_id=user_id).values_list("variant_id", "quantity", "seen_price")


def cart_contents(request) -> tuple[dict[int, int], dict[int, int]]:
    """Quantities and the unit prices the buyer last saw, by variant id (one query when signed in, none for guests)."""
    if request.user.is_authenticated:
        rows = _saved_lines(user_id=request.user.pk)
        return ({variant_id: quantity for variant_id, quantity, _seen in rows},
                {variant_id: seen for variant_id, _quantity, seen in rows if seen is not None})
    quantities = {int(k): v for k, v in _session_lines(request.session).items()}
    prices = {int(k): v for k, v in _session_prices(request.session).items() if int(k) in quantities}
    return quantities, prices


def cart_update(request, *, variant_id: int, quantity: int, add: bool = False, seen_price: int | None = None) -> None:
    if request.user.is_authenticated:
        cart_set_quantity(user=request.user, variant_id=variant_id, quantity=quantity, add=add, seen_price=seen_price)
    else:
        lines, prices = _session_lines(request.session), _session_prices(request.session)
        new = min(MAX_LINE_QUANTITY, max(0, quantity + (lines.get(str(variant_id), 0) if add else 0)))
        if new:
            lines[str(variant_id)] = new
            if seen_price is not None:
                prices[str(variant_id)] = seen_price
        else:
            lines.pop(str(variant_id), None)
            prices.pop(str(variant_id), None)
        request.session[SESSION_KEY] = lines
        request.session[PRICES_KEY] = prices
    cart_refresh_count(request)


def cart_prices_seen(request, *, shops: list[dict]) -> None:
    """The cart page has shown every line at today's price: that is now the price the buyer saw, so a price-change
    notice appears once. Writes only when a price differs from the one kept."""
    changed = {line["variant"].pk: line["variant"].price for group in shops if not group["gone"]
               for line in group["lines"] if line["seen_price"] != line["variant"].price}
    if not changed:
        return
    if request.user.is_authenticated:
        cart_prices_acknowledge(user=request.user, prices=changed)
    else:
        prices = _session_prices(request.session)
        prices.update({str(variant_id): price for variant_id, price in changed.items()})
        request.session[PRICES_KEY] = prices


def cart_refresh_count(request) -> None:
    request.session[COUNT_KEY] = sum(cart_contents(request)[0].values())


def cart_count(request) -> int:
    return request.session.get(COUNT_KEY, 0) if hasattr(request, "session") else 0


def cart_merge_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the guest's session cart joins the buyer's saved cart."""
    lines = _session_lines(request.session)
    if lines:
        cart_merge(user=user, session_lines=lines, session_prices=_session_prices(request.session))
        request.session.pop(SESSION_KEY, None)
        request.session.pop(PRICES_KEY, None)
    request.user = user
    cart_refresh_count(request)
