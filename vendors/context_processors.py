from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts import roles

from .models import ROLE_CAPABILITIES, Shop, ShopMember
from .selectors import memberships_of


@dataclass
class SellerNav:
    shop: Shop
    role: str
    can: frozenset[str]
    others: list[tuple[Shop, str]]  # (shop, the same page there, else its status page)


@dataclass(frozen=True)
class MenuRoles:
    """Which tools the account menu shows: a shop member's, a verifikator's, Pemprov finance's, a government
    buyer's."""

    seller: bool
    verifikator: bool
    finance: bool
    government: bool


def _menu_roles(user) -> MenuRoles:
    verifikator = user.is_verifikator  # the groups are read once per request (User.has_role)
    return MenuRoles(seller=user.has_role(roles.SHOP_MEMBER), verifikator=verifikator,
                     finance=verifikator or user.is_staff, government=user.is_government)


def seller_nav(request):
    """On a seller page whose URL names a shop (`/penjual/<shop_id>/…`): the shop's own links and a switcher to
    the person's other shops; read lazily, so pages that do not show it cost no query. Also the account menu's
    roles (``menu_roles``), read lazily too."""
    user = getattr(request, "user", None)
    menu = SimpleLazyObject(lambda: _menu_roles(user)) if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None)
    if (match is None or "shop_id" not in match.kwargs or not request.user.is_authenticated
            or not request.path.startswith(reverse("vendors:seller_home"))):  # not the verifikator's console
        return {"seller_nav": None, "menu_roles": menu}
    return {"seller_nav": SimpleLazyObject(lambda: _nav(request.user, match)), "menu_roles": menu}


def _nav(user, match) -> SellerNav | None:
    memberships: list[ShopMember] = memberships_of(user=user)
    current = next((m for m in memberships if str(m.shop_id) == str(match.kwargs["shop_id"])), None)
    if current is None:
        return None
    capability = getattr(match.func, "shop_capability", None)
    others = []
    for member in memberships:
        if member is current:
            continue
        url = reverse("vendors:status", args=[member.shop_id])
        if capability in ROLE_CAPABILITIES[member.role] and set(match.kwargs) == {"shop_id"}:
            url = reverse(match.view_name, kwargs={"shop_id": member.shop_id})
        others.append((member.shop, url))
    return SellerNav(shop=current.shop, role=current.role, can=ROLE_CAPABILITIES[current.role], others=others)
