"""Helpers for the tax tests: sellers with a tax identity, paying a government package or a consumer checkout
through the sandbox webhook (the `clock` fixture is in conftest)."""

from payments.services import payment_start
from procurement.models import Paket
from procurement.payment import paket_payment_start
from tests.factories import make_shop
from vendors.models import ShopIdentity

from .conftest import notify, place_checkout, sandbox_body, sandbox_set


def taxed_shop(*, pkp: bool, statement: bool = False, name: str, npwp: str) -> object:
    """A verified shop with its identity (business name and NPWP, as the faktur names it)."""
    shop = make_shop(name=name, is_pkp=pkp, turnover_statement=statement)
    ShopIdentity.objects.create(shop=shop, owner_name=f"Pemilik {name}", owner_nik="3604011203850001",
                                entity_type=ShopIdentity.EntityType.BUSINESS, business_name=f"CV {name}",
                                nib="9120001234567", npwp=npwp, capital=200_000_000, turnover=400_000_000)
    return shop


def pay_paket(client, team, paket: Paket) -> None:
    attempt = paket_payment_start(paket_id=paket.pk, actor=team.bendahara, channel="bri")
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}


def paid_consumer_checkout(client, *, variants, key: str):
    """One buyer checks out one unit of each variant (pickup, no shipping fee) and pays by QRIS."""
    group = place_checkout(prices=(), key=key, variants=variants)
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}
    return group
