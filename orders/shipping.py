"""Shipping quotes per shop: pickup, the shop's own courier, and courier services behind one small adapter.

The default adapter reads the CourierRate table; a real courier API (RajaOngkir, Biteship, …) becomes another
class with the same `quotes` method and is chosen in `courier_adapter()`, without touching checkout. Adapters also
`track` a parcel by its resi (orders/tracking.py); the default one is the embedded sandbox tracker.
"""

from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Protocol

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plazabanten.prepared import PreparedRead, any_of
from vendors.models import Shop

from .models import CourierRate, ShopShipping
from .tracking import Shipment, TrackingResult, sandbox_track

JAVA_BALI = {"31", "32", "33", "34", "35", "36", "51"}
COURIERS = {"jne": "JNE", "jnt": "J&T", "sicepat": "SiCepat", "pos": "POS Indonesia"}
# The starting rate table: (courier, service, price per kg for zones 1..4, (min, max) days for zones 1..4).
RATES = [
    ("jne", "REG", (9000, 11000, 18000, 42000), ((1, 2), (1, 2), (2, 3), (3, 6))),
    ("jne", "YES", (16000, 19000, 30000, 70000), ((1, 1), (1, 1), (1, 1), (1, 2))),
    ("jnt", "EZ", (8500, 10500, 17000, 40000), ((1, 2), (1, 2), (2, 4), (3, 7))),
    ("sicepat", "REG", (8000, 10000, 16000, 39000), ((1, 2), (1, 3), (2, 4), (3, 7))),
    ("pos", "Kilat Khusus", (7500, 9500, 15000, 36000), ((2, 3), (2, 4), (3, 5), (4, 8))),
]


def courier_rates_load(rate_model) -> None:
    """Insert the starting rate table (the migration passes its historical model, tests the real one)."""
    rate_model.objects.bulk_create([
        rate_model(courier=courier, service=service, zone=zone, price_per_kg=prices[zone - 1],
                   etd_min_days=etds[zone - 1][0], etd_max_days=etds[zone - 1][1])
        for courier, service, prices, etds in RATES for zone in (1, 2, 3, 4)
    ], ignore_conflicts=True)


@dataclass(frozen=True)
class ShippingQuote:
    method: str  # "pickup", "own" or "<courier>:<service>"
    label: str
    fee: int
    etd: str = ""


def etd_label(*, min_days: int, max_days: int) -> str:
    """A delivery estimate as people say it: "2–3 hari", and "1 hari" rather than "1–1 hari"."""
    if min_days >= max_days:
        return ngettext("%(n)s hari", "%(n)s hari", max_days) % {"n": max_days}
    return _("%(a)s–%(b)s hari") % {"a": min_days, "b": max_days}


def quote_default(quotes: list[ShippingQuote]) -> ShippingQuote | None:
    """The choice checkout starts with: the cheapest delivery (the shop's own courier or a courier service),
    never pickup unless pickup is the only way the shop offers."""
    delivered = [quote for quote in quotes if quote.method != "pickup"]
    return min(delivered, key=lambda quote: quote.fee) if delivered else next(iter(quotes), None)


class CourierAdapter(Protocol):
    def quotes(self, *, origin_kabkota: str, destination_kabkota: str, weight_grams: int,
               couriers: list[str]) -> list[ShippingQuote]: ...

    def track(self, shipment: Shipment, *, now: datetime | None = None) -> TrackingResult: ...


def zone_for(origin_kabkota: str, destination_kabkota: str) -> int:
    if origin_kabkota == destination_kabkota:
        return CourierRate.Zone.SAME_KABKOTA
    if origin_kabkota[:2] == destination_kabkota[:2]:
        return CourierRate.Zone.SAME_PROVINCE
    if destination_kabkota[:2] in JAVA_BALI:
        return CourierRate.Zone.JAVA_BALI
    return CourierRate.Zone.NATIONAL


@PreparedRead
def _zone_rates(*, zone: int) -> QuerySet[CourierRate]:
    """Every service's rate for a zone, cheapest first (a few dozen rows; checkout asks once per shop)."""
    return CourierRate.objects.filter(zone=zone).order_by("price_per_kg", "courier")


class RateTableCourier:
    def __init__(self):
        self._zones: dict[int, list[CourierRate]] = {}  # read once per zone for every shop of a checkout

    def _rates(self, zone: int) -> list[CourierRate]:
        if zone not in self._zones:
            self._zones[zone] = list(_zone_rates(zone=zone))
        return self._zones[zone]

    def quotes(self, *, origin_kabkota, destination_kabkota, weight_grams, couriers):
        kilograms = max(1, ceil(weight_grams / 1000))
        return [
            ShippingQuote(method=f"{rate.courier}:{rate.service}",
                          label=f"{COURIERS.get(rate.courier, rate.courier)} {rate.service}",
                          fee=rate.price_per_kg * kilograms,
                          etd=etd_label(min_days=rate.etd_min_days, max_days=rate.etd_max_days))
            for rate in self._rates(int(zone_for(origin_kabkota, destination_kabkota))) if rate.courier in couriers
        ]

    def track(self, shipment: Shipment, *, now: datetime | None = None) -> TrackingResult:
        """The embedded sandbox: delivered settings.SANDBOX_TRACKING_MINUTES after shipping."""
        return sandbox_track(shipment, now=now or timezone.now(), minutes=settings.SANDBOX_TRACKING_MINUTES)


def longest_estimate_days(*, courier: str, service: str, origin_kabkota: str, destination_kabkota: str) -> int:
    """The service's longest delivery estimate for the zone (CourierRate.etd_max_days); the courier's longest
    anywhere when the service is not in the table, and 14 days for a courier we do not know."""
    rates = CourierRate.objects.filter(courier=courier)
    rate = rates.filter(service=service, zone=zone_for(origin_kabkota, destination_kabkota)).first()
    if rate is not None:
        return rate.etd_max_days
    return max(rates.values_list("etd_max_days", flat=True), default=14)


def courier_adapter() -> CourierAdapter:
    return RateTableCourier()


@PreparedRead
def _shops_shipping(*, shop_ids: list[int]) -> QuerySet[ShopShipping]:
    return ShopShipping.objects.filter(any_of("shop_id", shop_ids))


def shipping_quotes(*, parcels: list[tuple[Shop, int]], destination_kabkota: str) -> list[list[ShippingQuote]]:
    """Every way each shop can deliver its parcel (the shop, the weight in grams) to that kab/kota, cheapest
    couriers first: one list per parcel, in their order. One read of the shops' settings and one of each zone's
    rates, however many shops a checkout has."""
    configs = {config.shop_id: config for config in _shops_shipping(shop_ids=[shop.pk for shop, _weight in parcels])}
    adapter = courier_adapter()
    every = []
    for shop, weight_grams in parcels:
        config = configs.get(shop.pk) or ShopShipping(shop=shop, couriers=list(COURIERS))
        quotes = []
        if config.pickup:
            quotes.append(ShippingQuote(method="pickup", label=_("Ambil di toko"), fee=0,
                                        etd=_("Siap diambil setelah dikemas")))
        if destination_kabkota in config.own_courier_fees:
            quotes.append(ShippingQuote(method="own", label=_("Kurir toko"), fee=int(config.own_courier_fees[
                destination_kabkota]), etd=etd_label(min_days=1, max_days=1)))
        if config.couriers and shop.kabkota_id:
            quotes += adapter.quotes(origin_kabkota=shop.kabkota_id, destination_kabkota=destination_kabkota,
                                     weight_grams=weight_grams, couriers=config.couriers)
        every.append(quotes)
    return every
