import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plazabanten.settings.local")
application = get_wsgi_application()

from catalog import search_index  # noqa: E402 (Django is set up by now)

search_index.warm()
