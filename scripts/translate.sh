#!/usr/bin/env bash
# Refresh the zh_Hans catalog from the source (English msgids) and compile it.
# New messages appear untranslated; the translation test fails until they are translated.
set -euo pipefail
cd "$(dirname "$0")/../linli"
DEBUG=1 ../.venv/bin/django-admin makemessages -l zh_Hans --no-location --no-obsolete
DEBUG=1 ../.venv/bin/django-admin compilemessages -l zh_Hans
