from django.urls import path

from vendors.models import Capability
from vendors.views import seller_legacy

from . import selectors, views

LEGACY_ORDERS = {"capability": Capability.ORDERS, "section": "pesanan"}

app_name = "orders"
urlpatterns = [
    path("keranjang/", views.cart_page, name="cart"),
    path("keranjang/tambah/", views.cart_change, {"add": True}, name="cart_add"),
    path("keranjang/ubah/", views.cart_change, name="cart_change"),
    path("checkout/", views.checkout, name="checkout"),
    path("alamat/baru/", views.address_new, name="address_new"),
    path("checkout/<int:pk>/", views.group_page, name="group"),
    path("pesanan/", views.order_list, name="list"),
    path("pesanan/<str:number>/", views.order_detail, name="detail"),
    path("pesanan/<str:number>/invoice/", views.invoice, name="invoice"),
    path("pesanan/<str:number>/invoice.pdf", views.invoice, {"pdf": True}, name="invoice_pdf"),
    path("pesanan/<str:number>/ulasan/<int:line_id>/", views.review_new, name="review_new"),
    path("pesanan/<str:number>/<slug:action>/", views.order_action, name="action"),
    path("pesanan/<str:number>/komplain/<slug:decision>/", views.buyer_complaint, name="complaint"),
    path("penjual/<int:shop_id>/pesanan/", views.shop_order_list, name="shop_list"),
    path("penjual/<int:shop_id>/pengiriman/", views.shop_shipping, name="shop_shipping"),
    path("penjual/<int:shop_id>/pesanan/<str:number>/", views.shop_order_detail, name="shop_detail"),
    path("penjual/<int:shop_id>/pesanan/<str:number>/slip/", views.packing_slip, name="packing_slip"),
    path("penjual/<int:shop_id>/pesanan/<str:number>/<slug:action>/", views.shop_order_action, name="shop_action"),
    path("penjual/<int:shop_id>/pesanan/<str:number>/komplain/<slug:decision>/", views.shop_complaint,
         name="shop_complaint"),
    path("penjual/<int:shop_id>/ulasan/<int:review_id>/balas/", views.review_reply_view, name="review_reply"),
    path("verifikasi/komplain/", views.complaint_queue, name="complaint_queue"),
    path("verifikasi/komplain/<str:number>/", views.complaint_detail, name="complaint_detail"),
    # Before the shop was in the URL (bookmarks, older notifications): the same page in the order's shop.
    path("penjual/pesanan/", seller_legacy, LEGACY_ORDERS, name="shop_list_pick"),
    path("penjual/pesanan/<path:rest>", seller_legacy, {**LEGACY_ORDERS, "locate": selectors.order_shop_id},
         name="shop_detail_pick"),
    path("penjual/pengiriman/", seller_legacy, {**LEGACY_ORDERS, "section": "pengiriman"},
         name="shop_shipping_pick"),
]
