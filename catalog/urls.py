from django.urls import path

from vendors.models import Capability
from vendors.views import seller_legacy

from . import moderation_views, selectors, seller_views, views

LEGACY = {"capability": Capability.PRODUCTS, "section": "produk"}

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("cari/", views.search, name="search"),
    path("kategori/<slug:category_slug>/", views.search, name="category"),
    path("p/<slug:shop_slug>/<slug:product_slug>/", views.product_page, name="product"),
    path("toko/<slug:slug>/", views.shop_page, name="shop"),
    path("ping", views.ping, name="ping"),
    # Seller pages name their shop: one person may run several (vendors.selectors.shop_scope).
    path("penjual/<int:shop_id>/produk/", seller_views.product_list, name="seller_products"),
    path("penjual/<int:shop_id>/produk/baru/", seller_views.product_edit, name="seller_product_new"),
    path("penjual/<int:shop_id>/produk/<int:product_id>/", seller_views.product_edit, name="seller_product_edit"),
    path("penjual/<int:shop_id>/produk/harga-stok/", seller_views.variant_bulk_edit, name="seller_variant_bulk"),
    path("penjual/<int:shop_id>/produk/ekspor.csv", seller_views.product_export, name="seller_product_export"),
    path("penjual/<int:shop_id>/produk/impor/", seller_views.product_import, name="seller_import"),
    path("penjual/<int:shop_id>/produk/impor/<int:import_id>/", seller_views.product_import_status,
         name="seller_import_status"),
    path("penjual/<int:shop_id>/produk/<int:product_id>/foto/", seller_views.product_photos, name="product_photos"),
    path("penjual/<int:shop_id>/produk/<int:product_id>/status/", seller_views.product_status,
         name="seller_product_status"),
    path("penjual/<int:shop_id>/foto/<int:image_id>/", seller_views.product_photo_status, name="product_photo_status"),
    path("penjual/<int:shop_id>/foto/<int:image_id>/ubah/", seller_views.product_photo_action,
         name="product_photo_action"),
    path("penjual/<int:shop_id>/foto/<int:image_id>/ulang/", seller_views.product_photo_retry,
         name="product_photo_retry"),
    path("moderasi/produk/<int:product_id>/", moderation_views.product_moderation, name="product_moderation"),
    # Before the shop was in the URL (bookmarks): the same page in the person's shop, or the seller home to pick one.
    path("kelola/produk/", seller_legacy, LEGACY, name="seller_products_pick"),
    path("kelola/produk/<path:rest>", seller_legacy, {**LEGACY, "locate": selectors.product_shop_id},
         name="seller_products_pick_path"),
]
