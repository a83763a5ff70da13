"""KKPD: the Bendahara pays a package's invoice with the regional government credit card, a card charge through
the gateway adapters with the token of the gateway's card form and 3-D Secure. Paying before the BAST stays
impossible for the card too (service, view, webhook); a consumer cannot pick it; no card number is ever stored."""

from datetime import date

import pytest

from orders.models import Order
from payments.gateways.sandbox import sandbox_3ds_finish, sandbox_card_token
from payments.ledger import ledger_check_invariants, shop_balances
from payments.models import Payment, PaymentAttempt, PaymentEvent, Refund, SandboxCharge, SuspenseItem, WebhookInbox
from payments.services import PaymentError, payment_start
from procurement.lifecycle import PaketActionForbidden, PaketActionInvalid, PaketTransitionError
from procurement.models import Paket
from procurement.payment import paket_payment_start
from tests.payments.conftest import notify, place_checkout, sandbox_body
from tests.procurement.helpers import Team

pytestmark = pytest.mark.django_db
S = Paket.Status
BEFORE_BAST = [S.DRAFT, S.MENUNGGU_PPK, S.SP_TERBIT, S.DIPROSES, S.DIKIRIM, S.DITERIMA, S.BAST_PPK]
THREE_DS, CAPTURED, DENIED, THREE_DS_DENIED = "4811111111111114", "4411111111111118", "4711111111111115", \
    "4911111111111113"


def token(number=THREE_DS, month="12", year=None) -> str:
    answer = sandbox_card_token(card_number=number, exp_month=month, exp_year=year or str(date.today().year + 2),
                                cvv="123", today=date.today())
    assert answer["status_code"] == "200", answer
    return answer["token_id"]


def awaiting(price=150_000, quantity=4):
    team = Team(price=price)
    return team, team.walk(team.paket(quantity=quantity), S.MENUNGGU_PEMBAYARAN)


def pay_card(team, paket, number=THREE_DS):
    return paket_payment_start(paket_id=paket.pk, actor=team.bendahara, method="card", card_token=token(number))


def test_the_bendahara_pays_by_kkpd_through_3ds_and_the_shop_is_credited_like_a_va_payment(client):
    team, paket = awaiting()
    attempt = pay_card(team, paket)
    assert attempt.method == "card" and attempt.card_last4 == "1114"
    assert attempt.redirect_url.startswith("/bayar/sandbox/3ds/")  # the issuer's OTP page comes next
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert sandbox_3ds_finish(transaction_id=SandboxCharge.objects.get().transaction_id, otp="112233").status == \
        "capture"
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}  # the existing webhook
    paket.refresh_from_db()
    assert paket.status == S.DIBAYAR and paket.order.status == Order.Status.COMPLETED
    assert shop_balances(shop_id=team.shop.pk)["pending"] == 600_000 - 6_000 - 3_000  # 1% commission, PPh 22 0,5%
    assert paket.order.group.paid_via == "Kartu kredit •••• 1114"
    assert ledger_check_invariants() == []


def test_no_card_number_is_stored_anywhere_only_the_last_four_digits(client):
    team, paket = awaiting()
    attempt = pay_card(team, paket)
    sandbox_3ds_finish(transaction_id=SandboxCharge.objects.get().transaction_id, otp="112233")
    notify(client, sandbox_body(attempt.attempt_ref))
    stored = " ".join([str(list(PaymentAttempt.objects.values())), str(list(PaymentEvent.objects.values())),
                       str(list(WebhookInbox.objects.values())), str(list(SandboxCharge.objects.values()))])
    assert THREE_DS not in stored and "1114" in stored
    assert SandboxCharge.objects.get().card == "481111-1114"  # masked, as Midtrans shows it


def test_a_card_not_enrolled_in_3ds_is_captured_at_once_without_waiting_for_a_notification():
    team, paket = awaiting()
    attempt = pay_card(team, paket, CAPTURED)
    assert attempt.redirect_url == "" and attempt.card_last4 == "1118"
    paket.refresh_from_db()
    assert paket.status == S.DIBAYAR
    assert Payment.objects.get().paid_attempt_ref == attempt.attempt_ref


