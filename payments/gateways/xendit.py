"""Xendit (research/payments.md §b.4–b.6): QR codes v2, fixed VA, e-wallet charges, card charges (KKPD),
x-callback-token, refunds."""

import base64
import hmac
from collections.abc import Mapping

from .base import (
    ChargeRequest,
    ChargeResult,
    GatewayError,
    Kind,
    Method,
    PayoutResult,
    ProviderEvent,
    Transport,
    json_object,
    parse_amount,
)

BASE_URL = "https://api.xendit.co"
QR_API_VERSION = "2022-07-31"  # without it the qr.payment callback never arrives (§b.4)
BANK_CODES = {"bca": "BCA", "bni": "BNI", "bri": "BRI", "mandiri": "MANDIRI", "permata": "PERMATA"}
EWALLET_CODES = {"shopeepay": "ID_SHOPEEPAY", "gopay": "ID_GOPAY"}
STATUS = {"SUCCEEDED": Kind.PAID, "CAPTURED": Kind.PAID, "AUTHORIZED": Kind.PENDING, "COMPLETED": Kind.PAID,
          "PAID": Kind.PAID, "SETTLED": Kind.PAID,
          "PENDING": Kind.PENDING, "ACTIVE": Kind.PENDING, "FAILED": Kind.FAILED, "VOIDED": Kind.CANCELLED,
          "EXPIRED": Kind.EXPIRED, "INACTIVE": Kind.EXPIRED}


