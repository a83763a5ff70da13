"""The seller views' door: the URL names the shop, shop_for checks the person's capability there."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from .selectors import shop_for


def shop_view(capability: str):
    """For a view routed with `<int:shop_id>`: log in, find the shop through shop_for (404 for someone else's shop,
    403 for a role without `capability`) and call the view with `shop=` instead of `shop_id=`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, shop_id: int, **kwargs):
            shop = shop_for(user=request.user, shop_id=shop_id, capability=capability)
            return view(request, *args, shop=shop, **kwargs)

        wrapped.shop_capability = capability  # the shop switcher opens the same page in the other shop
        return wrapped

    return decorator
