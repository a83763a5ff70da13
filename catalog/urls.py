from django.urls import path

from . import moderation_views, seller_views, views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("cari/", views.search, name="search"),
    path("kategori/<slug:category_slug>/", views.search, name="category"),
    path("p/<slug:shop_slug>/<slug:product_slug>/", views.product_page, name="product"),
    path("ping", views.ping, name="ping"),
    path("kelola/produk/<int:product_id>/foto/", seller_views.product_photos, name="product_photos"),
    path("kelola/foto/<int:image_id>/", seller_views.product_photo_status, name="product_photo_status"),
    path("moderasi/produk/<int:product_id>/", moderation_views.product_moderation, name="product_moderation"),
    path("kelola/foto/<int:image_id>/ulang/", seller_views.product_photo_retry, name="product_photo_retry"),
]
