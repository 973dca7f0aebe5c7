from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "linli.projects"
    verbose_name = _("Three lists (三单)")

    def ready(self):
        from . import workflow  # noqa: F401  (registers the lifecycles for the docs and lifecycle_of)
