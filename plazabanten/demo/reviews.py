"""Real reviews for the demo: completed orders from the demo buyers, each with a review, so every rating the
storefront shows is counted from reviews a visitor can read (never a made-up "★ 4,8 · 112 ulasan")."""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Product
from orders.models import CheckoutGroup, Order, OrderEvent, OrderLine, Review
from orders.numbers import invoice_number_next, order_number_new
from orders.services import product_ratings_recount
from regions.selectors import region_labels

PRODUCTS_PER_SHOP = 3  # the first few products of each demo shop get reviews: ~100 products, ~200 reviews
TEXTS = {
    5: ["Barang sesuai foto, pengiriman cepat. Terima kasih!", "Kualitasnya bagus sekali, pasti pesan lagi.",
        "Penjual ramah dan responsif. Rekomendasi!", "Rapi, dikemas dengan aman, sampai dalam keadaan baik.",
        "Produk lokal Banten yang membanggakan."],
    4: ["Bagus, hanya pengemasannya bisa lebih rapi.", "Sesuai deskripsi, harga bersahabat.",
        "Lumayan, pengiriman agak lama tapi barangnya oke."],
    3: ["Cukup, warnanya sedikit berbeda dari foto."],
}
S = Order.Status
WALK = [S.AWAITING_PAYMENT, S.PAID, S.ACCEPTED, S.READY_FOR_PICKUP, S.DELIVERED, S.COMPLETED]


def demo_reviews_seed(*, shops, buyers) -> int:
    """Completed pickup orders with one review each for the first products of each shop, from the demo buyers.
    Idempotent (each order is keyed by its product); returns how many reviews were made. Product and shop
    ratings are then recounted from the reviews, which also clears counts that no review backs."""
    products = [product for shop in shops for product in
                Product.objects.filter(shop=shop).select_related("shop").prefetch_related("variants")
                .order_by("pk")[:PRODUCTS_PER_SHOP]]
    done = set(CheckoutGroup.objects.filter(buyer__in=buyers, idempotency_key__startswith="demo-review-")
               .values_list("buyer_id", "idempotency_key"))
    labels = region_labels(codes=sorted({shop.region_id for shop in shops if shop.region_id}))
    made = 0
    with transaction.atomic():
        for product in products:
            rng = random.Random(f"review/{product.shop.slug}/{product.slug}")
            variant = next(iter(product.variants.all()), None)
            if variant is None:
                continue
            for buyer in rng.sample(buyers, rng.randint(1, len(buyers))):
                key = f"demo-review-{product.pk}"
                if (buyer.pk, key) in done:
                    continue
                _completed_order_with_review(product=product, variant=variant, buyer=buyer, key=key, rng=rng,
                                             region=labels.get(product.shop.region_id, ""))
                made += 1
        product_ratings_recount()
        # Reviewed products have been sold at least that often.
        Product.objects.filter(pk__in=[p.pk for p in products], sold_count__lt=F("rating_count")).update(
            sold_count=F("rating_count"))
    return made


def _completed_order_with_review(*, product, variant, buyer, key, rng, region) -> None:
    shop = product.shop
    days_ago = rng.randint(3, 60)
    placed = timezone.now() - timedelta(days=days_ago)
    group = CheckoutGroup.objects.create(
        buyer=buyer, idempotency_key=key, total=variant.price, payment_deadline=placed + timedelta(hours=24),
        paid_via="QRIS", address={"recipient": buyer.name, "phone": buyer.phone or "", "street": "Ambil di toko",
                                  "region_code": shop.region_id or "", "region": region,
                                  "postal_code": shop.postal_code})
    order = Order.objects.create(
        group=group, shop=shop, buyer=buyer, number=order_number_new(), status=S.COMPLETED, subtotal=variant.price,
        shipping_fee=0, total=variant.price, shipping_method="pickup", shipping_label="Ambil di toko",
        payment_deadline=group.payment_deadline)
    order.invoice_number = invoice_number_next(order=order)
    order.save(update_fields=["invoice_number"])
    line = OrderLine.objects.create(order=order, variant=variant, product_name=product.name,
                                    variant_name=variant.name, sku=variant.sku, unit_price=variant.price, quantity=1,
                                    weight_grams=product.weight_grams)
    OrderEvent.objects.bulk_create([
        OrderEvent(order=order, actor=buyer if status == S.AWAITING_PAYMENT else None,
                   from_status=WALK[i - 1] if i else "", to_status=status)
        for i, status in enumerate(WALK)])
    rating = rng.choices([5, 4, 3], weights=[6, 3, 1])[0]
    Review.objects.create(line=line, product=product, buyer=buyer, rating=rating, text=rng.choice(TEXTS[rating]))
    # Dated as if it happened then (the fields are auto_now_add).
    CheckoutGroup.objects.filter(pk=group.pk).update(created_at=placed)
    Order.objects.filter(pk=order.pk).update(created_at=placed, status_changed_at=placed + timedelta(days=2))
    OrderEvent.objects.filter(order=order).update(created_at=placed)
    Review.objects.filter(line=line).update(created_at=placed + timedelta(days=2))
