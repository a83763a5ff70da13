from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import health, uploads, views

handler500 = "plazabanten.views.server_error"
admin.site.login = views.admin_login  # the admin signs in through allauth: its rate limits and lockout

urlpatterns = [
    path("", include("catalog.urls")),
    path("akun/", include("allauth.urls")),
    path("wilayah/", include("regions.urls")),
    path("", include("orders.urls")),
    path("", include("vendors.urls")),
    path("", include("payments.urls")),
    path("", include("procurement.urls")),
    path("", include("privacy.urls")),
    path("notifikasi/", views.notifications, name="notifications"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("robots.txt", views.robots, name="robots"),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.ico", permanent=True)),
    path("admin/", admin.site.urls),
]

if not settings.PB_PRODUCTION and not settings.AWS_STORAGE_BUCKET_NAME:
    # Local media (photos) served by Django, DEBUG on or off, with nosniff and non-images as attachments; in
    # production they come from S3/MinIO on a separate origin (README, plazabanten.checks).
    from django.urls import re_path

    urlpatterns += [re_path(r"^media/(?P<path>.*)$", uploads.media_serve)]
