"""The register's filters, shared by the list screen and the workbench's counts (home.todo: the
count on the home page is the number of rows its link shows)."""

from linli.core.ids import parse_id
from linli.core.scope import has_perm

from . import rules
from .models import Facility, FacilityKind


def filter_register(qs, params, user, today):
    """The register's filters (the API's FacilityFilter applies the same rules): kind,
    compound, state, inspection (overdue / soon) and failing (topic candidates: those who may
    watch the facilities only)."""
    kind = params.get("kind", "")
    if kind in FacilityKind.values:
        qs = qs.filter(kind=kind)
    compound = parse_id(params.get("compound"))
    if compound:
        qs = qs.filter(compound_id=compound)
    state = params.get("state", "")
    if state in Facility.State.values:
        qs = qs.filter(state=state)
    inspection = params.get("inspection", "")
    if inspection in rules.INSPECTION:
        qs = qs.filter(rules.INSPECTION[inspection](today))
    if params.get("failing") in ("1", "true") and has_perm(user, "facilities.monitor"):
        qs = rules.topic_candidates(qs)
    return qs
