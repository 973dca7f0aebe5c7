"""联合处置: who answers for which co-handling organisation of a work order (models.CoHandler).

A co-handling organisation's staff answer for it; so do a community's staff for their community's
own organisations (its party committee), as `workflow.handler` lets them handle for them. The
forms, the lifecycle and the lists all ask here, so the three cannot disagree.
"""

from django.db.models import Exists, OuterRef, Q

from linli.core.scope import scope_for

from .models import CoHandler


def answering_for(case, user) -> list[CoHandler]:
    """The co-handler rows of `case` that `user` may answer for (the page prefetches them)."""
    scope = scope_for(user, "cases.handle")
    if case is None or not case.pk:
        return []
    cache = getattr(case, "_prefetched_objects_cache", {})
    rows = (
        list(cache["co_handlers"]) if "co_handlers" in cache else list(case.co_handlers.select_related("organisation"))
    )
    if scope.everything:
        return rows
    orgs, communities = scope.ids.get("organisation", set()), scope.ids.get("community", set())
    return [r for r in rows if r.organisation_id in orgs or (r.organisation.community_id in communities)]


def co_handler(case, user) -> bool:
    """Only the staff of a co-handling organisation, or the community's staff for one of their
    community's own organisations."""
    return bool(answering_for(case, user))


def co_handled_by_q(user, *, unanswered=False) -> Q:
    """`co_handler` as a filter of requests (one subquery, whatever the list): with `unanswered`,
    only those where one of the user's co-handling organisations has not answered yet."""
    scope = scope_for(user, "cases.handle")
    rows = CoHandler.objects.filter(case=OuterRef("pk"))
    if unanswered:
        rows = rows.filter(feedback_at=None)
    if not scope.everything:
        mine = Q(pk__in=[])
        if orgs := scope.ids.get("organisation"):
            mine |= Q(organisation_id__in=sorted(orgs))
        if communities := scope.ids.get("community"):
            mine |= Q(organisation__community_id__in=sorted(communities))
        rows = rows.filter(mine)
    return Q(Exists(rows))
