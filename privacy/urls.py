from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privasi/", views.privacy_policy, name="policy"),
    path("data-saya/", views.my_data, name="my_data"),
    path("data-saya/unduh/", views.my_data_export, name="export"),
    path("data-saya/hapus/", views.my_data_delete, name="delete"),
    path("data-saya/akses-dokumen/", views.my_document_accesses, name="my_accesses"),
    path("verifikasi/akses-dokumen/", views.console_document_accesses, name="console_accesses"),
]
