from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "linli.funds"
    verbose_name = "Maintenance funds"

    def ready(self):
        from . import workflow  # noqa: F401 (registers the lifecycle of a use)
