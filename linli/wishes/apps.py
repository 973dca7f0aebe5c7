from django.apps import AppConfig


class WishesConfig(AppConfig):
    name = "linli.wishes"
    label = "wishes"
    verbose_name = "微心愿"

    def ready(self):
        from . import workflow  # noqa: F401 - registers the lifecycle (core.lifecycle.lifecycle_of)
