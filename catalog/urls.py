from django.urls import path

from . import moderation_views, seller_views, views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("cari/", views.search, name="search"),
    path("kategori/<slug:category_slug>/", views.search, name="category"),
    path("p/<slug:shop_slug>/<slug:product_slug>/", views.product_page, name="product"),
    path("toko/<slug:slug>/", views.shop_page, name="shop"),
    path("ping", views.ping, name="ping"),
    path("kelola/produk/", seller_views.product_list, name="seller_products"),
    path("kelola/produk/baru/", seller_views.product_edit, name="seller_product_new"),
    path("kelola/produk/<int:product_id>/", seller_views.product_edit, name="seller_product_edit"),
    path("kelola/produk/harga-stok/", seller_views.variant_bulk_edit, name="seller_variant_bulk"),
    path("kelola/produk/ekspor.csv", seller_views.product_export, name="seller_product_export"),
    path("kelola/produk/impor/", seller_views.product_import, name="seller_import"),
    path("kelola/produk/impor/<int:import_id>/", seller_views.product_import_status, name="seller_import_status"),
    path("kelola/produk/<int:product_id>/foto/", seller_views.product_photos, name="product_photos"),
    path("kelola/foto/<int:image_id>/", seller_views.product_photo_status, name="product_photo_status"),
    path("moderasi/produk/<int:product_id>/", moderation_views.product_moderation, name="product_moderation"),
    path("kelola/foto/<int:image_id>/ubah/", seller_views.product_photo_action, name="product_photo_action"),
    path("kelola/foto/<int:image_id>/ulang/", seller_views.product_photo_retry, name="product_photo_retry"),
]
