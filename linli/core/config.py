"""What a server must not start with: the development secrets, weak secrets, keys that cannot work.

Settings call `problems()` while they load (DEBUG off: every problem stops the process, naming the
variable; DEBUG on: only values that cannot work at all), and the deploy system check
(`linli check --deploy`, linli.core.checks) reports the same list as errors whatever DEBUG is.
No Django import here: settings.py imports this module before Django is configured.
"""

import base64
import binascii
import ipaddress

# Development-only values: `make run` (DEBUG=1) uses them when the variables are unset.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105
DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="  # base64 of 32 bytes
DEV_HASH_KEY = "dev-only-hash-key"  # noqa: S105

# Django's own deploy check asks 50 characters and 5 different ones of SECRET_KEY; the hash key
# guards ID numbers (few possible values, so a guessable key lets anyone hash them all): 32.
MIN_SECRET_KEY, MIN_SECRET_KEY_CHARS, MIN_HASH_KEY = 50, 5, 32
GENERATE = {
    "SECRET_KEY": 'python -c "import secrets; print(secrets.token_urlsafe(64))"',
    "LINLI_FIELD_KEYS": 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
    "LINLI_HASH_KEY": 'python -c "import secrets; print(secrets.token_urlsafe(48))"',
}


def _fernet_key_ok(key: str) -> bool:
    try:
        return len(base64.b64decode(key.encode(), altchars=b"-_", validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _cannot_work(field_keys, trusted_proxies) -> list[tuple[str, str]]:
    found = []
    for i, key in enumerate(field_keys, 1):
        if not _fernet_key_ok(key):
            found.append(
                (
                    "linli.E003",
                    f"LINLI_FIELD_KEYS: key {i} is not a valid Fernet key (32 url-safe base64-encoded bytes); "
                    f"generate one with {GENERATE['LINLI_FIELD_KEYS']}",
                )
            )
    for proxy in trusted_proxies:
        try:
            ipaddress.ip_network(proxy.strip(), strict=False)
        except ValueError:
            found.append(
                (
                    "linli.E007",
                    f"LINLI_TRUSTED_PROXIES: {proxy!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/24)",
                )
            )
    return found


def _secret_key(value) -> list[tuple[str, str]]:
    if not value:
        return [("linli.E001", f"SECRET_KEY must be set when DEBUG is off; generate one with {GENERATE['SECRET_KEY']}")]
    if value == DEV_SECRET_KEY:
        return [
            (
                "linli.E001",
                f"SECRET_KEY is the development value from settings.py; generate one with {GENERATE['SECRET_KEY']}",
            )
        ]
    if len(value) < MIN_SECRET_KEY or len(set(value)) < MIN_SECRET_KEY_CHARS or value.startswith("django-insecure-"):
        return [
            (
                "linli.E002",
                f"SECRET_KEY is too short or too plain (at least {MIN_SECRET_KEY} characters, {MIN_SECRET_KEY_CHARS} "
                f"different ones); generate one with {GENERATE['SECRET_KEY']}",
            )
        ]
    return []


def _field_keys(keys) -> list[tuple[str, str]]:
    if not keys:
        return [
            (
                "linli.E003",
                f"LINLI_FIELD_KEYS must be set when DEBUG is off; generate one with {GENERATE['LINLI_FIELD_KEYS']}",
            )
        ]
    return [
        (
            "linli.E004",
            f"LINLI_FIELD_KEYS: key {i} is the development value from settings.py; generate one with "
            f"{GENERATE['LINLI_FIELD_KEYS']}",
        )
        for i, key in enumerate(keys, 1)
        if key == DEV_FIELD_KEY
    ]


def _hash_key(value, secret_key) -> list[tuple[str, str]]:
    if not value:
        return [
            (
                "linli.E005",
                f"LINLI_HASH_KEY must be set when DEBUG is off; generate one with {GENERATE['LINLI_HASH_KEY']}",
            )
        ]
    if value == DEV_HASH_KEY:
        return [
            (
                "linli.E005",
                "LINLI_HASH_KEY is the development value from settings.py; generate one with "
                f"{GENERATE['LINLI_HASH_KEY']}",
            )
        ]
    if len(value) < MIN_HASH_KEY:
        return [
            (
                "linli.E006",
                f"LINLI_HASH_KEY is too short (at least {MIN_HASH_KEY} characters); generate one with "
                f"{GENERATE['LINLI_HASH_KEY']}",
            )
        ]
    if value == secret_key:
        return [
            (
                "linli.E006",
                "LINLI_HASH_KEY must differ from SECRET_KEY (one leaked secret must not give away the other)",
            )
        ]
    return []


def problems(*, debug, secret_key, field_keys, hash_key, trusted_proxies) -> list[tuple[str, str]]:
    """(check id, message) for every value a server must not run with; with `debug` only those
    that cannot work at all (an invalid key fails at the first encryption, not at start)."""
    found = _cannot_work(field_keys, trusted_proxies)
    if debug:
        return found
    return _secret_key(secret_key) + _field_keys(field_keys) + _hash_key(hash_key, secret_key) + found
