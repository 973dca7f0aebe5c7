"""Where the problem is (issue 12): from the kind of place a report form chose (Where) and that
place, the request's grid, compound, building, unit, house and point. The grid always follows
from the place — the building's grid, the grid whose boundary holds the point — never from a
default. Used by the resident's and the staff's report forms (cases.forms)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from linli.core import geo
from linli.core.scope import has_perm
from linli.places.models import Building, Grid

from .models import Where
from .reporter import REVEAL_PERM


@dataclass
class Place:
    """The columns of Case that say where: what report_case takes."""

    grid: object
    where: str
    compound: object = None
    building: object = None
    unit: object = None
    house: object = None
    location: dict | None = None

    def as_kwargs(self):
        return vars(self).copy()


def common_area_grid(compound):
    """The grid a compound's common area (小区公共区域) is reported to: the one holding most of its
    buildings, the lowest id on a tie. The same grid whoever reports, so it never points at the
    reporter's home."""

    row = (
        Building.objects.filter(compound=compound)
        .values("grid_id")
        .annotate(n=Count("id"))
        .order_by("-n", "grid_id")
        .first()
    )
    if row is None:
        raise ValidationError({"compound": _("This compound has no building in a grid yet: choose a grid on the map.")})
    return Grid.objects.select_related("community").get(pk=row["grid_id"])


def of_house(house):
    return Place(
        grid=house.grid,
        where=Where.HOUSE,
        compound=house.compound,
        building=house.building,
        unit=house.unit,
        house=house,
    )


def of_unit(unit, compound=None):
    if compound is not None and unit.compound_id != compound.pk:
        raise ValidationError({"unit": _("The unit is not in the compound chosen.")})
    return Place(grid=unit.grid, where=Where.UNIT, compound=unit.compound, building=unit.building, unit=unit)


def of_building(building, compound=None):
    if compound is not None and building.compound_id != compound.pk:
        raise ValidationError({"building": _("The building is not in the compound chosen.")})
    return Place(grid=building.grid, where=Where.BUILDING, compound=building.compound, building=building)


def of_common_area(compound):
    return Place(grid=common_area_grid(compound), where=Where.COMMON, compound=compound)


def on_map(*, point, chosen, grids, compounds):
    """A point clicked on the map (x, y), and/or a grid or compound chosen in the map's list (the
    keyboard's way). The point decides the grid (error if it lies in none of `grids`, the ones the
    map offers), and the compound when it lies in one; what was chosen must agree with it."""
    if point is None:
        if chosen is None:
            raise ValidationError({"map_place": _("Click the map, or choose a grid or a compound in the list.")})
        if isinstance(chosen, Grid):
            return Place(grid=chosen, where=Where.MAP)
        return Place(grid=common_area_grid(chosen), where=Where.MAP, compound=chosen)
    grid = geo.first_containing(grids, *point)
    if grid is None:
        raise ValidationError({"location": _("The point is outside every grid on the map: click inside a grid.")})
    if isinstance(chosen, Grid) and chosen.pk != grid.pk:
        raise ValidationError({"map_place": _("The point is not inside the grid chosen.")})
    compound = chosen if chosen is not None and not isinstance(chosen, Grid) else None
    if compound is not None and compound.boundary and not geo.contains(compound.boundary, *point):
        raise ValidationError({"map_place": _("The point is not inside the compound chosen.")})
    compound = compound or geo.first_containing(compounds, *point)
    return Place(grid=grid, where=Where.MAP, compound=compound, location=geo.point(*point))


def point_shown(case, user) -> bool:
    """Whether `user` sees the request's point on the map (page and API). Staff who see places
    (places.view) do; residents never (the lowest role is not handed a map of where neighbours
    report from). The point of an anonymous request may be the reporter's door, so it is shown only
    to those who may learn who reported it (cases.reveal_reporter on this request)."""
    if not case.location or not has_perm(user, "places.view"):
        return False
    return not case.anonymous or (has_perm(user, REVEAL_PERM) and case.allows(user, "reveal_reporter"))
