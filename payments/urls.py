from django.urls import path, re_path

from vendors.models import Capability
from vendors.views import seller_legacy

from . import views

app_name = "payments"
urlpatterns = [
    # With or without the trailing slash: a gateway must never get a redirect (Midtrans does not retry a 301).
    re_path(r"^payments/webhooks/(?P<provider>[a-z]+)/?$", views.webhook, name="webhook"),
    path("bayar/<int:pk>/", views.pay_page, name="pay"),
    path("bayar/<int:pk>/status/", views.pay_status, name="status"),
    path("bayar/qr/<str:ref>.svg", views.qr_image, name="qr"),
    path("bayar/qr/<str:ref>.png", views.qr_image, {"png": True}, name="qr_png"),
    path("bayar/sandbox/kartu/token/", views.sandbox_card_token, name="sandbox_card_token"),
    path("bayar/sandbox/3ds/<uuid:transaction_id>/", views.sandbox_3ds, name="sandbox_3ds"),
    path("bayar/sandbox/<str:ref>/", views.sandbox_simulator, name="sandbox"),
    path("bayar/sandbox/<str:ref>/ewallet/", views.sandbox_ewallet, name="sandbox_ewallet"),
    path("penjual/<int:shop_id>/saldo/", views.shop_balance, name="shop_balance"),
    path("penjual/<int:shop_id>/saldo/sandbox/<int:pk>/<slug:outcome>/", views.sandbox_payout, name="sandbox_payout"),
    # Before the shop was in the URL (bookmarks, older notifications): the person's only shop, else pick one.
    path("penjual/saldo/", seller_legacy, {"capability": Capability.FINANCE, "section": "saldo"},
         name="shop_balance_pick"),
    path("keuangan/", views.finance, name="finance"),
    path("keuangan/dana-tertahan/<int:pk>/kembalikan/", views.finance_suspense_refund, name="suspense_refund"),
    path("nota-kredit/<int:pk>.pdf", views.credit_note, name="credit_note"),
    path("keuangan/pajak/", views.tax_report, name="tax_report"),
    re_path(r"^keuangan/pajak/(?P<month>\d{4}-\d{2})\.(?P<fmt>csv|xlsx)$", views.tax_report, name="tax_report_file"),
    path("penjual/<int:shop_id>/pajak/", views.shop_tax, name="shop_tax"),
    path("penjual/<int:shop_id>/pajak/bukti-potong/<int:pk>.pdf", views.bukti_potong, name="bukti_potong"),
]
