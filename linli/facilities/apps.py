from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "linli.facilities"
    label = "facilities"
    verbose_name = "设施台账"

    def ready(self):
        from . import place_pages, workflow  # noqa: F401 - workflow registers the lifecycle (lifecycle_of)

        place_pages.register()  # the facilities on a compound's page (places.extensions)
