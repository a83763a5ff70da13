"""Payments (ARCHITECTURE §7): one Payment per checkout, its gateway attempts, an append-only event log, the
raw webhook inbox, refunds, a double-entry ledger and payouts. Money is integer rupiah throughout."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu pembayaran")
        PAID = "paid", _("Lunas")
        PARTIALLY_REFUNDED = "partially_refunded", _("Dikembalikan sebagian")
        REFUNDED = "refunded", _("Dikembalikan")
        FAILED = "failed", _("Gagal")
        EXPIRED = "expired", _("Kedaluwarsa")
        CANCELLED = "cancelled", _("Dibatalkan")
        REVERSED = "reversed", _("Dibatalkan bank")

    group = models.OneToOneField("orders.CheckoutGroup", on_delete=models.PROTECT, related_name="payment")
    amount = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    paid_amount = models.BigIntegerField(default=0)
    refunded_total = models.BigIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_attempt_ref = models.CharField(max_length=50, blank=True)  # which charge the money came through
    paid_ref = models.CharField(max_length=100, blank=True)  # the gateway's id of the money movement
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=models.Q(refunded_total__gte=0, paid_amount__gte=0)
                                   & models.Q(refunded_total__lte=models.F("paid_amount")),
                                   name="payment_refunds_within_paid"),
        ]

    def __str__(self):
        return f"payment {self.pk} ({self.status})"


class PaymentAttempt(models.Model):
    """One charge at the gateway; a buyer who switches method gets a new attempt (Midtrans order_id is single-use)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="attempts")
    attempt_ref = models.CharField(max_length=50, unique=True)
    provider = models.CharField(max_length=20)
    method = models.CharField(max_length=10)
    channel = models.CharField(max_length=20, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)
    qr_string = models.TextField(blank=True)
    va_number = models.CharField(max_length=40, blank=True)
    redirect_url = models.URLField(max_length=500, blank=True)
    # A card charge keeps the last four digits the gateway showed, never the number nor the token.
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.attempt_ref


