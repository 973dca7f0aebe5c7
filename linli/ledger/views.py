from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from linli.core.views import require_perm
from linli.people.models import sees_sensitive_tags
from linli.people.views import person_list_queryset

from . import exporter, importer
from .forms import ImportForm
from .models import ImportJob
from .tasks import run_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class TemplateView(LoginRequiredMixin, View):
    def get(self, request):
        require_perm(request.user, "people.import")
        return xlsx_response(exporter.template_workbook(), "%E4%BD%8F%E6%88%B7%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx")


class ImportView(LoginRequiredMixin, View):
    """Upload a ledger file. Small files are checked and imported at once; large ones go to the
    background worker. Either way the user lands on the job page."""

    def get(self, request, form=None):
        require_perm(request.user, "people.import")
        jobs = ImportJob.objects.filter(owner=request.user).defer("content")[:10]
        return render(request, "ledger/import.html", {"form": form or ImportForm(), "jobs": jobs})

    def post(self, request):
        require_perm(request.user, "people.import")
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            total = importer.count_rows(content)
        except importer.FileError as exc:
            form.add_error("file", str(exc))
            return self.get(request, form=form)
        job = ImportJob.objects.create(owner=request.user, filename=upload.name[:200], content=content, total_rows=total)
        if total <= settings.LINLI_IMPORT_SYNC_ROWS:
            importer.run(job)
        else:
            transaction.on_commit(lambda: run_import.enqueue(job.pk))
        return redirect(job)


def _own_job(request, pk):
    return get_object_or_404(ImportJob.objects.defer("content"), pk=pk, owner=request.user)


class JobView(LoginRequiredMixin, View):
    def get(self, request, pk):
        job = _own_job(request, pk)
        template = "ledger/_job_status.html" if request.htmx else "ledger/job.html"
        return render(request, template, {"job": job, "errors": job.errors[:500]})


class ErrorFileView(LoginRequiredMixin, View):
    def get(self, request, pk):
        job = _own_job(request, pk)
        return xlsx_response(exporter.error_workbook(job), f"errors-{job.pk}.xlsx")


class ExportView(LoginRequiredMixin, View):
    """The residents list as filtered on screen, as xlsx: same scope, values masked."""

    def get(self, request):
        require_perm(request.user, "people.export")
        filterset = person_list_queryset(request.user, request.GET)
        persons = filterset.qs.select_related("household__house__unit__building__compound", "grid").order_by(
            "community_id", "household__house_id", "relation", "id"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(exporter.export_workbook(persons.iterator(chunk_size=2000), sees_sensitive_tags(request.user)), f"residents-{stamp}.xlsx")
