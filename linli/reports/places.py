"""The place a report covers, chosen among those in the user's scope of reports.view: the
district (everything), a sub-district, a community, or (for the problem list) a grid. A place
outside the scope is answered like a missing one (404)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from linli.core.scope import scope_for
from linli.places.models import Community, Grid, Subdistrict

PERIODIC = ("district", "subdistrict", "community")  # the levels a periodic report covers
PROBLEMS = ("community", "grid")  # the levels of a problem list


@dataclass(frozen=True)
class Place:
    level: str
    pk: int | None
    name: str
    community_id: int | None = None
    subdistrict_id: int | None = None

    @property
    def value(self) -> str:
        return self.level if self.pk is None else f"{self.level}-{self.pk}"

    @property
    def q(self) -> Q:
        """The rows of this place, on any model keeping the ancestor ids (Case, CaseStat, Topic …)."""
        return Q() if self.pk is None else Q(**{f"{self.level}_id": self.pk})

    @property
    def unit(self) -> str:
        """The unit whose name heads the paper."""
        return self.name


def district_name() -> str:
    return settings.LINLI_DISTRICT_NAME or _("The whole district")


def available(user, levels) -> list[Place]:
    """The places of `levels` the user may report on, in tree order."""
    scope = scope_for(user, "reports.view")
    if scope.empty:
        return []
    subs = Subdistrict.objects.order_by("id")
    comms = Community.objects.select_related("subdistrict").order_by("subdistrict_id", "id")
    grids = Grid.objects.select_related("community").order_by("community_id", "id")
    if not scope.everything:
        sub_ids = scope.ids.get("subdistrict", set())
        comm_ids = scope.ids.get("community", set())
        grid_ids = scope.ids.get("grid", set())
        subs = subs.filter(pk__in=sub_ids)
        comms = comms.filter(Q(subdistrict_id__in=sub_ids) | Q(pk__in=comm_ids))
        grids = grids.filter(
            Q(community__subdistrict_id__in=sub_ids) | Q(community_id__in=comm_ids) | Q(pk__in=grid_ids)
        )
    places = []
    if "district" in levels and scope.everything:
        places.append(Place("district", None, district_name()))
    if "subdistrict" in levels:
        places += [Place("subdistrict", s.pk, s.name, subdistrict_id=s.pk) for s in subs]
    if "community" in levels:
        places += [Place("community", c.pk, c.name, c.pk, c.subdistrict_id) for c in comms]
    if "grid" in levels:
        places += [
            Place("grid", g.pk, f"{g.community.name} {g.name}", g.community_id, g.community.subdistrict_id)
            for g in grids
        ]
    return places


def resolve(user, value, levels) -> Place:
    """The place named by `value` ("community-5", "district") if the user may report on it; 404 otherwise."""
    for place in available(user, levels):
        if place.value == value:
            return place
    raise Http404