def test_a_declined_card_leaves_the_invoice_open_for_another_card_or_a_va():
    team, paket = awaiting()
    pay_card(team, paket, DENIED)
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING
    assert payment.events.filter(kind="card_failed").count() == 1
    assert paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri").va_number
    pay_card(team, paket, CAPTURED)
    paket.refresh_from_db()
    assert paket.status == S.DIBAYAR


def test_a_wrong_otp_or_a_3ds_denied_card_fails_that_charge_only(client):
    team, paket = awaiting()
    first = pay_card(team, paket)
    sandbox_3ds_finish(transaction_id=SandboxCharge.objects.get(attempt_ref=first.attempt_ref).transaction_id,
                       otp="000000")
    assert notify(client, sandbox_body(first.attempt_ref)).json() == {"result": "card_failed"}
    second = pay_card(team, paket, THREE_DS_DENIED)
    sandbox_3ds_finish(transaction_id=SandboxCharge.objects.get(attempt_ref=second.attempt_ref).transaction_id,
                       otp="112233")
    assert notify(client, sandbox_body(second.attempt_ref)).json() == {"result": "card_failed"}
    assert Payment.objects.get().status == Payment.Status.PENDING
    paket.refresh_from_db()
    assert paket.status == S.MENUNGGU_PEMBAYARAN


def test_a_second_card_charge_waits_while_the_first_is_at_its_3ds_page():
    team, paket = awaiting()
    pay_card(team, paket)
    with pytest.raises(PaymentError, match="menunggu verifikasi 3-D Secure"):
        pay_card(team, paket, CAPTURED)
    assert PaymentAttempt.objects.count() == 1


def test_a_token_the_gateway_did_not_make_is_refused_with_a_clear_message():
    team, paket = awaiting()
    with pytest.raises(PaymentError, match="Kartu tidak dapat diproses"):
        paket_payment_start(paket_id=paket.pk, actor=team.bendahara, method="card",
                            card_token="481111-1114-0123456789abcdef-0123456789abcdef0123")
    with pytest.raises(PaketActionInvalid, match="belum diverifikasi"):
        paket_payment_start(paket_id=paket.pk, actor=team.bendahara, method="card", card_token="")
    assert Payment.objects.get().status == Payment.Status.PENDING


def test_the_sandbox_token_endpoint_accepts_only_test_cards_in_date(client):
    team, paket = awaiting()
    client.force_login(team.bendahara)
    url = "/bayar/sandbox/kartu/token/"
    bad = client.post(url, {"card_number": "4000 0000 0000 0002", "card_exp_month": "13", "card_exp_year": "2020",
                            "card_cvv": "12"})
    assert bad.status_code == 400 and len(bad.json()["validation_messages"]) == 3
    good = client.post(url, {"card_number": "4811 1111 1111 1114", "card_exp_month": "12",
                             "card_exp_year": str(date.today().year + 1), "card_cvv": "123"})
    assert good.status_code == 200 and good.json()["token_id"].startswith("481111-1114-")


def test_only_a_bendahara_of_the_opd_pays_by_kkpd():
    team, paket = awaiting()
    for person in (team.ppk, team.pp, team.auditor, team.seller, Team().bendahara):
        with pytest.raises(PaketActionForbidden):
            paket_payment_start(paket_id=paket.pk, actor=person, method="card", card_token=token())
    assert not PaymentAttempt.objects.exists()


def test_kkpd_is_refused_above_its_limit_per_payee(settings):
    settings.PROCUREMENT_KKPD_LIMIT = 500_000
    team, paket = awaiting()  # Rp600.000
    with pytest.raises(PaketActionInvalid, match="KKPD hanya untuk pembayaran sampai Rp500.000"):
        pay_card(team, paket)
    assert not PaymentAttempt.objects.exists()


@pytest.mark.parametrize("state", BEFORE_BAST)
def test_the_service_refuses_kkpd_before_the_bast(state):
    team = Team()
    paket = team.walk(team.paket(), state)
    with pytest.raises(PaketTransitionError, match="hanya bisa setelah BAST"):
        paket_payment_start(paket_id=paket.pk, actor=team.bendahara, method="card", card_token=token())
    assert not Payment.objects.exists() and not SandboxCharge.objects.exists()


