# The Plaza Banten app image for docker-compose.yml (web, worker, beat and the one-shot migrate): gunicorn, Celery
# and manage.py, production settings from the environment. Dependencies first, so a code change rebuilds only the
# last two layers.
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml .
RUN pip install --no-cache-dir .
COPY . .
# Translations and static files are built into the image (whitenoise serves var/static); no service is reached.
RUN python manage.py compilemessages -v 0 \
 && DJANGO_SETTINGS_MODULE=plazabanten.settings.local SECRET_KEY=build DATABASE_URL=postgres://x/x \
    REDIS_URL=redis://x python manage.py collectstatic --no-input -v 0
