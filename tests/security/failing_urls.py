"""The site's URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from plazabanten.urls import handler500  # noqa: F401
from plazabanten.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("boom: SECRET_KEY")


urlpatterns = [path("rusak/", broken), *site_urlpatterns]
