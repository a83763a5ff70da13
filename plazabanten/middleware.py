from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the person chose another language with the switch (the language cookie).

    Django's own middleware follows the browser's Accept-Language, which on many Indonesian phones says English.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than PB_MAX_REQUEST_BYTES with a 413 page, before anything
    reads the body (Django streams file uploads to disk without a limit of its own; gunicorn has none for bodies).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.PB_MAX_REQUEST_BYTES:
            # Rendered without the request: no session, user or cart exists yet at this point of the chain.
            page = loader.get_template("413.html").render({"limit_mb": settings.PB_MAX_REQUEST_BYTES // 2**20})
            return HttpResponse(page, status=413)
        return self.get_response(request)
