"""派单路由: which organisations the routing table suggests for a request (docs/workorders.md, "Routing").

The most specific place wins: a route on the request's grid — or on a department grid (部门网格)
that covers it — beats one on its community, which beats one on its sub-district. At the same place
a route on the request's own category beats one on its group. Every route of the winning rank is
suggested (a water leak on a grid two utilities share suggests both).
"""

from django.db.models import Q

from .models import Route

GRID, COMMUNITY, SUBDISTRICT = 0, 1, 2  # place ranks, most specific first


def place_rank(route) -> int:
    if route.grid_id or route.department_grid_id:
        return GRID
    return COMMUNITY if route.community_id else SUBDISTRICT


def matching(case):
    """The routes that match the request's category (or its group) and place, in one query."""
    whole_place = Q(grid=None, department_grid=None)
    return (
        Route.objects.filter(subdistrict_id=case.subdistrict_id, category_id__in=categories(case))
        .filter(
            Q(grid_id=case.grid_id)
            | Q(department_grid__grids=case.grid_id)
            | whole_place & Q(community_id=case.community_id)
            | whole_place & Q(community=None)
        )
        .select_related("organisation")
    )


def categories(case) -> list[int]:
    return [case.category_id] + ([case.category.parent_id] if case.category.parent_id else [])


def suggest(case) -> list:
    """The organisations of the best-ranked matching routes, by name; [] when none matches."""
    routes = list(matching(case))
    if not routes:
        return []

    def rank(route):
        return place_rank(route), route.category_id != case.category_id

    best = min(rank(r) for r in routes)
    orgs = {r.organisation_id: r.organisation for r in routes if rank(r) == best}
    return sorted(orgs.values(), key=lambda o: (o.name, o.pk))
