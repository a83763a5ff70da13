"""Midtrans Core API (research/payments.md §b.1–b.3): charges, status, cancel, refund, notifications, Iris payouts."""

import base64
import hashlib
import hmac
from collections.abc import Mapping

from django.utils import timezone

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

SANDBOX_URL = "https://api.sandbox.midtrans.com"
PRODUCTION_URL = "https://api.midtrans.com"
IRIS_SANDBOX_URL = "https://app.sandbox.midtrans.com/iris"

# transaction_status → internal kind (§a.3). "capture" counts only with fraud_status accept; "deny" after a
# settlement is a reversal, decided by the payment's current state in services.
STATUS_MAP = {
    "pending": Kind.PENDING,
    "settlement": Kind.PAID,
    "capture": Kind.PAID,
    "deny": Kind.FAILED,
    "cancel": Kind.CANCELLED,
    "expire": Kind.EXPIRED,
    "failure": Kind.FAILED,
    "refund": Kind.REFUNDED,
    "partial_refund": Kind.PARTIALLY_REFUNDED,
    "chargeback": Kind.REVERSED,
    "partial_chargeback": Kind.REVERSED,
}


def midtrans_signature(*, order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


class MidtransAdapter:
    code = "midtrans"

    def __init__(self, *, server_key: str, transport: Transport, base_url: str = SANDBOX_URL,
                 iris_url: str = IRIS_SANDBOX_URL):
        self.server_key = server_key
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.iris_url = iris_url.rstrip("/")

    def _headers(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.server_key}:".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def _call(self, method: str, path: str, body: dict | None = None, *, base: str | None = None,
              headers: Mapping[str, str] | None = None) -> dict:
        answer = self.transport(method, f"{base or self.base_url}{path}",
                                headers={**self._headers(), **(headers or {})}, body=body)
        status_code = str(answer.body.get("status_code", answer.status))
        # A status answer for an expired or cancelled charge carries 407/412 with its transaction_status.
        if answer.status >= 400 or (not status_code.startswith("2") and "transaction_status" not in answer.body):
            raise GatewayError(f"midtrans {method} {path}: {status_code} {answer.body.get('status_message', '')}",
                               answer.body)
        return answer.body

    def create_charge(self, request: ChargeRequest) -> ChargeResult:
        body: dict = {"transaction_details": {"order_id": request.attempt_ref, "gross_amount": request.amount},
                      "customer_details": {"first_name": request.customer_name, "email": request.customer_email}}
        if request.method == Method.CARD:
            return self._card_charge(request, body)
        body["custom_expiry"] = {"expiry_duration": max(1, int(
            (request.expires_at - timezone.now()).total_seconds() // 60)), "unit": "minute"}
        if request.method == Method.QRIS:
            body |= {"payment_type": "qris", "qris": {"acquirer": "gopay"}}
        elif request.method == Method.EWALLET:
            body |= {"payment_type": request.channel, request.channel: {"enable_callback": True}}
        elif request.channel == "mandiri":
            body |= {"payment_type": "echannel", "echannel": {"bill_info1": "Plaza Banten", "bill_info2": "Belanja"}}
        elif request.channel == "permata":
            body |= {"payment_type": "permata"}
        else:
            body |= {"payment_type": "bank_transfer", "bank_transfer": {"bank": request.channel}}
        raw = self._call("POST", "/v2/charge", body)
        va = raw.get("permata_va_number") or raw.get("bill_key") or next(
            (item.get("va_number", "") for item in raw.get("va_numbers") or []), "")
        if raw.get("bill_key"):
            va = f"{raw.get('biller_code', '')} {raw['bill_key']}".strip()
        redirect = next((a.get("url", "") for a in raw.get("actions") or [] if a.get("name") == "deeplink-redirect"),
                        "")
        return ChargeResult(provider_ref=str(raw.get("transaction_id", "")), qr_string=raw.get("qr_string", ""),
                            va_number=va, redirect_url=redirect, raw=raw)

    def _card_charge(self, request: ChargeRequest, body: dict) -> ChargeResult:
        """A card charge with the token from Midtrans' card form (MidtransNew3ds.getCardToken), always with 3-D
        Secure: "pending" + redirect_url (the issuer's OTP page, then back to callback_url and a notification),
        or at once "capture" (a card not enrolled) or "deny" (status_code 202)."""
        if not request.card_token:
            raise GatewayError("a card charge needs the card token")
        card: dict = {"token_id": request.card_token, "authentication": True}
        if request.return_url:
            card["callback_url"] = request.return_url
        raw = self._call("POST", "/v2/charge", body | {"payment_type": "credit_card", "credit_card": card})
        masked = str(raw.get("masked_card", ""))
        status = raw.get("transaction_status", "")
        return ChargeResult(provider_ref=str(raw.get("transaction_id", "")), redirect_url=raw.get("redirect_url", ""),
                            card_last4=masked[-4:] if masked[-4:].isdigit() else "", final=status != "pending",
                            raw=raw)

    def _event(self, body: dict) -> ProviderEvent:
        status = body.get("transaction_status", "")
        kind = STATUS_MAP.get(status, Kind.INFO)
        if status == "capture" and body.get("fraud_status") not in ("accept", None):
            kind = Kind.PENDING  # challenge: under review
        if kind == Kind.PAID and body.get("fraud_status", "accept") != "accept":
            kind = Kind.PENDING
        refund_keys = ",".join(str(r.get("refund_key", "")) for r in body.get("refunds") or [])
        time = body.get("settlement_time") or body.get("transaction_time") or ""
        order_id = str(body.get("order_id", ""))
        dedupe = hashlib.sha256("|".join([order_id, status, str(body.get("status_code", "")),
                                          str(body.get("gross_amount", "")), time, refund_keys]).encode()).hexdigest()
        return ProviderEvent(dedupe_key=dedupe, attempt_ref=order_id, kind=kind,
                             amount=parse_amount(body["gross_amount"]) if "gross_amount" in body else None,
                             provider_ref=str(body.get("transaction_id", "")), raw=body)

    def get_status(self, attempt_ref: str, *, provider_ref: str = "") -> ProviderEvent:
        return self._event(self._call("GET", f"/v2/{attempt_ref}/status"))

    def cancel(self, attempt_ref: str, *, provider_ref: str = "") -> ProviderEvent:
        return self._event(self._call("POST", f"/v2/{attempt_ref}/cancel"))

    def refund(self, attempt_ref: str, *, amount: int, refund_key: str, reason: str,
               provider_ref: str = "") -> ProviderEvent:
        raw = self._call("POST", f"/v2/{attempt_ref}/refund",
                         {"refund_key": refund_key, "amount": amount, "reason": reason})
        return ProviderEvent(dedupe_key=f"refund:{refund_key}", attempt_ref=attempt_ref, kind=Kind.REFUNDED,
                             amount=amount, provider_ref=str(raw.get("refund_chargeback_id", "")),
                             refund_key=refund_key, raw=raw)

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> bool:
        try:
            body = json_object(raw_body)
        except GatewayError:
            return False
        given = body.get("signature_key")
        fields = [body.get(name) for name in ("order_id", "status_code", "gross_amount")]
        if not isinstance(given, str) or not all(isinstance(value, str) for value in fields):
            return False
        expected = midtrans_signature(order_id=fields[0], status_code=fields[1], gross_amount=fields[2],
                                      server_key=self.server_key)
        return hmac.compare_digest(given.encode(), expected.encode())

    def parse_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> list[ProviderEvent]:
        return [self._event(json_object(raw_body))]

    def payout(self, *, amount: int, bank: str, account_number: str, account_name: str,
               idempotency_key: str) -> PayoutResult:
        raw = self._call("POST", "/api/v1/payouts", {"payouts": [{
            "beneficiary_name": account_name, "beneficiary_account": account_number, "beneficiary_bank": bank,
            "amount": str(amount), "notes": idempotency_key}]}, base=self.iris_url,
            headers={"X-Idempotency-Key": idempotency_key})
        item = (raw.get("payouts") or [{}])[0]
        status = {"queued": "processing", "processed": "processing", "completed": "paid",
                  "failed": "failed", "rejected": "failed"}.get(item.get("status", ""), "processing")
        return PayoutResult(provider_ref=str(item.get("reference_no", "")), status=status, raw=raw)
