"""The `linli` console command: Django's management commands with Linli's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        sys.argv[1] = sys.argv[1].replace("-", "_")  # `linli bench-data` runs the bench_data command
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
