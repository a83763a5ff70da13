"""The private storage (identity documents, SK, procurement PDFs) writes Fernet tokens and reads plaintext back.

Everything that goes through ``storages["private"]`` (FieldFile.save/open) is encrypted on the way in and
decrypted on the way out; only the rotation command and the backup touch the stored bytes (``raw_read``,
``raw_replace``, ``raw_save``).
"""

import os
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

from plazabanten.uploads import storage_walk

from .crypto import document_decrypt, document_encrypt


class EncryptedStorageMixin:
    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, ContentFile(document_encrypt(content.read())))

    def _open(self, name, mode="rb"):
        return ContentFile(document_decrypt(self.raw_read(name), name=name), name=name)

    def raw_read(self, name: str) -> bytes:
        with super()._open(name, "rb") as handle:
            return handle.read()

    def raw_save(self, name: str, content) -> str:
        """Store bytes that are already tokens (a restored backup) as they are."""
        return super()._save(name, content)

    def walk(self, folder: str = ""):
        """Every stored file name, depth first."""
        yield from storage_walk(self, folder)


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    def raw_replace(self, name: str, data: bytes) -> None:
        """Overwrite in place atomically (a rename), so an interrupted rotation leaves each file whole."""
        path = self.path(name)
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".rotate-")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)

    def walk(self, folder: str = ""):
        if not os.path.isdir(self.path(folder) if folder else self.location):
            return
        yield from (name for name in super().walk(folder) if not os.path.basename(name).startswith(".rotate-"))


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    def raw_replace(self, name: str, data: bytes) -> None:
        S3Storage._save(self, name, ContentFile(data))  # the same key: one PUT replaces the object whole
