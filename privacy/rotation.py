"""Walk the private storage and bring every file to the primary key: plaintext left from before encryption is
encrypted, a token of an older key is re-encrypted (MultiFernet.rotate), a current one is left alone. Each file is
replaced atomically, so an interrupted run is simply run again (resumable); a file no key opens is reported by
name and left as it is."""

from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.core.files.storage import storages

from .crypto import document_encrypt, document_rotate, is_encrypted


@dataclass
class RotationReport:
    encrypted: int = 0  # was plaintext
    rotated: int = 0  # was an older key's token
    current: int = 0  # already the primary key's
    failed: list[str] = field(default_factory=list)  # no configured key opens it


def private_documents_rotate(*, storage=None, plaintext_only: bool = False) -> RotationReport:
    storage = storage or storages["private"]
    report = RotationReport()
    for name in storage.walk():
        raw = storage.raw_read(name)
        if not is_encrypted(raw):
            storage.raw_replace(name, document_encrypt(raw))
            report.encrypted += 1
            continue
        if plaintext_only:
            report.current += 1
            continue
        try:
            token = document_rotate(raw)
        except InvalidToken:
            report.failed.append(name)
            continue
        if token is None:
            report.current += 1
        else:
            storage.raw_replace(name, token)
            report.rotated += 1
    return report
