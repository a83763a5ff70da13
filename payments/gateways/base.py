"""The provider-agnostic gateway interface (research/payments.md §a.2) and the injected HTTP transport."""

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

AMOUNT_RE = re.compile(r"^\d+(\.0{1,2})?$")


class Method(StrEnum):
    QRIS = "qris"
    VA = "va"
    EWALLET = "ewallet"
    # A card charge with a gateway token (the card number never reaches our server): KKPD, the regional
    # government's credit card, offered only on a government package's invoice (procurement.payment).
    CARD = "card"


class Kind(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    REVERSED = "reversed"
    INFO = "info"


VA_BANKS = ("bca", "bni", "bri", "mandiri", "permata")
EWALLETS = ("gopay", "shopeepay")


class GatewayError(Exception):
    """The gateway answered something we cannot use (a typed error; the raw answer is kept)."""

    def __init__(self, message: str, raw: object = None):
        super().__init__(message)
        self.raw = raw


class GatewayUnavailable(GatewayError):
    """Timeout, connection error or 5xx: the outcome is unknown, try again with the same key."""


@dataclass(frozen=True)
class ChargeRequest:
    attempt_ref: str
    amount: int
    method: Method
    channel: str  # bca/bni/bri/mandiri/permata for VA, gopay/shopeepay for e-wallet, "" for QRIS and cards
    expires_at: datetime
    customer_name: str
    customer_email: str
    currency: str = "IDR"
    card_token: str = ""  # the token the gateway's card form returned (cards only)
    card_authentication_id: str = ""  # Xendit: the 3DS authentication made with the token in the browser
    return_url: str = ""  # where the card holder's browser comes back to after 3-D Secure


@dataclass(frozen=True)
class ChargeResult:
    provider_ref: str
    qr_string: str = ""
    va_number: str = ""
    redirect_url: str = ""  # an e-wallet deeplink, or the 3-D Secure page of a card charge
    card_last4: str = ""  # the card's last four digits (the gateway's masked number; never the number)
    final: bool = False  # the charge answer already is the outcome (a card captured or denied at once)
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderEvent:
    """A webhook or a status snapshot, normalised."""

    dedupe_key: str
    attempt_ref: str
    kind: Kind
    amount: int | None
    provider_ref: str = ""
    refund_key: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PayoutResult:
    provider_ref: str
    status: str  # "processing" | "paid" | "failed"
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Response:
    status: int
    body: dict


class Transport(Protocol):
    def __call__(self, method: str, url: str, *, headers: Mapping[str, str], body: dict | None) -> Response: ...


def parse_amount(value: object) -> int:
    """Strict: an int, or a string like "44000" / "44000.00". Rejects floats, "1e5", "-1", " 1", "10.50"."""
    if isinstance(value, bool):
        raise GatewayError(f"invalid amount {value!r}")
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and AMOUNT_RE.match(value):
        return int(value.split(".")[0])
    raise GatewayError(f"invalid amount {value!r}")


def json_object(raw_body: bytes) -> dict:
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as error:
        raise GatewayError("body is not JSON") from error
    if not isinstance(body, dict):
        raise GatewayError("body is not a JSON object")
    return body


def http_transport(method: str, url: str, *, headers: Mapping[str, str], body: dict | None,
                   timeout: float = 15.0) -> Response:
    """The real transport (urllib, JSON). 5xx and network errors are GatewayUnavailable."""
    if not url.startswith("https://"):
        raise GatewayError(f"refusing a non-https gateway URL {url}")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,  # noqa: S310 - https only, checked above
                                     headers={"Accept": "application/json", "Content-Type": "application/json",
                                              **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise GatewayUnavailable(f"{method} {url}: {error}") from error
    if status >= 500:
        raise GatewayUnavailable(f"{method} {url}: HTTP {status}")
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError as error:
        raise GatewayError(f"{method} {url}: not JSON", raw) from error
    return Response(status=status, body=parsed if isinstance(parsed, dict) else {"items": parsed})


class Gateway(Protocol):
    code: str

    def create_charge(self, request: ChargeRequest) -> ChargeResult: ...
    def get_status(self, attempt_ref: str, *, provider_ref: str = "") -> ProviderEvent: ...
    def cancel(self, attempt_ref: str, *, provider_ref: str = "") -> ProviderEvent: ...
    def refund(self, attempt_ref: str, *, amount: int, refund_key: str, reason: str,
               provider_ref: str = "") -> ProviderEvent: ...
    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> bool: ...
    def parse_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> list[ProviderEvent]: ...
    def payout(self, *, amount: int, bank: str, account_number: str, account_name: str,
               idempotency_key: str) -> PayoutResult: ...
