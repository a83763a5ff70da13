"""Storefront reads from a streaming replica (DATABASE_REPLICA_URL), everything else from the primary.

Only anonymous GET/HEAD requests for the storefront pages (home, listing, category, search, product, shop) read
from the replica, and only their catalog, shop and region rows: sessions, users, carts and orders always come
from the primary. A browser that has just written anything (any POST, signed in or not) carries the `pb_wrote`
cookie for PB_REPLICA_STICKY_SECONDS and reads from the primary meanwhile (read-your-writes: a seller who signs out
right after saving a product sees it). The replica is skipped while it is down or lags more than
PB_REPLICA_MAX_LAG_SECONDS behind (checked at most every PB_REPLICA_CHECK_SECONDS per process); a request whose
replica connection breaks mid-way is answered again from the primary.
"""

import contextvars
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

REPLICA = "replica"
WROTE_COOKIE = "pb_wrote"
STOREFRONT_VIEWS = {"catalog:home", "catalog:search", "catalog:category", "catalog:product", "catalog:shop"}
STOREFRONT_APPS = {"catalog", "vendors", "regions"}
# The replica's lag in seconds: 0 when it has replayed all it received (an idle primary sends nothing new).
LAG_SQL = """
    SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""

_reading = contextvars.ContextVar("replica_reading", default=False)
_health = {"checked": 0.0, "ok": False}
_health_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_lag() -> float:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_mark(*, ok: bool) -> None:
    with _health_lock:
        _health.update(checked=time.monotonic(), ok=ok)
    if not ok:
        connections[REPLICA].close()


def replica_healthy() -> bool:
    """Is the replica up and close enough behind? Asked of the replica at most every PB_REPLICA_CHECK_SECONDS."""
    with _health_lock:
        if time.monotonic() - _health["checked"] < settings.PB_REPLICA_CHECK_SECONDS:
            return _health["ok"]
    try:
        ok = replica_lag() <= settings.PB_REPLICA_MAX_LAG_SECONDS
    except DatabaseError:
        ok = False
    replica_mark(ok=ok)
    return ok


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and model._meta.app_label in STOREFRONT_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {"default", REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaMiddleware:
    """Chooses the database for the request (after authentication) and marks browsers that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.replica_token = None
        try:
            response = self.get_response(request)
        finally:
            if request.replica_token is not None:
                _reading.reset(request.replica_token)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(WROTE_COOKIE, "1", max_age=settings.PB_REPLICA_STICKY_SECONDS, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (request.method in ("GET", "HEAD") and replica_configured()
                and match is not None and match.view_name in STOREFRONT_VIEWS
                and WROTE_COOKIE not in request.COOKIES and not request.user.is_authenticated
                and replica_healthy()):
            request.replica_token = _reading.set(True)
        return None

    def process_exception(self, request, exception):
        """The replica broke during the view: mark it down and answer from the primary (a GET is safe to redo)."""
        if request.replica_token is None or not isinstance(exception, DatabaseError):
            return None
        replica_mark(ok=False)
        _reading.reset(request.replica_token)
        request.replica_token = None
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
