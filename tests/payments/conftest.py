import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.services import address_save
from orders.services import ShopChoice, cart_set_quantity, checkout_place
from regions.models import Region
from tests.factories import make_product, make_user


@pytest.fixture(autouse=True)
def ledger_invariants(request):
    """After every payments test that touched the database: debits = credits, no negative shop balance,
    every paid payment fully posted."""
    yield
    if "django_db" not in request.keywords and "transactional_db" not in request.fixturenames:
        return
    from payments.ledger import ledger_check_invariants

    assert ledger_check_invariants() == []


def place_checkout(*, prices=(15000, 250000), buyer=None, key="k1", variants=()):
    """A placed checkout with one order per price, each from its own shop (pickup: no shipping fee), or with one
    unit of each of the given variants."""
    buyer = buyer or make_user()
    variants = list(variants) or [make_product(price=price, stock=5).variants.get() for price in prices]
    for variant in variants:
        cart_set_quantity(user=buyer, variant_id=variant.pk, quantity=1)
    desa = Region.objects.filter(code__startswith="36.74.", level=4).order_by("code").first()
    address = address_save(user=buyer, data={"recipient": buyer.name, "phone": "+6281234567890",
                                             "street": "Jl. Pahlawan Seribu 1", "region": desa, "postal_code": "15322"})
    return checkout_place(buyer=buyer, idempotency_key=key, address=address,
                          choices={v.product.shop_id: ShopChoice(method="pickup") for v in variants})


def notify(client, body: dict, provider: str = "sandbox", **headers):
    return client.post(f"/payments/webhooks/{provider}/", data=json.dumps(body), content_type="application/json",
                       headers=headers)


def sandbox_body(attempt_ref: str, **changes) -> dict:
    """The signed notification the sandbox gateway would send for its current state (after `changes`)."""
    from payments.gateways.sandbox import sandbox_status_body
    from payments.models import SandboxCharge

    charge = SandboxCharge.objects.get(attempt_ref=attempt_ref)
    for name, value in changes.items():
        setattr(charge, name, value)
    return sandbox_status_body(charge)


def sandbox_set(attempt_ref: str, **changes) -> None:
    from payments.models import SandboxCharge

    SandboxCharge.objects.filter(attempt_ref=attempt_ref).update(**changes)


class Clock:
    """Moves django.utils.timezone.now (every `timezone.now()` and auto_now_add read it): the tax period is the
    month of the clock, and a deposit needs the month to have ended."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.now = datetime(year, month, day, hour, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
