from allauth.account.adapter import DefaultAccountAdapter

from . import roles
from .services import user_grant_role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.name = form.cleaned_data.get("name", "")
        user.phone = form.cleaned_data.get("phone", "")
        if commit:
            user.save()
            user_grant_role(user=user, role=roles.BUYER)
        return user
