from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "linli.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from linli.places.signals import building_moved

        from . import place_pages
        from .actions import follow_building

        building_moved.connect(follow_building, dispatch_uid="people.follow_building")
        place_pages.register()
