from django.contrib.auth.models import Group

from . import roles


def user_grant_role(*, user, role: str) -> None:
    if role not in roles.ALL:
        raise ValueError(f"unknown role {role!r}")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    user.__dict__.pop("role_names", None)  # this user object reads its roles again


def user_revoke_role(*, user, role: str) -> None:
    if role not in roles.ALL:
        raise ValueError(f"unknown role {role!r}")
    user.groups.remove(*Group.objects.filter(name=role))
    user.__dict__.pop("role_names", None)


def address_save(*, user, data: dict, address=None):
    """Create or update an address; the first one, or one marked default, becomes the only default."""
    from django.db import transaction

    from .models import Address

    with transaction.atomic():
        make_default = data.get("is_default") or not Address.objects.filter(user=user).exists()
        if make_default:
            Address.objects.filter(user=user, is_default=True).exclude(pk=getattr(address, "pk", None)).update(
                is_default=False)
        address = address or Address(user=user)
        for field, value in data.items():
            setattr(address, field, value)
        address.is_default = bool(make_default)
        address.save()
    return address
