from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("cari/", views.search, name="search"),
    path("kategori/<slug:category_slug>/", views.search, name="category"),
    path("p/<slug:shop_slug>/<slug:product_slug>/", views.product_page, name="product"),
    path("ping", views.ping, name="ping"),
]
