"""Settings for `make bench`, `make bench-smoke` and `make soak`: production-like (DEBUG off, no
console notifications) on the development keys the synthetic district was encrypted with, the
bench app (its commands: bench_data, bench, soak; Faker from the `bench` extra) and the bare
comparison view. linli.settings does not install the bench app."""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "1")  # only so the development keys load; DEBUG is turned off below

from linli.settings import *  # noqa: E402, F403

INSTALLED_APPS = [*INSTALLED_APPS, "linli.bench"]  # noqa: F405
DEBUG = False
ROOT_URLCONF = "linli.bench.urls"
LINLI_NOTIFY_BACKENDS = ["linli.core.notify.InAppBackend"]
# warnings and server errors to stderr (gunicorn's log: the soak counts the 500s in it)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"level": "WARNING", "handlers": ["console"]},
}

# The phone benchmark (bench.phone) serves the static files as production does: hashed names and
# compressed copies collected into a folder of its own (DEBUG=1 above made linli.settings choose
# the plain storage of development).
if os.environ.get("LINLI_BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["LINLI_BENCH_STATIC_ROOT"])
    STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
