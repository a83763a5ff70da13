"""/healthz: is the database, Redis and at least one Celery worker answering right now? And is the last good backup
recent? A stale backup is reported ("backup": "stale") without failing the check: a load balancer must not take web
nodes out of rotation because last night's backup failed; monitoring alerts on the field instead."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .backup import backup_is_stale, backup_last_good
from .celery import app as celery_app


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ok"
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except redis.RedisError:
        return False


def _worker_ok() -> bool:
    try:
        return bool(celery_app.control.ping(timeout=1.0))
    except Exception:  # noqa: BLE001 - a broker error means no worker can be reached
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"db": _database_ok(), "redis": _redis_ok()}
    checks["worker"] = checks["redis"] and _worker_ok()
    body = {name: "ok" if ok else "fail" for name, ok in checks.items()}
    if checks["db"]:
        body["backup"] = "stale" if backup_is_stale(last=backup_last_good()) else "ok"
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
