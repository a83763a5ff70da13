from django.urls import path

from . import views

app_name = "procurement"
urlpatterns = [
    path("pengadaan/", views.home, name="home"),
    path("pengadaan/daftar/", views.opd_register, name="opd_register"),
    path("pengadaan/satker/", views.opd_page, name="opd"),
    path("pengadaan/realisasi/", views.realisation, name="realisation"),
    path("pengadaan/satker/sk/", views.opd_sk, name="opd_sk"),
    path("pengadaan/undangan/<int:invitation_id>/terima/", views.invitation_accept, name="invitation_accept"),
    path("pengadaan/buat/<int:shop_id>/", views.paket_new, name="paket_new"),
    path("pengadaan/paket/<int:pk>/", views.paket_page, name="paket"),
    path("pengadaan/paket/<int:pk>/bayar/", views.paket_pay, name="paket_pay"),
    path("pengadaan/paket/<int:pk>/ubah/", views.paket_edit, name="paket_edit"),
    path("pengadaan/paket/<int:pk>/dokumen/<int:document_id>.pdf", views.paket_document, name="document"),
    path("pengadaan/paket/<int:pk>/<slug:slug>/", views.paket_action, name="action"),
    path("penjual/<int:shop_id>/pengadaan/", views.shop_pakets, name="shop_pakets"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/", views.shop_paket, name="shop_paket"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/dokumen/<int:document_id>.pdf", views.shop_paket_document,
         name="shop_document"),
    path("penjual/<int:shop_id>/pengadaan/<int:pk>/<slug:slug>/", views.shop_paket_action, name="shop_action"),
    path("verifikasi/opd/", views.console_opds, name="console_opds"),
    path("verifikasi/realisasi/", views.console_realisation, name="console_realisation"),
    path("data/umk/", views.open_data_page, name="open_data"),
    path("data/umk.json", views.open_data_json, name="open_data_json"),
    path("data/umk.csv", views.open_data_csv, name="open_data_csv"),
    path("verifikasi/opd/<int:opd_id>/", views.console_opd, name="console_opd"),
    path("verifikasi/opd/<int:opd_id>/sk/", views.console_opd_sk, name="console_opd_sk"),
]
