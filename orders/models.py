from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CartLine(models.Model):
    """A signed-in buyer's cart line; guests keep theirs in the session until they log in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    # The unit price the buyer last saw (when adding, or in the cart); null for lines saved before it was kept.
    seen_price = models.BigIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "variant"], name="cartline_user_variant_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cartline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.variant_id}"


class ShopShipping(models.Model):
    """How a shop delivers: pickup, its own courier (flat fee per destination kab/kota) and courier services."""

    shop = models.OneToOneField("vendors.Shop", on_delete=models.CASCADE, related_name="shipping")
    pickup = models.BooleanField(_("ambil di toko"), default=True)
    own_courier_fees = models.JSONField(_("ongkir kurir toko per kab/kota"), default=dict, blank=True,
                                        help_text=_('{"36.74": 10000} — kab/kota yang dilayani dan tarifnya'))
    couriers = models.JSONField(_("jasa kirim"), default=list, blank=True)

    def __str__(self):
        return f"shipping of shop {self.shop_id}"


class CourierRate(models.Model):
    """The rate table the default courier adapter reads: price per started kilogram, by zone."""

    class Zone(models.IntegerChoices):
        SAME_KABKOTA = 1, _("Dalam kota/kabupaten")
        SAME_PROVINCE = 2, _("Dalam provinsi")
        JAVA_BALI = 3, _("Jawa-Bali")
        NATIONAL = 4, _("Luar Jawa-Bali")

    courier = models.CharField(max_length=10)
    service = models.CharField(max_length=20)
    zone = models.PositiveSmallIntegerField(choices=Zone.choices)
    price_per_kg = models.BigIntegerField()
    etd_min_days = models.PositiveSmallIntegerField()
    etd_max_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["courier", "service", "zone"], name="courierrate_unique"),
        ]

    def __str__(self):
        return f"{self.courier} {self.service} zone {self.zone}"


class CheckoutGroup(models.Model):
    """One checkout: the buyer's orders from several shops, paid together."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts")
    idempotency_key = models.CharField(max_length=64)
    address = models.JSONField()  # snapshot: recipient, phone, street, region names and codes, postal code
    total = models.BigIntegerField()
    payment_deadline = models.DateTimeField()
    # How the money came ("QRIS", "Virtual account BCA", "GoPay"), for the invoices; written by the payments app
    # through orders.services.checkout_paid_via_record when the payment lands (orders never import payments).
    paid_via = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["buyer", "idempotency_key"], name="checkout_buyer_idempotency_unique"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="checkout_total_nonnegative"),
        ]

    def __str__(self):
        return f"checkout {self.pk}"


class Order(models.Model):
    """One shop's part of a checkout, with its own lifecycle (ARCHITECTURE §5)."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Menunggu pembayaran")
        PAID = "paid", _("Dibayar")
        ACCEPTED = "accepted", _("Dikemas")
        READY_FOR_PICKUP = "ready_for_pickup", _("Siap diambil")
        SHIPPED = "shipped", _("Dikirim")
        DELIVERED = "delivered", _("Sampai tujuan")
        COMPLETED = "completed", _("Selesai")
        EXPIRED = "expired", _("Kedaluwarsa")
        CANCELLED = "cancelled", _("Dibatalkan")
        COMPLAINT = "complaint", _("Dikomplain")
        COMPLAINT_REJECTED = "complaint_rejected", _("Komplain ditolak penjual")
        COMPLAINT_ESCALATED = "complaint_escalated", _("Ditinjau Pemprov")
        REFUNDED = "refunded", _("Dana dikembalikan")
        CLOSED = "closed", _("Komplain ditutup")

    group = models.ForeignKey(CheckoutGroup, on_delete=models.PROTECT, related_name="orders")
    shop = models.ForeignKey("vendors.Shop", on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=24, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT)
    subtotal = models.BigIntegerField()
    shipping_fee = models.BigIntegerField()
    total = models.BigIntegerField()
    shipping_method = models.CharField(max_length=40)
    shipping_label = models.CharField(max_length=100)
    note = models.CharField(max_length=300, blank=True)
    courier = models.CharField(max_length=40, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True)
    invoice_number = models.CharField(max_length=32, blank=True)  # given when the order is paid
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    payment_deadline = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["shop", "status", "-created_at"]),
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["status", "status_changed_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total=models.F("subtotal") + models.F("shipping_fee")),
                                   name="order_total_is_subtotal_plus_shipping"),
            models.UniqueConstraint(fields=["invoice_number"], condition=~models.Q(invoice_number=""),
                                    name="order_invoice_number_unique"),
        ]

    def __str__(self):
        return self.number

    @property
    def courier_name(self) -> str:
        """The courier the parcel went with, as people write it ("JNE", "Kurir toko")."""
        from .shipping import COURIERS

        if self.courier == "own":
            return str(_("Kurir toko"))
        return COURIERS.get(self.courier, self.courier)

    @property
    def shipping_name(self) -> str:
        """The delivery method in the reader's language: shipping_label was written in the buyer's language at
        checkout; pickup and the shop's courier are named again, a courier service ("JNE REG") needs no words."""
        return {"pickup": str(_("Ambil di toko")), "own": str(_("Kurir toko"))}.get(self.shipping_method,
                                                                                 self.shipping_label)


