"""The zh_Hans catalog is complete: nothing untranslated or fuzzy, and every message in the
source code (extracted afresh with makemessages) has a translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[2]
CATALOG = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalog_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(CATALOG))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_every_source_message_is_in_the_catalog(tmp_path):
    copy = tmp_path / "linli"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    (copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").unlink()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOG)) if e.translated()}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known)
    assert missing == [], f"untranslated messages, run makemessages and translate: {missing}"


def test_catalog_placeholders_match_their_source():
    # a "%" or a missing %(name)s in a translation breaks the page at runtime
    r = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(CATALOG)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
