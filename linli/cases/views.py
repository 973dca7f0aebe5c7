"""说事 · 办事 screens: report, list, detail with timeline and the actions the user may take."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from linli.core.ids import parse_id
from linli.core.keyset import Keyset
from linli.core.lifecycle import VersionForm
from linli.core.scope import has_perm, scope_for
from linli.core.views import (
    ExportMixin,
    KeysetListMixin,
    ScopedMixin,
    apply_form_errors,
    export_context,
    form_with_errors,
    require_perm,
)

from . import actions, exports, location, reporter, rollup
from .extensions import dashboard_panels, panels_for
from .filters import CaseFilter
from .forms import CommentForm, PeriodForm, ReportForm, ResidentReportForm, report_places
from .models import Case, CasePhoto, CaseStat, Channel, State
from .similarity import similar_open
from .workflow import LIFECYCLE

LIST_SELECT = ["category__parent", "grid__community", "compound", "assignee_org"]
# newest first, paged by cursor (core.keyset): any page costs what the first costs, and no COUNT(*)
# over a scope that may hold a million requests (docs/benchmarks.md, "Deep pages")
LIST_KEYSET = Keyset("cases", "created_at")


class CaseListView(KeysetListMixin, ScopedMixin, ListView):
    model = Case
    paginate_by = 30
    keyset = LIST_KEYSET
    template_name = "cases/case_list.html"

    @property
    def ranked(self):
        return bool(self.request.GET.get("q", "").strip())

    def paginate_queryset(self, queryset, page_size):
        """A search is ranked best first (cases.search) and paged by number; the plain list by
        cursor, newest first."""
        if self.ranked:
            return ListView.paginate_queryset(self, queryset, page_size)
        return super().paginate_queryset(queryset, page_size)

    def get_queryset(self):
        self.filterset = CaseFilter(
            self.request.GET, queryset=super().get_queryset().select_related(*LIST_SELECT), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return (
            super().get_context_data(**kwargs)
            | {
                "filter": self.filterset,
                "search_query": self.request.GET.get("q", ""),  # the words marked in the rows
                "ranked": self.ranked,
                "can_report": has_perm(self.request.user, "cases.report"),
                "can_dashboard": has_perm(self.request.user, "cases.dispatch"),
            }
            | export_context(self.request.user, exports.EXPORT, "cases:list")
        )


class CaseExportView(ExportMixin, CaseListView):
    """导出 CSV / 导出 Excel of the list as filtered (core.views.ExportMixin)."""

    export = exports.EXPORT
    list_url = "cases:list"


# The inputs of the moves offered, in this order on the page (one form; each button posts to its
# own move's URL). A photo is asked for with the handling's result only.
FIELD_ORDER = ["assignee_org", "co_handlers", "co_handler", "deadline", "rating", "note", "photo"]


def move_fields(case, user, moves, failed=None):
    """Each input of the offered moves once (the note is shared by most), as bound fields; those
    of the move just refused (`failed`: its form with the errors) show what was posted."""
    shown = {}
    for move in moves:
        form = move.form(obj=case, actor=user)
        for name in form.fields:
            shown.setdefault(name, form[name])
    for name in failed.fields if failed is not None else ():
        if name in shown and name != "photo":
            shown[name] = failed[name]
    handle = next((m for m in moves if m.name == "handle"), None)
    if handle is None:
        shown.pop("photo", None)
    else:
        shown["photo"] = (
            failed["photo"]
            if failed is not None and failed.has_error("photo")
            else handle.form(obj=case, actor=user)["photo"]
        )
    return sorted(
        shown.values(), key=lambda f: FIELD_ORDER.index(f.name) if f.name in FIELD_ORDER else len(FIELD_ORDER)
    )


class CaseDetailView(ScopedMixin, View):
    model = Case

    def get(self, request, pk, failed=None, status=200):
        case = get_object_or_404(
            self.get_queryset()
            .select_related(*LIST_SELECT, "building", "unit", "house", "reporter", "facility")
            .prefetch_related("photos", "assignments__department", "co_handlers__organisation"),
            pk=pk,
        )
        hidden = reporter.hidden_actors(case)
        events = list(case.events.select_related("actor"))
        for e in events:
            e.shown_actor = reporter.actor_label(e, case, request.user, hidden)
        moves = actions.allowed(case, request.user)
        shown = move_fields(case, request.user, moves, failed)
        ctx = {
            "case": case,
            "events": events,
            "moves": [(m, reverse(f"cases:move_{m.name}", args=[case.pk])) for m in moves],
            "fields": shown,
            "failed": failed,
            "failed_errors": failed_errors(failed, shown),
            "reporter_label": reporter.reporter_label(case, request.user),
            "can_reveal_reporter": case.anonymous
            and has_perm(request.user, reporter.REVEAL_PERM)
            and case.allows(request.user, "reveal_reporter"),
            "overdue": case.is_overdue(),
            "panels": panels_for(request, case),  # the topic it was taken into (deliberation)
            "co_handlers": case.co_handlers.all(),
            # 联合处置: the lead decides when it is handled, but is shown who has not answered yet
            "unanswered": [c for c in case.co_handlers.all() if c.feedback_at is None],
            # the request's grid and compound on the map, for those who see places (not residents)
            "map_grids": [case.grid] if has_perm(request.user, "places.view") else [],
            "map_compounds": [case.compound] if case.compound_id else [],
            "point": case.location if location.point_shown(case, request.user) else None,
        }
        if case.state in (State.ACCEPTED, State.DISPATCHED) and case.allows(request.user, "dispatch"):
            ctx["similar"] = similar_open(case, queryset=Case.objects.restrict(request.user, "dispatch"))
        return render(request, "cases/case_detail.html", ctx, status=status)


def failed_errors(form, shown):
    """The errors of a refused move that no field on the page shows: its reason, or an input
    that is not on the page (merging's target)."""
    if form is None:
        return []
    on_page = {f.name for f in shown}
    return [e for name, errs in form.errors.items() if name not in on_page for e in errs]


class MoveView(CaseDetailView):
    """POST only: one move of the work-order lifecycle (workflow.LIFECYCLE), with its own form.
    Refused: the detail page again (400) with the reason on the form; 409 (someone else moved it
    first): the fresh page with a warning; outside the move's scope: 404."""

    http_method_names = ["post"]
    move = None

    def post(self, request, pk):
        case = get_object_or_404(self.get_queryset(), pk=pk)
        move = LIFECYCLE[self.move]
        version = VersionForm(request.POST)
        try:
            if not version.is_valid():
                raise ValidationError(_("The action could not be carried out; check the form."))
            LIFECYCLE.perform(
                case.pk,
                move.name,
                actor=request.user,
                version=version.cleaned_data["version"],
                data=request.POST,
                files=request.FILES,
            )
        except actions.Conflict as exc:
            messages.warning(request, str(exc))
            return redirect(case)
        except Case.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, _("The action could not be carried out; check the form."))
            form = move.form(obj=case, actor=request.user, initial=request.POST.dict())
            return self.get(request, pk, failed=form_with_errors(form, exc), status=400)
        messages.success(request, _("Done: %(action)s.") % {"action": move.label})
        return redirect(case)


