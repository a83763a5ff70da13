"""The embedded sandbox gateway: the real MidtransAdapter over a transport that answers from our own tables.

So the sandbox exercises the Midtrans request building, response parsing, status re-fetch and notification
signature (research/payments.md §a.6, "midtrans dialect"); the simulator page drives the state below.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from ..qris import qris_dynamic, qris_merchant_static
from .base import Response
from .midtrans import MidtransAdapter, midtrans_signature

BASE_URL = "sandbox://midtrans"
VA_PREFIX = {"bca": "12777", "bni": "8808", "bri": "26215", "permata": "8778", "mandiri": ""}
STATUS_CODE = {"settlement": "200", "capture": "200", "pending": "201", "deny": "202", "cancel": "200",
               "expire": "407", "refund": "200", "partial_refund": "200"}
# Midtrans' sandbox test cards ("Testing Payment on Sandbox"): any future expiry, CVV 123, 3-D Secure OTP 112233.
# What each does: "3ds" asks for the OTP then captures, "3ds_deny" asks for the OTP then the bank denies,
# "capture" is captured at once (not enrolled in 3DS), "deny" is denied at once (by the bank or the fraud check).
SANDBOX_CARDS = {
    "4811111111111114": "3ds", "4911111111111113": "3ds_deny", "4411111111111118": "capture",
    "4611111111111116": "deny", "4711111111111115": "deny",
    "5211111111111117": "3ds", "5111111111111118": "3ds_deny", "5410111111111116": "capture",
    "5110111111111119": "deny", "5210111111111118": "deny",
}
SANDBOX_OTP = "112233"
MERCHANT_QRIS = qris_merchant_static(merchant_name="PLAZA BANTEN", city="SERANG", nmid="ID1026000000001",
                                     postal_code="42111")


def sandbox_server_key() -> str:
    return "SB-Mid-server-" + hashlib.sha256(f"sandbox:{settings.SECRET_KEY}".encode()).hexdigest()[:24]


def sandbox_gateway() -> MidtransAdapter:
    adapter = MidtransAdapter(server_key=sandbox_server_key(), transport=sandbox_transport, base_url=BASE_URL,
                              iris_url=f"{BASE_URL}/iris")
    adapter.code = "sandbox"
    return adapter


def sandbox_status_body(charge) -> dict:
    """The body of a status answer or a notification, signed like Midtrans signs it."""
    gross = f"{charge.gross_amount}.00"
    code = STATUS_CODE.get(charge.status, "200")
    body = {"transaction_id": str(charge.transaction_id), "order_id": charge.attempt_ref, "status_code": code,
            "transaction_status": charge.status, "gross_amount": gross, "currency": "IDR",
            "payment_type": charge.payment_type, "fraud_status": "accept",
            "transaction_time": charge.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "status_message": "midtrans payment notification",
            "signature_key": midtrans_signature(order_id=charge.attempt_ref, status_code=code, gross_amount=gross,
                                                server_key=sandbox_server_key())}
    if charge.status != "pending":
        body["settlement_time"] = charge.status_at.strftime("%Y-%m-%d %H:%M:%S.%f")
    if charge.card:
        body |= {"masked_card": charge.card, "card_type": "credit", "bank": "bni", "channel_response_code": (
            "00" if charge.status in ("capture", "settlement") else "05")}
        if charge.status == "deny":
            body["channel_response_message"] = "Denied"
    if charge.va_number and charge.bank not in ("permata", "mandiri"):
        body["va_numbers"] = [{"bank": charge.bank, "va_number": charge.va_number}]
    if charge.refunds:
        body["refunds"] = charge.refunds
        body["refund_amount"] = f"{sum(r['refund_amount'] for r in charge.refunds)}.00"
    return body


def sandbox_transport(method: str, url: str, *, headers: Mapping[str, str], body: dict | None) -> Response:
    from ..models import SandboxCharge, SandboxPayout

    path = url.removeprefix(BASE_URL)
    if method == "POST" and path == "/v2/charge":
        return _charge(body or {})
    if method == "POST" and path == "/iris/api/v1/payouts":
        item = (body or {})["payouts"][0]
        payout, _ = SandboxPayout.objects.get_or_create(
            reference=headers["X-Idempotency-Key"],
            defaults={"amount": int(item["amount"]), "account_number": item["beneficiary_account"]})
        return Response(201, {"payouts": [{"status": payout.status, "reference_no": payout.reference}]})
    match = re.fullmatch(r"/v2/([^/]+)/(status|cancel|refund)", path)
    if not match:
        return Response(404, {"status_code": "404", "status_message": "not found"})
    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().filter(attempt_ref=match[1]).first()
        if charge is None:
            return Response(404, {"status_code": "404", "status_message": "Transaction doesn't exist."})
        if match[2] == "cancel":
            if charge.status != "pending":
                return Response(412, {"status_code": "412", "status_message": "cannot be cancelled"})
            charge.status = "cancel"
            charge.save()
        elif match[2] == "refund":
            refund = _refund(charge, body or {})
            if isinstance(refund, Response):
                return refund
    return Response(200, sandbox_status_body(charge))


def _refund(charge, body: dict) -> Response | None:
    if any(r["refund_key"] == body["refund_key"] for r in charge.refunds):
        return None  # the same key again: the same refund
    refunded = sum(r["refund_amount"] for r in charge.refunds)
    if charge.status not in ("settlement", "capture", "partial_refund") or (
            refunded + body["amount"] > charge.gross_amount):
        return Response(412, {"status_code": "412", "status_message": "Merchant cannot modify the status"})
    charge.refunds = [*charge.refunds, {"refund_key": body["refund_key"], "refund_amount": body["amount"],
                                        "refund_chargeback_id": len(charge.refunds) + 1,
                                        "reason": body.get("reason", "")}]
    charge.status = "refund" if refunded + body["amount"] == charge.gross_amount else "partial_refund"
    charge.save()
    return None


def _token_mac(masked: str, nonce: str) -> str:
    return hmac.new(sandbox_server_key().encode(), f"{masked}|{nonce}".encode(), hashlib.sha256).hexdigest()[:20]


def sandbox_card_token(*, card_number: str, exp_month: str, exp_year: str, cvv: str, today) -> dict:
    """What Midtrans' GET /v2/token answers (the browser calls it; our server never sees the number): a token
    that names only the masked card ("481111-1114-…"). The sandbox accepts only its test cards."""
    number = re.sub(r"[\s-]", "", card_number or "")
    errors = []
    if number not in SANDBOX_CARDS:
        errors.append("card_number is not a sandbox test card")
    if not (exp_month.isdigit() and 1 <= int(exp_month) <= 12 and exp_year.isdigit() and len(exp_year) == 4):
        errors.append("card_exp_month or card_exp_year is invalid")
    elif (int(exp_year), int(exp_month)) < (today.year, today.month):
        errors.append("card is expired")
    if not (cvv.isdigit() and len(cvv) == 3):
        errors.append("card_cvv must be 3 digits")
    if errors:
        return {"status_code": "400", "status_message": "One or more parameters in the payload is invalid.",
                "validation_messages": errors}
    masked = f"{number[:6]}-{number[-4:]}"
    nonce = secrets.token_hex(8)
    return {"status_code": "200", "status_message": "OK, success request new token",
            "token_id": f"{masked}-{nonce}-{_token_mac(masked, nonce)}"}


def _card_of_token(token: str) -> str | None:
    """The masked card a sandbox token stands for, or None for a token the sandbox did not make."""
    match = re.fullmatch(r"(\d{6}-\d{4})-([0-9a-f]{16})-([0-9a-f]{20})", token or "")
    if not match or not hmac.compare_digest(match[3], _token_mac(match[1], match[2])):
        return None
    return match[1]


def sandbox_card_outcome(masked: str) -> str:
    return next(outcome for number, outcome in SANDBOX_CARDS.items() if f"{number[:6]}-{number[-4:]}" == masked)


def _card_charge(body: dict) -> Response:
    """payment_type credit_card: "pending" with the 3-D Secure page as redirect_url, or at once capture / deny."""
    from ..models import SandboxCharge

    details, card = body["transaction_details"], body.get("credit_card") or {}
    masked = _card_of_token(card.get("token_id", ""))
    if masked is None:
        return Response(200, {"status_code": "411", "status_message": "Token id is missing, invalid, or timed out"})
    outcome = sandbox_card_outcome(masked)
    status = {"capture": "capture", "deny": "deny"}.get(outcome, "pending")
    try:
        with transaction.atomic():
            charge = SandboxCharge.objects.create(
                attempt_ref=details["order_id"], payment_type="credit_card", gross_amount=int(details["gross_amount"]),
                status=status, card=masked, callback_url=card.get("callback_url", "")[:300])
    except IntegrityError:
        return Response(406, {"status_code": "406", "status_message": "The order_id has already been utilized"})
    answer = sandbox_status_body(charge)
    answer.pop("signature_key")
    answer["status_message"] = {"pending": "Success, Credit Card transaction is pending 3DS authentication",
                                "capture": "Success, Credit Card transaction is successful"}.get(status, "Denied")
    if status == "pending":
        answer["redirect_url"] = reverse("payments:sandbox_3ds", args=[charge.transaction_id])
    return Response(200, answer)


def sandbox_3ds_finish(*, transaction_id, otp: str):
    """The card holder typed the OTP on the issuer's page: the charge is captured (right OTP, a card that
    passes) or denied; the caller sends the notification."""
    from ..models import SandboxCharge

    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().get(transaction_id=transaction_id,
                                                                payment_type="credit_card")
        if charge.status == "pending":
            passed = hmac.compare_digest(otp.strip(), SANDBOX_OTP) and sandbox_card_outcome(charge.card) == "3ds"
            charge.status = "capture" if passed else "deny"
            charge.save()
    return charge


def _charge(body: dict) -> Response:
    from ..models import SandboxCharge

    if body.get("payment_type") == "credit_card":
        return _card_charge(body)
    details = body["transaction_details"]
    ref, amount, kind = details["order_id"], int(details["gross_amount"]), body["payment_type"]
    bank = {"echannel": "mandiri", "permata": "permata"}.get(kind) or body.get("bank_transfer", {}).get("bank", "")
    digits = str(int(hashlib.sha256(ref.encode()).hexdigest(), 16))[:11]
    try:
        with transaction.atomic():
            charge = SandboxCharge.objects.create(
                attempt_ref=ref, payment_type=kind, bank=bank, gross_amount=amount,
                qr_string=qris_dynamic(MERCHANT_QRIS, amount=amount, reference=ref[-25:]) if kind == "qris" else "",
                va_number=(VA_PREFIX[bank] + digits)[:16] if bank else "")
    except IntegrityError:
        return Response(406, {"status_code": "406", "status_message": "The order_id has already been utilized"})
    answer = sandbox_status_body(charge) | {"status_code": "201", "status_message": "Success"}
    answer.pop("signature_key")
    if kind == "qris":
        answer["qr_string"] = charge.qr_string
        answer["actions"] = [{"name": "generate-qr-code", "method": "GET", "url": ""}]
    elif kind in ("gopay", "shopeepay"):
        answer["actions"] = [{"name": "deeplink-redirect", "method": "GET",
                              "url": reverse("payments:sandbox_ewallet", args=[ref])}]
    elif bank == "permata":
        answer["permata_va_number"] = charge.va_number
    elif bank == "mandiri":
        answer |= {"biller_code": "70012", "bill_key": charge.va_number}
    return Response(201, answer)
