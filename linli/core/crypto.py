"""Field encryption at rest and keyed hashes for exact lookup of encrypted values.

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`; MultiFernet so keys can be rotated:
the first key of LINLI_FIELD_KEYS encrypts, every key decrypts. The keyed hash (HMAC-SHA256 with
LINLI_HASH_KEY) lets us find and de-duplicate an ID number without decrypting every row.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.LINLI_FIELD_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must fail loudly, never show ciphertext
        raise ValueError("cannot decrypt field: wrong LINLI_FIELD_KEYS?") from exc


def encrypt_bytes(value: bytes) -> bytes:
    return _fernet().encrypt(bytes(value))


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise ValueError("cannot decrypt field: wrong LINLI_FIELD_KEYS?") from exc


def keyed_hash(value: str) -> str:
    key = settings.LINLI_HASH_KEY.encode()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
