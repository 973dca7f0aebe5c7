import tempfile

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from linli.core.views import paginate, require_perm
from linli.people import privacy
from linli.people.views import person_list_queryset

from . import actions, exporter
from .forms import ImportForm
from .models import ImportJob
from .tasks import submit_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_PER_PAGE = 100

# Responses that carry personal data from the ledger: never kept by a browser or a proxy
# (Cache-Control: private, no-store …), so a shared office computer does not keep the export.
personal = method_decorator(never_cache, name="dispatch")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class TemplateView(LoginRequiredMixin, View):
    def get(self, request):
        require_perm(request.user, "people.import")
        return xlsx_response(
            exporter.template_workbook(), "%E4%BD%8F%E6%88%B7%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"
        )


class ImportView(LoginRequiredMixin, View):
    """Upload a ledger file: the request stores it and creates the job, without reading the sheet.
    A small file (by bytes) is then checked and imported at once; any other goes to the
    background worker. Either way the user lands on the job page."""

    def get(self, request, form=None):
        require_perm(request.user, "people.import")
        jobs = ImportJob.objects.filter(owner=request.user).only("pk", "filename", "status", "created_at")[:10]
        return render(request, "ledger/import.html", {"form": form or ImportForm(), "jobs": jobs})

    def post(self, request):
        require_perm(request.user, "people.import")
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form)
        upload = form.cleaned_data["file"]
        return redirect(submit_import(request.user, upload.name, upload.read()))


def _own_job(request, pk, *fields):
    require_perm(request.user, "people.import")
    return get_object_or_404(
        ImportJob.objects.only(
            "pk",
            "owner",
            "filename",
            "status",
            "total_rows",
            "processed_rows",
            "created_count",
            "updated_count",
            "households_created",
            "message",
            "finished_at",
            *fields,
        ),
        pk=pk,
        owner=request.user,
    )


@personal
class JobView(LoginRequiredMixin, View):
    """The job's progress (polled while it runs) or its outcome, with the errors a page at a time."""

    def get(self, request, pk):
        job = _own_job(request, pk)
        errors = job.errors if job.status == job.Status.FAILED else []  # deferred: loaded only for a failed job
        has_file = bool(errors) and ImportJob.objects.filter(pk=job.pk).exclude(error_file=b"").exists()
        template = "ledger/_job_status.html" if request.htmx else "ledger/job.html"
        return render(
            request,
            template,
            {
                "job": job,
                "errors": paginate(request, errors, ERRORS_PER_PAGE),
                "error_count": len(errors),
                "has_error_file": has_file,
            },
        )


@personal
class ErrorFileView(LoginRequiredMixin, View):
    """The failing rows as written once when the job ended (the user's own cells, unmasked)."""

    def get(self, request, pk):
        job = _own_job(request, pk, "error_file")
        return xlsx_response(bytes(job.error_file), f"errors-{job.pk}.xlsx")


@personal
class ExportView(LoginRequiredMixin, View):
    """The residents list as filtered on screen, as xlsx: same scope, values masked, written to a
    temporary file and streamed from it; each export is audited."""

    def get(self, request):
        require_perm(request.user, "people.export")
        filterset = person_list_queryset(request.user, request.GET)
        persons = filterset.qs.select_related("household__house__unit__building__compound", "grid").order_by(
            "community_id", "household__house_id", "relation", "id"
        )
        out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        exported = exporter.export_workbook(
            persons.iterator(chunk_size=2000), lambda p: privacy.shown_tags(request.user, p), out
        )
        actions.record_export(request.user, exported, described(filterset))
        out.seek(0)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return FileResponse(out, as_attachment=True, filename=f"residents-{stamp}.xlsx", content_type=XLSX)


def described(filterset) -> str:
    """The filter an export used, for its audit record: place ids, tag, gender, relation, tenure
    as chosen; the search text never (it may be a name, an ID number or a phone): only that
    there was one."""
    if not filterset.is_bound or not filterset.is_valid():
        return ""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        parts.append("q=…" if name == "q" else f"{name}={value}")
    return ", ".join(parts)
