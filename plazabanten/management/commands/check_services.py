"""Fail with a plain sentence (not a traceback) when the database or Redis cannot be reached."""

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection


class Command(BaseCommand):
    help = "Check that the database and Redis from the settings answer."
    requires_system_checks = []  # some checks query the database: this command must run before they can

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}/{database.get('NAME')}"
        try:
            connection.ensure_connection()
        except OperationalError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
            raise CommandError(
                f"Cannot reach the database at {where}: {reason}\n"
                "Check DATABASE_URL, or unset it to use the embedded Postgres."
            ) from None
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            raise CommandError(
                f"Cannot reach Redis at {settings.REDIS_URL}: {error}\n"
                "Check REDIS_URL, or unset it to use the embedded Redis."
            ) from None
        self.stdout.write(f"database {where} ok, redis ok")