class PaymentEvent(models.Model):
    """Append-only (a database trigger refuses UPDATE and DELETE); unique per provider event."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    provider = models.CharField(max_length=20)
    dedupe_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    amount = models.BigIntegerField(null=True)
    note = models.CharField(max_length=300, blank=True)
    raw = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["provider", "dedupe_key"], name="paymentevent_dedupe")]

    def __str__(self):
        return f"{self.payment_id}: {self.kind} {self.from_status} → {self.to_status}"


class WebhookInbox(models.Model):
    """Every notification as it arrived, stored before anything else is done with it."""

    provider = models.CharField(max_length=20)
    headers = models.JSONField(default=dict)
    raw_body = models.TextField()
    remote_ip = models.GenericIPAddressField(null=True)
    received_at = models.DateTimeField(auto_now_add=True)
    signature_valid = models.BooleanField(null=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    processed_at = models.DateTimeField(null=True)
    result = models.CharField(max_length=30, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "dedupe_key"],
                                               condition=models.Q(processed_at__isnull=False),
                                               name="webhookinbox_processed_once")]

    def __str__(self):
        return f"{self.provider} webhook {self.pk}"


class Refund(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Diproses")
        SUCCEEDED = "succeeded", _("Berhasil")
        FAILED = "failed", _("Gagal")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Money in suspense going back (no order): which charge it came through is on the suspense item.
    suspense = models.ForeignKey("SuspenseItem", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="refunds")
    amount = models.BigIntegerField()
    refund_key = models.CharField(max_length=80, unique=True)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    provider_ref = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return self.refund_key


class SuspenseItem(models.Model):
    """Money that arrived but belongs to no order: paid after the checkout expired (refunded at once) or with
    the wrong amount (waits for finance staff to press "Kembalikan dana" at /keuangan/). Its ledger journal
    credits the suspense account; the refund debits it back."""

    class Reason(models.TextChoices):
        LATE = "late_payment", _("Dibayar setelah batas waktu")
        AMOUNT_MISMATCH = "amount_mismatch", _("Nominal tidak sesuai tagihan")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="suspense_items")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    amount = models.BigIntegerField()
    expected = models.BigIntegerField()
    attempt_ref = models.CharField(max_length=50)  # the charge the money came through
    paid_ref = models.CharField(max_length=100, blank=True)  # the gateway's id of that money movement
    source_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="suspenseitem_amount_positive")]

    def __str__(self):
        return self.source_key


class CreditNote(models.Model):
    """The document for one succeeded refund of an order: CN/<shop code>/YYYY/MM/000001, the shop's own gapless
    series (orders.numbers.document_number_next), with the refund split into goods and shipping."""

    number = models.CharField(max_length=32, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, related_name="credit_note")
    amount = models.BigIntegerField()
    goods_amount = models.BigIntegerField()
    shipping_amount = models.BigIntegerField()
    # The taxes this refund undoes (payments.ledger.refund_split): the nota retur's figures for the tax report.
    dpp = models.BigIntegerField(default=0)
    ppn = models.BigIntegerField(default=0)
    pph22 = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(
            condition=models.Q(amount__gt=0, amount=models.F("goods_amount") + models.F("shipping_amount")),
            name="creditnote_amount_is_goods_plus_shipping")]

    def __str__(self):
        return self.number


class Account(models.TextChoices):
    CLEARING = "gateway_clearing", _("Dana di gateway")
    BANK = "bank", _("Rekening platform")
    COMMISSION = "commission", _("Pendapatan komisi")
    SHOP_PENDING = "shop_pending", _("Saldo tertahan toko")
    SHOP_AVAILABLE = "shop_available", _("Saldo tersedia toko")
    PAYOUT_IN_TRANSIT = "payout_in_transit", _("Pencairan dalam proses")
    SUSPENSE = "suspense", _("Dana belum teralokasi")
    TAX_PPN = "tax_ppn", _("PPN dipungut (utang pajak)")
    TAX_PPH22 = "tax_pph22", _("PPh 22 dipungut (utang pajak)")


SHOP_ACCOUNTS = {Account.SHOP_PENDING, Account.SHOP_AVAILABLE, Account.PAYOUT_IN_TRANSIT}
# Credit-normal, one balance per tax period (Posting.tax_period): what the platform owes the state for a month.
TAX_ACCOUNTS = {Account.TAX_PPN, Account.TAX_PPH22}
TAX_VALUES = sorted(a.value for a in TAX_ACCOUNTS)


class Journal(models.Model):
    """One money movement; its postings sum to zero. `source_key` makes every movement happen once."""

    source_key = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=200)
    payment = models.ForeignKey(Payment, null=True, on_delete=models.PROTECT, related_name="journals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.source_key


class Posting(models.Model):
    """A ledger line: positive = debit, negative = credit. Append-only (database trigger)."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="postings")
    account = models.CharField(max_length=20, choices=Account.choices)
    shop = models.ForeignKey("vendors.Shop", null=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.Order", null=True, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    tax_period = models.DateField(null=True)  # the month (its first day) of a tax account's posting

    class Meta:
        indexes = [models.Index(fields=["account", "shop"]),
                   models.Index(fields=["account", "tax_period"], condition=models.Q(tax_period__isnull=False),
                                name="posting_tax_period")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="posting_amount_nonzero"),
            models.CheckConstraint(condition=models.Q(shop__isnull=True) | models.Q(
                account__in=sorted(a.value for a in SHOP_ACCOUNTS)), name="posting_shop_only_on_shop_accounts"),
            models.CheckConstraint(condition=(models.Q(tax_period__isnull=True) & ~models.Q(account__in=TAX_VALUES))
                                   | (models.Q(tax_period__isnull=False) & models.Q(account__in=TAX_VALUES)),
                                   name="posting_tax_period_only_on_tax_accounts"),
        ]

    def __str__(self):
        return f"{self.account} {self.amount}"


