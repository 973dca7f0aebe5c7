"""The requests and work orders on a facility's page (docs/facilities.md, "History"): cases
registers them in facilities.extensions (facilities sits below cases and imports nothing of it).
Each viewer sees only the requests their own scope shows (a resident: their household's), and
the repeated-failure count reads every request naming the facility except those merged into
another (the same failure reported twice)."""

from django.utils.translation import gettext_lazy as _

from linli.facilities import extensions

from .models import Case, State

SHOWN = 50  # the latest requests on the page; the list behind "all" has the rest


def requests_naming(user, facility):
    rows = Case.objects.restrict(user).filter(facility=facility)
    return rows.select_related("category", "assignee_org").order_by("-created_at", "-id")[:SHOWN]


def failure_rows():
    return Case.objects.exclude(state=State.MERGED)


def register():
    extensions.add_history(
        extensions.History(
            "requests",
            _("Requests and work orders"),
            requests_naming,
            "cases/_facility_requests.html",
            order=10,
        )
    )
    extensions.set_reports(failure_rows)
