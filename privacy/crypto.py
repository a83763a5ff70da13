"""Private documents are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`).

The keys come from the environment: ``PB_DOCUMENT_KEYS`` is a comma-separated list of Fernet keys, the first one
encrypts, all of them decrypt (MultiFernet), so a new key is put first and ``manage.py private_documents_rotate``
re-encrypts every stored file with it before the old one is dropped. Locally a key is generated into
``var/document_key`` (like ``var/secret_key``). A copied bucket, folder or backup without the key reveals nothing.

A token no configured key opens raises DocumentKeyError: never garbage bytes handed to a browser.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# Every Fernet token starts with the version byte 0x80, which base64 writes as "gA"; the 64-bit timestamp that
# follows keeps the next characters "AAAA" until the year 2106. A JPEG, PNG or PDF never starts like this.
TOKEN_PREFIX = b"gAAAAA"


class DocumentKeyError(Exception):
    """A stored document that none of the configured keys opens (a wrong or missing PB_DOCUMENT_KEYS)."""

    def __init__(self, name: str):
        super().__init__(f"private document {name!r} cannot be decrypted with any key in PB_DOCUMENT_KEYS")
        self.name = name


@cache
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise DocumentKeyError("(no PB_DOCUMENT_KEYS configured)")
    fernets = [Fernet(key.encode()) for key in keys]
    return MultiFernet(fernets), fernets[0]


def document_keys() -> tuple[MultiFernet, Fernet]:
    """All keys (decrypt, rotate) and the primary key (encrypt) from settings.PB_DOCUMENT_KEYS."""
    return _fernets(tuple(settings.PB_DOCUMENT_KEYS))


def document_encrypt(data: bytes) -> bytes:
    return document_keys()[0].encrypt(data)


def document_decrypt(token: bytes, *, name: str = "") -> bytes:
    if not token.startswith(TOKEN_PREFIX):
        raise DocumentKeyError(name)  # plaintext left over, or not ours: `private_documents_rotate` encrypts it
    try:
        return document_keys()[0].decrypt(token)
    except InvalidToken:
        raise DocumentKeyError(name) from None


def is_encrypted(data: bytes) -> bool:
    return data.startswith(TOKEN_PREFIX)


def document_rotate(token: bytes) -> bytes | None:
    """The token re-encrypted with the primary key; None when it already is (nothing to write)."""
    multi, primary = document_keys()
    try:
        primary.decrypt(token)
        return None
    except InvalidToken:
        pass
    return multi.rotate(token)  # InvalidToken when no key opens it
