"""The cart as a request sees it: saved lines for a signed-in buyer, the session for a guest."""

from .models import CartLine
from .services import MAX_LINE_QUANTITY, cart_merge, cart_set_quantity

SESSION_KEY = "cart"
COUNT_KEY = "cart_count"  # kept in the session so the header never needs a query


def _session_lines(session) -> dict[str, int]:
    lines = session.get(SESSION_KEY) or {}
    return {str(k): int(v) for k, v in lines.items() if str(k).isdigit() and int(v) > 0}


def cart_quantities(request) -> dict[int, int]:
    if request.user.is_authenticated:
        return dict(CartLine.objects.filter(user=request.user).values_list("variant_id", "quantity"))
    return {int(k): v for k, v in _session_lines(request.session).items()}


def cart_update(request, *, variant_id: int, quantity: int, add: bool = False) -> None:
    if request.user.is_authenticated:
        cart_set_quantity(user=request.user, variant_id=variant_id, quantity=quantity, add=add)
    else:
        lines = _session_lines(request.session)
        new = min(MAX_LINE_QUANTITY, max(0, quantity + (lines.get(str(variant_id), 0) if add else 0)))
        if new:
            lines[str(variant_id)] = new
        else:
            lines.pop(str(variant_id), None)
        request.session[SESSION_KEY] = lines
    cart_refresh_count(request)


def cart_refresh_count(request) -> None:
    request.session[COUNT_KEY] = sum(cart_quantities(request).values())


def cart_count(request) -> int:
    return request.session.get(COUNT_KEY, 0) if hasattr(request, "session") else 0


def cart_merge_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the guest's session cart joins the buyer's saved cart."""
    lines = _session_lines(request.session)
    if lines:
        cart_merge(user=user, session_lines=lines)
        request.session.pop(SESSION_KEY, None)
    request.user = user
    cart_refresh_count(request)
