"""月报/季报/年报 and 问题清单和台账 (docs/reports.md): the figures are cases.metrics' (also through
the rollup), 环比, scope (404 outside it), masking, xlsx cells, PDF text, constant queries, and
the background job with its progress."""

import datetime as dt
import io
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from linli.cases import metrics, rollup
from linli.cases.models import Case, Category, State
from linli.reports import content, jobs, places
from linli.reports.models import ReportJob
from linli.reports.periods import Period

JUNE = Period("month", 2025, 6)


def at(day, hour=10, month=6, year=2025):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def make(world, n=1, **fields):
    base = {
        "channel": "hotline",
        "category": Category.objects.get(name="设施维修"),
        "grid": world.grid_a,
        "community": world.c1,
        "subdistrict": world.sub,
        "description": "楼道灯坏了",
        "created_at": at(10),
        "respond_by": at(11),
        "resolve_by": at(17),
    }
    return [Case.objects.create(**(base | fields)) for _ in range(n)]


def june_world(world):
    """Five June requests of community 1 and two of May; one handled exactly at its deadline."""
    make(world, state=State.CLOSED, responded_at=at(10, 12), handled_at=at(17), rating="satisfied")  # on time
    make(world, state=State.CLOSED, responded_at=at(11), handled_at=at(17) + dt.timedelta(seconds=1), rating="basic")
    make(world, state=State.RATED, responded_at=at(12), handled_at=at(16), rating="dissatisfied")
    make(world, state=State.IN_PROGRESS, responded_at=at(10, 11), grid=world.grid_b)  # open, overdue
    make(
        world, state=State.ESCALATED, needs_supervisor=True, description="=1+1", anonymous=True, reporter_name="匿名张"
    )
    make(world, 2, created_at=at(10, month=5), respond_by=at(11, month=5), resolve_by=at(17, month=5))
    make(world, grid=world.grid_c, community=world.c2)  # another community


def june_cases(world):
    return Case.objects.filter(community=world.c1, created_at__gte=JUNE.start, created_at__lt=JUNE.end)


