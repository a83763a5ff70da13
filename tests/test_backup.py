"""The backup and the restore drill, on real servers: a backup taken while orders and payments keep being written,
restored by `manage.py restore` in another process into a new database and empty media folders, then checked row by
row and file by file."""

import os
import subprocess
import sys
import tarfile
import threading
import uuid

import psycopg2
import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from catalog.models import ProductImage
from orders.models import Order
from payments.models import Posting
from payments.services import payment_start
from plazabanten import backup
from plazabanten.models import BackupRun
from tests.factories import make_product, make_shop
from tests.payments.conftest import notify, place_checkout, sandbox_body, sandbox_set
from vendors.models import ShopDocument

pytestmark = pytest.mark.django_db(transaction=True)


def paid_checkout(client, key):
    group = place_checkout(prices=(15000, 250000), key=key)
    attempt = payment_start(group_id=group.pk, buyer=group.buyer, method="qris")
    sandbox_set(attempt.attempt_ref, status="settlement")
    assert notify(client, sandbox_body(attempt.attempt_ref)).json() == {"result": "paid"}
    return group


def seed(client) -> bytes:
    """Seeds orders, a KTP and a photo; returns the KTP's plaintext."""
    for n in range(3):
        paid_checkout(client, key=f"seed-{n}")
    shop = make_shop()
    ktp = b"KTP-" + os.urandom(64)
    ShopDocument.objects.create(shop=shop, kind="ktp", file=SimpleUploadedFile("ktp.jpg", ktp),
                                original_name="ktp.jpg", content_type="image/jpeg", size=len(ktp))
    ProductImage.objects.create(product=make_product(shop=shop),
                                original=SimpleUploadedFile("foto.jpg", b"JPEG-" + os.urandom(256)))
    return ktp


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT']}/{name}"


