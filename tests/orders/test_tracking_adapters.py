"""Biteship and RajaOngkir/Komerce tracking against a fake transport that records every request (no network)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from orders.tracking import (
    DELIVERED,
    IN_TRANSIT,
    PICKED_UP,
    BiteshipTracker,
    KomerceTracker,
    Response,
    Shipment,
    TrackingError,
    courier_tracker,
)

WIB = timezone(timedelta(hours=7))
PARCEL = Shipment(resi="JP1234567890", courier="jne", shipped_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
                  recipient_phone="+62 812-3456-7890")


class RecordingTransport:
    def __init__(self, *answers: Response):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, method, url, *, headers, body):
        self.requests.append({"method": method, "url": url, "headers": dict(headers), "body": body})
        return self.answers.pop(0)


def biteship_answer(status="delivered", history=None):
    # The shape of Biteship's "Retrieve a Public Tracking" answer (biteship.com/en/docs/api/trackings).
    return {"success": True, "messsage": "Successfully get tracking info", "object": "tracking",
            "id": "6051861741a37414e6637fab", "waybill_id": "JP1234567890",
            "courier": {"company": "jne", "driver_name": None, "driver_phone": None},
            "origin": {"contact_name": "Toko", "address": "Serpong"},
            "destination": {"contact_name": "Ani", "address": "Pamulang"},
            "history": history if history is not None else [
                {"note": "Courier order is confirmed", "updated_at": "2026-12-01T09:10:00+07:00",
                 "status": "confirmed"},
                {"note": "Item has been picked and ready to be shipped", "updated_at": "2026-12-01T13:00:00+07:00",
                 "status": "picked"},
                {"note": "Item on the way to customer", "updated_at": "2026-12-02T08:00:00+07:00",
                 "status": "dropping_off"},
                {"note": "Delivered to ANI", "updated_at": "2026-12-02T15:42:00+07:00", "status": "delivered"},
            ],
            "link": "-", "order_id": None, "status": status}


def test_biteship_public_tracking_request_and_checkpoints():
    transport = RecordingTransport(Response(200, biteship_answer()))
    result = BiteshipTracker(api_key="biteship_test.KEY", transport=transport).track(PARCEL)
    request = transport.requests[0]
    assert (request["method"], request["url"], request["body"]) == (
        "GET", "https://api.biteship.com/v1/trackings/JP1234567890/couriers/jne", None)
    assert request["headers"] == {"Authorization": "biteship_test.KEY"}
    assert [c.status for c in result.checkpoints] == [PICKED_UP, IN_TRANSIT, DELIVERED]
    assert result.delivered.at == datetime(2026, 12, 2, 15, 42, tzinfo=WIB)
    assert result.delivered.description == "Delivered to ANI"


def test_biteship_in_transit_is_not_delivered_and_an_error_answer_is_a_typed_error():
    transport = RecordingTransport(
        Response(200, biteship_answer(status="dropping_off", history=biteship_answer()["history"][:3])),
        Response(400, {"success": False, "error": "Waybill not found", "code": 40003001}),
        Response(200, biteship_answer(history=[])))
    tracker = BiteshipTracker(api_key="k", transport=transport)
    assert tracker.track(PARCEL).delivered is None
    with pytest.raises(TrackingError, match="Waybill not found") as caught:
        tracker.track(PARCEL)
    assert caught.value.raw["code"] == 40003001
    with pytest.raises(TrackingError, match="without a dated history"):
        tracker.track(PARCEL)


def komerce_answer(delivered=True):
    # RajaOngkir's waybill answer as Komerce serves it (rajaongkir.com/docs/shipping-cost/tracking): meta + data.
    data = {
        "delivered": delivered,
        "summary": {"courier_code": "jne", "courier_name": "Jalur Nugraha Ekakurir (JNE)",
                    "waybill_number": "JP1234567890", "service_code": "REG", "waybill_date": "2026-12-01",
                    "shipper_name": "TOKO BATIK", "receiver_name": "ANI", "origin": "TANGERANG SELATAN",
                    "destination": "PAMULANG", "status": "DELIVERED" if delivered else "ON PROCESS"},
        "details": {"waybill_number": "JP1234567890", "waybill_date": "2026-12-01", "waybill_time": "13:00"},
        "delivery_status": {"status": "DELIVERED", "pod_receiver": "ANI", "pod_date": "2026-12-02",
                            "pod_time": "15:42"} if delivered else {"status": "ON PROCESS"},
        "manifest": [
            {"manifest_code": "2", "manifest_description": "Manifested", "manifest_date": "2026-12-01",
             "manifest_time": "20:00:00", "city_name": "TANGERANG"},
            {"manifest_code": "1", "manifest_description": "Shipment picked up", "manifest_date": "2026-12-01",
             "manifest_time": "13:00:00", "city_name": "SERPONG"},
        ],
    }
    return {"meta": {"message": "Success Get Waybill", "code": 200, "status": "success"}, "data": data}


def test_komerce_waybill_request_and_checkpoints():
    transport = RecordingTransport(Response(200, komerce_answer()))
    result = KomerceTracker(api_key="KOMERCE-KEY", transport=transport).track(PARCEL)
    request = transport.requests[0]
    assert request["method"] == "POST" and request["headers"] == {"key": "KOMERCE-KEY"}
    assert request["url"] == ("https://rajaongkir.komerce.id/api/v1/track/waybill?awb=JP1234567890&courier=jne"
                              "&last_phone_number=67890")
    assert [(c.status, c.at) for c in result.checkpoints] == [
        (PICKED_UP, datetime(2026, 12, 1, 13, tzinfo=WIB)), (IN_TRANSIT, datetime(2026, 12, 1, 20, tzinfo=WIB)),
        (DELIVERED, datetime(2026, 12, 2, 15, 42, tzinfo=WIB))]
    assert result.delivered.description == "Diterima oleh ANI"


def test_komerce_on_process_is_not_delivered_and_errors_are_typed():
    transport = RecordingTransport(
        Response(200, komerce_answer(delivered=False)),
        Response(200, {"meta": {"message": "Invalid waybill", "code": 400, "status": "failed"}, "data": None}),
        Response(200, {**komerce_answer(), "data": {**komerce_answer()["data"], "manifest": [
            {"manifest_description": "x", "manifest_date": "kemarin", "manifest_time": "??"}]}}))
    tracker = KomerceTracker(api_key="k", transport=transport)
    assert tracker.track(PARCEL).delivered is None
    with pytest.raises(TrackingError, match="Invalid waybill"):
        tracker.track(PARCEL)
    with pytest.raises(TrackingError, match="bad date"):
        tracker.track(PARCEL)


def test_the_tracker_is_chosen_by_the_setting(settings):
    settings.BITESHIP_API_KEY, settings.KOMERCE_API_KEY = "b", "k"
    assert type(courier_tracker("sandbox")).__name__ == "RateTableCourier"
    assert isinstance(courier_tracker("biteship"), BiteshipTracker)
    assert isinstance(courier_tracker("komerce"), KomerceTracker)
    assert courier_tracker("none") is None
    with pytest.raises(ValueError, match="COURIER_TRACKER"):
        courier_tracker("dhl")
