"""Money that goes back (issue 11 item 5): reversals before and after release (a clawback from the shop's
available balance), wrong amounts in suspense with a refund action, the pro-rata refund split and credit notes.
The conftest checks the ledger invariants after every test; the tests also call ledger_check_invariants where
the state in the middle matters."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.services import user_grant_role
from orders.models import Order
from orders.services import order_transition
from payments.ledger import (
    LedgerError,
    amount_split,
    commission_of,
    ledger_check_invariants,
    ledger_release_for_order,
    refund_split,
    shop_balances,
)
from payments.models import Account, CreditNote, Journal, Posting, Refund, SandboxCharge, SuspenseItem
from payments.services import PaymentError, payment_start, payout_request, refund_request
from payments.simulator import sandbox_payout_finish
from plazabanten.models import AuditLog
from tests.factories import make_product, make_shop, make_user, order_walk
from tests.orders.test_checkout import buy
from vendors.models import ShopBankAccount

from .conftest import notify, place_checkout, sandbox_body, sandbox_set

pytestmark = pytest.mark.django_db


def balance_url(shop) -> str:
    return reverse("payments:shop_balance", args=[shop.pk])


def pay(client, group, method="qris", channel=""):
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method=method, channel=channel)
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}
    return attempt


def reverse_payment(client, attempt, status="deny"):
    """The bank takes the money back: Midtrans `deny` after settlement, or `chargeback`."""
    sandbox_set(attempt.attempt_ref, status=status)
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "reversed"}


def complete_and_release(order):
    order_walk(order, to="completed")
    assert ledger_release_for_order(order.pk)


def sale(client, shop, price, *, released=True):
    """One paid order of `price` (pickup, no shipping) from this shop, completed and released if asked."""
    group = buy(make_user(), make_product(shop=shop, price=price, stock=5).variants.get())
    attempt = pay(client, group)
    order = group.orders.get()
    if released:
        complete_and_release(order)
    return order, attempt


def net(price):
    return price - commission_of(price)


# --- reversals ------------------------------------------------------------------------------------------

def test_reversal_before_release_takes_back_the_pending_money_and_cancels_the_orders(client):
    group = place_checkout(prices=(15000, 250000))
    attempt = pay(client, group, "va", "permata")
    reverse_payment(client, attempt, "deny")
    assert set(group.orders.values_list("status", flat=True)) == {"cancelled"}
    for order in group.orders.all():
        assert shop_balances(shop_id=order.shop_id) == {"pending": 0, "available": 0, "in_transit": 0}
    assert not Posting.objects.filter(account=Account.SHOP_AVAILABLE).exists()  # nothing was clawed back
    commission = Posting.objects.filter(account=Account.COMMISSION).values_list("amount", flat=True)
    assert sum(commission) == 0  # the platform gives its commission back too
    assert ledger_check_invariants() == []


def test_reversal_after_release_claws_back_from_the_available_balance(client):
    shop = make_shop()
    order, attempt = sale(client, shop, 250000)
    assert shop_balances(shop_id=shop.pk)["available"] == net(250000)
    reverse_payment(client, attempt, "deny")
    order.refresh_from_db()
    assert order.status == "completed"  # the goods went; the money did not stay
    assert shop_balances(shop_id=shop.pk) == {"pending": 0, "available": 0, "in_transit": 0}
    journal = Journal.objects.get(source_key__contains=":reversed:")
    assert journal.description == f"Dana ditarik kembali: chargeback pesanan {order.number} Rp247.500"
    # Before this change the mirror of the payment journal left pending at −247.500 and available untouched.
    assert ledger_check_invariants() == []


def test_chargeback_after_a_payout_makes_the_balance_negative_until_a_new_sale(
        client, django_capture_on_commit_callbacks):
    shop = make_shop()
    ShopBankAccount.objects.create(shop=shop, bank="bca", number="1234567890", holder_name="Ani")
    _order, attempt = sale(client, shop, 250000)
    with django_capture_on_commit_callbacks(execute=True):
        payout = payout_request(shop_id=shop.pk, amount=net(250000), actor=shop.owner)
    assert sandbox_payout_finish(payout_id=payout.pk, ok=True) == "paid"

    reverse_payment(client, attempt, "chargeback")
    assert shop_balances(shop_id=shop.pk) == {"pending": 0, "available": -net(250000), "in_transit": 0}
    assert ledger_check_invariants() == []  # negative available is allowed: it is a clawback
    with pytest.raises(PaymentError, match=r"minus Rp247\.500 karena dana ditarik kembali"):
        payout_request(shop_id=shop.pk, amount=10000, actor=shop.owner)

    # The shop and Pemprov finance see why.
    client.force_login(shop.owner)
    page = client.get(balance_url(shop))
    assert 'id="balance-negative"' in page.text and "-Rp247.500" in page.text
    assert re.search(r"Dana ditarik kembali: chargeback pesanan PB\w+ Rp247\.500", page.text)
    refused = client.post(balance_url(shop), {"amount": "10000"})
    assert refused.status_code == 400 and "Pencairan bisa diajukan lagi setelah saldo tersedia positif" in refused.text
    finance = make_user()
    user_grant_role(user=finance, role=roles.VERIFIKATOR)
    client.force_login(finance)
    page = client.get("/keuangan/")
    assert "Dana ditarik kembali: chargeback pesanan" in page.text and f"{shop.name}: saldo tersedia -Rp247.500" \
        in page.text and "Semua invarian terpenuhi" in page.text

    sale(client, shop, 300000)  # a new sale completes: available = 297.000 − 247.500
    assert shop_balances(shop_id=shop.pk)["available"] == net(300000) - net(250000) == 49500
    with django_capture_on_commit_callbacks(execute=True):
        again = payout_request(shop_id=shop.pk, amount=49500, actor=shop.owner)
    assert sandbox_payout_finish(payout_id=again.pk, ok=True) == "paid"
    assert shop_balances(shop_id=shop.pk) == {"pending": 0, "available": 0, "in_transit": 0}
    assert ledger_check_invariants() == []


def test_reversal_after_a_partial_refund_takes_back_only_what_is_left(client, django_capture_on_commit_callbacks):
    shop = make_shop()
    order, attempt = sale(client, shop, 100000, released=False)
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(order_id=order.pk, amount=40000, refund_key="part", reason="Satu barang rusak")
    reverse_payment(client, attempt, "chargeback")
    clearing = Posting.objects.filter(account=Account.CLEARING, journal__source_key__contains=":reversed:")
    assert [p.amount for p in clearing] == [-60000]
    assert shop_balances(shop_id=shop.pk) == {"pending": 0, "available": 0, "in_transit": 0}


def test_the_invariant_check_still_catches_a_negative_balance_no_clawback_explains(client):
    from payments.ledger import Line, ledger_post

    shop = make_shop()
    ledger_post(source_key="bad", description="bad", lines=[Line(Account.SHOP_AVAILABLE, 100, shop.pk),
                                                             Line(Account.BANK, -100)])
    assert ledger_check_invariants() == [f"shop {shop.pk} shop_available is negative (-100)"]
    ledger_post(source_key="fix", description="fix", lines=[Line(Account.SHOP_AVAILABLE, -100, shop.pk),
                                                             Line(Account.BANK, 100)])


# --- wrong amount → suspense → "Kembalikan dana" ---------------------------------------------------------

def test_a_wrong_amount_waits_in_suspense_until_finance_sends_it_back(client, django_capture_on_commit_callbacks):
    group = place_checkout(prices=(75000,))
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="va", channel="bca")
    sandbox_set(attempt.attempt_ref, status="settlement", gross_amount=74000)
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "amount_mismatch"}
    item = SuspenseItem.objects.get()
    assert (item.reason, item.amount, item.expected, item.attempt_ref) == ("amount_mismatch", 74000, 75000,
                                                                           attempt.attempt_ref)
    assert not Refund.objects.exists()  # nothing goes back by itself: a person decides
    suspense = Posting.objects.filter(account=Account.SUSPENSE).values_list("amount", flat=True)
    assert list(suspense) == [-74000]

    # Buyers and shop people cannot see or press it.
    client.force_login(group.buyer)
    assert client.get("/keuangan/").status_code == 404
    assert client.post(f"/keuangan/dana-tertahan/{item.pk}/kembalikan/").status_code == 404
    assert not Refund.objects.exists()

    staff = make_user()
    user_grant_role(user=staff, role=roles.VERIFIKATOR)
    client.force_login(staff)
    page = client.get("/keuangan/")
    assert "Nominal tidak sesuai tagihan" in page.text and "Kembalikan dana" in page.text and "Rp74.000" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/keuangan/dana-tertahan/{item.pk}/kembalikan/")
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.suspense_id, refund.order_id) == (74000, "succeeded", item.pk, None)
    assert SandboxCharge.objects.get().status == "refund"  # through the gateway adapter
    assert sum(Posting.objects.filter(account=Account.SUSPENSE).values_list("amount", flat=True)) == 0
    audit = AuditLog.objects.get(action="payment.suspense_refund")
    assert audit.actor == staff and audit.after["amount"] == 74000
    assert not CreditNote.objects.exists()  # no invoice was issued, so no credit note either

    # A second press refunds nothing more.
    response = client.post(f"/keuangan/dana-tertahan/{item.pk}/kembalikan/", follow=True)
    assert "sudah dikembalikan" in response.text
    assert Refund.objects.count() == 1
    assert "Sudah dikembalikan" in client.get("/keuangan/").text


def test_a_failed_suspense_refund_can_be_tried_again(client, django_capture_on_commit_callbacks):
    from payments.services import suspense_refund

    group = place_checkout(prices=(75000,))
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
    sandbox_set(attempt.attempt_ref, status="settlement", gross_amount=70000)
    notify(client, sandbox_body(attempt.attempt_ref))
    item = SuspenseItem.objects.get()
    staff = make_user(is_staff=True)
    first = suspense_refund(item_id=item.pk, actor=staff)
    Refund.objects.filter(pk=first.pk).update(status="failed")  # the gateway refused it
    with django_capture_on_commit_callbacks(execute=True):
        second = suspense_refund(item_id=item.pk, actor=staff)
    second.refresh_from_db()
    assert second.status == "succeeded" and second.refund_key == f"suspense-{item.pk}-2"


# --- the pro-rata split ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "weights", "parts"), [
    (100, [1, 1, 1], [34, 33, 33]),  # 33⅓ each: the one rupiah left goes to the first on a tie
    (10, [3, 3, 4], [3, 3, 4]),  # exact
    (7, [1, 2], [2, 5]),  # 2⅓ and 4⅔: the larger fraction gets the rupiah
    (1, [15000, 10000], [1, 0]),  # 0.6 and 0.4
    (1, [10000, 15000], [0, 1]),
    (0, [5, 5], [0, 0]),
    (99999, [250000, 18000], [93283, 6716]),  # 93282.8 and 6716.2
    (50000, [1, 0], [50000, 0]),  # a zero weight never gets a rupiah
])
def test_amount_split_is_largest_remainder_and_adds_up_exactly(amount, weights, parts):
    assert amount_split(amount=amount, weights=weights) == parts
    assert sum(parts) == amount


def test_amount_split_refuses_what_cannot_be_split():
    for amount, weights in ((5, [0, 0]), (-1, [1, 1]), (5, [2, -1])):
        with pytest.raises(ValueError):
            amount_split(amount=amount, weights=weights)


# Worked examples, commission 1% of the goods subtotal (the default PAYMENT_COMMISSION_BPS = 100).
# An order of Rp250.000 goods + Rp18.000 shipping = Rp268.000; commission Rp2.500 (on the goods only).
@pytest.mark.parametrize(("before", "amount", "goods", "shipping", "commission"), [
    (0, 268000, 250000, 18000, 2500),  # full refund: exactly the subtotal, the fee and the commission
    (0, 134000, 125000, 9000, 1250),  # half
    (134000, 134000, 125000, 9000, 1250),  # the other half: the two halves give back exactly the whole
    (0, 1, 1, 0, 0),  # one rupiah: goods (0.93), and the shop gives it back (commission 0.0093)
    (0, 99999, 93283, 6716, 933),  # 93282.8 → 93283 goods; commission 932.83 → 933
    (99999, 168001, 156717, 11284, 1567),  # the rest: totals 250000 / 18000 / 2500 again
])
def test_refund_split_worked_examples(before, amount, goods, shipping, commission):
    parts = refund_split(subtotal=250000, shipping_fee=18000, refunded_before=before, amount=amount)
    assert (parts.goods, parts.shipping, parts.commission) == (goods, shipping, commission)
    assert parts.goods + parts.shipping == amount and parts.shop == amount - commission


def test_refunded_shipping_never_returns_commission():
    # Shipping only (no goods): nothing of a commission that was never charged on it comes back.
    parts = refund_split(subtotal=0, shipping_fee=18000, refunded_before=0, amount=18000)
    assert (parts.goods, parts.shipping, parts.commission, parts.shop) == (0, 18000, 0, 18000)
    # Three thirds of an order with an awkward commission add up to it exactly.
    total, cut = 15000 + 9000, commission_of(15000)
    thirds = [refund_split(subtotal=15000, shipping_fee=9000, refunded_before=n * 8000, amount=8000) for n in range(3)]
    assert sum(p.commission for p in thirds) == cut == 150 and sum(p.amount for p in thirds) == total
    assert sum(p.shipping for p in thirds) == 9000
    with pytest.raises(LedgerError):
        refund_split(subtotal=15000, shipping_fee=9000, refunded_before=20000, amount=4001)


def test_partial_refunds_of_a_courier_order_give_back_exactly_its_commission(client,
                                                                              django_capture_on_commit_callbacks):
    buyer = make_user()
    group = buy(buyer, make_product(price=250000, stock=5).variants.get(), method="jne:REG")
    pay(client, group)
    order = group.orders.get()
    assert order.shipping_fee > 0
    order_transition(order_id=order.pk, to_status=Order.Status.CANCELLED, actor=order.shop.owner,
                     note="Stok habis")
    third = order.total // 3
    with django_capture_on_commit_callbacks(execute=True):
        for n, amount in enumerate([third, third, order.total - 2 * third]):
            refund_request(order_id=order.pk, amount=amount, refund_key=f"part-{n}", reason="Sebagian")
    commission = Posting.objects.filter(account=Account.COMMISSION, order=order).values_list("amount", flat=True)
    assert sum(commission) == 0  # charged 2.500, given back 2.500 over three refunds, not a rupiah more or less
    assert shop_balances(shop_id=order.shop_id) == {"pending": 0, "available": 0, "in_transit": 0}
    notes = list(CreditNote.objects.filter(order=order))
    assert sum(n.shipping_amount for n in notes) == order.shipping_fee
    assert sum(n.goods_amount for n in notes) == order.subtotal


# --- credit notes ---------------------------------------------------------------------------------------

def test_every_refund_gets_a_credit_note_in_the_shops_own_series_with_a_pdf_for_both_sides(
        client, django_capture_on_commit_callbacks):
    shop = make_shop()
    order, _attempt = sale(client, shop, 250000, released=False)
    other, _ = sale(client, shop, 50000, released=False)
    order_transition(order_id=order.pk, to_status=Order.Status.CANCELLED, actor=order.shop.owner,
                     note="Stok habis")
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(order_id=order.pk, amount=100000, refund_key="p1", reason="Sebagian")
        refund_request(order_id=order.pk, reason="Sisanya")
    failing = Refund.objects.create(payment=other.group.payment, order=other, amount=50000, refund_key="x",
                                    reason="x", status="failed")
    month = timezone.localdate().strftime("%Y/%m")
    notes = list(CreditNote.objects.order_by("pk"))
    assert [n.number for n in notes] == [f"CN/T{shop.pk:06d}/{month}/000001", f"CN/T{shop.pk:06d}/{month}/000002"]
    assert [n.amount for n in notes] == [100000, 150000]
    assert not CreditNote.objects.filter(refund=failing).exists()  # numbered only when the refund succeeds

    for person, page in ((order.buyer, f"/pesanan/{order.number}/"),
                         (shop.owner, f"/penjual/{order.shop_id}/pesanan/{order.number}/")):
        client.force_login(person)
        html = client.get(page).text
        assert notes[0].number in html and notes[1].number in html
        pdf = client.get(f"/nota-kredit/{notes[0].pk}.pdf")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 1000
    client.force_login(make_user())
    assert client.get(f"/nota-kredit/{notes[0].pk}.pdf").status_code == 404
    client.force_login(other.buyer)
    assert client.get(f"/nota-kredit/{notes[0].pk}.pdf").status_code == 404


def test_the_invoice_and_credit_note_share_one_pdf_layout(client, django_capture_on_commit_callbacks):
    from orders.invoice import invoice_pdf
    from payments.documents import credit_note_pdf

    shop = make_shop()
    order, _ = sale(client, shop, 120000, released=False)
    order_transition(order_id=order.pk, to_status=Order.Status.CANCELLED, actor=order.shop.owner,
                     note="Stok habis")
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(order_id=order.pk, reason="Dibatalkan")
    note = CreditNote.objects.get()
    assert credit_note_pdf(note).startswith(b"%PDF") and invoice_pdf(order).startswith(b"%PDF")
    assert (note.goods_amount, note.shipping_amount) == (120000, 0)