class OrderTax(models.Model):
    """The taxes of one order, fixed once (payments/tax.py) with the rates and the parties as they were: for a
    government package when its invoice is issued, for a consumer order when it is paid. Never recomputed; the
    ledger posts these figures to the tax accounts of the month the money arrives."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Pengadaan pemerintah (PMK 58/2022)")
        CONSUMER = "consumer", _("Penjualan konsumen (PMK 37/2025)")

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="tax")
    shop = models.ForeignKey("vendors.Shop", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    invoice_number = models.CharField(max_length=60)
    rates_on = models.DateField()  # the date whose rates were used (the invoice's date)
    rates = models.JSONField()  # payments.tax.TaxRates.as_record()
    gross = models.BigIntegerField()
    dpp = models.BigIntegerField()
    dpp_nilai_lain = models.BigIntegerField(default=0)
    ppn = models.BigIntegerField(default=0)
    pph22 = models.BigIntegerField(default=0)
    seller_name = models.CharField(max_length=150)
    seller_npwp = models.CharField(max_length=16, blank=True)
    seller_is_pkp = models.BooleanField()
    statement_filed = models.BooleanField(default=False)  # consumer: turnover statement accepted, no PPh 22
    buyer_name = models.CharField(max_length=150)
    buyer_npwp = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(dpp__gte=0, ppn__gte=0, pph22__gte=0, dpp_nilai_lain__gte=0),
                                   name="ordertax_nonnegative"),
            # A non-PKP seller's invoice never carries PPN (PMK 58/2022 charges PPN only on a PKP's delivery).
            models.CheckConstraint(condition=models.Q(ppn=0) | models.Q(seller_is_pkp=True),
                                   name="ordertax_no_ppn_without_pkp"),
            models.CheckConstraint(condition=~models.Q(kind="government") | models.Q(
                gross=models.F("dpp") + models.F("ppn")), name="ordertax_government_parts_add_up"),
        ]

    def __str__(self):
        return f"{self.invoice_number}: PPN {self.ppn}, PPh 22 {self.pph22}"

    @property
    def bukti_potong_number(self) -> str:
        return f"BPPU/{self.pk:08d}"  # one platform-wide series (the pk: unique, not gapless)


class TaxDeposit(models.Model):
    """One tax of one period paid in to the state (setoran), with its NTPN; once per tax and period."""

    class Tax(models.TextChoices):
        PPN = "ppn", _("PPN")
        PPH22 = "pph22", _("PPh 22")

    period = models.DateField()
    tax = models.CharField(max_length=6, choices=Tax.choices)
    ntpn = models.CharField(_("NTPN"), max_length=16, unique=True)
    amount = models.BigIntegerField()
    deposited_on = models.DateField(_("tanggal setor"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "tax"]
        constraints = [
            models.UniqueConstraint(fields=["period", "tax"], name="taxdeposit_once_per_period"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="taxdeposit_amount_positive"),
        ]

    def __str__(self):
        return f"{self.tax} {self.period:%Y-%m} NTPN {self.ntpn}"


class Payout(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Diajukan")
        PROCESSING = "processing", _("Diproses bank")
        PAID = "paid", _("Terkirim")
        FAILED = "failed", _("Gagal, saldo dikembalikan")

    shop = models.ForeignKey("vendors.Shop", on_delete=models.PROTECT, related_name="payouts")
    amount = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    bank = models.CharField(max_length=20)
    account_number = models.CharField(max_length=30)
    account_name = models.CharField(max_length=100)
    provider_ref = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    # None: the system paid the shop out by itself (a government package's money, payout_for_order).
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # The order whose released money this payout carries, when the system made it (one payout per order).
    order = models.OneToOneField("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive")]

    def __str__(self):
        return f"payout {self.pk} {self.status}"


class SandboxCharge(models.Model):
    """The sandbox gateway's own state (it answers the Midtrans API shapes from these rows)."""

    attempt_ref = models.CharField(max_length=50, unique=True)
    transaction_id = models.UUIDField(default=uuid.uuid4, unique=True)
    payment_type = models.CharField(max_length=20)
    bank = models.CharField(max_length=20, blank=True)
    gross_amount = models.BigIntegerField()
    status = models.CharField(max_length=20, default="pending")
    qr_string = models.TextField(blank=True)
    va_number = models.CharField(max_length=40, blank=True)
    card = models.CharField(max_length=11, blank=True)  # the masked test card, "481111-1114"
    callback_url = models.CharField(max_length=300, blank=True)  # back to the shop after 3-D Secure
    refunds = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    status_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.attempt_ref


class SandboxPayout(models.Model):
    reference = models.CharField(max_length=80, unique=True)
    amount = models.BigIntegerField()
    status = models.CharField(max_length=12, default="queued")
    account_number = models.CharField(max_length=30)

    def __str__(self):
        return self.reference
