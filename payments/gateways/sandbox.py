"""The embedded sandbox gateway: the real MidtransAdapter over a transport that answers from our own tables.

So the sandbox exercises the Midtrans request building, response parsing, status re-fetch and notification
signature (research/payments.md §a.6, "midtrans dialect"); the simulator page drives the state below.
"""

import hashlib
import re
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from ..qris import qris_dynamic, qris_merchant_static
from .base import Response
from .midtrans import MidtransAdapter, midtrans_signature

BASE_URL = "sandbox://midtrans"
VA_PREFIX = {"bca": "12777", "bni": "8808", "bri": "26215", "permata": "8778", "mandiri": ""}
STATUS_CODE = {"settlement": "200", "pending": "201", "deny": "202", "cancel": "200", "expire": "407",
               "refund": "200", "partial_refund": "200"}
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
    if charge.status not in ("settlement", "partial_refund") or refunded + body["amount"] > charge.gross_amount:
        return Response(412, {"status_code": "412", "status_message": "Merchant cannot modify the status"})
    charge.refunds = [*charge.refunds, {"refund_key": body["refund_key"], "refund_amount": body["amount"],
                                        "refund_chargeback_id": len(charge.refunds) + 1,
                                        "reason": body.get("reason", "")}]
    charge.status = "refund" if refunded + body["amount"] == charge.gross_amount else "partial_refund"
    charge.save()
    return None


def _charge(body: dict) -> Response:
    from ..models import SandboxCharge

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
