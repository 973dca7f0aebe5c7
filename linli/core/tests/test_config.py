"""Production refuses to start on development secrets, weak secrets or keys that cannot work,
and `check --deploy` reports the same problems. Settings are imported in a fresh process with
the environment a server would have."""

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

GOOD_FIELD_KEY = Fernet.generate_key().decode()
PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "DEBUG": "0",
    "SECRET_KEY": "k7Qw-production-secret-" + "Zx9!" * 10,
    "LINLI_FIELD_KEYS": GOOD_FIELD_KEY,
    "LINLI_HASH_KEY": "hash-key-for-production-" + "Yq3#" * 5,
    "ALLOWED_HOSTS": "linli.example.gov.cn",
    "DJANGO_SETTINGS_MODULE": "linli.settings",
}
DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="
DEV_HASH_KEY = "dev-only-hash-key"


def run(tmp_path, *args, **env):
    """`django <args>`, or with no args just the settings import a server's start begins with."""
    env = PRODUCTION | {"LINLI_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"} | env
    command = ["-m", "django", *args] if args else ["-c", "import linli.settings"]
    return subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True)


def test_a_production_environment_starts_and_passes_check_deploy(tmp_path):
    r = run(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": DEV_SECRET}, "SECRET_KEY is the development value"),
        ({"SECRET_KEY": "short-but-random-Zq8!"}, "SECRET_KEY is too short"),
        ({"LINLI_FIELD_KEYS": "notakey"}, "LINLI_FIELD_KEYS: key 1 is not a valid Fernet key"),
        ({"LINLI_FIELD_KEYS": f"{GOOD_FIELD_KEY},notakey"}, "LINLI_FIELD_KEYS: key 2 is not a valid Fernet key"),
        ({"LINLI_FIELD_KEYS": DEV_FIELD_KEY}, "LINLI_FIELD_KEYS: key 1 is the development value"),
        ({"LINLI_HASH_KEY": ""}, "LINLI_HASH_KEY must be set"),
        ({"LINLI_HASH_KEY": DEV_HASH_KEY}, "LINLI_HASH_KEY is the development value"),
        ({"LINLI_HASH_KEY": "production-hash-key"}, "LINLI_HASH_KEY is too short"),
        ({"LINLI_HASH_KEY": PRODUCTION["SECRET_KEY"]}, "LINLI_HASH_KEY must differ from SECRET_KEY"),
        (
            {"LINLI_TRUSTED_PROXIES": "127.0.0.1,nginx"},
            "LINLI_TRUSTED_PROXIES: 'nginx' is not an IP address or network",
        ),
    ],
)
def test_production_refuses_to_start_and_names_the_variable(tmp_path, env, expected):
    r = run(tmp_path, **env)
    assert r.returncode != 0 and expected in r.stderr, r.stderr[-2000:]


def test_every_problem_is_named_at_once(tmp_path):
    r = run(tmp_path, SECRET_KEY=DEV_SECRET, LINLI_HASH_KEY=DEV_HASH_KEY)
    assert "SECRET_KEY is the development value" in r.stderr and "LINLI_HASH_KEY is the development value" in r.stderr


def test_an_invalid_field_key_is_refused_in_development_too(tmp_path):
    r = run(tmp_path, DEBUG="1", LINLI_FIELD_KEYS="notakey")
    assert r.returncode != 0 and "LINLI_FIELD_KEYS: key 1 is not a valid Fernet key" in r.stderr


def test_check_deploy_reports_the_development_defaults(tmp_path):
    # `make run`'s environment: DEBUG on, every secret left at its development default
    r = run(tmp_path, "check", "--deploy", DEBUG="1", SECRET_KEY="", LINLI_FIELD_KEYS="", LINLI_HASH_KEY="")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    for code in ("linli.E001", "linli.E004", "linli.E005"):
        assert code in out, out


@pytest.mark.parametrize(
    ("secret_key", "hash_key", "ok"),
    [
        ("a1b2c" * 10, "h" * 16 + "0123456789abcdef", True),  # 50 and 32 characters: long enough
        ("a1b2c" * 10 + "x", "h" * 16 + "0123456789abcdef", True),
        ("a1b2c" * 9 + "a1b2", "h" * 16 + "0123456789abcdef", False),  # 49
        ("a1b2c" * 10, "h" * 16 + "0123456789abcde", False),  # 31
        ("ab" * 25, "h" * 16 + "0123456789abcdef", False),  # 50 characters but only 2 different ones
        ("django-insecure-" + "a1b2c3d4e5" * 4, "h" * 16 + "0123456789abcdef", False),  # startproject's prefix
    ],
)
def test_length_boundaries(secret_key, hash_key, ok):
    from linli.core.config import problems

    found = problems(
        debug=False, secret_key=secret_key, field_keys=[GOOD_FIELD_KEY], hash_key=hash_key, trusted_proxies=[]
    )
    assert (found == []) is ok, found
