"""A shop invitation goes to an email address: only someone who proved they own that address may accept it."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from plazabanten.models import Notification, OutboxMessage
from tests.factories import make_shop, make_user
from vendors import services
from vendors.models import ShopMember

pytestmark = pytest.mark.django_db


def accept(client, user):
    invitation = user_invitation(user)
    return client.post(reverse("vendors:seller_home"), {"invitation": invitation.pk}, follow=True)


def user_invitation(user):
    from vendors.selectors import invitations_for

    return invitations_for(user=user)[0]


def test_an_invitation_cannot_be_taken_by_someone_who_signed_up_with_the_address_unverified(client):
    shop = make_shop()
    services.shop_member_invite(shop=shop, actor=shop.owner, email="fin1@example.com", role="finance")
    squatter = make_user(email="fin1@example.com", email_verified=False)
    client.force_login(squatter)
    home = client.get(reverse("vendors:seller_home")).text
    assert "Konfirmasi dulu email fin1@example.com" in home and "Terima undangan" not in home
    response = accept(client, squatter)
    assert "Konfirmasi dulu email fin1@example.com" in response.text
    assert not ShopMember.objects.filter(shop=shop, user=squatter).exists()

    EmailAddress.objects.filter(user=squatter).update(verified=True)  # the owner of the mailbox confirms it
    response = accept(client, squatter)
    assert ShopMember.objects.get(shop=shop, user=squatter).role == "finance"


def test_a_person_without_an_account_is_invited_by_email_and_the_link_ends_on_the_invitation(
        client, django_capture_on_commit_callbacks, settings):
    settings.PB_BASE_URL = "https://plaza.example.id"
    shop = make_shop(name="Batik Lebak")
    with django_capture_on_commit_callbacks(execute=True):
        services.shop_member_invite(shop=shop, actor=shop.owner, email="Baru@Example.test", role="operations")
    message = OutboxMessage.objects.get()
    assert message.recipient is None and message.email == "baru@example.test" and message.delivered_at
    assert not Notification.objects.exists()
    (invite,) = mail.outbox
    assert invite.to == ["baru@example.test"] and "Batik Lebak" in invite.subject
    link = re.search(r"https://plaza\.example\.id(\S+)", invite.body).group(1)
    assert link == "/akun/signup/?next=%2Fpenjual%2F"

    # The invitee follows the link, signs up, confirms the address from the mail, and lands on the invitation.
    mail.outbox.clear()
    assert client.get(link).status_code == 200
    client.post(link, {"email": "baru@example.test", "name": "Dewi", "phone": "081234567890",
                       "password1": "batik-tulis-2026", "password2": "batik-tulis-2026"})
    confirm = urlsplit(re.search(r"https?://\S+/akun/confirm-email/\S+", mail.outbox[-1].body).group(0)).path
    response = client.post(confirm, follow=True)
    assert response.redirect_chain[-1][0] == "/penjual/"
    assert "Anda diundang ke <strong>Batik Lebak</strong>" in response.text and "Terima undangan" in response.text
    user = response.context["user"]
    accept(client, user)
    assert ShopMember.objects.get(shop=shop, user=user).role == "operations"


def test_an_existing_user_is_told_in_the_app_and_by_email(django_capture_on_commit_callbacks):
    shop = make_shop()
    staff = make_user(email="dewi@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.shop_member_invite(shop=shop, actor=shop.owner, email="dewi@example.test", role="finance")
    assert OutboxMessage.objects.get().recipient == staff
    assert Notification.objects.get().user == staff and mail.outbox[0].to == ["dewi@example.test"]
