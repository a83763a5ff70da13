"""Backups of the database and of the media (public photos, private documents), and the restore that proves them.

A backup is a folder ``<YYYYmmdd-HHMMSS>/`` in the backups storage (``PB_BACKUP_DIR`` or the bucket
``PB_BACKUP_BUCKET``) holding three parts and a manifest:

- ``database.dump``: ``pg_dump`` custom format, taken in a REPEATABLE READ snapshot exported with
  ``pg_export_snapshot()``; the row counts in the manifest are read in that same snapshot, so they match the dump
  exactly even while orders and payments keep being written;
- ``media.tar`` and ``private.tar``: every file of the ``default`` and ``private`` storages, copied after the dump,
  so every file a dumped row names is there (files are never overwritten under a name: names are random);
- ``manifest.json``, written last, with the size and SHA-256 of each part. A folder without a manifest, or whose
  parts do not match it, is not a backup: an interrupted run is never reported as good.

Private documents are copied as stored (``raw_read``): encrypted at rest, they stay Fernet tokens in the backup,
and the keys (PB_DOCUMENT_KEYS) are not in it. Restoring needs the same document keys in the environment.

The restore refuses a database that already has tables, or storages that already have files, unless told
(``force``); it checks every part against the manifest before touching anything, then checks the restored database:
the row counts equal the manifest's and the ledger invariants hold.
"""

import datetime
import hashlib
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connection
from django.utils import timezone

from .models import BackupRun
from .uploads import storage_walk

MANIFEST = "manifest.json"
PARTS = {"database": "database.dump", "media": "media.tar", "private": "private.tar"}
MEDIA_STORAGES = {"media": "default", "private": "private"}
# Rows whose presence the restore proves (label → model); counted in the dump's own snapshot.
COUNTED_MODELS = {
    "orders": "orders.Order",
    "payments": "payments.Payment",
    "postings": "payments.Posting",
    "shop_documents": "vendors.ShopDocument",
    "product_images": "catalog.ProductImage",
    "paket": "procurement.Paket",
    "users": "accounts.User",
}


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


@dataclass(frozen=True)
class RestoreReport:
    name: str
    counts: dict[str, int]
    files: dict[str, int]
    problems: list[str]


def _pg_tool(name: str) -> str:
    """The newest client tools we have: the embedded Postgres's (18), which read and write older servers too."""
    from .embedded import _pg_bin

    return _pg_bin(name)


