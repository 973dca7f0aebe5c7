"""Settings for `make bench`: production-like (DEBUG off, no console notifications) on the
development keys the synthetic district was encrypted with, plus the bare comparison view."""

import os

os.environ.setdefault("DEBUG", "1")  # only so the development keys load; DEBUG is turned off below

from linli.settings import *  # noqa: E402, F403

DEBUG = False
ROOT_URLCONF = "linli.bench.urls"
LINLI_NOTIFY_BACKENDS = ["linli.core.notify.InAppBackend"]
# warnings and server errors to stderr (gunicorn's log: the soak counts the 500s in it)
LOGGING = {"version": 1, "disable_existing_loggers": False, "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"level": "WARNING", "handlers": ["console"]}}
