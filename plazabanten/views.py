from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
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
Disallow: /kelola/
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


def admin_login(request, extra_context=None):
    """/admin/login/ has no form of its own: it sends people to the one login (allauth), whose failed-attempt
    lockout and rate limits then cover the admin too. A signed-in non-staff user gets a 403, not a loop."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(target)
        raise PermissionDenied
    return redirect_to_login(target, settings.LOGIN_URL)
