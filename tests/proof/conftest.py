import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from accounts.services import address_save
from catalog.services import product_image_add
from orders.services import ShopChoice, cart_set_quantity, checkout_place
from regions.models import Region
from tests.factories import make_category, make_product, make_shop, make_user

PRODUCTS = [
    ("Batik Tulis Motif Sultan Ageng", 350000, (120, 40, 30)),
    ("Batik Cap Krakatau Biru", 185000, (30, 60, 120)),
    ("Kain Batik Baduy Tenun", 275000, (60, 50, 40)),
    ("Emping Melinjo Pedas 250 g", 28000, (200, 150, 60)),
    ("Sate Bandeng Serang Beku", 65000, (150, 90, 50)),
    ("Kopi Robusta Lebak 200 g", 45000, (70, 40, 20)),
]


def photo(color) -> SimpleUploadedFile:
    """A 1200×1200 JPEG with some structure (a plain colour compresses to nothing and is not realistic)."""
    image = Image.new("RGB", (1200, 1200), color)
    draw = ImageDraw.Draw(image)
    for i in range(0, 1200, 60):
        draw.line([(i, 0), (1200 - i, 1200)], fill=(255 - color[0], 200, color[2]), width=8)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def storefront(live_server):
    """A small realistic shop floor: two verified shops in Kota Tangerang Selatan and Kota Serang, six products with
    photos (renditions made by the eager task), and a logged-in buyer with a placed checkout and a full cart."""
    shops = [make_shop(name="Batik Cisadane", slug="batik-cisadane", kabkota="36.74"),
             make_shop(name="Oleh-oleh Serang", slug="oleh-oleh-serang", kabkota="36.73")]
    category = make_category(name="Batik", slug="batik")
    products = []
    for i, (name, price, color) in enumerate(PRODUCTS):
        product = make_product(shop=shops[i % 2], name=name, slug=name.lower().replace(" ", "-"), price=price,
                               category=category, description=f"{name}: buatan UMKM Banten, dikirim dari toko kami.")
        product_image_add(product=product, upload=photo(color))
        products.append(product)

    buyer = make_user(email="ani@example.test", name="Ani Lestari")
    desa = Region.objects.filter(code__startswith="36.74.", level=4).order_by("code").first()
    address = address_save(user=buyer, data={"recipient": buyer.name, "phone": "+6281234567890",
                                             "street": "Jl. Pahlawan Seribu 1", "region": desa, "postal_code": "15322"})
    for product in products[:2]:
        cart_set_quantity(user=buyer, variant_id=product.variants.get().pk, quantity=1)
    group = checkout_place(buyer=buyer, idempotency_key="proof", address=address,
                           choices={p.shop_id: ShopChoice(method="pickup") for p in products[:2]})
    for product in products[2:4]:
        cart_set_quantity(user=buyer, variant_id=product.variants.get().pk, quantity=2)

    client = Client()
    client.force_login(buyer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = products[0]
    return {
        "url": live_server.url,
        "buyer": buyer,
        "group": group,
        "product_path": f"/p/{first.shop.slug}/{first.slug}/",
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
        "session": session,
    }
