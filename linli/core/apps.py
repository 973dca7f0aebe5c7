from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401 - registers the deploy checks
        from .search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions)  # the search index's triggers call them
