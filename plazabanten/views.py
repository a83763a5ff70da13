from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=86400, public=True)
def manifest(request):
    return render(request, "manifest.webmanifest", content_type="application/manifest+json")


# Cart and payment pages stay crawlable: they hold nothing for an anonymous crawler (the payment page needs a
# login), and Lighthouse's SEO audit counts a blocked page against it.
ROBOTS = """User-agent: *
Disallow: /akun/
Disallow: /checkout/
Disallow: /pesanan/
Disallow: /penjual/
Disallow: /verifikasi/
Disallow: /keuangan/
Disallow: /payments/
"""


@require_GET
@cache_control(max_age=86400, public=True)
def robots(request):
    return HttpResponse(ROBOTS, content_type="text/plain")


@require_GET
@login_required
def notifications(request):
    items = request.user.notifications.all()[:50]
    return render(request, "notifications.html", {"notifications": items})


PLAIN_500 = ("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>Terjadi kesalahan</title></head>"
             "<body><h1>Maaf, terjadi kesalahan</h1><p>Silakan coba lagi beberapa saat lagi.</p>"
             "<p><a href=\"/\">Kembali ke beranda</a></p></body></html>")


def server_error(request):
    """Our 500 page in the layout, rendered without the request: no context processor (cart, user) touches a
    database that may be the cause. Should even that fail, a plain page."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # noqa: BLE001 - the error page must never raise
        return HttpResponseServerError(PLAIN_500)
