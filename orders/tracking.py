"""Parcel tracking behind one small interface: `track(shipment, now=) -> TrackingResult`.

The embedded sandbox (`RateTableCourier.track`, the default adapter) moves a parcel through picked up → in
transit → delivered over settings.SANDBOX_TRACKING_MINUTES after it was shipped, computed from the shipped time and
`now` alone, so tests pass `now=`. Biteship (public tracking by waybill and courier) and RajaOngkir/Komerce (track
waybill) are the real adapters, chosen by settings.COURIER_TRACKER, each with an injected HTTP transport as the
payment gateways have.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings

PICKED_UP, IN_TRANSIT, DELIVERED = "picked_up", "in_transit", "delivered"
WIB = ZoneInfo("Asia/Jakarta")


class TrackingError(Exception):
    """The tracker answered something we cannot use, or did not answer; the raw answer is kept."""

    def __init__(self, message: str, raw: object = None):
        super().__init__(message)
        self.raw = raw


@dataclass(frozen=True)
class Shipment:
    resi: str
    courier: str  # our code: jne, jnt, sicepat, pos
    shipped_at: datetime
    recipient_phone: str = ""


@dataclass(frozen=True)
class Checkpoint:
    status: str  # PICKED_UP | IN_TRANSIT | DELIVERED
    at: datetime
    description: str = ""


@dataclass(frozen=True)
class TrackingResult:
    checkpoints: list[Checkpoint] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def delivered(self) -> Checkpoint | None:
        return next((c for c in reversed(self.checkpoints) if c.status == DELIVERED), None)

    @property
    def latest(self) -> Checkpoint | None:
        return self.checkpoints[-1] if self.checkpoints else None


class CourierTracker(Protocol):
    def track(self, shipment: Shipment, *, now: datetime | None = None) -> TrackingResult: ...


# --- the embedded sandbox -----------------------------------------------------------------------------------


def sandbox_track(shipment: Shipment, *, now: datetime, minutes: float) -> TrackingResult:
    """Picked up after a quarter of `minutes`, in transit at half, delivered at the end; only what has happened
    by `now` is returned. Deterministic: the same shipment and `now` always give the same answer."""
    span = timedelta(minutes=minutes)
    steps = [
        (PICKED_UP, span / 4, "Paket diambil kurir dari penjual"),
        (IN_TRANSIT, span / 2, "Paket dalam perjalanan ke kota tujuan"),
        (DELIVERED, span, "Paket diterima oleh yang bersangkutan"),
    ]
    return TrackingResult(checkpoints=[
        Checkpoint(status=status, at=shipment.shipped_at + offset, description=description)
        for status, offset, description in steps if shipment.shipped_at + offset <= now
    ], raw={"sandbox": True, "resi": shipment.resi})


# --- the HTTP transport -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    body: dict


class Transport(Protocol):
    def __call__(self, method: str, url: str, *, headers: Mapping[str, str], body: dict | None) -> Response: ...


def http_transport(method: str, url: str, *, headers: Mapping[str, str], body: dict | None,
                   timeout: float = 15.0) -> Response:
    """The real transport (urllib, JSON in and out; a form body when headers say so)."""
    if not url.startswith("https://"):
        raise TrackingError(f"refusing a non-https tracking URL {url}")
    data = None
    if body is not None:
        form = headers.get("Content-Type") == "application/x-www-form-urlencoded"
        data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,  # noqa: S310 - https only, checked above
                                     headers={"Accept": "application/json", "Content-Type": "application/json",
                                              **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise TrackingError(f"{method} {url}: {error}") from error
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError as error:
        raise TrackingError(f"{method} {url}: HTTP {status}, not JSON", raw) from error
    return Response(status=status, body=parsed if isinstance(parsed, dict) else {"items": parsed})


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=WIB)  # Indonesian couriers answer in WIB


# --- Biteship ---------------------------------------------------------------------------------------------

BITESHIP_URL = "https://api.biteship.com"
# Biteship's tracking statuses (docs: "Tracking Status") → ours; the rest (confirmed, allocated, picking_up,
# on_hold, cancelled, rejected, returned, …) are no checkpoint of the way to the buyer.
BITESHIP_STATUS = {"picked": PICKED_UP, "dropping_off": IN_TRANSIT, "delivered": DELIVERED}
BITESHIP_COURIERS = {"jne": "jne", "jnt": "jnt", "sicepat": "sicepat", "pos": "pos"}


class BiteshipTracker:
    """GET /v1/trackings/{waybill_id}/couriers/{courier_code} (public tracking, any waybill)."""

    def __init__(self, *, api_key: str, transport: Transport, base_url: str = BITESHIP_URL):
        self.api_key, self.transport, self.base_url = api_key, transport, base_url.rstrip("/")

    def track(self, shipment: Shipment, *, now: datetime | None = None) -> TrackingResult:
        courier = BITESHIP_COURIERS.get(shipment.courier, shipment.courier)
        path = f"/v1/trackings/{urllib.parse.quote(shipment.resi)}/couriers/{urllib.parse.quote(courier)}"
        answer = self.transport("GET", self.base_url + path, headers={"Authorization": self.api_key}, body=None)
        body = answer.body
        if answer.status >= 400 or not body.get("success"):
            raise TrackingError(f"biteship {path}: {answer.status} {body.get('error') or body.get('message', '')}",
                                body)
        checkpoints = []
        for entry in body.get("history") or []:
            status = BITESHIP_STATUS.get(str(entry.get("status", "")).lower())
            if status is None:
                continue
            try:
                at = _aware(datetime.fromisoformat(entry["updated_at"]))
            except (KeyError, TypeError, ValueError) as error:
                raise TrackingError(f"biteship {path}: bad updated_at", body) from error
            checkpoints.append(Checkpoint(status=status, at=at, description=str(entry.get("note", ""))[:200]))
        checkpoints.sort(key=lambda c: c.at)
        if str(body.get("status", "")).lower() == "delivered" and not any(c.status == DELIVERED for c in checkpoints):
            raise TrackingError(f"biteship {path}: delivered without a dated history entry", body)
        return TrackingResult(checkpoints=checkpoints, raw=body)


# --- RajaOngkir by Komerce --------------------------------------------------------------------------------

KOMERCE_URL = "https://rajaongkir.komerce.id/api/v1"


class KomerceTracker:
    """POST /track/waybill?awb=…&courier=… with the `key` header (RajaOngkir's waybill, now run by Komerce).

    The answer's `data` carries `delivered`, `summary`, `delivery_status` (pod_date/pod_time) and `manifest`
    (manifest_date/manifest_time/manifest_description/city_name). JNE wants the last 5 digits of the recipient's
    phone."""

    def __init__(self, *, api_key: str, transport: Transport, base_url: str = KOMERCE_URL):
        self.api_key, self.transport, self.base_url = api_key, transport, base_url.rstrip("/")

    def track(self, shipment: Shipment, *, now: datetime | None = None) -> TrackingResult:
        query = {"awb": shipment.resi, "courier": shipment.courier}
        digits = "".join(ch for ch in shipment.recipient_phone if ch.isdigit())
        if digits:
            query["last_phone_number"] = digits[-5:]
        url = f"{self.base_url}/track/waybill?{urllib.parse.urlencode(query)}"
        answer = self.transport("POST", url, headers={"key": self.api_key}, body=None)
        body = answer.body
        meta = body.get("meta") or {}
        data = body.get("data")
        if answer.status >= 400 or meta.get("code", answer.status) >= 400 or not isinstance(data, dict):
            raise TrackingError(f"komerce waybill {shipment.resi}: {answer.status} {meta.get('message', '')}", body)
        checkpoints = []
        manifest = sorted(data.get("manifest") or [], key=lambda m: (m.get("manifest_date", ""),
                                                                      m.get("manifest_time", "")))
        for index, entry in enumerate(manifest):
            at = self._when(entry.get("manifest_date"), entry.get("manifest_time"), body)
            description = " ".join(filter(None, [entry.get("manifest_description"), entry.get("city_name")]))
            checkpoints.append(Checkpoint(status=PICKED_UP if index == 0 else IN_TRANSIT, at=at,
                                          description=description[:200]))
        status = data.get("delivery_status") or {}
        if data.get("delivered") is True or str(status.get("status", "")).upper() == "DELIVERED":
            at = self._when(status.get("pod_date"), status.get("pod_time"), body)
            receiver = status.get("pod_receiver") or ""
            checkpoints.append(Checkpoint(status=DELIVERED, at=at, description=(
                f"Diterima oleh {receiver}" if receiver else "Diterima")[:200]))
        return TrackingResult(checkpoints=checkpoints, raw=body)

    @staticmethod
    def _when(date: str | None, time: str | None, raw: dict) -> datetime:
        try:
            clock = (time or "00:00").strip()
            clock = clock if len(clock) > 5 else clock + ":00"
            return _aware(datetime.fromisoformat(f"{(date or '').strip()}T{clock}"))
        except ValueError as error:
            raise TrackingError(f"komerce: bad date {date!r} {time!r}", raw) from error


# --- which one ---------------------------------------------------------------------------------------------


def courier_tracker(code: str | None = None) -> CourierTracker | None:
    """The configured tracker (settings.COURIER_TRACKER = sandbox | biteship | komerce | none); None for "none",
    where courier orders count as delivered only at their longest estimate + 2 days."""
    code = code or settings.COURIER_TRACKER
    if code == "sandbox":
        from .shipping import RateTableCourier

        return RateTableCourier()
    if code == "biteship":
        return BiteshipTracker(api_key=settings.BITESHIP_API_KEY, transport=http_transport)
    if code == "komerce":
        return KomerceTracker(api_key=settings.KOMERCE_API_KEY, transport=http_transport)
    if code == "none":
        return None
    raise ValueError(f"unknown COURIER_TRACKER {code!r}")
