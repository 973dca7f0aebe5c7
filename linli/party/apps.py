from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "linli.party"
    label = "party"
    verbose_name = "党建 · 共驻共建"

    def ready(self):
        from . import workflow  # noqa: F401 - registers the lifecycles (core.lifecycle.lifecycle_of)
