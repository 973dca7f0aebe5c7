"""The people on the place pages (places.extensions): households and people counted under every
place, the households of a house, the posts of a grid. Registered by PeopleConfig.ready()."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from linli.places.extensions import Count, Panel, add_count, add_panel

from .models import Household, Ownership, Person, ResidentPost


def grid_posts(request, grid):
    user = request.user
    return {
        "posts": ResidentPost.objects.restrict(user).filter(grid=grid).select_related("person", "building", "unit"),
        "can_add_post": grid.allows(user, "change", domain="people"),
    }


def house_households(request, house):
    user = request.user
    return {
        "can_add_household": house.allows(user, "change", domain="people"),
        "households": Household.objects.restrict(user)
        .filter(house=house)
        .prefetch_related(Prefetch("members", queryset=Person.objects.restrict(user).prefetch_related("tags"))),
    }


def house_owners(request, house):
    """产权人 of the house: persons shown as on the rest of the ledger (the name; the ID number
    masked), linked when the user may open them; organisations in full."""
    user = request.user
    owners = list(Ownership.objects.restrict(user).filter(house=house).select_related("person"))
    openable = set(
        Person.objects.restrict(user)
        .filter(pk__in=[o.person_id for o in owners if o.person_id])
        .values_list("pk", flat=True)
    )
    return {
        "owners": [(o, o.person_id in openable) for o in owners],
        "can_change_owners": house.allows(user, "change", domain="people"),
    }


def register():
    add_count(
        Count(
            "households",
            _("Households"),
            lambda user: Household.objects.restrict(user),
            lambda level: "house_id" if level == "house" else f"{level}_id",
        )
    )
    add_count(
        Count(
            "people",
            _("People"),
            lambda user: Person.objects.restrict(user),
            lambda level: "household__house_id" if level == "house" else f"{level}_id",
        )
    )
    add_panel(Panel("grid", "people/_grid_posts.html", grid_posts))
    add_panel(Panel("house", "people/_house_households.html", house_households))
    add_panel(Panel("house", "people/_house_owners.html", house_owners))
