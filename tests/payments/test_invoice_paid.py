"""The invoice says LUNAS with the date and the way it was paid (recorded by payments when the money lands,
without orders importing payments) and the seller's NIB and NPWP; the PDF says the same."""

import re
import zlib

import pytest

from orders.models import CheckoutGroup
from payments.services import payment_start
from vendors.models import ShopIdentity

from .conftest import notify, place_checkout, sandbox_body, sandbox_set

pytestmark = pytest.mark.django_db


def pay(client, group, method="qris", channel=""):
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method=method, channel=channel)
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}
    return attempt


def pdf_text(content: bytes) -> str:
    """The text shown by an fpdf2 document (its page streams are zlib-compressed)."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            stream = zlib.decompress(stream)
        except zlib.error:
            continue
        shown += re.findall(rb"\((.*?)\) ?Tj", stream)
    return " ".join(part.decode("latin-1") for part in shown)


@pytest.mark.parametrize(("method", "channel", "label"), [
    ("qris", "", "QRIS"), ("va", "bca", "Virtual account BCA"), ("ewallet", "gopay", "GoPay")])
def test_a_payment_records_how_the_checkout_was_paid(client, method, channel, label):
    group = place_checkout(prices=(15000, 250000))
    pay(client, group, method, channel)
    assert CheckoutGroup.objects.get(pk=group.pk).paid_via == label


def test_the_invoice_says_lunas_how_it_was_paid_and_the_sellers_nib_and_npwp(client):
    group = place_checkout(prices=(756000,))
    order = group.orders.get()
    ShopIdentity.objects.create(shop=order.shop, owner_name="Budi Santoso", owner_nik="3674011203850004",
                                nib="9120001234567", npwp="0123456789012345", capital=50_000_000,
                                turnover=300_000_000)
    pay(client, group, "va", "bni")
    client.force_login(group.buyer)
    html = client.get(f"/pesanan/{order.number}/invoice/").text
    assert '<p class="paid-stamp"><strong>LUNAS</strong>' in html and "lewat Virtual account BNI" in html
    assert "<dt>NIB</dt><dd>9120001234567</dd>" in html and "<dt>NPWP</dt><dd>0123456789012345</dd>" in html
    assert "3674011203850004" not in html  # the owner's NIK is not the seller's business number

    text = pdf_text(client.get(f"/pesanan/{order.number}/invoice.pdf").content)
    assert "LUNAS" in text and "Metode pembayaran: Virtual account BNI" in text
    assert "NIB: 9120001234567" in text and "NPWP: 0123456789012345" in text
    assert "tujuh ratus lima puluh enam ribu rupiah" in text


def test_a_shop_without_an_identity_yet_prints_no_empty_numbers(client):
    group = place_checkout(prices=(15000,))
    order = group.orders.get()
    pay(client, group)
    client.force_login(order.shop.owner)
    html = client.get(f"/pesanan/{order.number}/invoice/").text
    assert "LUNAS" in html and "lewat QRIS" in html and "<dt>NIB</dt>" not in html
    text = pdf_text(client.get(f"/pesanan/{order.number}/invoice.pdf").content)
    assert "Metode pembayaran: QRIS" in text and "NIB:" not in text and "NPWP:" not in text
