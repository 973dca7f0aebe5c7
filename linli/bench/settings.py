"""Settings for `make bench`, `make bench-smoke` and `make soak`: production-like (DEBUG off, no
console notifications) on the development keys the synthetic district was encrypted with, the
bench app (its commands: bench_data, bench, soak; Faker from the `bench` extra) and the bare
comparison view. linli.settings does not install the bench app."""

import os

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
