from django.urls import path, register_converter

from . import views


class WizardStepConverter:
    """Only the wizard's steps: `/penjual/<id>/produk/`, `/pesanan/`, `/saldo/` belong to other apps."""

    regex = "|".join(step for step in views.NEXT_STEP)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(WizardStepConverter, "wizardstep")

app_name = "vendors"
urlpatterns = [
    path("penjual/", views.seller_home, name="seller_home"),
    path("penjual/<int:shop_id>/kirim/", views.wizard_review, name="review"),
    path("penjual/<int:shop_id>/status/", views.shop_status, name="status"),
    path("penjual/<int:shop_id>/dokumen/<int:document_id>/", views.document_file, name="document"),
    path("penjual/<int:shop_id>/anggota/", views.shop_members, name="members"),
    path("penjual/<int:shop_id>/anggota/<int:member_id>/hapus/", views.shop_member_remove, name="member_remove"),
    path("penjual/<int:shop_id>/pajak/dokumen/", views.shop_tax_declare, name="tax_declare"),
    path("penjual/<int:shop_id>/<wizardstep:step>/", views.wizard_step, name="step"),
    path("verifikasi/", views.console_queue, name="console_queue"),
    path("verifikasi/angka/", views.console_numbers, name="console_numbers"),
    path("verifikasi/rekening/", views.console_bank_changes, name="console_bank_changes"),
    path("verifikasi/rekening/<int:change_id>/<slug:decision>/", views.console_bank_change_decide,
         name="console_bank_change_decide"),
    path("verifikasi/pajak-penjual/", views.console_tax_declarations, name="console_tax_declarations"),
    path("verifikasi/pajak-penjual/<int:declaration_id>/berkas/", views.tax_declaration_file,
         name="tax_declaration_file"),
    path("verifikasi/pajak-penjual/<int:declaration_id>/<slug:decision>/", views.console_tax_declaration_decide,
         name="console_tax_declaration_decide"),
    path("verifikasi/<int:shop_id>/", views.console_shop, name="console_shop"),
    path("verifikasi/<int:shop_id>/<slug:action>/", views.console_action, name="console_action"),
]
