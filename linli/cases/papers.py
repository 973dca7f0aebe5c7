"""文书 of a request, printed or as PDF (core.printing), scoped exactly as the request's page:
the work-order slip (派单单) with a QR code to the request's page, and per assignment of the
sub-district the assignment sheet (交办单) and the department's feedback sheet (反馈单).
They carry no personal data: the reporter is not on them (an anonymous one records no house)."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from linli.core import notify, printing
from linli.core.views import ScopedMixin

from .models import Case

PLACE = ["grid", "compound", "building", "unit", "house", "community", "subdistrict", "category__parent"]


class CasePaperView(ScopedMixin, View):
    model = Case

    def case(self, pk):
        return get_object_or_404(self.get_queryset().select_related(*PLACE, "assignee_org", "assignee"), pk=pk)

    def respond(self, request, template, ctx, filename):
        response = render(request, template, ctx)
        return printing.as_pdf(request, response, filename) if printing.wants_pdf(request) else response


class WorkOrderSlipView(CasePaperView):
    """派单单: what the handler takes along; the QR code opens the request's page."""

    def get(self, request, pk):
        case = self.case(pk)
        link = notify.absolute(case.get_absolute_url())
        ctx = {
            "case": case,
            "number": printing.doc_number(_("Work order no."), case.created_at, case.pk),
            "qr": printing.qr_data_uri(link),
            "link": link,
        }
        return self.respond(request, "cases/papers/slip.html", ctx, f"work-order-{case.pk}")


class AssignmentPaperView(CasePaperView):
    """交办单 (`feedback=False`) or 反馈单 of one assignment of the request."""

    feedback = False

    def get(self, request, pk, assignment):
        case = self.case(pk)
        a = get_object_or_404(case.assignments.select_related("department", "issued_by"), pk=assignment)
        supervised = case.events.filter(action="supervise", created_at__gte=a.issued_at).order_by("created_at")
        prefix = _("Feedback no.") if self.feedback else _("Assignment no.")
        ctx = {
            "case": case,
            "a": a,
            "number": printing.doc_number(prefix, a.issued_at, a.pk),
            "supervised": supervised,
        }
        template = "cases/papers/feedback.html" if self.feedback else "cases/papers/assignment.html"
        name = "feedback" if self.feedback else "assignment"
        return self.respond(request, template, ctx, f"{name}-{a.pk}")