@pytest.fixture
def fresh_database():
    """A new, empty database on the same server, dropped afterwards."""
    name = f"drill_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def restore(tmp_path, database: str, *args: str) -> subprocess.CompletedProcess:
    """`manage.py restore` as on a fresh machine: its own process, database, var/ folder and media folders."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plazabanten.settings.local", "DATABASE_URL": database_url(database),
           "REDIS_URL": settings.REDIS_URL, "PB_VAR_DIR": str(tmp_path / "fresh-var"),
           "PB_BACKUP_DIR": str(tmp_path / "backups"), "PB_DOCUMENT_KEYS": ",".join(settings.PB_DOCUMENT_KEYS)}
    return subprocess.run([sys.executable, "manage.py", "restore", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_restore_drill_brings_back_every_order_posting_document_and_photo(client, tmp_path, fresh_database):
    ktp = seed(client)
    before = set(Order.objects.values_list("number", flat=True))
    stop = threading.Event()
    written = []

    def keep_writing():  # orders and payments land while the backup runs
        writer = Client()
        try:
            while not stop.is_set():
                written.append(paid_checkout(writer, key=f"during-{len(written)}").pk)
        finally:
            connections.close_all()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        run = backup.backup_create(destination=FileSystemStorage(tmp_path / "backups"))
    finally:
        stop.set()
        writer.join()
    paid_checkout(client, key="after")  # written after the backup: must not come back
    after = set(Order.objects.values_list("number", flat=True))
    assert written, "the writer never got an order in while the backup ran"
    assert run.status == BackupRun.Status.GOOD and run.size_bytes > 0

    result = restore(tmp_path, fresh_database)
    assert result.returncode == 0, result.stderr
    assert "Counts match the backup and the ledger invariants hold." in result.stdout

    with psycopg2.connect(database_url(fresh_database)) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT number FROM orders_order")
        numbers = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT coalesce(sum(amount), 0), count(*) FROM payments_posting")
        posting_sum, postings = cursor.fetchone()
        cursor.execute("SELECT file FROM vendors_shopdocument")
        documents = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT original FROM catalog_productimage")
        photos = [row[0] for row in cursor.fetchall()]
    assert before <= numbers  # everything written before the backup began
    assert not numbers & (after - before - set(Order.objects.filter(
        group_id__in=written).values_list("number", flat=True)))  # nothing written after it ended
    assert posting_sum == 0 and 0 < postings <= Posting.objects.count()
    fresh = tmp_path / "fresh-var"
    for name in documents:  # the same Fernet tokens: what was encrypted at rest stays encrypted in the backup
        assert (fresh / "private" / name).read_bytes() == storages["private"].raw_read(name)
    with tarfile.open(tmp_path / "backups" / run.name / "private.tar") as archive:
        stored = b"".join(archive.extractfile(member).read() for member in archive if member.isfile())
    assert stored and ktp not in stored  # the whole plaintext: four bytes alone turn up in base64 by chance
    for name in photos:
        assert (fresh / "media" / name).read_bytes() == storages["default"].open(name).read()
    assert documents and photos

    again = restore(tmp_path, fresh_database)
    assert again.returncode != 0 and "is not empty" in again.stderr
    forced = restore(tmp_path, fresh_database, run.name, "--force")
    assert forced.returncode == 0, forced.stderr


class FullDisk(FileSystemStorage):
    """A backups folder that fills up after the first part: the run is interrupted midway."""

    def _save(self, name, content):
        if not name.endswith("database.dump"):
            raise OSError(28, "No space left on device")
        return super()._save(name, content)


def test_an_interrupted_backup_is_never_reported_good(client, tmp_path):
    paid_checkout(client, key="one")
    destination = FullDisk(tmp_path / "backups")
    with pytest.raises(OSError):
        backup.backup_create(destination=destination)
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.FAILED and "No space left" in run.error
    assert (tmp_path / "backups" / run.name / "database.dump").exists()  # a part landed, the manifest did not
    assert backup.backup_names(source=FileSystemStorage(tmp_path / "backups")) == []
    assert backup.backup_last_good() is None
    assert client.get("/healthz").json()["backup"] == "stale"


def test_a_damaged_backup_is_refused_before_anything_is_touched(client, tmp_path, fresh_database):
    paid_checkout(client, key="one")
    run = backup.backup_create(destination=FileSystemStorage(tmp_path / "backups"))
    part = tmp_path / "backups" / run.name / "media.tar"
    part.write_bytes(part.read_bytes() + b"\0")
    result = restore(tmp_path, fresh_database)
    assert result.returncode != 0 and "media.tar does not match its checksum" in result.stderr
    with psycopg2.connect(database_url(fresh_database)) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone() == (0,)


def test_the_nightly_task_backs_up_on_the_worker_and_prunes_old_backups(celery_worker, settings, tmp_path, client,
                                                                        wait_until):
    from plazabanten.tasks import backup_create

    settings.PB_BACKUP_KEEP = 1
    storages._storages.pop("backups", None)
    settings.STORAGES = {**settings.STORAGES, "backups": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "b")}}}
    (tmp_path / "b" / "20000101-000000").mkdir(parents=True)  # an interrupted run from long ago
    good = BackupRun.objects.filter(status=BackupRun.Status.GOOD)
    for expected in (1, 2):
        backup_create.delay()
        assert wait_until(lambda n=expected: good.count() >= n and backup.backup_names(), timeout=120)
    assert backup.backup_names() == [good.order_by("-pk").first().name]  # the first one was pruned
    assert not (tmp_path / "b" / "20000101-000000").exists()
    assert client.get("/healthz").json()["backup"] == "ok"


def test_the_pemprov_console_shows_the_last_good_backup(client, tmp_path):
    from tests.vendors.helpers import make_verifikator

    client.force_login(make_verifikator())
    page = client.get("/verifikasi/angka/").content.decode()
    assert "belum ada cadangan data yang berhasil" in page and "Cadangan sudah terlalu lama" in page
    run = backup.backup_create(destination=FileSystemStorage(tmp_path / "backups"))
    page = client.get("/verifikasi/angka/").content.decode()
    assert "cadangan data terakhir yang berhasil" in page and "Cadangan sudah terlalu lama" not in page
    assert f"{run.finished_at.astimezone(backup.timezone.get_current_timezone()):%H:%M}" in page
