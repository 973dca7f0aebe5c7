"""`linli docs-diagrams`: write each lifecycle's diagram and table into its page under docs/, from
the declarations (core.lifecycle), so the docs cannot drift from the code. `--check` changes
nothing and fails when a page differs (a test runs it)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from linli.core.lifecycle import REGISTRY, render_doc

DOCS = Path(settings.BASE_DIR).parent / "docs"


class Command(BaseCommand):
    help = "Write the lifecycle diagrams and tables into docs/ (--check: fail if they differ)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="change nothing; fail when a page differs")

    def handle(self, *args, check=False, **options):
        autodiscover_modules("workflow")  # each app's declaration registers itself
        stale = []
        with translation.override(settings.LANGUAGE_CODE):
            for lifecycle in REGISTRY:
                page = DOCS / lifecycle.doc
                text = page.read_text(encoding="utf-8")
                try:
                    fresh = render_doc(text, lifecycle)
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
                if fresh != text:
                    stale.append(str(page.relative_to(DOCS.parent)))
                    if not check:
                        page.write_text(fresh, encoding="utf-8")
        if check and stale:
            raise CommandError(f"not what the declarations say: {', '.join(stale)}; run `linli docs-diagrams`")
        self.stdout.write(("written: " if stale else "up to date: ") + ", ".join(stale or (lc.doc for lc in REGISTRY)))
