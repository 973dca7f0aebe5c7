"""Reports: 月报/季报/年报 of a place in the user's scope (HTML print page, PDF, xlsx; a large
one as a background job with progress) and the 问题清单和台账 of a grid or community."""

from itertools import islice

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from linli.core import printing
from linli.core.views import get_by_id_or_404, require_perm

from . import cobuilding, content, jobs, places, workbook
from .forms import CoBuildingForm, PeriodicForm, ProblemsForm
from .models import ReportJob
from .papers import periodic_html

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_ON_PAPER = 1000  # rows of a printed problem list; the xlsx holds them all
PERM = "reports.view"
private = method_decorator(never_cache, name="dispatch")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename={filename}.xlsx"
    return response


def _index(request, periodic=None, problems=None, large=None, status=200):
    user = request.user
    ctx = {
        "periodic": periodic or PeriodicForm(user=user, initial=_last_month()),
        "problems": problems or ProblemsForm(user=user),
        "large": large,
        "jobs": ReportJob.objects.filter(owner=user).only(
            "pk", "place_name", "kind", "year", "number", "status", "created_at"
        )[:10],
    }
    return render(request, "reports/index.html", ctx, status=status)


def _last_month():
    today = timezone.localdate()
    index = today.year * 12 + today.month - 2
    return {"kind": "month", "year": index // 12, "number": index % 12 + 1}


@private
class IndexView(LoginRequiredMixin, View):
    def get(self, request):
        require_perm(request.user, PERM)
        return _index(request)


def _periodic_form(request, data):
    """The bound form, its place resolved first: a place outside the scope is a 404."""
    require_perm(request.user, PERM)
    place = places.resolve(request.user, data.get("place", ""), places.PERIODIC)
    return PeriodicForm(data, user=request.user), place


@private
class PeriodicView(LoginRequiredMixin, View):
    def get(self, request):
        form, place = _periodic_form(request, request.GET)
        if not form.is_valid():
            return _index(request, periodic=form, status=400)
        period = form.period()
        if content.count(request.user, place, period) > settings.LINLI_REPORT_SYNC_CASES:
            return _index(request, periodic=form, large=form.cleaned_data)
        report = content.periodic(request.user, place, period)
        filename = f"report-{place.value}-{period.kind}-{period.year}-{period.number}"
        if request.GET.get("format") == "xlsx":
            return xlsx_response(workbook.periodic(report), filename)
        response = HttpResponse(periodic_html(report, request))
        return printing.as_pdf(request, response, filename) if printing.wants_pdf(request) else response


@private
class JobCreateView(LoginRequiredMixin, View):
    def post(self, request):
        form, place = _periodic_form(request, request.POST)
        if not form.is_valid():
            return _index(request, periodic=form, status=400)
        return redirect(jobs.submit(request.user, place, form.period()))


def _own_job(request, pk):
    require_perm(request.user, PERM)
    return get_by_id_or_404(ReportJob.objects.defer("xlsx", "pdf").filter(owner=request.user), pk)


@private
class JobView(LoginRequiredMixin, View):
    def get(self, request, pk):
        jobs.fail_stale()
        job = _own_job(request, pk)
        template = "reports/_job_status.html" if request.htmx else "reports/job.html"
        return render(request, template, {"job": job})


@private
class JobFileView(LoginRequiredMixin, View):
    """A finished job's file: its owner's only, and only while the place is still in their scope."""

    def get(self, request, pk, fmt):
        job = _own_job(request, pk)
        places.resolve(request.user, job.place, places.PERIODIC)
        done = ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.SUCCEEDED)
        body = done.values_list(fmt, flat=True).first()
        if not body:
            raise Http404
        filename = f"report-{job.place}-{job.kind}-{job.year}-{job.number}"
        if fmt == "xlsx":
            return xlsx_response(bytes(body), filename)
        response = HttpResponse(bytes(body), content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename={filename}.pdf"
        return response


@private
class ProblemsView(LoginRequiredMixin, View):
    """问题清单和台账 of a grid or a community: its open requests in the layout a grid worker keeps."""

    def get(self, request):
        require_perm(request.user, PERM)
        place = places.resolve(request.user, request.GET.get("place", ""), places.PROBLEMS)
        rows = content.problems(request.user, place)
        filename = f"problems-{place.value}"
        if request.GET.get("format") == "xlsx":
            return xlsx_response(workbook.problems(place, rows), filename)
        shown = list(islice(rows, PROBLEMS_ON_PAPER + 1))
        ctx = {
            "place": place,
            "rows": shown[:PROBLEMS_ON_PAPER],
            "more": len(shown) > PROBLEMS_ON_PAPER,
            "now": timezone.localtime(),
            "number": printing.doc_number(_("Ledger no."), timezone.now(), place.pk),
        }
        response = render(request, "reports/problems.html", ctx)
        return printing.as_pdf(request, response, filename) if printing.wants_pdf(request) else response


@private
class CoBuildingView(LoginRequiredMixin, View):
    """党建共建 in figures: the place chosen (the first one of the user's scope by default), per
    sub-district or community, with the events of a year or of all time."""

    def get(self, request):
        require_perm(request.user, PERM)
        value = request.GET.get("place", "")
        place = places.resolve(request.user, value, places.PERIODIC) if value else None  # 404 outside the scope
        form = CoBuildingForm(request.GET or None, user=request.user)
        if not form.places:
            raise Http404
        if form.is_bound and not form.is_valid():
            return render(request, "reports/cobuilding.html", {"form": form}, status=400)
        place = place or form.places[0]
        year = form.cleaned_data.get("year") if form.is_bound else None
        figures = cobuilding.figures(request.user, place, *cobuilding.year_bounds(year))
        return render(request, "reports/cobuilding.html", {"form": form, "f": figures, "year": year})
