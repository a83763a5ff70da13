"""Signing in as Django's and allauth's backends do; the signed-in user, read on every request from the session's
user id, is a prepared read (``User.objects.get`` built and planned the query anew: ~0.36 ms of a signed-in page)."""

from allauth.account import auth_backends
from django.contrib.auth import backends
from django.db.models import QuerySet

from plazabanten.prepared import PreparedRead

from .models import User


@PreparedRead
def _user(*, pk: int) -> QuerySet[User]:
    return User.objects.filter(pk=pk)


class _PreparedUser:
    def get_user(self, user_id):
        try:
            rows = _user(pk=int(user_id))
        except (TypeError, ValueError):
            return None
        user = rows[0] if rows else None
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_PreparedUser, backends.ModelBackend):
    pass


class AuthenticationBackend(_PreparedUser, auth_backends.AuthenticationBackend):
    pass