class OrderLine(models.Model):
    """What was bought, as it was at the moment of ordering (name, price, shop)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=150)
    variant_name = models.CharField(max_length=80, blank=True)
    sku = models.CharField(max_length=60)
    unit_price = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    weight_grams = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class StockAllocation(models.Model):
    """Units of a variant held by one line of an unpaid order (reserved at checkout). Deleted when the order is
    paid (the units leave ``stock``) or expires/is cancelled (they become available again); the variant's
    ``allocated`` is the sum of these rows. Written only by ``orders.stock``."""

    order_line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="allocation")
    variant = models.ForeignKey("catalog.ProductVariant", on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="stockallocation_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.variant_id} for line {self.order_line_id}"


@dataclass(frozen=True)
class SystemNote:
    """A timeline note the system writes (not a person's own words): its Indonesian source text, marked with
    gettext_noop, and its arguments. The event keeps both and renders them in the reader's language;
    str() is the Indonesian text (the order's reason, the audit log)."""

    message: str
    args: dict = field(default_factory=dict)

    def render(self) -> str:
        """In the active language."""
        text = gettext(self.message)
        return text % self.args if self.args else text

    def __str__(self):
        with translation.override(settings.LANGUAGE_CODE):
            return self.render()


class OrderEvent(models.Model):
    """Append-only history of an order's status: the timeline both sides see."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=Order.Status.choices)
    note = models.CharField(max_length=300, blank=True)  # as written: a person's words, or a SystemNote in Indonesian
    # A SystemNote's untranslated message and arguments, so the timeline shows it in the reader's language.
    message = models.CharField(max_length=300, blank=True)
    message_args = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order_id}: {self.from_status} → {self.to_status}"

    @property
    def text(self) -> str:
        """The note in the reader's language (a person's words stay as they wrote them)."""
        return SystemNote(self.message, self.message_args).render() if self.message else self.note


class DocumentCounter(models.Model):
    """The last number of one document series of one shop in one month (orders/numbers.py): invoices
    INV/T000123/2026/12/000001 and credit notes CN/…, each counting up without gaps under the row lock."""

    class Series(models.TextChoices):
        INVOICE = "INV", _("Invoice")
        CREDIT_NOTE = "CN", _("Nota kredit")

    series = models.CharField(max_length=4, choices=Series.choices)
    shop = models.ForeignKey("vendors.Shop", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "shop", "year", "month"],
                                               name="documentcounter_series_shop_month_unique")]

    def __str__(self):
        return f"{self.series} {self.shop_id} {self.year}/{self.month:02d}: {self.last}"


class Review(models.Model):
    """A buyer's rating of one bought product, after the order completed; the shop may reply once."""

    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="review")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("nilai"))
    text = models.TextField(_("ulasan"), max_length=1000, blank=True)
    reply = models.TextField(_("balasan penjual"), max_length=1000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_5"),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.product_id}"
