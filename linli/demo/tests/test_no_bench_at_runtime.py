"""The runtime (make run, production) needs neither the benchmark app nor Faker: Faker is in the
`bench` extra and linli.bench is installed by linli.bench.settings only."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]


def test_faker_is_in_the_bench_extra_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("faker")]
    assert [d for d in project["optional-dependencies"]["bench"] if d.lower().startswith("faker")]


def test_the_bench_app_is_installed_by_the_bench_settings_only():
    assert "linli.bench" not in settings.INSTALLED_APPS
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print('linli.bench' in settings.INSTALLED_APPS)"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "linli.bench.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "True"


def test_the_demo_and_every_runtime_app_load_without_faker():
    # `import faker` fails in this process, as on a machine without the bench extra
    script = (
        "import sys; sys.modules['faker'] = None\n"
        "import django; django.setup()\n"
        "from django.core.management import call_command; call_command('check')\n"
        "import linli.demo.builder, linli.demo.management.commands.demo\n"
        "from linli.demo.names import Names; n = Names(1); print(n.surname() + n.given(True))"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "linli.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert 2 <= len(done.stdout.strip().splitlines()[-1]) <= 3
