from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
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
