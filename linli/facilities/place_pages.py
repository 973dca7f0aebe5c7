"""The facilities on a compound's page (places.extensions): how many of each kind the viewer may
see, and how many have an overdue inspection, each a link to the register filtered (one grouped
count and one count)."""

from django.db.models import Count
from django.utils import timezone

from linli.core.scope import has_perm
from linli.places.extensions import Panel, add_panel

from . import rules
from .models import Facility, FacilityKind


def compound_facilities(request, compound):
    user = request.user
    if not has_perm(user, "facilities.view"):
        return {"shown": False}
    rows = Facility.objects.restrict(user).filter(compound=compound).exclude(state=Facility.State.RETIRED)
    counts = dict(rows.order_by().values_list("kind").annotate(n=Count("id")))
    labels = dict(FacilityKind.choices)
    return {
        "shown": True,
        "kinds": [(kind, labels[kind], counts[kind]) for kind in FacilityKind.values if kind in counts],
        "overdue": rows.filter(rules.overdue_q(timezone.localdate())).order_by().count(),
    }


def register():
    add_panel(Panel("compound", "facilities/_compound_facilities.html", compound_facilities))
