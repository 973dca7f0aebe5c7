"""文书 of a request: the work-order slip (派单单), the assignment sheet (交办单) and the feedback
sheet (反馈单), as HTML and as PDF with the Chinese read back, scoped as the request's page."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from linli.cases import actions
from linli.cases.models import Category

from .test_escalation import step


def pdf_text(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def assigned(world):
    u = world.users
    case = actions.report_case(
        actor=u.grid_a,
        category=Category.objects.get(name="停车与消防通道"),
        grid=world.grid_a,
        compound=world.cp1,
        building=world.bld_a,
        description="消防通道长期被占",
        channel="patrol",
    )
    step(case, "whistle", u.community, note="需综合执法局处理")
    due = timezone.now() + dt.timedelta(days=3)
    step(case, "assign", u.subdistrict, assignee_org=world.dept, deadline=due)
    step(case, "supervise", u.subdistrict)
    step(case, "supervise", u.subdistrict)
    step(case, "feedback", u.department, note="已约谈车主，三日内清理")
    case.refresh_from_db()
    return case, case.assignments.get()


@pytest.mark.django_db
def test_work_order_slip_with_qr_code_as_html_and_pdf(world, login, caplog):
    case = actions.report_case(
        actor=world.users.grid_a,
        category=Category.objects.get(name="设施维修"),
        grid=world.grid_a,
        compound=world.cp1,
        description="2号楼路灯不亮",
        channel="patrol",
    )
    step(case, "dispatch", world.users.grid_a, assignee_org=world.pm)
    c = login(world.users.property)
    url = reverse("cases:slip", args=[case.pk])
    assert url in c.get(case.get_absolute_url()).content.decode()  # 打印/PDF from the request's page
    html = c.get(url).content.decode()
    number = f"派单〔{timezone.localtime(case.created_at):%Y}〕{case.pk:05d}号"
    for shown in ("馨和苑社区", "派单单", number, case.number, "2号楼路灯不亮", "宁和物业", "data:image/svg+xml"):
        assert shown in html
    with caplog.at_level("WARNING", logger="weasyprint"):
        text = pdf_text(c.get(url, {"format": "pdf"}))
    assert not [rec for rec in caplog.records if rec.name == "weasyprint"]  # the QR code was drawn
    for shown in ("馨和苑社区", "派单单", "2号楼路灯不亮", "宁和物业", "处理人签字"):
        assert shown in text


@pytest.mark.django_db
def test_assignment_and_feedback_sheets(world, login, assigned):
    case, a = assigned
    c = login(world.users.subdistrict)
    page = c.get(case.get_absolute_url()).content.decode()
    paper = reverse("cases:assignment_paper", args=[case.pk, a.pk])
    feedback = reverse("cases:feedback_paper", args=[case.pk, a.pk])
    assert paper in page and feedback in page
    html = c.get(paper).content.decode()
    for shown in ("测试街道", "交办单", f"交办〔{timezone.localtime(a.issued_at):%Y}〕{a.pk:05d}号", "综合执法局"):
        assert shown in html
    assert "督办2次" in html and "消防通道长期被占" in html
    text = pdf_text(c.get(paper, {"format": "pdf"}))
    for shown in ("测试街道", "交办单", "综合执法局", "消防通道长期被占", "督办2次", "接收人签字"):
        assert shown in text
    text = pdf_text(login(world.users.department).get(feedback, {"format": "pdf"}))
    for shown in ("反馈单", "综合执法局", "已约谈车主，三日内清理", "负责人签字"):
        assert shown in text


@pytest.mark.django_db
def test_papers_are_scoped_as_the_request(world, login, assigned):
    case, a = assigned
    urls = [
        reverse("cases:slip", args=[case.pk]),
        reverse("cases:assignment_paper", args=[case.pk, a.pk]),
        reverse("cases:feedback_paper", args=[case.pk, a.pk]),
    ]
    for user in (world.users.other_community, world.users.grid_b, world.users.property):
        c = login(user)
        for url in urls:
            assert c.get(url).status_code == 404, (user, url)
            assert c.get(url, {"format": "pdf"}).status_code == 404
    c = login(world.users.community)
    for url in urls:
        assert c.get(url).status_code == 200
    other = actions.report_case(
        actor=world.users.grid_a, category=case.category, grid=world.grid_a, description="x", channel="patrol"
    )
    # an assignment of another request is not this request's paper
    assert c.get(reverse("cases:assignment_paper", args=[other.pk, a.pk])).status_code == 404
