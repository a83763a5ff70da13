"""Taxes end to end: what a government invoice says and how its money is posted, PPh 22 on consumer sales, the
deposit of a month with its NTPN, the monthly report, the seller's bukti potong and tax documents. Every amount
was worked out by hand (see the comments), never by calling payments/tax.py."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from payments.ledger import shop_balances, tax_payable
from payments.models import Account, CreditNote, OrderTax, Posting, TaxDeposit
from payments.selectors import tax_ledger_totals, tax_rows, tax_totals
from payments.services import TaxError, order_tax_record, refund_request, tax_deposit_record
from payments.tax import TaxSplit, tax_rates_on
from procurement.models import Paket, PaketDocument
from tests.factories import make_product, make_user
from tests.procurement.helpers import Team
from tests.vendors.helpers import make_verifikator, upload
from vendors import services as vendor_services
from vendors.models import ShopTaxDeclaration

from .taxes import paid_consumer_checkout, pay_paket, taxed_shop
from .test_invoice_paid import pdf_text

pytestmark = pytest.mark.django_db
S = Paket.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def government_sale(client, *, pkp: bool, price=333_000, quantity=4, npwp="012345678901234"):
    shop = taxed_shop(pkp=pkp, name="Sinar Banten" if pkp else "Kerajinan Baduy", npwp=npwp)
    team = Team(price=price, shop=shop)
    paket = team.walk(team.paket(quantity=quantity), S.MENUNGGU_PEMBAYARAN)
    return team, paket


def test_a_pkp_sellers_government_invoice_splits_the_price_and_the_payout_is_net_of_fee_and_taxes(client, clock):
    clock.set(2026, 5, 12)
    team, paket = government_sale(client, pkp=True)
    # 4 × 333.000 = 1.332.000 incl. PPN; PPN = 1.332.000 × 11/111 = 132.000; DPP 1.200.000; DPP nilai lain
    # 11/12 × 1.200.000 = 1.100.000; PPh 22 0,5% × 1.200.000 = 6.000
    tax = OrderTax.objects.get(order=paket.order)
    assert (tax.gross, tax.dpp, tax.dpp_nilai_lain, tax.ppn, tax.pph22) == (1_332_000, 1_200_000, 1_100_000,
                                                                              132_000, 6_000)
    assert tax.rates["ppn_rate"] == "3/25" and tax.rates_on.isoformat() == "2026-05-12"
    invoice = paket.documents.get(kind=PaketDocument.Kind.INVOICE)
    text = pdf_text(invoice.file.read())
    for expected in ("NPWP: 012345678901234", "CV Sinar Banten", "NPWP bendahara: 013000666091000",
                     "NPWP 0013000000000000", "Rp1.200.000", "Rp1.100.000", "PPN 12% x DPP nilai lain",
                     "Rp132.000", "PPh Pasal 22 0,5% x DPP", "Rp6.000", "Rp1.332.000", "Faktur Pajak",
                     "PMK 58/PMK.03/2022"):
        assert expected in text, expected
    assert invoice.amount == paket.order.total == 1_332_000
    pay_paket(client, team, paket)
    # the shop: 1.332.000 − 1% fee 13.320 − PPN 132.000 − PPh 22 6.000 = 1.180.680
    assert shop_balances(shop_id=team.shop.pk)["pending"] == 1_180_680
    from datetime import date

    assert tax_payable(tax="ppn", period=date(2026, 5, 1)) == 132_000
    assert tax_payable(tax="pph22", period=date(2026, 5, 1)) == 6_000


def test_a_non_pkp_sellers_invoice_never_carries_ppn(client, clock):
    clock.set(2026, 5, 12)
    team, paket = government_sale(client, pkp=False, price=150_000)
    tax = OrderTax.objects.get(order=paket.order)
    # 600.000, no PPN; PPh 22 0,5% = 3.000
    assert (tax.dpp, tax.ppn, tax.pph22) == (600_000, 0, 3_000)
    text = pdf_text(paket.documents.get(kind=PaketDocument.Kind.INVOICE).file.read())
    assert "PPN: penyedia bukan PKP, tidak dipungut" in text and "tidak dipungut PPN" in text
    assert "PPN 12%" not in text
    # An invoice with PPN for this seller is refused by the service and, underneath it, by the database.
    with pytest.raises(TaxError, match="bukan PKP"):
        order_tax_record(order=paket.order, kind="government", split=TaxSplit(
            gross=600_000, dpp=540_541, dpp_nilai_lain=495_496, ppn=59_459, pph22=2_703),
            rates=tax_rates_on(tax.rates_on), rates_on=tax.rates_on, invoice_number="X", buyer_name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderTax.objects.filter(pk=tax.pk).update(ppn=59_459, dpp=540_541)
    assert OrderTax.objects.get(pk=tax.pk).ppn == 0


def test_consumer_sales_withhold_pph22_unless_the_turnover_statement_was_accepted(client, clock):
    clock.set(2026, 5, 12)
    withheld = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    exempt = taxed_shop(pkp=False, statement=True, name="Sate Bandeng", npwp="034567890123456")
    variants = [make_product(shop=withheld, price=250_000).variants.get(),
                make_product(shop=exempt, price=15_000).variants.get()]
    group = paid_consumer_checkout(client, variants=variants, key="c1")
    taxes = {tax.shop_id: tax for tax in OrderTax.objects.filter(order__group=group)}
    assert (taxes[withheld.pk].pph22, taxes[withheld.pk].ppn) == (1_250, 0)  # 0,5% × 250.000
    assert taxes[exempt.pk].pph22 == 0 and taxes[exempt.pk].statement_filed
    # 250.000 − 1% 2.500 − PPh 22 1.250 = 246.250; the other: 15.000 − 150
    assert shop_balances(shop_id=withheld.pk)["pending"] == 246_250
    assert shop_balances(shop_id=exempt.pk)["pending"] == 14_850
    client.force_login(withheld.owner)
    page = client.get(f"/penjual/{withheld.pk}/saldo/").content.decode()
    assert "PPh 22 dipotong Rp1.250" in page and "bukti potong" in page
    slip = client.get(f"/penjual/{withheld.pk}/pajak/bukti-potong/{taxes[withheld.pk].pk}.pdf")
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    text = pdf_text(slip.content)
    assert "BUKTI PEMUNGUTAN PPh PASAL 22" in text and "Rp1.250" in text and "023456789012345" in text
    assert "Masa pajak: 05/2026" in text and "PMK 37 Tahun 2025" in text
    # no PPh 22 withheld, no slip; another shop's slip does not exist for this seller
    assert client.get(f"/penjual/{exempt.pk}/pajak/bukti-potong/{taxes[exempt.pk].pk}.pdf").status_code == 404
    client.force_login(exempt.owner)
    assert client.get(f"/penjual/{exempt.pk}/pajak/bukti-potong/{taxes[withheld.pk].pk}.pdf").status_code == 404


def test_a_months_deposit_moves_its_payable_to_zero_once(client, clock):
    from datetime import date

    clock.set(2026, 3, 10)
    shop = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    paid_consumer_checkout(client, variants=[make_product(shop=shop, price=250_000).variants.get()], key="d1")
    staff = make_verifikator()
    march = date(2026, 3, 1)
    with pytest.raises(TaxError, match="belum berakhir"):
        tax_deposit_record(period=march, tax="pph22", ntpn="A1B2C3D4E5F6G7H8", deposited_on=date(2026, 3, 31),
                           actor=staff)
    clock.set(2026, 4, 10)
    with pytest.raises(PermissionDenied):
        tax_deposit_record(period=march, tax="pph22", ntpn="A1B2C3D4E5F6G7H8", deposited_on=date(2026, 4, 10),
                           actor=shop.owner)
    with pytest.raises(TaxError, match="16 huruf"):
        tax_deposit_record(period=march, tax="pph22", ntpn="123", deposited_on=date(2026, 4, 10), actor=staff)
    with pytest.raises(TaxError, match="Tidak ada PPN terutang"):
        tax_deposit_record(period=march, tax="ppn", ntpn="A1B2C3D4E5F6G7H9", deposited_on=date(2026, 4, 10),
                           actor=staff)
    client.force_login(staff)
    form = {"period": "2026-03", "tax": "pph22", "ntpn": "a1b2c3d4e5f6g7h8", "deposited_on": "2026-04-10"}
    assert client.post("/keuangan/pajak/", form).status_code == 302
    deposit = TaxDeposit.objects.get()
    assert (deposit.amount, deposit.ntpn, deposit.period) == (1_250, "A1B2C3D4E5F6G7H8", march)
    assert tax_payable(tax="pph22", period=march) == 0
    assert Posting.objects.filter(account=Account.BANK, journal__source_key="tax-deposit:pph22:2026-03",
                                  amount=-1_250).exists()
    second = client.post("/keuangan/pajak/", {**form, "ntpn": "Z1B2C3D4E5F6G7H8"})
    assert second.status_code == 409 and "sudah disetor" in second.content.decode()
    assert TaxDeposit.objects.count() == 1
    assert client.post("/keuangan/pajak/", {**form, "period": "2026-13"}).status_code == 422
    page = client.get("/keuangan/pajak/?bulan=2026-03").content.decode()
    assert "A1B2C3D4E5F6G7H8" in page and 'id="provisional"' not in page


def test_the_monthly_report_totals_equal_the_ledger_and_a_running_month_is_provisional(client, clock):
    from openpyxl import load_workbook

    clock.set(2026, 5, 12)
    team, paket = government_sale(client, pkp=True)
    pay_paket(client, team, paket)
    shop = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    paid_consumer_checkout(client, variants=[make_product(shop=shop, price=250_000).variants.get()], key="r1")
    staff = make_verifikator()
    client.force_login(staff)
    response = client.get("/keuangan/pajak/2026-05.csv")
    assert response.status_code == 200 and "sementara" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body, total = lines[0], lines[1:-1], lines[-1]
    assert header[3:5] == ["NPWP penjual", "Nama penjual"] and header[9:13] == ["DPP", "DPP nilai lain", "PPN",
                                                                                 "PPh 22"]
    assert {row[3] for row in body} == {"012345678901234", "023456789012345"}
    # PPN 132.000 (the government sale); PPh 22 6.000 + 1.250; DPP 1.200.000 + 250.000
    assert total[9:13] == ["1450000", "1100000", "132000", "7250"] and total[13] == "sementara"
    from datetime import date

    assert tax_ledger_totals(period=date(2026, 5, 1)) == {"ppn": 132_000, "pph22": 7_250}
    sheet = load_workbook(io.BytesIO(client.get("/keuangan/pajak/2026-05.xlsx").content)).active
    assert "SEMENTARA" in sheet["A1"].value
    assert [cell.value for cell in sheet[sheet.max_row]][9:13] == [1_450_000, 1_100_000, 132_000, 7_250]
    page = client.get("/keuangan/pajak/?bulan=2026-05").content.decode()
    assert 'id="provisional"' in page and "Sama dengan jumlah laporan." in page
    clock.set(2026, 6, 2)
    client.force_login(staff)  # the session of May has expired by June
    assert "sementara" not in client.get("/keuangan/pajak/2026-05.csv")["Content-Disposition"]
    assert client.get("/keuangan/pajak/?bulan=bulan-lalu").status_code == 400
    client.force_login(make_user())
    assert client.get("/keuangan/pajak/").status_code == 404
    assert client.get("/keuangan/pajak/2026-05.csv").status_code == 404


def test_a_refund_gives_back_its_share_of_the_taxes_in_the_month_it_is_made(client, clock,
                                                                              django_capture_on_commit_callbacks):
    from datetime import date

    clock.set(2026, 5, 12)
    team, paket = government_sale(client, pkp=True)
    pay_paket(client, team, paket)
    clock.set(2026, 6, 3)
    with django_capture_on_commit_callbacks(execute=True):
        refund_request(order_id=paket.order_id, amount=333_000, refund_key="satu-rusak",
                       reason="Satu unit rusak")
    note = CreditNote.objects.get()
    # one unit of four: PPN 132.000/4 = 33.000, PPh 22 6.000/4 = 1.500, DPP 1.200.000/4 = 300.000
    assert (note.dpp, note.ppn, note.pph22) == (300_000, 33_000, 1_500)
    assert tax_payable(tax="ppn", period=date(2026, 5, 1)) == 132_000  # May stays as filed
    assert tax_payable(tax="ppn", period=date(2026, 6, 1)) == -33_000  # June: the nota retur
    rows = tax_rows(period=date(2026, 6, 1))
    assert [(row.kind, row.dpp, row.ppn, row.pph22) for row in rows] == [("refund", -300_000, -33_000, -1_500)]
    assert tax_totals(rows)["pph22"] == -1_500


def test_pkp_status_changes_only_through_a_verified_sppkp_and_old_invoices_keep_their_taxes(client, clock):
    clock.set(2026, 5, 12)
    team, first = government_sale(client, pkp=False, price=111_000, quantity=1)
    shop = team.shop
    with pytest.raises(ValidationError):
        vendor_services.shop_tax_declare(shop=shop, actor=shop.owner, kind="omzet", year=2020,
                                         upload=upload(PDF, "application/pdf", "pdf"))
    declaration = vendor_services.shop_tax_declare(shop=shop, actor=shop.owner, kind="pkp",
                                                   upload=upload(PDF, "application/pdf", "pdf", "sppkp"))
    shop.refresh_from_db()
    assert not shop.is_pkp  # waits for the verifikator
    verifikator = make_verifikator()
    client.force_login(shop.owner)
    assert client.get("/verifikasi/pajak-penjual/").status_code == 403
    assert client.get(f"/verifikasi/pajak-penjual/{declaration.pk}/berkas/").status_code == 200
    client.force_login(make_user())
    assert client.get(f"/verifikasi/pajak-penjual/{declaration.pk}/berkas/").status_code == 404
    client.force_login(verifikator)
    assert "sppkp.pdf" in client.get("/verifikasi/pajak-penjual/").content.decode()
    refused = client.post(f"/verifikasi/pajak-penjual/{declaration.pk}/tolak/", {"reason": " "})
    assert refused.status_code == 422
    assert client.post(f"/verifikasi/pajak-penjual/{declaration.pk}/setujui/").status_code == 302
    shop.refresh_from_db()
    assert shop.is_pkp
    assert client.post(f"/verifikasi/pajak-penjual/{declaration.pk}/setujui/").status_code == 409
    second = team.walk(team.paket(quantity=1, kode_rup="56082745"), S.MENUNGGU_PEMBAYARAN)
    # 111.000 incl. PPN: PPN 11.000, DPP 100.000, PPh 22 500; the first invoice (before PKP) keeps no PPN
    assert (second.order.tax.ppn, second.order.tax.dpp, second.order.tax.pph22) == (11_000, 100_000, 500)
    first.order.tax.refresh_from_db()
    assert (first.order.tax.ppn, first.order.tax.pph22) == (0, 555)  # 0,5% × 111.000 = 555
    assert ShopTaxDeclaration.objects.get().status == ShopTaxDeclaration.Status.APPROVED


def test_the_seller_files_a_turnover_statement_from_its_tax_page(client, clock):
    clock.set(2026, 5, 12)
    shop = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    client.force_login(shop.owner)
    page = client.get(f"/penjual/{shop.pk}/pajak/")
    assert page.status_code == 200 and "PPh 22 0,5% dipotong" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(f"/penjual/{shop.pk}/pajak/dokumen/", {"kind": "omzet", "file": SimpleUploadedFile(
        "omzet.pdf", PDF, "application/pdf")})
    assert bad.status_code == 303 and not ShopTaxDeclaration.objects.filter(shop=shop).exists()  # no year
    ok = client.post(f"/penjual/{shop.pk}/pajak/dokumen/", {"kind": "omzet", "year": "2026", "file": SimpleUploadedFile(
        "omzet.pdf", PDF, "application/pdf")})
    assert ok.status_code == 302
    declaration = ShopTaxDeclaration.objects.get(shop=shop)
    vendor_services.shop_tax_declaration_decide(declaration_id=declaration.pk, actor=make_verifikator(),
                                                approve=True)
    paid_consumer_checkout(client, variants=[make_product(shop=shop, price=250_000).variants.get()], key="o1")
    assert OrderTax.objects.get(shop=shop).pph22 == 0
    assert "Surat pernyataan omzet 2026 diterima" in client.get(f"/penjual/{shop.pk}/pajak/").content.decode()


def test_a_pkp_registers_with_its_sppkp_checked_with_the_other_documents(client):
    from tests.vendors.helpers import make_complete_draft
    from vendors.models import Shop

    shop = make_complete_draft(name="Sinar Banten")
    Shop.objects.filter(pk=shop.pk).update(is_pkp=True)  # declared PKP in the identity step
    shop.refresh_from_db()
    assert vendor_services.shop_missing_steps(shop=shop) == ["documents"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(shop.owner)
    page = client.get(f"/penjual/{shop.pk}/documents/").content.decode()
    assert "SPPKP" in page
    client.post(f"/penjual/{shop.pk}/documents/", {"doc_sppkp": SimpleUploadedFile("sppkp.pdf", PDF,
                                                                                   "application/pdf")})
    declaration = ShopTaxDeclaration.objects.get(shop=shop)
    assert declaration.kind == "pkp" and declaration.status == "pending"
    assert vendor_services.shop_missing_steps(shop=shop) == []
    vendor_services.shop_submit(shop=shop, actor=shop.owner)
    verifikator = make_verifikator()
    client.force_login(verifikator)
    assert f"/verifikasi/pajak-penjual/{declaration.pk}/berkas/" in client.get(
        f"/verifikasi/{shop.pk}/").content.decode()
    vendor_services.shop_verify(shop=shop, actor=verifikator)
    declaration.refresh_from_db()
    assert declaration.status == "approved" and declaration.decided_by == verifikator


@pytest.mark.django_db(transaction=True)
def test_two_clerks_recording_the_same_months_deposit_at_once_record_it_once(clock):
    import threading
    from datetime import date

    from django.db import connections
    from django.test import Client

    from payments.ledger import ledger_check_invariants

    clock.set(2026, 3, 10)
    shop = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    paid_consumer_checkout(Client(), variants=[make_product(shop=shop, price=250_000).variants.get()], key="t1")
    clock.set(2026, 4, 10)
    staff = make_verifikator()
    barrier, outcomes = threading.Barrier(4), []

    def deposit(n):
        barrier.wait()
        try:
            tax_deposit_record(period=date(2026, 3, 1), tax="pph22", ntpn=f"NTPN00000000000{n}",
                               deposited_on=date(2026, 4, 10), actor=staff)
            outcomes.append("ok")
        except TaxError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deposit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert TaxDeposit.objects.get().amount == 1_250
    assert tax_payable(tax="pph22", period=date(2026, 3, 1)) == 0
    assert ledger_check_invariants() == []


def test_a_chargeback_gives_the_withheld_tax_back_in_its_month(client, clock):
    from datetime import date

    from .test_money_back import reverse_payment

    clock.set(2026, 5, 12)
    shop = taxed_shop(pkp=False, name="Emping Menes", npwp="023456789012345")
    group = paid_consumer_checkout(client, variants=[make_product(shop=shop, price=250_000).variants.get()],
                                   key="cb")
    clock.set(2026, 6, 3)
    reverse_payment(client, group.payment.attempts.get(), "chargeback")
    assert tax_payable(tax="pph22", period=date(2026, 5, 1)) == 1_250  # May as it was filed
    assert tax_payable(tax="pph22", period=date(2026, 6, 1)) == -1_250  # undone in June
    assert [(row.kind, row.dpp, row.pph22) for row in tax_rows(period=date(2026, 6, 1))] == [
        ("reversal", -250_000, -1_250)]
    assert shop_balances(shop_id=shop.pk)["pending"] == 0
