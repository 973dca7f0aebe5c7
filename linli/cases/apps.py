from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    label = "cases"
    verbose_name = _("Requests and work orders")

    def ready(self):
        from django.db.models.signals import pre_delete, pre_save

        from . import facility_history, rollup, workflow  # noqa: F401  (workflow: the lifecycle of Case, for lifecycle_of)
        from .models import Case
        from .photos import guard_pillow

        guard_pillow()
        facility_history.register()  # the requests on a facility's page (facilities.extensions)

        # a rolled-up request leaves the rollup before it changes or goes, whoever writes it
        pre_save.connect(rollup.release_before_save, sender=Case, dispatch_uid="cases.rollup.release_before_save")
        pre_delete.connect(rollup.release_before_delete, sender=Case, dispatch_uid="cases.rollup.release_deleted")