def test_the_view_refuses_kkpd_before_the_bast_with_409_and_charges_nothing(client):
    team = Team()
    paket = team.walk(team.paket(), S.BAST_PPK)
    client.force_login(team.bendahara)
    response = client.post(f"/pengadaan/paket/{paket.pk}/bayar/", {"method": "card", "token_id": token()})
    assert response.status_code == 409 and "hanya bisa setelah BAST" in response.content.decode()
    assert not Payment.objects.exists() and not SandboxCharge.objects.exists()


def test_the_webhook_refuses_card_money_for_a_package_not_awaiting_payment_and_sends_it_back(
        client, django_capture_on_commit_callbacks):
    team, paket = awaiting()
    attempt = pay_card(team, paket)
    Paket.objects.filter(pk=paket.pk).update(status=S.BAST_PPK)  # the money arrives for a package before its BAST
    sandbox_3ds_finish(transaction_id=SandboxCharge.objects.get().transaction_id, otp="112233")
    with django_capture_on_commit_callbacks(execute=True):
        response = notify(client, sandbox_body(attempt.attempt_ref))
    assert response.status_code == 200 and response.json() == {"result": "refused"}
    paket.refresh_from_db()
    assert paket.status == S.BAST_PPK and paket.order.status == Order.Status.AWAITING_PAYMENT
    payment = Payment.objects.get()
    assert payment.paid_at is None and SuspenseItem.objects.filter(payment=payment).count() == 1
    assert Refund.objects.get(payment=payment).status == Refund.Status.SUCCEEDED  # refunded to the card
    assert SandboxCharge.objects.get().status == "refund"
    assert shop_balances(shop_id=team.shop.pk) == {"pending": 0, "available": 0, "in_transit": 0}
    assert ledger_check_invariants() == []


def test_a_consumer_cannot_pick_kkpd(client):
    group = place_checkout(prices=(15000,))
    client.force_login(group.buyer)
    response = client.post(f"/bayar/{group.pk}/", {"choice": "card:"})
    assert response.status_code == 400
    with pytest.raises(PaymentError, match="hanya untuk tagihan pengadaan"):
        payment_start(group_id=group.pk, buyer=group.buyer, method="card", card_token=token())
    assert not PaymentAttempt.objects.exists()


def test_the_bendahara_pays_by_kkpd_through_the_pages(client):
    team, paket = awaiting()
    client.force_login(team.bendahara)
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert 'id="kkpd-form"' in page and "Buat nomor virtual account" in page
    assert 'name="card_number"' not in page  # the card inputs are never posted to our server
    token_id = client.post("/bayar/sandbox/kartu/token/", {
        "card_number": THREE_DS, "card_exp_month": "01", "card_exp_year": str(date.today().year + 3),
        "card_cvv": "123"}).json()["token_id"]
    response = client.post(f"/pengadaan/paket/{paket.pk}/bayar/", {"method": "card", "token_id": token_id})
    assert response.status_code == 302 and response["Location"].startswith("/bayar/sandbox/3ds/")
    three_ds = client.get(response["Location"]).content.decode()
    assert "Rp600.000" in three_ds and "481111-1114" in three_ds
    back = client.post(response["Location"], {"otp": "112233", "action": "submit"})
    assert back.status_code == 302 and back["Location"].endswith(f"/pengadaan/paket/{paket.pk}/")
    attempt = PaymentAttempt.objects.get()
    notify(client, sandbox_body(attempt.attempt_ref))  # what the sandbox sends to the webhook after the OTP
    page = client.get(f"/pengadaan/paket/{paket.pk}/").content.decode()
    assert "KKPD •••• 1114" in page and "berhasil" in page and "Pembayaran berhasil" in page


def test_a_declined_card_on_the_page_says_so_and_the_invoice_stays_payable(client):
    team, paket = awaiting()
    client.force_login(team.bendahara)
    response = client.post(f"/pengadaan/paket/{paket.pk}/bayar/", {"method": "card", "token_id": token(DENIED)},
                           follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kartu •••• 1115 ditolak bank penerbit" in page and 'id="kkpd-form"' in page