class CommentView(ScopedMixin, View):
    """POST only: a comment on the timeline, for anyone who sees the request."""

    model = Case
    http_method_names = ["post"]

    def post(self, request, pk):
        case = get_object_or_404(self.get_queryset(), pk=pk)
        form = CommentForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            actions.comment(case, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(case)


@method_decorator(never_cache, name="dispatch")
class RevealReporterView(ScopedMixin, View):
    """POST only: who reported an anonymous request, in place (htmx), audited (actions.reveal_reporter)."""

    model = Case
    action = "reveal_reporter"
    http_method_names = ["post"]

    def post(self, request, pk):
        case = get_object_or_404(self.get_queryset().select_related("reporter"), pk=pk)
        return render(request, "cases/_reporter.html", actions.reveal_reporter(case, actor=request.user))


class ReportView(LoginRequiredMixin, View):
    """Staff and grid workers record a request from any channel."""

    def get(self, request, form=None):
        require_perm(request.user, "cases.report")
        if request.user.has_role("resident") and not has_perm(request.user, "cases.dispatch"):
            return redirect("cases:report_mine")
        return render(
            request,
            "cases/report.html",
            {"form": form or ReportForm(user=request.user), "title": _("Report a request")},
        )

    def post(self, request):
        require_perm(request.user, "cases.report")
        form = ReportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.get(request, form=form)
        d = form.cleaned_data
        try:
            case = actions.report_case(
                actor=request.user,
                category=d["category"],
                description=d["description"],
                channel=d["channel"],
                **form.where_is.as_kwargs(),
                reporter_name=d["reporter_name"],
                reporter_phone=d["reporter_phone"],
                anonymous=d["anonymous"],
                facility=d.get("facility"),
                photos=[d["photo"]] if d["photo"] else [],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.get(request, form=form)
        messages.success(request, _("Request %(number)s recorded.") % {"number": case.number})
        return redirect(case)


class ReportPlacesView(LoginRequiredMixin, View):
    """GET ?compound=<id>: the buildings, units and facilities of one compound of the user's scope
    that the staff report form offers, as JSON for its script (static linli/location.js); 404 for
    a compound outside the scope, 403 for whoever may not use that form."""

    def get(self, request):
        require_perm(request.user, "cases.report")
        if request.user.has_role("resident") and not has_perm(request.user, "cases.dispatch"):
            raise PermissionDenied
        places = report_places(request.user)
        compound = get_object_or_404(places["compound"], pk=parse_id(request.GET.get("compound")))
        labels = {name: ReportForm.base_fields[name].label_from_instance for name in ("building", "unit", "facility")}
        response = JsonResponse(
            {
                name: [{"id": obj.pk, "label": label(obj)} for obj in places[name].filter(compound=compound)]
                for name, label in labels.items()
            }
        )
        response["Cache-Control"] = "private, no-store"
        return response


class ResidentReportView(LoginRequiredMixin, View):
    """A resident reports from a phone, saying where the problem is (ResidentReportForm)."""

    def household(self, request):
        ra = next((ra for ra in request.user.role_list if ra.role == "resident"), None)
        if ra is None:
            raise PermissionDenied
        return ra.household

    def get(self, request, form=None):
        form = form or ResidentReportForm(household=self.household(request))
        return render(request, "cases/report_mine.html", {"form": form})

    def post(self, request):
        hh = self.household(request)
        form = ResidentReportForm(request.POST, request.FILES, household=hh)
        if not form.is_valid():
            return self.get(request, form=form)
        d = form.cleaned_data
        case = actions.report_case(
            actor=request.user,
            category=d["category"],
            **form.where_is.as_kwargs(),
            description=d["description"],
            channel=Channel.WHISPER if d["anonymous"] else Channel.SELF_SERVICE,
            reporter=request.user,
            reporter_household=hh,
            reporter_name=str(request.user),
            anonymous=d["anonymous"],
            facility=d.get("facility"),
            photos=[d["photo"]] if d["photo"] else [],
        )
        messages.success(request, _("Thank you. Your request %(number)s has been received.") % {"number": case.number})
        return redirect(case)


class PhotoView(ScopedMixin, View):
    """Photos are served only to those who may see the request (never from a public URL)."""

    model = Case

    def get(self, request, pk):

        photo = get_object_or_404(CasePhoto.objects.filter(case__in=self.get_queryset()), pk=pk)
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class DashboardView(ScopedMixin, View):
    """Staff dashboard: open, overdue and escalated orders in scope, the three rates and a chart."""

    model = Case
    action = "dispatch"

    def get(self, request):

        period = PeriodForm(request.GET or None)
        year = period.cleaned_data.get("year") if period.is_valid() else None
        cases = self.get_queryset()
        # settled requests come pre-counted from the rollup where it covers the user's scope
        stats = (
            CaseStat.objects.restrict(request.user, self.action)
            if rollup.covers(scope_for(request.user, f"cases.{self.action}"))
            else None
        )
        if year:
            cases = cases.filter(created_at__gte=period.start(), created_at__lt=period.end())
            stats = stats.filter(month__year=year) if stats is not None else None
        summary, hours, tables = rollup.dashboard(cases, stats)
        months = tables["month"][-12:]
        ctx = {
            "period": period,
            "year": year,
            "summary": summary,
            "hours": hours,
            "tables": [
                (_("By month"), tables["month"]),
                (_("By community"), tables["community"]),
                (_("By grid"), tables["grid"]),
                (_("By category"), tables["category"]),
                (_("By handling organisation"), tables["org"]),
            ],
            "chart": {"labels": [m["label"] for m in months], "values": [m["total"] for m in months]},
            "panels": dashboard_panels(request, year),
        }
        return render(request, "cases/dashboard.html", ctx)
