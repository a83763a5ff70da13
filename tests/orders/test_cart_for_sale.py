"""Only products on sale reach the cart; a line whose product stopped being sold shows neither name nor price."""

import pytest

from catalog.models import Product
from orders.models import CartLine, Order
from tests.factories import make_product, make_shop, make_user
from tests.orders.test_checkout import make_address
from vendors.models import Shop

pytestmark = pytest.mark.django_db

NOT_FOR_SALE = [
    ("product", Product.Status.DRAFT), ("product", Product.Status.INACTIVE), ("product", Product.Status.TAKEN_DOWN),
    ("shop", Shop.Status.SUBMITTED), ("shop", Shop.Status.SUSPENDED),
]


def _not_for_sale(what, status, **fields):
    if what == "shop":
        return make_product(shop=make_shop(status=status), **fields)
    return make_product(status=status, **fields)


@pytest.mark.parametrize(("what", "status"), NOT_FOR_SALE)
def test_a_product_not_on_sale_cannot_be_put_in_the_cart(client, what, status):
    variant = _not_for_sale(what, status, name="Batik Rahasia Musim Depan", price=777000).variants.get()
    assert client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1}).status_code == 404
    assert client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": 3}).status_code == 404
    buyer = make_user()
    client.force_login(buyer)
    assert client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 1}).status_code == 404
    assert not CartLine.objects.filter(user=buyer).exists()
    page = client.get("/keranjang/").content.decode()
    assert "Keranjang Anda masih kosong" in page and "Batik Rahasia" not in page


@pytest.mark.parametrize(("what", "status"), NOT_FOR_SALE)
def test_a_line_whose_product_stopped_selling_hides_its_name_and_price(client, what, status):
    kept = make_product(name="Kopi Robusta", price=45000)
    gone = make_product(name="Batik Rahasia Musim Depan", price=777000, shop=make_shop(name="Toko Tersembunyi"))
    buyer = make_user()
    make_address(buyer)
    client.force_login(buyer)
    for product in (kept, gone):
        client.post("/keranjang/tambah/", {"variant": product.variants.get().pk, "quantity": 2}, follow=True)
    if what == "shop":
        Shop.objects.filter(pk=gone.shop_id).update(status=status)
    else:
        Product.objects.filter(pk=gone.pk).update(status=status)

    page = client.get("/keranjang/").content.decode()
    assert "Produk ini sudah tidak dijual." in page
    assert "Batik Rahasia" not in page and "Rp777.000" not in page and "Rp1.554.000" not in page
    assert "Toko Tersembunyi" not in page and gone.slug not in page
    assert "Kopi Robusta" in page and "Total belanja" in page and "Rp90.000" in page  # the total leaves it out

    checkout = client.get("/checkout/", follow=True)
    assert checkout.redirect_chain[-1][0] == "/keranjang/"
    assert "Hapus dulu barang yang sudah tidak dijual" in checkout.content.decode()
    placed = client.post("/checkout/", {"key": "k1", f"shipping_{kept.shop_id}": "pickup"}, follow=True)
    assert placed.redirect_chain[-1][0] == "/keranjang/" and "Batik Rahasia" not in placed.content.decode()
    assert not Order.objects.filter(buyer=buyer).exists()

    removed = client.post("/keranjang/ubah/", {"variant": gone.variants.get().pk, "quantity": 0},
                          HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and "sudah tidak dijual" not in removed.content.decode()
    assert list(CartLine.objects.filter(user=buyer).values_list("variant__product", flat=True)) == [kept.pk]
    assert client.get("/checkout/").status_code == 200


def test_the_cart_shows_a_grand_total_and_a_remove_button_per_line(client):
    a = make_product(name="Kain Batik Tulis", price=350000)
    b = make_product(name="Kopi Robusta", price=45000)
    client.post("/keranjang/tambah/", {"variant": a.variants.get().pk, "quantity": 1})
    client.post("/keranjang/tambah/", {"variant": b.variants.get().pk, "quantity": 2})
    page = client.get("/keranjang/").content.decode()
    assert "Total belanja" in page and "Rp440.000" in page  # 350.000 + 2 × 45.000 over two shops
    assert page.count(">Hapus<span") == 2 and "Hapus<span class=\"visually-hidden\"> Kopi Robusta</span>" in page

    after = client.post("/keranjang/ubah/", {"variant": a.variants.get().pk, "quantity": 0}, HTTP_HX_REQUEST="true")
    html = after.content.decode()
    assert "Kain Batik Tulis" not in html and "Rp90.000" in html and 'hx-swap-oob="true">2<' in html


@pytest.mark.parametrize(("typed", "message"), [
    ("2.5", "Jumlah harus bilangan bulat."), ("2,5", "Jumlah harus bilangan bulat."),
    ("dua", "Jumlah harus bilangan bulat."), ("-1", "Jumlah tidak boleh negatif."),
    ("1000", "Maksimal 999 per barang."), ("", "Isi jumlahnya"),
])
def test_a_refused_quantity_keeps_the_old_one_and_says_why(client, typed, message):
    variant = make_product(price=20000).variants.get()
    client.post("/keranjang/tambah/", {"variant": variant.pk, "quantity": 3})
    response = client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": typed}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 400 and response["HX-Reswap"] == "innerHTML"  # static/js/cart.js shows it
    assert message in html and f'id="qty-error-{variant.pk}" role="alert"' in html
    assert 'name="quantity" min="0" max="999" step="1" value="3"' in html
    assert 'id="cart-count">3<' in client.get("/keranjang/").content.decode()

    without_htmx = client.post("/keranjang/ubah/", {"variant": variant.pk, "quantity": typed})
    assert without_htmx.status_code == 400 and message in without_htmx.content.decode()
    assert "<h1>Keranjang</h1>" in without_htmx.content.decode()  # the whole page, not a bare sentence