def _pg_env(settings_dict: dict) -> dict:
    env = {**os.environ, "PGDATABASE": settings_dict["NAME"], "PGUSER": settings_dict.get("USER") or "",
           "PGHOST": settings_dict.get("HOST") or "127.0.0.1", "PGPORT": str(settings_dict.get("PORT") or 5432)}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def backup_storage() -> Storage:
    return storages["backups"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _storage_is_empty(storage: Storage) -> bool:
    try:
        return next(storage_walk(storage), None) is None
    except FileNotFoundError:
        return True


def _tar_storage(storage: Storage, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w") as archive:
        try:
            names = list(storage_walk(storage))
        except FileNotFoundError:  # a local storage whose folder was never created: nothing stored yet
            names = []
        for name in names:
            info = tarfile.TarInfo(name)
            info.mtime = int(time.time())
            if hasattr(storage, "raw_read"):  # encrypted at rest: the tokens, never the plaintext
                data = storage.raw_read(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                info.size = storage.size(name)
                with storage.open(name, "rb") as handle:
                    archive.addfile(info, handle)
            count += 1
    return count


def _dump_database(target: Path) -> dict[str, int]:
    """pg_dump in a snapshot this connection exports, and the manifest's counts from the same snapshot."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            # The ORM runs on this same connection, so inside the same snapshot.
            counts = {label: apps.get_model(name)._default_manager.count() for label, name in COUNTED_MODELS.items()}
            dump = subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 f"--file={target}"],
                env=_pg_env(connection.settings_dict), capture_output=True, text=True, check=False)
        finally:
            cursor.execute("COMMIT")
    if dump.returncode != 0:
        raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
    return counts


def _git_revision() -> str:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                          check=False)
    return head.stdout.strip() if head.returncode == 0 else ""


def backup_create(*, destination: Storage | None = None) -> BackupRun:
    """Write one backup; the run row says good only once the manifest, written last, is stored."""
    destination = destination or backup_storage()
    run = BackupRun.objects.create()
    run.name = f"{timezone.localtime(run.started_at):%Y%m%d-%H%M%S}-{run.pk}"  # sorts by time; unique by id
    run.save(update_fields=["name"])
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="pb-backup-") as scratch:
            scratch = Path(scratch)
            counts = _dump_database(scratch / PARTS["database"])
            files = {label: _tar_storage(storages[alias], scratch / PARTS[label])
                     for label, alias in MEDIA_STORAGES.items()}
            manifest = {
                "format": 1,
                "name": run.name,
                "created_at": timezone.now().isoformat(),
                "revision": _git_revision(),
                "counts": counts,
                "files": files,
                "parts": {part: {"size": (scratch / part).stat().st_size, "sha256": _sha256(scratch / part)}
                          for part in PARTS.values()},
            }
            for part in PARTS.values():
                with open(scratch / part, "rb") as handle:
                    destination.save(f"{run.name}/{part}", File(handle))
            destination.save(f"{run.name}/{MANIFEST}", io.BytesIO(json.dumps(manifest, indent=2).encode()))
    except Exception as error:
        BackupRun.objects.filter(pk=run.pk).update(status=BackupRun.Status.FAILED, error=str(error)[:2000],
                                                    finished_at=timezone.now())
        raise
    run.status = BackupRun.Status.GOOD
    run.finished_at = timezone.now()
    run.size_bytes = sum(part["size"] for part in manifest["parts"].values())
    run.seconds = round(time.monotonic() - started, 1)
    run.save(update_fields=["status", "finished_at", "size_bytes", "seconds"])
    return run


def backup_names(*, source: Storage | None = None) -> list[str]:
    """Backups in the storage that have a manifest, newest first (a folder without one was interrupted)."""
    source = source or backup_storage()
    try:
        folders, _ = source.listdir("")
    except FileNotFoundError:
        return []
    return sorted((name for name in folders if source.exists(f"{name}/{MANIFEST}")), reverse=True)


def backup_fetch(*, name: str, target: Path, source: Storage | None = None) -> dict:
    """Copy a backup's parts into ``target`` and check each against the manifest; return the manifest."""
    source = source or backup_storage()
    if not source.exists(f"{name}/{MANIFEST}"):
        raise BackupError(f"Backup {name} has no manifest: it is incomplete or does not exist.")
    with source.open(f"{name}/{MANIFEST}", "rb") as handle:
        manifest = json.load(handle)
    for part, expected in manifest["parts"].items():
        if not source.exists(f"{name}/{part}"):
            raise BackupError(f"Backup {name} is missing {part}.")
        with source.open(f"{name}/{part}", "rb") as handle, open(target / part, "wb") as out:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                out.write(chunk)
        if _sha256(target / part) != expected["sha256"]:
            raise BackupError(f"Backup {name}: {part} does not match its checksum; it is damaged.")
    return manifest


def _database_has_tables() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0] > 0


def backup_restore(*, name: str, force: bool = False, source: Storage | None = None) -> RestoreReport:
    """Restore backup ``name`` into this settings' database and storages, then check what came back."""
    non_empty = [alias for alias in MEDIA_STORAGES.values() if not _storage_is_empty(storages[alias])]
    if not force and _database_has_tables():
        raise BackupError(f"The database {connection.settings_dict['NAME']} is not empty. Restore into an empty "
                          "database, or pass --force to replace everything in it.")
    if not force and non_empty:
        raise BackupError(f"The storage(s) {', '.join(non_empty)} already hold files. Restore into empty storage, "
                          "or pass --force to replace them.")
    with tempfile.TemporaryDirectory(prefix="pb-restore-") as scratch:
        scratch = Path(scratch)
        manifest = backup_fetch(name=name, target=scratch, source=source)  # everything checked before any change
        if force:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            for alias in non_empty:
                for stored in list(storage_walk(storages[alias])):
                    storages[alias].delete(stored)
        connection.close()  # pg_restore needs the database to itself for its single transaction
        restore = subprocess.run(
            [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             f"--dbname={connection.settings_dict['NAME']}", str(scratch / PARTS["database"])],
            env=_pg_env(connection.settings_dict), capture_output=True, text=True, check=False)
        if restore.returncode != 0:
            raise BackupError(f"pg_restore failed: {restore.stderr.strip()}")
        files = {}
        for label, alias in MEDIA_STORAGES.items():
            with tarfile.open(scratch / PARTS[label]) as archive:
                files[label] = 0
                for member in archive:
                    if not member.isfile():
                        continue
                    storage, content = storages[alias], File(archive.extractfile(member))
                    stored = (storage.raw_save(member.name, content) if hasattr(storage, "raw_save")
                              else storage.save(member.name, content))
                    if stored != member.name:
                        raise BackupError(f"{member.name} could not be restored under its own name ({stored}).")
                    files[label] += 1
    return RestoreReport(name=name, counts=manifest["counts"], files=files,
                         problems=backup_check(manifest=manifest, files=files))


def backup_check(*, manifest: dict, files: dict[str, int]) -> list[str]:
    """What a restored database lacks against the manifest, and any ledger invariant it breaks."""
    from payments.ledger import ledger_check_invariants

    problems = []
    for label, model_name in COUNTED_MODELS.items():
        found = apps.get_model(model_name)._default_manager.count()
        if found != manifest["counts"][label]:
            problems.append(f"{label}: {found} restored, {manifest['counts'][label]} in the backup")
    for label, expected in manifest["files"].items():
        if files.get(label) != expected:
            problems.append(f"{label} files: {files.get(label)} restored, {expected} in the backup")
    return problems + ledger_check_invariants()


def backup_prune(*, keep: int, source: Storage | None = None) -> list[str]:
    """Delete all but the newest ``keep`` good backups, and interrupted folders older than the newest good one."""
    source = source or backup_storage()
    good = backup_names(source=source)
    try:
        folders, _ = source.listdir("")
    except FileNotFoundError:
        return []
    newest = good[0] if good else ""
    doomed = good[keep:] + [name for name in folders if name not in good and name < newest]
    for name in doomed:
        for stored in list(storage_walk(source, name)):
            source.delete(stored)
        if hasattr(source, "path"):  # a local folder: remove the emptied directories too
            for folder in sorted(Path(source.path(name)).glob("**/"), reverse=True):
                folder.rmdir()
    return doomed


def backup_last_good() -> BackupRun | None:
    return BackupRun.objects.filter(status=BackupRun.Status.GOOD).order_by("-finished_at").first()


def backup_is_stale(*, last: BackupRun | None, now: datetime.datetime | None = None) -> bool:
    """No good backup at all, or the last good one is older than PB_BACKUP_MAX_AGE_HOURS."""
    limit = datetime.timedelta(hours=settings.PB_BACKUP_MAX_AGE_HOURS)
    return last is None or (now or timezone.now()) - last.finished_at > limit