@pytest.mark.django_db
def test_rates_are_metrics_rates_with_the_deadline_itself_on_time(world):
    june_world(world)
    now = timezone.now()
    place = places.resolve(world.users.community, f"community-{world.c1.pk}", places.PERIODIC)
    report = content.periodic(world.users.community, place, JUNE, now=now)
    expected = metrics.summary(june_cases(world), now=now)
    for key in ("total", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "overdue"):
        assert report.summary[key] == expected[key], key
    # handled exactly at resolve_by: on time; one second later: late (metrics' rule)
    assert report.summary["closed_on_time"] == 2 and report.summary["due"] == 5
    assert report.summary["on_time_rate"] == Fraction(2, 5)
    assert report.summary["total"] == 5 and report.previous["total"] == 2
    # the rollup path (settled requests pre-counted) gives the same figures
    assert rollup.refresh(now=now) == 8
    again = content.periodic(world.users.community, place, JUNE, now=now)
    for key in ("total", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"):
        assert again.summary[key] == expected[key], key
    assert {r["label"]: r["total"] for r in again.tables["grid"]} == {
        "馨和苑社区 · 第一网格": 4,
        "馨和苑社区 · 第二网格": 1,
    }


@pytest.mark.django_db
def test_month_on_month_change(world):
    june_world(world)
    place = places.resolve(world.users.community, f"community-{world.c1.pk}", places.PERIODIC)
    report = content.periodic(world.users.community, place, JUNE)
    line = next(c for c in report.changes if c["label"] == "诉求件数")
    assert (line["current"], line["previous"], line["diff"], line["relative"]) == (5, 2, 3, Fraction(3, 2))
    assert line["shown"] == ["5", "2", "+3", "150.0%"]
    assert JUNE.previous() == Period("month", 2025, 5)
    assert Period("month", 2025, 1).previous() == Period("month", 2024, 12)
    assert Period("quarter", 2025, 1).previous() == Period("quarter", 2024, 4)
    assert (Period("quarter", 2025, 4).start, Period("quarter", 2025, 4).end) == (
        timezone.make_aware(dt.datetime(2025, 10, 1)),
        timezone.make_aware(dt.datetime(2026, 1, 1)),
    )


@pytest.mark.django_db
def test_district_report_counts_every_community(world):
    june_world(world)
    place = places.resolve(world.users.admin, "district", places.PERIODIC)
    report = content.periodic(world.users.admin, place, JUNE)
    assert report.summary["total"] == 6


def periodic_url(place, **extra):
    params = {"place": place, "kind": "month", "year": 2025, "number": 6} | extra
    return reverse("reports:periodic") + "?" + "&".join(f"{k}={v}" for k, v in params.items())


@pytest.mark.django_db
def test_scope_a_community_worker_gets_404_for_another_community_or_the_district(world, login):
    june_world(world)
    c = login(world.users.community)
    assert c.get(periodic_url(f"community-{world.c1.pk}")).status_code == 200
    for other in (f"community-{world.c2.pk}", f"subdistrict-{world.sub.pk}", "district", "community-99999999"):
        assert c.get(periodic_url(other)).status_code == 404, other
        assert c.post(reverse("reports:job_create"), {"place": other, "kind": "year", "year": 2025}).status_code == 404
    body = c.get(reverse("reports:index")).content.decode()
    assert world.c1.name in body and world.c2.name not in body
    # a grid worker has no periodic report, only the problem list of their own grid
    g = login(world.users.grid_a)
    assert g.get(periodic_url(f"community-{world.c1.pk}")).status_code == 404
    assert g.get(reverse("reports:problems"), {"place": f"grid-{world.grid_a.pk}"}).status_code == 200
    for other in (f"grid-{world.grid_b.pk}", f"community-{world.c1.pk}"):
        assert g.get(reverse("reports:problems"), {"place": other}).status_code == 404
    assert login(world.users.resident).get(reverse("reports:index")).status_code == 403
    assert login(world.users.property).get(periodic_url(f"community-{world.c1.pk}")).status_code == 403


@pytest.mark.django_db
def test_bad_period_is_a_field_error_in_chinese(world, login):
    c = login(world.users.community)
    r = c.get(periodic_url(f"community-{world.c1.pk}", kind="quarter", number=5))
    assert r.status_code == 400 and "季度为 1 至 4" in r.content.decode()
    r = c.get(periodic_url(f"community-{world.c1.pk}", year="abc"))
    assert r.status_code == 400


@pytest.mark.django_db
def test_lists_are_masked_and_never_name_an_anonymous_reporter(world, login):
    june_world(world)
    c = login(world.users.community)
    for fmt in ("", "xlsx"):
        r = c.get(periodic_url(f"community-{world.c1.pk}", format=fmt))
        text = r.content.decode() if not fmt else _xlsx_text(r.content)
        assert "匿名张" not in text and "=1+1" in text


def _xlsx_text(body):
    wb = load_workbook(io.BytesIO(body))
    return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.django_db
def test_xlsx_numbers_are_numeric_and_text_is_never_a_formula(world, login):
    june_world(world)
    c = login(world.users.community)
    r = c.get(periodic_url(f"community-{world.c1.pk}", format="xlsx"))
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    wb = load_workbook(io.BytesIO(r.content))
    summary = wb["概况"]
    rows = {row[0].value: row for row in summary.iter_rows() if row[0].value}
    requests = rows["诉求件数"]
    assert requests[1].value == 5 and requests[1].data_type == "n" and requests[2].value == 2
    assert rows["按期办结率"][1].value == pytest.approx(0.4) and rows["按期办结率"][1].number_format == "0.0%"
    escalated = wb["吹哨与交办"]
    cell = next(c for row in escalated.iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    # the problem list: numbered rows, the description as text
    p = c.get(reverse("reports:problems"), {"place": f"community-{world.c1.pk}", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(p.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][:3] == ("序号", "编号", "问题描述")
    assert [row[0] for row in values[2:]] == [1, 2, 3, 4] and "=1+1" in [row[2] for row in values[2:]]


@pytest.mark.django_db
def test_pdf_reads_back_in_chinese_with_its_chart(world, login, caplog):
    june_world(world)
    c = login(world.users.community)
    page = c.get(periodic_url(f"community-{world.c1.pk}")).content.decode()
    chart = page.split('data-testid="chart"')[1].split("</svg>")[0]
    assert chart.count("<rect") == 6  # May and June, three rates each
    with caplog.at_level("WARNING", logger="weasyprint"):
        r = c.get(periodic_url(f"community-{world.c1.pk}", format="pdf"))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    for shown in (
        "馨和苑社区",
        "月报",
        "月报〔2025〕6号",
        "响应率",
        "按期办结率",
        "环比",
        "超期诉求",
        "按类别统计",
        "吹哨与交办",
    ):
        assert shown in text, shown
    p = c.get(reverse("reports:problems"), {"place": f"grid-{world.grid_a.pk}", "format": "pdf"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(p.content)).pages)
    text = text.replace("\n", "")  # a narrow column wraps its heading
    for shown in ("问题清单和台账", "第一网格", "是否超期", "责任单位", "状态/进展"):
        assert shown in text, shown


@pytest.mark.django_db
def test_problem_list_holds_the_open_requests_of_the_place_only(world, login):
    june_world(world)
    g = login(world.users.grid_a)
    body = g.get(reverse("reports:problems"), {"place": f"grid-{world.grid_a.pk}"}).content.decode()
    rows = body.split('data-testid="problems"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 4  # the header and grid A's three open requests (May's two, the escalated one)
    assert "=1+1" in rows and "匿名张" not in rows and "是" in rows
    community = login(world.users.community).get(reverse("reports:problems"), {"place": f"community-{world.c1.pk}"})
    assert community.content.decode().split('data-testid="problems"')[1].split("</table>")[0].count("<tr>") == 5


@pytest.mark.django_db
def test_query_count_is_constant_when_data_grows(world, login):
    june_world(world)
    c = login(world.users.community)
    url = periodic_url(f"community-{world.c1.pk}")
    c.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    other = Category.objects.exclude(name="设施维修").first()
    make(world, 10, category=other, grid=world.grid_b, state=State.ESCALATED)
    make(world, 10, state=State.ACCEPTED)
    assert count() == before


@pytest.mark.django_db
def test_large_report_runs_in_the_background_with_progress(world, login, settings, django_capture_on_commit_callbacks):
    june_world(world)
    settings.LINLI_REPORT_SYNC_CASES = 4
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    from linli.reports.tasks import run_report

    c = login(world.users.community)
    place = f"community-{world.c1.pk}"
    assert 'data-testid="large"' in c.get(periodic_url(place)).content.decode()  # 5 requests > 4
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("reports:job_create"), {"place": place, "kind": "month", "year": 2025, "number": 6})
    job = ReportJob.objects.get()
    assert r.status_code == 302 and job.status == "pending"
    assert [res.args for res in default_task_backend.results] == [[job.pk]]
    assert 'hx-trigger="every 1s"' in c.get(job.get_absolute_url()).content.decode()
    seen = []
    real = jobs.core_jobs.progress

    def spy(j, live, **fields):
        real(j, live, **fields)
        seen.append(ReportJob.objects.get(pk=j.pk).steps_done)

    jobs.core_jobs.progress = spy
    try:
        assert run_report.call(job.pk) == "succeeded"
    finally:
        jobs.core_jobs.progress = real
    assert seen == [0, 1, 2, 3, 4, 5, 6, 7]  # each of the seven steps saved as it ends
    partial = c.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "报表已生成" in partial
    x = c.get(reverse("reports:job_xlsx", args=[job.pk]))
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content))["概况"]["B5"].value == 5
    pdf = c.get(reverse("reports:job_pdf", args=[job.pk]))
    assert "月报〔2025〕6号" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    # another user's job: 404, even for a user who sees the same community
    other = login(world.users.subdistrict)
    for name in ("reports:job", "reports:job_xlsx", "reports:job_pdf"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404
        assert other.get(reverse(name, args=["99999999999999999999"])).status_code == 404


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_failed_and_never_revived(world, login):
    job = ReportJob.objects.create(
        owner=world.users.community,
        place=f"community-{world.c1.pk}",
        place_name="x",
        kind="month",
        year=2025,
        number=6,
        status="running",
        steps_total=6,
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    body = login(world.users.community).get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and "后台任务" in body
    with pytest.raises(jobs.core_jobs.Abandoned):
        jobs.core_jobs.progress(job, ReportJob.LIVE, steps_done=3)