class XenditAdapter:
    code = "xendit"

    def __init__(self, *, secret_key: str, callback_token: str, transport: Transport, base_url: str = BASE_URL):
        self.secret_key = secret_key
        self.callback_token = callback_token
        self.transport = transport
        self.base_url = base_url.rstrip("/")

    def _call(self, method: str, path: str, body: dict | None = None, **headers: str) -> dict:
        token = base64.b64encode(f"{self.secret_key}:".encode()).decode()
        answer = self.transport(method, f"{self.base_url}{path}",
                                headers={"Authorization": f"Basic {token}", **headers}, body=body)
        if answer.status >= 400:
            raise GatewayError(f"xendit {method} {path}: {answer.status} {answer.body.get('error_code', '')}",
                               answer.body)
        return answer.body

    def create_charge(self, request: ChargeRequest) -> ChargeResult:
        expires = request.expires_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if request.method == Method.QRIS:
            raw = self._call("POST", "/qr_codes", {
                "reference_id": request.attempt_ref, "type": "DYNAMIC", "currency": "IDR",
                "amount": request.amount, "expires_at": expires}, **{"api-version": QR_API_VERSION})
            return ChargeResult(provider_ref=raw["id"], qr_string=raw.get("qr_string", ""), raw=raw)
        if request.method == Method.CARD:
            # The token (and its 3-D Secure authentication) come from Xendit.js in the browser; the charge answers
            # at once with CAPTURED or FAILED (no callback follows).
            if not request.card_token:
                raise GatewayError("a card charge needs the card token")
            body = {"token_id": request.card_token, "external_id": request.attempt_ref, "amount": request.amount,
                    "capture": True}
            if request.card_authentication_id:
                body["authentication_id"] = request.card_authentication_id
            raw = self._call("POST", "/credit_card_charges", body, **{"x-idempotency-key": request.attempt_ref})
            masked = str(raw.get("masked_card_number", ""))
            return ChargeResult(provider_ref=f"cc:{raw['id']}", card_last4=masked[-4:] if masked[-4:].isdigit()
                                else "", final=True, raw=raw)
        if request.method == Method.VA:
            raw = self._call("POST", "/callback_virtual_accounts", {
                "external_id": request.attempt_ref, "bank_code": BANK_CODES[request.channel],
                "name": request.customer_name[:50] or "Pembeli", "is_closed": True, "is_single_use": True,
                "expected_amount": request.amount, "expiration_date": expires})
            return ChargeResult(provider_ref=f"va:{raw['id']}", va_number=raw.get("account_number", ""), raw=raw)
        if request.channel not in EWALLET_CODES:
            raise GatewayError(f"e-wallet {request.channel} not offered through Xendit")
        raw = self._call("POST", "/ewallets/charges", {
            "reference_id": request.attempt_ref, "currency": "IDR", "amount": request.amount,
            "checkout_method": "ONE_TIME_PAYMENT", "channel_code": EWALLET_CODES[request.channel],
            "channel_properties": {"success_redirect_url": "https://plazabanten.id/pesanan/"}})
        actions = raw.get("actions") or {}
        return ChargeResult(provider_ref=raw["id"], raw=raw,
                            redirect_url=actions.get("mobile_deeplink_checkout_url")
                            or actions.get("mobile_web_checkout_url") or "")

    def get_status(self, attempt_ref: str, *, provider_ref: str = "") -> ProviderEvent:
        """provider_ref: qr_… (QR), ewc_… (e-wallet), va:… (the VA itself) or a VA payment_id."""
        if provider_ref.startswith("qr_"):
            raw = self._call("GET", f"/qr_codes/{provider_ref}/payments", **{"api-version": QR_API_VERSION})
            paid = [p for p in raw.get("data") or [] if p.get("status") == "SUCCEEDED"]
            if not paid:
                return ProviderEvent(f"xendit:qr-status:{provider_ref}", attempt_ref, Kind.PENDING, None, provider_ref)
            return self._qr_event(paid[0])
        if provider_ref.startswith("ewc_"):
            raw = self._call("GET", f"/ewallets/charges/{provider_ref}")
            return ProviderEvent(f"xendit:ewc:{raw['id']}:{raw.get('status')}", raw.get("reference_id", attempt_ref),
                                 STATUS.get(raw.get("status", ""), Kind.INFO),
                                 parse_amount(raw.get("capture_amount") or raw.get("charge_amount") or 0),
                                 raw["id"], raw=raw)
        if provider_ref.startswith("cc:"):
            raw = self._call("GET", f"/credit_card_charges/{provider_ref[3:]}")
            return ProviderEvent(f"xendit:cc:{raw['id']}:{raw.get('status')}", raw.get("external_id", attempt_ref),
                                 STATUS.get(raw.get("status", ""), Kind.INFO),
                                 parse_amount(raw.get("capture_amount") or raw.get("authorized_amount") or 0),
                                 provider_ref, raw=raw)
        if provider_ref.startswith("va:"):
            raw = self._call("GET", f"/callback_virtual_accounts/{provider_ref[3:]}")
            return ProviderEvent(f"xendit:va-status:{raw.get('id')}:{raw.get('status')}", attempt_ref,
                                 STATUS.get(raw.get("status", ""), Kind.INFO), None, provider_ref, raw=raw)
        raw = self._call("GET", f"/callback_virtual_account_payments/payment_id={provider_ref}")
        return self._va_event(raw)

    def cancel(self, attempt_ref: str, *, provider_ref: str = "") -> ProviderEvent:
        if provider_ref.startswith("va:"):
            raw = self._call("PATCH", f"/callback_virtual_accounts/{provider_ref[3:]}",
                             {"expiration_date": "1970-01-01T00:00:00.000Z"})
            return ProviderEvent(f"xendit:va-cancel:{provider_ref}", attempt_ref, Kind.CANCELLED, None,
                                 provider_ref, raw=raw)
        # QR codes and e-wallet charges simply expire; nothing to call.
        return ProviderEvent(f"xendit:cancel:{provider_ref}", attempt_ref, Kind.CANCELLED, None, provider_ref)

    def refund(self, attempt_ref: str, *, amount: int, refund_key: str, reason: str,
               provider_ref: str = "") -> ProviderEvent:
        if provider_ref.startswith("qrpy_"):
            raw = self._call("POST", f"/qr_codes/payments/{provider_ref}/refunds",
                             {"reference_id": refund_key, "amount": amount, "reason": reason[:100]},
                             **{"api-version": QR_API_VERSION, "idempotency-key": refund_key})
        elif provider_ref.startswith("ewc_"):
            raw = self._call("POST", f"/ewallets/charges/{provider_ref}/refunds",
                             {"amount": amount, "reason": "REQUESTED_BY_CUSTOMER"}, **{"idempotency-key": refund_key})
        elif provider_ref.startswith("cc:"):
            raw = self._call("POST", f"/credit_card_charges/{provider_ref[3:]}/refunds",
                             {"amount": amount, "external_id": refund_key}, **{"x-idempotency-key": refund_key})
        else:
            raise GatewayError("Xendit cannot refund a bank transfer through the API; refund it by hand")
        status = raw.get("status", "PENDING")
        kind = Kind.REFUNDED if status in ("SUCCEEDED", "PENDING", "REQUESTED") else Kind.FAILED
        return ProviderEvent(f"xendit:rfd:{raw.get('id')}:{status}", attempt_ref, kind, amount,
                             str(raw.get("id", "")), refund_key=refund_key, raw=raw)

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> bool:
        given = {k.lower(): v for k, v in headers.items()}.get("x-callback-token")
        if not given or not self.callback_token:
            return False
        return hmac.compare_digest(given.encode(), self.callback_token.encode())  # no trimming (W14)

    def _qr_event(self, data: dict) -> ProviderEvent:
        return ProviderEvent(f"xendit:qr:{data['id']}", str(data.get("reference_id", "")),
                             STATUS.get(data.get("status", ""), Kind.INFO), parse_amount(data.get("amount")),
                             str(data.get("qr_id", "")), raw=data)

    def _va_event(self, body: dict) -> ProviderEvent:
        return ProviderEvent(f"xendit:fva:{body['payment_id']}", str(body.get("external_id", "")), Kind.PAID,
                             parse_amount(body.get("amount")), str(body["payment_id"]), raw=body)

    def parse_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> list[ProviderEvent]:
        body = json_object(raw_body)
        event = body.get("event")
        if event == "qr.payment":
            if not isinstance(body.get("data"), dict):
                raise GatewayError("QR callback without a data envelope (legacy V1 is not supported)")
            return [self._qr_event(body["data"])]
        if event in ("ewallet.capture", "ewallet.void"):
            data = body.get("data") or {}
            return [ProviderEvent(f"xendit:ewc:{data.get('id')}:{data.get('status')}",
                                  str(data.get("reference_id", "")), STATUS.get(data.get("status", ""), Kind.INFO),
                                  parse_amount(data.get("capture_amount") or data.get("charge_amount") or 0),
                                  str(data.get("id", "")), raw=data)]
        if "payment_id" in body and "callback_virtual_account_id" in body:
            return [self._va_event(body)]
        raise GatewayError(f"unknown Xendit callback {event!r}")

    def payout(self, *, amount: int, bank: str, account_number: str, account_name: str,
               idempotency_key: str) -> PayoutResult:
        raw = self._call("POST", "/v3/payouts", {
            "reference_id": idempotency_key, "channel_code": f"ID_{BANK_CODES.get(bank, bank.upper())}",
            "channel_properties": {"account_holder_name": account_name, "account_number": account_number},
            "amount": amount, "currency": "IDR"}, **{"api-version": "2025-09-01", "idempotency-key": idempotency_key})
        status = {"SUCCEEDED": "paid", "FAILED": "failed", "CANCELLED": "failed", "REVERSED": "failed"}.get(
            raw.get("status", ""), "processing")
        return PayoutResult(provider_ref=str(raw.get("id", "")), status=status, raw=raw)
