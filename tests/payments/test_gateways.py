"""The Midtrans and Xendit adapters against a fake transport that records every request (no network)."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from payments.gateways.base import ChargeRequest, GatewayError, Kind, Method, Response, parse_amount
from payments.gateways.midtrans import MidtransAdapter, midtrans_signature
from payments.gateways.xendit import XenditAdapter

KEY = "SB-Mid-server-TEST-ONLY-NOT-A-REAL-KEY"


class RecordingTransport:
    def __init__(self, *answers: Response):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, method, url, *, headers, body):
        self.requests.append({"method": method, "url": url, "headers": dict(headers), "body": body})
        return self.answers.pop(0)


def charge(method=Method.QRIS, channel="", amount=44000):
    return ChargeRequest(attempt_ref="order-101", amount=amount, method=method, channel=channel,
                         expires_at=datetime.now(UTC) + timedelta(hours=2), customer_name="Siti",
                         customer_email="siti@example.test")


def test_midtrans_signature_matches_the_synthetic_vector():
    assert midtrans_signature(order_id="order-101", status_code="200", gross_amount="44000.00", server_key=KEY) == (
        "23c71f7f6551893237e4c5c8a230d91caaa5260da35d23610527f6f6ab8ed475d2635b8095c06ab50124b705b456fb1598600b8a9bbc"
        "16fa5720a88a7b14b926")


def test_midtrans_qris_charge_request_and_response():
    transport = RecordingTransport(Response(201, {"status_code": "201", "transaction_id": "t-1", "qr_string": "000201",
                                                  "transaction_status": "pending"}))
    result = MidtransAdapter(server_key=KEY, transport=transport).create_charge(charge())
    request = transport.requests[0]
    assert (request["method"], request["url"]) == ("POST", "https://api.sandbox.midtrans.com/v2/charge")
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert request["body"]["payment_type"] == "qris"
    assert request["body"]["transaction_details"] == {"order_id": "order-101", "gross_amount": 44000}
    assert (result.provider_ref, result.qr_string) == ("t-1", "000201")


@pytest.mark.parametrize(("channel", "payment_type", "answer", "va"), [
    ("bca", "bank_transfer", {"va_numbers": [{"bank": "bca", "va_number": "812785002530231"}]}, "812785002530231"),
    ("permata", "permata", {"permata_va_number": "8778000111"}, "8778000111"),
    ("mandiri", "echannel", {"biller_code": "70012", "bill_key": "990011"}, "70012 990011"),
])
def test_midtrans_virtual_accounts_per_bank(channel, payment_type, answer, va):
    transport = RecordingTransport(Response(201, {"status_code": "201", "transaction_id": "t", **answer}))
    result = MidtransAdapter(server_key=KEY, transport=transport).create_charge(charge(Method.VA, channel))
    body = transport.requests[0]["body"]
    assert body["payment_type"] == payment_type
    if payment_type == "bank_transfer":
        assert body["bank_transfer"] == {"bank": "bca"}
    assert result.va_number == va


def test_midtrans_gopay_returns_the_deeplink():
    transport = RecordingTransport(Response(201, {"status_code": "201", "transaction_id": "t", "actions": [
        {"name": "generate-qr-code", "url": "https://x/qr"}, {"name": "deeplink-redirect", "url": "gojek://pay"}]}))
    result = MidtransAdapter(server_key=KEY, transport=transport).create_charge(charge(Method.EWALLET, "gopay"))
    assert transport.requests[0]["body"]["payment_type"] == "gopay"
    assert result.redirect_url == "gojek://pay"


def test_midtrans_error_answer_is_a_typed_error_with_the_raw_body():
    transport = RecordingTransport(Response(200, {"status_code": "406", "status_message": "order_id utilized"}))
    with pytest.raises(GatewayError) as caught:
        MidtransAdapter(server_key=KEY, transport=transport).create_charge(charge())
    assert caught.value.raw["status_code"] == "406"


def signed(**body):
    body = {"order_id": "order-101", "status_code": "200", "gross_amount": "44000.00",
            "transaction_status": "settlement", "fraud_status": "accept", **body}
    body.setdefault("signature_key", midtrans_signature(order_id=body["order_id"], status_code=body["status_code"],
                                                        gross_amount=body["gross_amount"], server_key=KEY))
    return json.dumps(body).encode()


def test_midtrans_notification_signature_checks():
    adapter = MidtransAdapter(server_key=KEY, transport=RecordingTransport())
    assert adapter.verify_webhook({}, signed())
    assert not adapter.verify_webhook({}, signed(signature_key="0" * 128))
    tampered = json.loads(signed())
    tampered["gross_amount"] = "1.00"
    assert not adapter.verify_webhook({}, json.dumps(tampered).encode())
    assert not adapter.verify_webhook({}, b"not json")
    assert not adapter.verify_webhook({}, b"[1, 2]")
    without = json.loads(signed())
    del without["signature_key"]
    assert not adapter.verify_webhook({}, json.dumps(without).encode())
    other_key = MidtransAdapter(server_key="SB-other", transport=RecordingTransport())
    assert not other_key.verify_webhook({}, signed())


@pytest.mark.parametrize(("status", "fraud", "kind"), [
    ("pending", "accept", Kind.PENDING), ("settlement", "accept", Kind.PAID), ("capture", "accept", Kind.PAID),
    ("capture", "challenge", Kind.PENDING), ("deny", "accept", Kind.FAILED), ("cancel", "accept", Kind.CANCELLED),
    ("expire", "accept", Kind.EXPIRED), ("failure", "accept", Kind.FAILED), ("refund", "accept", Kind.REFUNDED),
    ("partial_refund", "accept", Kind.PARTIALLY_REFUNDED), ("chargeback", "accept", Kind.REVERSED),
    ("authorize", "accept", Kind.INFO),
])
def test_midtrans_status_mapping(status, fraud, kind):
    adapter = MidtransAdapter(server_key=KEY, transport=RecordingTransport())
    event = adapter.parse_webhook({}, signed(transaction_status=status, fraud_status=fraud))[0]
    assert (event.kind, event.amount, event.attempt_ref) == (kind, 44000, "order-101")


def test_midtrans_dedupe_key_differs_per_status_and_is_stable():
    adapter = MidtransAdapter(server_key=KEY, transport=RecordingTransport())
    paid = adapter.parse_webhook({}, signed())[0].dedupe_key
    assert paid == adapter.parse_webhook({}, signed())[0].dedupe_key
    assert paid != adapter.parse_webhook({}, signed(transaction_status="pending", status_code="201"))[0].dedupe_key


def test_midtrans_status_refund_and_expired_status():
    transport = RecordingTransport(
        Response(200, {"status_code": "407", "transaction_status": "expire", "order_id": "order-101",
                       "gross_amount": "44000.00"}),
        Response(200, {"status_code": "200", "refund_chargeback_id": 7}))
    adapter = MidtransAdapter(server_key=KEY, transport=transport)
    assert adapter.get_status("order-101").kind == Kind.EXPIRED
    refund = adapter.refund("order-101", amount=5000, refund_key="order-101-r1", reason="Toko menolak")
    assert transport.requests[0]["url"].endswith("/v2/order-101/status")
    assert transport.requests[1]["url"].endswith("/v2/order-101/refund")
    assert transport.requests[1]["body"] == {"refund_key": "order-101-r1", "amount": 5000, "reason": "Toko menolak"}
    assert (refund.kind, refund.provider_ref) == (Kind.REFUNDED, "7")


@pytest.mark.parametrize("value", ["10000.50", "1e4", "-1", " 10000", "NaN", True, 1.5, None, "10,000"])
def test_strict_amount_parser_rejects(value):
    with pytest.raises(GatewayError):
        parse_amount(value)


def test_strict_amount_parser_accepts():
    assert [parse_amount(v) for v in (44000, "44000", "44000.00", "44000.0")] == [44000] * 4


def xendit(*answers):
    transport = RecordingTransport(*answers)
    return XenditAdapter(secret_key="xnd_development_x", callback_token="tok-123", transport=transport), transport


def test_xendit_qr_code_sends_the_api_version_header():
    adapter, transport = xendit(Response(201, {"id": "qr_1", "qr_string": "000201", "status": "ACTIVE"}))
    result = adapter.create_charge(charge())
    request = transport.requests[0]
    assert request["url"] == "https://api.xendit.co/qr_codes"
    assert request["headers"]["api-version"] == "2022-07-31"
    assert request["headers"]["Authorization"].startswith("Basic ")
    assert request["body"]["reference_id"] == "order-101" and request["body"]["type"] == "DYNAMIC"
    assert request["body"]["amount"] == 44000
    assert (result.provider_ref, result.qr_string) == ("qr_1", "000201")


def test_xendit_fixed_va_and_ewallet_charges():
    adapter, transport = xendit(Response(200, {"id": "va1", "account_number": "9999123"}),
                                Response(200, {"id": "ewc_1", "actions": {"mobile_deeplink_checkout_url": "sp://x"}}))
    va = adapter.create_charge(charge(Method.VA, "bni"))
    wallet = adapter.create_charge(charge(Method.EWALLET, "shopeepay"))
    assert transport.requests[0]["url"].endswith("/callback_virtual_accounts")
    assert transport.requests[0]["body"]["bank_code"] == "BNI"
    assert transport.requests[0]["body"]["expected_amount"] == 44000
    assert transport.requests[0]["body"]["is_closed"] is True
    assert (va.provider_ref, va.va_number) == ("va:va1", "9999123")
    assert transport.requests[1]["body"]["channel_code"] == "ID_SHOPEEPAY"
    assert wallet.redirect_url == "sp://x"


@pytest.mark.parametrize(("headers", "ok"), [
    ({"x-callback-token": "tok-123"}, True), ({"X-Callback-Token": "tok-123"}, True), ({}, False),
    ({"x-callback-token": "wrong"}, False), ({"x-callback-token": " tok-123 "}, False),
    ({"x-callback-token": ""}, False),
])
def test_xendit_callback_token(headers, ok):
    adapter, _ = xendit()
    assert adapter.verify_webhook(headers, b"{}") is ok


QR_CALLBACK = {"event": "qr.payment", "api_version": "2022-07-31", "data": {
    "id": "qrpy_1", "currency": "IDR", "amount": 10000, "status": "SUCCEEDED", "qr_id": "qr_9",
    "reference_id": "order-101", "type": "DYNAMIC", "channel_code": "ID_DANA"}}


def test_xendit_callbacks_parse_qr_and_fva_and_reject_legacy_v1():
    adapter, _ = xendit()
    event = adapter.parse_webhook({}, json.dumps(QR_CALLBACK).encode())[0]
    assert (event.kind, event.amount, event.attempt_ref, event.dedupe_key) == (
        Kind.PAID, 10000, "order-101", "xendit:qr:qrpy_1")
    fva = adapter.parse_webhook({}, json.dumps({"payment_id": "p1", "callback_virtual_account_id": "v",
                                                "external_id": "order-101", "amount": 50000}).encode())[0]
    assert (fva.kind, fva.amount, fva.dedupe_key) == (Kind.PAID, 50000, "xendit:fva:p1")
    with pytest.raises(GatewayError, match="legacy"):
        adapter.parse_webhook({}, json.dumps({"event": "qr.payment", "id": "qrpy_1", "amount": 1500}).encode())


def test_xendit_status_refund_and_payout():
    adapter, transport = xendit(
        Response(200, {"data": [{"id": "qrpy_1", "status": "SUCCEEDED", "amount": 44000, "qr_id": "qr_1",
                                 "reference_id": "order-101"}]}),
        Response(200, {"id": "rfd-1", "status": "SUCCEEDED"}),
        Response(200, {"id": "disb-1", "status": "ACCEPTED"}))
    assert adapter.get_status("order-101", provider_ref="qr_1").kind == Kind.PAID
    assert transport.requests[0]["url"].endswith("/qr_codes/qr_1/payments")
    refund = adapter.refund("order-101", amount=1000, refund_key="r1", reason="x", provider_ref="qrpy_1")
    assert transport.requests[1]["url"].endswith("/qr_codes/payments/qrpy_1/refunds")
    assert transport.requests[1]["headers"]["api-version"] == "2022-07-31"
    assert refund.kind == Kind.REFUNDED
    payout = adapter.payout(amount=50000, bank="bca", account_number="123", account_name="Ani", idempotency_key="p-1")
    assert transport.requests[2]["headers"]["idempotency-key"] == "p-1"
    assert payout.status == "processing"
    with pytest.raises(GatewayError, match="by hand"):
        adapter.refund("order-101", amount=1000, refund_key="r2", reason="x", provider_ref="5f21")


def test_a_gateway_without_its_keys_fails_the_system_check(settings):
    from payments.checks import gateway_configured

    assert gateway_configured(None) == []  # sandbox needs nothing
    settings.PAYMENT_GATEWAY = "midtrans"
    settings.MIDTRANS_SERVER_KEY = ""
    assert [e.id for e in gateway_configured(None)] == ["payments.E002"]
    settings.MIDTRANS_SERVER_KEY = KEY
    assert gateway_configured(None) == []
    settings.PAYMENT_GATEWAY = "paypal"
    assert [e.id for e in gateway_configured(None)] == ["payments.E001"]


def card(card_token="481111-1114-abc", **fields):  # noqa: S107 - a test token, not a secret
    return ChargeRequest(attempt_ref="order-101", amount=600000, method=Method.CARD, channel="",
                         expires_at=datetime.now(UTC) + timedelta(days=30), customer_name="Bendahara",
                         customer_email="b@example.test", card_token=card_token, **fields)


def test_midtrans_card_charge_sends_the_token_with_3ds_and_returns_the_issuer_page():
    transport = RecordingTransport(Response(200, {
        "status_code": "201", "transaction_id": "t-9", "order_id": "order-101", "transaction_status": "pending",
        "fraud_status": "accept", "masked_card": "48111111-1114", "card_type": "credit",
        "redirect_url": "https://api.sandbox.midtrans.com/v2/token/rba/redirect/t-9"}))
    adapter = MidtransAdapter(server_key=KEY, transport=transport)
    result = adapter.create_charge(card(return_url="https://plazabanten.id/pengadaan/paket/7/"))
    body = transport.requests[0]["body"]
    assert body["payment_type"] == "credit_card" and "custom_expiry" not in body
    assert body["credit_card"] == {"token_id": "481111-1114-abc", "authentication": True,
                                   "callback_url": "https://plazabanten.id/pengadaan/paket/7/"}
    assert (result.provider_ref, result.card_last4, result.final) == ("t-9", "1114", False)
    assert result.redirect_url.endswith("/redirect/t-9")


@pytest.mark.parametrize(("status_code", "status", "fraud", "kind"), [
    ("200", "capture", "accept", Kind.PAID), ("202", "deny", "deny", Kind.FAILED),
    ("201", "capture", "challenge", Kind.PENDING)])
def test_midtrans_card_answered_at_once_is_final_and_maps_like_a_notification(status_code, status, fraud, kind):
    answer = {"status_code": status_code, "transaction_id": "t-9", "order_id": "order-101", "gross_amount": "600000.00",
              "transaction_status": status, "fraud_status": fraud, "masked_card": "441111-1118"}
    adapter = MidtransAdapter(server_key=KEY, transport=RecordingTransport(Response(200, answer)))
    result = adapter.create_charge(card())
    assert result.final and result.card_last4 == "1118"
    assert adapter._event(answer).kind == kind


def test_a_card_charge_without_a_token_never_reaches_the_gateway():
    transport = RecordingTransport()
    with pytest.raises(GatewayError, match="token"):
        MidtransAdapter(server_key=KEY, transport=transport).create_charge(card(card_token=""))
    with pytest.raises(GatewayError, match="token"):
        XenditAdapter(secret_key="x", callback_token="t", transport=transport).create_charge(card(card_token=""))
    assert transport.requests == []


def test_xendit_card_charge_status_and_refund():
    adapter, transport = xendit(
        Response(200, {"id": "5f1a", "external_id": "order-101", "status": "CAPTURED", "capture_amount": 600000,
                       "masked_card_number": "400000XXXXXX0002"}),
        Response(200, {"id": "5f1a", "external_id": "order-101", "status": "CAPTURED", "capture_amount": 600000}),
        Response(200, {"id": "rf-1", "status": "SUCCEEDED", "amount": 1000}))
    result = adapter.create_charge(card(card_token="tok-1", card_authentication_id="auth-1"))
    request = transport.requests[0]
    assert request["url"] == "https://api.xendit.co/credit_card_charges"
    assert request["body"] == {"token_id": "tok-1", "external_id": "order-101", "amount": 600000, "capture": True,
                               "authentication_id": "auth-1"}
    assert request["headers"]["x-idempotency-key"] == "order-101"
    assert (result.provider_ref, result.card_last4, result.final) == ("cc:5f1a", "0002", True)
    status = adapter.get_status("order-101", provider_ref="cc:5f1a")
    assert transport.requests[1]["url"].endswith("/credit_card_charges/5f1a")
    assert (status.kind, status.amount, status.dedupe_key) == (Kind.PAID, 600000, "xendit:cc:5f1a:CAPTURED")
    refund = adapter.refund("order-101", amount=1000, refund_key="r1", reason="x", provider_ref="cc:5f1a")
    assert transport.requests[2]["url"].endswith("/credit_card_charges/5f1a/refunds")
    assert transport.requests[2]["body"] == {"amount": 1000, "external_id": "r1"}
    assert refund.kind == Kind.REFUNDED
