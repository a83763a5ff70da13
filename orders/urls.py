from django.urls import path

from . import views

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
    path("pesanan/<str:number>/<slug:action>/", views.order_action, name="action"),
    path("penjual/pesanan/", views.shop_order_list, name="shop_list"),
    path("penjual/pesanan/<str:number>/", views.shop_order_detail, name="shop_detail"),
    path("penjual/pesanan/<str:number>/<slug:action>/", views.shop_order_action, name="shop_action"),
]
