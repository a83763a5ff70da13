from django.urls import path

from . import views

app_name = "procurement"
urlpatterns = [
    path("pengadaan/", views.home, name="home"),
    path("pengadaan/daftar/", views.opd_register, name="opd_register"),
    path("pengadaan/satker/", views.opd_page, name="opd"),
    path("pengadaan/satker/sk/", views.opd_sk, name="opd_sk"),
    path("pengadaan/undangan/<int:invitation_id>/terima/", views.invitation_accept, name="invitation_accept"),
    path("pengadaan/buat/<int:shop_id>/", views.paket_new, name="paket_new"),
    path("pengadaan/paket/<int:pk>/", views.paket_page, name="paket"),
    path("pengadaan/paket/<int:pk>/bayar/", views.paket_pay, name="paket_pay"),
    path("pengadaan/paket/<int:pk>/invoice/terbitkan-ulang/", views.paket_reissue, name="paket_reissue"),
    path("pengadaan/paket/<int:pk>/ubah/", views.paket_edit, name="paket_edit"),
    path("pengadaan/paket/<int:pk>/dokumen/<int:document_id>.pdf", views.paket_document, name="document"),
    path("pengadaan/paket/<int:pk>/addendum/", views.paket_addendum, name="addendum"),
    path("pengadaan/paket/<int:pk>/addendum/<int:addendum_id>/<slug:decision>/", views.paket_addendum_decide,
         name="addendum_decide"),
    path("pengadaan/paket/<int:pk>/pemeriksa/", views.paket_inspector, name="inspector"),
    path("pengadaan/paket/<int:pk>/<slug:slug>/", views.paket_action, name="action"),
    path("penjual/<int:shop_id>/pengadaan/", views.shop_pakets, name="shop_pakets"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/", views.shop_paket, name="shop_paket"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/dokumen/<int:document_id>.pdf", views.shop_paket_document,
         name="shop_document"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/addendum/", views.shop_paket_addendum, name="shop_addendum"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/addendum/<int:addendum_id>/<slug:decision>/",
         views.shop_paket_addendum_decide, name="shop_addendum_decide"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/invoice/terbitkan-ulang/", views.shop_paket_reissue,
         name="shop_reissue"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/<slug:slug>/", views.shop_paket_action, name="shop_action"),
    path("verifikasi/opd/", views.console_opds, name="console_opds"),
    path("verifikasi/opd/<int:opd_id>/", views.console_opd, name="console_opd"),
    path("verifikasi/opd/<int:opd_id>/sk/", views.console_opd_sk, name="console_opd_sk"),
]
