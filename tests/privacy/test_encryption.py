"""Private documents are Fernet tokens on disk, readable only through the storage with the right key; the key
rotates by a command; a wrong key is a clear 503 page and a named failure, never garbage."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from privacy.crypto import DocumentKeyError
from privacy.models import DocumentAccess
from tests.vendors.helpers import make_complete_draft, make_verifikator

pytestmark = pytest.mark.django_db


def stored(document) -> bytes:
    with open(document.file.storage.path(document.file.name), "rb") as handle:
        return handle.read()


def test_a_stored_document_is_a_fernet_token_not_the_plaintext():
    shop = make_complete_draft()
    ktp = shop.documents.get(kind="ktp")
    with ktp.file.open("rb") as handle:
        plaintext = handle.read()
    raw = stored(ktp)
    assert plaintext.startswith(b"\xff\xd8")  # the JPEG the seller uploaded comes back whole
    assert raw.startswith(b"gAAAAA") and b"\xff\xd8" not in raw[:64] and plaintext not in raw
    assert len(raw) > len(plaintext)


def test_rotation_re_encrypts_every_document_with_the_new_key_and_is_resumable(settings):
    shop = make_complete_draft()
    old = settings.PB_DOCUMENT_KEYS[0]
    new = Fernet.generate_key().decode()
    plaintexts = {d.pk: d.file.open("rb").read() for d in shop.documents.all()}
    before = {d.pk: stored(d) for d in shop.documents.all()}
    settings.PB_DOCUMENT_KEYS = [new, old]
    out = io.StringIO()
    call_command("private_documents_rotate", stdout=out)
    assert "rotated to the first key: 3" in out.getvalue() and "failed (no key opens them): 0" in out.getvalue()
    settings.PB_DOCUMENT_KEYS = [new]  # the old key is gone: everything still opens
    for document in shop.documents.all():
        assert stored(document) != before[document.pk]
        assert Fernet(new.encode()).decrypt(stored(document)) == plaintexts[document.pk]
        assert document.file.open("rb").read() == plaintexts[document.pk]
    out = io.StringIO()
    call_command("private_documents_rotate", stdout=out)  # run again (as after an interruption): nothing to do
    assert "rotated to the first key: 0" in out.getvalue() and "already on the first key: 3" in out.getvalue()


def test_plaintext_left_from_before_encryption_is_encrypted_by_the_command():
    shop = make_complete_draft()
    document = shop.documents.get(kind="nib")
    storage = storages["private"]
    plaintext = document.file.open("rb").read()
    storage.raw_replace(document.file.name, plaintext)  # as stored before this change
    document = shop.documents.get(kind="nib")
    with pytest.raises(DocumentKeyError):
        document.file.open("rb")  # never handed out as if it were decrypted
    document = shop.documents.get(kind="nib")
    out = io.StringIO()
    call_command("private_documents_rotate", stdout=out)
    assert "encrypted (was plaintext): 1" in out.getvalue()
    assert stored(document).startswith(b"gAAAAA") and document.file.open("rb").read() == plaintext


def test_a_wrong_key_is_a_clear_503_page_and_the_command_names_the_documents(client, settings):
    shop = make_complete_draft()
    ktp = shop.documents.get(kind="ktp")
    settings.PB_DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    client.force_login(make_verifikator())
    response = client.get(f"/penjual/{shop.pk}/dokumen/{ktp.pk}/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "kunci enkripsi server tidak cocok" in response.text and b"\xff\xd8" not in response.content
    assert not DocumentAccess.objects.exists()  # nothing was seen, nothing is logged as seen
    with pytest.raises(CommandError) as failure:
        call_command("private_documents_rotate", stdout=io.StringIO())
    assert ktp.file.name in str(failure.value) and "cannot be decrypted" in str(failure.value)
