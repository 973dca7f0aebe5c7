from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    label = "cases"
    verbose_name = _("Requests and work orders")

    def ready(self):
        from django.db.models.signals import pre_delete

        from .models import Case
        from .photos import guard_pillow

        guard_pillow()

        def release_deleted(sender, instance, **kwargs):
            if instance.rolled_up:
                from .rollup import release

                release([instance.pk])

        pre_delete.connect(release_deleted, sender=Case, dispatch_uid="cases.rollup.release_deleted")
