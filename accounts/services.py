from django.contrib.auth.models import Group

from . import roles


def user_grant_role(*, user, role: str) -> None:
    if role not in roles.ALL:
        raise ValueError(f"unknown role {role!r}")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
