"""民生实事 (issue 15): a project of the programme `livelihood` is applied for (问需·申报) with a
budget by source, approved by the sub-district (立项; its 为民服务专项资金 through a 四议两公开 topic
decided up to 决议公开), built (contractor, design consultation, progress photos), paid within the
approved budget (beyond it: a further approval, 追加), accepted by residents' representatives
(验收: the residents whose requests it answers are told), evaluated (问效) and published with its
accounts (晒账). Money in fen; the boundaries at one fen."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from linli.cases import actions as case_actions
from linli.cases.models import Category
from linli.core import audit_display
from linli.core.models import AuditLog, Notification
from linli.core.public_text import PersonalDataError
from linli.deliberation import procedures
from linli.deliberation.models import Procedure
from linli.funds import actions as fund_actions
from linli.funds.models import Fund
from linli.funds.tests.conftest import funds  # noqa: F401
from linli.funds.tests.helpers import paid_emergency
from linli.projects import actions
from linli.projects.models import Funding, Heading, Need, Payment, Project
from linli.projects.workflow import PROJECT
from linli.testing import log_in

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 1, 10, 0)
SHEDS = 42_800_000  # 42.8 万元 of 为民服务专项资金, in fen
RESIDENTS = 1_500_000


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name="shed.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def move(project, name, user, files=None, **data):
    project.refresh_from_db()
    return PROJECT.perform(project.pk, name, actor=user, version=project.version, data=data, files=files)


def apply(world, need=None, **kw):
    data = {
        "actor": world.users.community, "community": world.c1, "compound": world.cp1,
        "title": "荣锦苑自行车棚改造", "heading": Heading.ENVIRONMENT, "owner_org": world.pm,
        "owner_name": "社区主任", "starts_on": dt.date(2026, 7, 10), "ends_on": dt.date(2026, 9, 30),
        "needs": [need] if need else [], "programme": Project.Programme.LIVELIHOOD,
        "funding": [("service_fund", SHEDS), ("residents", RESIDENTS)],
    }  # fmt: skip
    return actions.create_project(**(data | kw))


def decided_topic(world, steps=5, cases=()):
    """A 四议两公开 topic of 馨和苑社区 with its first `steps` steps recorded (5: up to 决议公开)."""
    topic = procedures.raise_topic(
        actor=world.users.community, title="申请为民服务专项资金改造车棚", community=world.c1,
        compound=world.cp1, procedure=Procedure.builtin(Procedure.FOUR_AND_TWO), scale="minor", cases=list(cases),
    )  # fmt: skip
    procedures.screen(topic, actor=world.users.community, accept=True)
    figures = {
        "党员大会审议": {"eligible": 30, "present": 25, "approving": 20},
        "居民（代表）会议决议": {"eligible": 40, "present": 30, "approving": 25},
    }
    for _ in range(steps):
        step = procedures.next_step(topic)
        procedures.complete_step(
            topic.pk, step.pk, actor=world.users.community, note="已完成", **figures.get(step.name, {})
        )
    return topic


@pytest.fixture
def need(world):
    case = case_actions.report_case(
        actor=world.users.resident, category=Category.objects.get(name="设施维修"), grid=world.grid_a,
        compound=world.cp1, description="车棚顶棚漏雨，电动车淋湿", channel="self_service",
        reporter=world.users.resident, reporter_household=world.hh_a1,
    )  # fmt: skip
    return actions.create_need(
        actor=world.users.community, community=world.c1, compound=world.cp1, title="车棚破旧漏雨",
        heading=Heading.ENVIRONMENT, beneficiaries="荣锦苑骑车居民", people_count=300, cases=[case],
    )  # fmt: skip


def approved(world, need=None):
    project = apply(world, need)
    move(project, "approve", world.users.subdistrict, approved_on="2026-07-01", application=decided_topic(world).pk)
    project.refresh_from_db()
    return project


def started(world, need=None):
    project = approved(world, need)
    move(project, "works", world.users.community, contractor="某某建设工程有限公司", works_started_on="2026-07-10")
    project.refresh_from_db()
    return project


# --- 申报 · 立项 ------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_livelihood_project_is_applied_for_and_the_sub_district_approves_it(
    world, need, django_capture_on_commit_callbacks
):
    project = apply(world, need)
    assert project.state == Project.State.PROPOSED and project.livelihood
    assert Need.objects.get(pk=need.pk).state == Need.State.PLANNED
    # the community cannot approve (no such permission); the sub-district approves
    with pytest.raises(PermissionDenied):
        move(project, "approve", world.users.community, approved_on="2026-07-01")
    topic = decided_topic(world)
    with django_capture_on_commit_callbacks(execute=True):
        move(project, "approve", world.users.subdistrict, approved_on="2026-07-01", application=topic.pk)
    project.refresh_from_db()
    assert project.state == Project.State.APPROVED and project.application == topic
    assert project.approved_by == world.users.subdistrict
    assert sorted(project.funding.values_list("source", "amount_fen", "approved_fen")) == [
        ("residents", RESIDENTS, RESIDENTS),
        ("service_fund", SHEDS, SHEDS),
    ]
    assert Notification.objects.filter(user=world.users.community, text__contains=project.title).count() == 1


@pytest.mark.parametrize(("steps", "ok"), [(4, False), (5, True)])
@time_machine.travel(NOW, tick=False)
def test_the_service_fund_needs_a_four_and_two_topic_decided_up_to_its_published_resolution(world, steps, ok):
    project = apply(world)
    with pytest.raises(ValidationError, match="四议两公开"):
        move(project, "approve", world.users.subdistrict, approved_on="2026-07-01")
    topic = decided_topic(world, steps=steps)
    if ok:
        move(project, "approve", world.users.subdistrict, approved_on="2026-07-01", application=topic.pk)
        assert Project.objects.get(pk=project.pk).state == Project.State.APPROVED
    else:
        with pytest.raises(ValidationError, match="决议公开"):
            move(project, "approve", world.users.subdistrict, approved_on="2026-07-01", application=topic.pk)
        assert Project.objects.get(pk=project.pk).state == Project.State.PROPOSED


@time_machine.travel(NOW, tick=False)
def test_without_the_service_fund_no_topic_is_needed_and_another_communitys_topic_is_refused(world):
    project = apply(world, funding=[("residents", RESIDENTS)])
    other = procedures.raise_topic(
        actor=world.users.other_community, title="西湖社区申请", community=world.c2,
        procedure=Procedure.builtin(Procedure.FOUR_AND_TWO), scale="minor",
    )  # fmt: skip
    with pytest.raises(ValidationError):  # not offered on the form: another community's topic
        move(project, "approve", world.users.subdistrict, approved_on="2026-07-01", application=other.pk)
    move(project, "approve", world.users.subdistrict, approved_on="2026-07-01")
    assert Project.objects.get(pk=project.pk).state == Project.State.APPROVED


@time_machine.travel(NOW, tick=False)
def test_the_applicant_does_not_approve_and_an_empty_budget_is_not_approved(world):
    project = apply(world, actor=world.users.admin, funding=[("residents", 100)])
    assert "approve" not in [m.name for m in PROJECT.available(project, world.users.admin)]
    with pytest.raises(ValidationError, match="申报人"):
        move(project, "approve", world.users.admin, approved_on="2026-07-01")
    empty = apply(world, funding=[])
    with pytest.raises(ValidationError, match="预算"):
        move(empty, "approve", world.users.subdistrict, approved_on="2026-07-01")


@pytest.mark.parametrize(("yuan", "ok"), [("428000.00", True), ("428000.01", False), ("300000.00", True)])
@time_machine.travel(NOW, tick=False)
def test_less_of_the_service_fund_may_be_approved_than_applied_for_never_more(world, yuan, ok):
    project = apply(world)
    data = {"approved_on": "2026-07-01", "application": decided_topic(world).pk, "service_fund_yuan": yuan}
    if not ok:
        with pytest.raises(ValidationError):
            move(project, "approve", world.users.subdistrict, **data)
        return
    move(project, "approve", world.users.subdistrict, **data)
    service = Funding.objects.get(project=project, source="service_fund")
    assert service.approved_fen == int(yuan.replace(".", "")) and service.amount_fen == SHEDS


@time_machine.travel(NOW, tick=False)
def test_once_approved_the_budget_grows_only_by_a_further_approval(world):
    project = approved(world)
    with pytest.raises(ValidationError, match="追加"):
        actions.add_funding(actor=world.users.community, project=project, source="partner", amount_fen=100)
    with pytest.raises(PermissionDenied):  # the community does not approve more
        move(project, "extend", world.users.community, source="partner", amount_yuan="1000", reason="增加雨棚")
    move(project, "extend", world.users.subdistrict, source="partner", amount_yuan="1000", reason="共建单位捐助")
    row = Funding.objects.get(project=project, source="partner")
    assert (row.amount_fen, row.approved_fen, row.note) == (100_000, 100_000, "共建单位捐助")


# --- 问计 · 实施 · 付款 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "ok"), [("2026-06-30", False), ("2026-07-01", True), ("2026-09-01", True), ("2026-09-02", False)]
)
@time_machine.travel(NOW, tick=False)
def test_the_works_start_between_the_approval_and_today(world, day, ok):
    project = approved(world)
    data = {"contractor": "某某建设工程有限公司", "works_started_on": day}
    if ok:
        move(project, "works", world.users.community, **data)
        assert Project.objects.get(pk=project.pk).state == Project.State.IN_PROGRESS
    else:
        with pytest.raises(ValidationError):
            move(project, "works", world.users.community, **data)
        assert Project.objects.get(pk=project.pk).state == Project.State.APPROVED


@time_machine.travel(NOW, tick=False)
def test_payments_stay_within_the_approved_budget_to_the_fen(world):
    project = started(world)
    pay = {"source": "service_fund", "paid_on": "2026-08-01", "payee": "某某建设工程有限公司", "invoice": "No.0012"}
    move(project, "pay", world.users.subdistrict, amount_yuan="200000.00", **pay)
    record = AuditLog.objects.get(
        object_id=str(project.pk), note="pay", content_type=ContentType.objects.get_for_model(Project)
    )
    (change,) = audit_display.changes(record, {})  # the history reads it in Chinese, in yuan
    assert (change.label, change.after) == ("支付", "为民服务专项资金 ¥200,000.00 某某建设工程有限公司")
    with pytest.raises(ValidationError, match="0.01") as err:  # one fen beyond the approved 428,000.00
        move(project, "pay", world.users.subdistrict, amount_yuan="228000.01", **pay)
    assert "追加" in str(err.value)
    move(project, "pay", world.users.subdistrict, amount_yuan="228000.00", **pay)  # exactly what is left
    assert sum(Payment.objects.filter(project=project).values_list("amount_fen", flat=True)) == SHEDS
    with pytest.raises(ValidationError):  # a source with nothing approved
        move(project, "pay", world.users.subdistrict, amount_yuan="0.01", **(pay | {"source": "partner"}))
    move(project, "extend", world.users.subdistrict, source="partner", amount_yuan="0.01", reason="补差")
    move(project, "pay", world.users.subdistrict, amount_yuan="0.01", **(pay | {"source": "partner"}))
    rows = {a["source"]: (a["approved"], a["paid"], a["left"]) for a in Project.objects.get(pk=project.pk).accounts()}
    assert rows == {"service_fund": (SHEDS, SHEDS, 0), "residents": (RESIDENTS, 0, RESIDENTS), "partner": (1, 1, 0)}


@time_machine.travel(NOW, tick=False)
def test_a_maintenance_fund_payment_is_one_of_the_funds_own_uses(world, funds, client):  # noqa: F811
    """The maintenance fund pays through its own use (vote or emergency, approval, payment booked
    to the houses); the project's payment from it names that use, paid, of its compound, and the
    projects' accounts never show more of a use than it paid — to the fen."""
    use = paid_emergency(world, funds.fund, 2_000_000)  # 20,000.00 paid from 馨和苑's fund
    balance = Fund.objects.get(pk=funds.fund.pk).balance
    project = apply(world, funding=[("service_fund", SHEDS), ("maintenance", 2_000_000)])
    move(project, "approve", world.users.subdistrict, approved_on="2026-07-01", application=decided_topic(world).pk)
    move(project, "works", world.users.community, contractor="某某建设工程有限公司", works_started_on="2026-07-10")
    pay = {"source": "maintenance", "paid_on": "2026-08-01", "payee": "宁夏电梯维保公司"}
    sub = world.users.subdistrict
    with pytest.raises(ValidationError, match="维修资金的哪一笔使用"):
        move(project, "pay", sub, amount_yuan="100.00", **pay)
    with pytest.raises(ValidationError, match="只有维修资金支付"):
        move(project, "pay", sub, amount_yuan="100.00", fund_use=use.pk, **(pay | {"source": "service_fund"}))
    unpaid = fund_actions.propose_use(actor=world.users.community, fund=funds.fund, title="屋面", budget=100)
    other = fund_actions.propose_use(actor=world.users.other_community, fund=funds.other, title="路面", budget=100)
    for not_offered in (unpaid, other):  # not paid yet; 西湖小区's fund
        with pytest.raises(ValidationError, match="fund_use"):
            move(project, "pay", sub, amount_yuan="100.00", fund_use=not_offered.pk, **pay)
    with pytest.raises(ValidationError, match="20,000.00"):  # one fen more than the use paid
        move(project, "pay", sub, amount_yuan="20000.01", fund_use=use.pk, **pay)
    move(project, "pay", sub, amount_yuan="19999.99", fund_use=use.pk, **pay)
    move(project, "pay", sub, amount_yuan="0.01", fund_use=use.pk, **pay)  # exactly what the use paid
    assert list(Payment.objects.filter(project=project).values_list("fund_use", flat=True)) == [use.pk, use.pk]
    assert Fund.objects.get(pk=funds.fund.pk).balance == balance  # the fund was debited once, by its use
    second = apply(world, title="另一项目", funding=[("maintenance", 100)])
    move(second, "approve", sub, approved_on="2026-07-01", application=decided_topic(world).pk)
    move(second, "works", world.users.community, contractor="某公司", works_started_on="2026-07-10")
    with pytest.raises(ValidationError, match="已计入"):  # the use is all shown already
        move(second, "pay", sub, amount_yuan="0.01", fund_use=use.pk, **pay)
    page = log_in(client, sub).get(reverse("projects:project", args=[project.pk])).content.decode()
    assert reverse("funds:use", args=[use.pk]) in page and "电梯维修" in page


@time_machine.travel(NOW, tick=False)
def test_the_applicant_records_no_payment_and_a_payment_before_the_works_is_refused(world):
    project = started(world)
    with pytest.raises(PermissionDenied):
        move(
            project,
            "pay",
            world.users.community,
            source="residents",
            amount_yuan="1",
            paid_on="2026-08-01",
            payee="某公司",
        )
    with pytest.raises(ValidationError):
        move(
            project,
            "pay",
            world.users.subdistrict,
            source="residents",
            amount_yuan="1",
            paid_on="2026-07-09",
            payee="某公司",
        )
    assert not Payment.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_progress_photos_are_kept_and_a_caption_naming_a_resident_is_refused(world):
    project = started(world)
    move(project, "photo", world.users.community, files={"photo": photo()}, caption="拆除旧车棚", taken_on="2026-07-12")
    with pytest.raises(PersonalDataError):
        move(
            project,
            "photo",
            world.users.community,
            files={"photo": photo()},
            caption=f"{world.p_a1h.name}家门口",
            taken_on="2026-07-12",
        )
    with pytest.raises(ValidationError):  # before the works started
        move(project, "photo", world.users.community, files={"photo": photo()}, caption="旧车棚", taken_on="2026-07-09")
    assert list(project.photos.values_list("caption", flat=True)) == ["拆除旧车棚"]


# --- 验收 · 问效 · 晒账 -----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_acceptance_tells_the_residents_whose_requests_it_answers(world, need, django_capture_on_commit_callbacks):
    project = started(world, need)
    reporter = need.cases.get().reporter
    with pytest.raises(ValidationError):  # before the works started
        move(project, "accept", world.users.community, accepted_on="2026-07-09", representatives=5)
    with pytest.raises(ValidationError):  # no representative signed
        move(project, "accept", world.users.community, accepted_on="2026-08-30", representatives=0)
    with django_capture_on_commit_callbacks(execute=True):
        move(project, "accept", world.users.community, accepted_on="2026-08-30", representatives=5)
    project.refresh_from_db()
    assert project.state == Project.State.ACCEPTED and project.representatives == 5
    assert Notification.objects.filter(user=reporter, text__contains=project.title).count() == 1
    assert not Notification.objects.filter(user=world.users.grid_a, text__contains=project.title).exists()


@pytest.mark.parametrize(("asked", "satisfied", "ok"), [(120, 120, True), (120, 121, False), (120, 0, True)])
@time_machine.travel(NOW, tick=False)
def test_evaluation_counts_at_most_the_residents_asked(world, asked, satisfied, ok):
    project = started(world)
    move(project, "accept", world.users.community, accepted_on="2026-08-30", representatives=5)
    data = {"respondents": asked, "satisfied": satisfied, "result": "新建车棚7处，可停放电动车300辆"}
    if ok:
        move(project, "evaluate", world.users.community, **data)
        project.refresh_from_db()
        assert project.state == Project.State.DELIVERED and project.satisfaction == round(100 * satisfied / asked, 1)
    else:
        with pytest.raises(ValidationError):
            move(project, "evaluate", world.users.community, **data)


@time_machine.travel(NOW, tick=False)
def test_the_co_building_moves_and_the_livelihood_moves_do_not_mix(world, need):
    project = started(world)
    with pytest.raises(PermissionDenied):  # a 民生实事 is accepted and evaluated, not delivered at once
        move(project, "deliver", world.users.community, delivered_on="2026-08-30", result="已完成")
    cobuilding = actions.create_project(
        actor=world.users.community, community=world.c1, title="共建活动", heading=Heading.CULTURE,
        owner_org=world.pm, owner_name="社区主任", starts_on=dt.date(2026, 8, 1), ends_on=dt.date(2026, 9, 30),
    )  # fmt: skip
    assert cobuilding.state == Project.State.PLANNED
    move(cobuilding, "start", world.users.community)
    with pytest.raises(PermissionDenied):
        move(cobuilding, "accept", world.users.community, accepted_on="2026-08-30", representatives=5)


@time_machine.travel(NOW, tick=False)
def test_the_board_publishes_the_accounts_and_photos_and_nothing_of_a_person(world, need, client):
    project = started(world, need)
    pay = {"source": "service_fund", "paid_on": "2026-08-01", "payee": "某某建设工程有限公司", "invoice": "FP-778899"}
    move(project, "pay", world.users.subdistrict, amount_yuan="400000.00", **pay)
    move(project, "photo", world.users.community, files={"photo": photo()}, caption="新车棚封顶", taken_on="2026-08-20")
    pic = project.photos.get()
    assert client.get(reverse("projects:photo", args=[pic.pk])).status_code == 404  # not yet published
    move(project, "accept", world.users.community, accepted_on="2026-08-30", representatives=5)
    move(project, "evaluate", world.users.community, respondents=120, satisfied=114, result="新建车棚7处")
    html = client.get(reverse("board:community", args=[world.c1.pk])).content.decode()
    section = html[html.index('data-testid="livelihood"') :]
    assert "荣锦苑自行车棚改造" in section and "新建车棚7处" in section and "新车棚封顶" in section
    assert "428,000.00" in section and "400,000.00" in section and "某某建设工程有限公司" in section
    assert "114" in section and "120" in section
    for private in ("FP-778899", "社区主任", need.cases.get().number, world.p_a1h.name, world.p_a1s.name):
        assert private not in html
    r = client.get(reverse("projects:photo", args=[pic.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"


# --- scope, the annual list ---------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_another_community_sees_neither_the_project_nor_its_photo_nor_its_row(world, login):
    project = started(world)
    move(project, "photo", world.users.community, files={"photo": photo()}, caption="施工中", taken_on="2026-07-12")
    other = login(world.users.other_community)
    assert other.get(reverse("projects:project", args=[project.pk])).status_code == 404
    assert other.get(reverse("projects:photo", args=[project.photos.get().pk])).status_code == 404
    assert other.post(reverse("projects:project_move", args=[project.pk, "photo"]), {"version": 0}).status_code == 404
    r = other.get(reverse("projects:livelihood"), {"year": 2026})
    assert r.status_code == 200 and "荣锦苑自行车棚改造" not in r.content.decode()
    mine = login(world.users.community).get(reverse("projects:livelihood"), {"year": 2026}).content.decode()
    assert "荣锦苑自行车棚改造" in mine
    assert login(world.users.resident).get(reverse("projects:livelihood")).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_annual_list_counts_per_community_with_constant_queries(world, login, need):
    c = login(world.users.subdistrict)
    project = started(world, need)
    move(
        project,
        "pay",
        world.users.subdistrict,
        amount_yuan="1000.00",
        source="residents",
        paid_on="2026-08-01",
        payee="某公司",
    )
    c.get(reverse("projects:livelihood"), {"year": 2026})
    with CaptureQueriesContext(connection) as one:
        r = c.get(reverse("projects:livelihood"), {"year": 2026})
    body = r.content.decode()
    assert "428,000.00" not in body  # the total approved is the sum of the sources
    assert "443,000.00" in body and "1,000.00" in body
    for i in range(3):
        apply(
            world,
            title=f"民生实事{i}",
            community=world.c2,
            compound=None,
            actor=world.users.other_community,
            owner_org=world.pm,
        )
    with CaptureQueriesContext(connection) as four:
        r = c.get(reverse("projects:livelihood"), {"year": 2026})
    assert len(four.captured_queries) == len(one.captured_queries)
    assert c.get(reverse("projects:livelihood"), {"year": 2026}).content.decode().count("民生实事") >= 3
    assert c.get(reverse("projects:livelihood"), {"year": "2019x"}).status_code == 400
    assert c.get(reverse("projects:livelihood"), {"year": 1990}).status_code == 400


@time_machine.travel(NOW, tick=False)
def test_the_screens_take_a_project_from_application_to_approval(world, need):
    """The forms: apply (the new project form), then approve on the project's page, refused with
    the reason shown until the 四议两公开 topic is chosen; no photo before the works."""
    community, sub = log_in(Client(), world.users.community), log_in(Client(), world.users.subdistrict)
    r = community.get(reverse("projects:project_create"), {"programme": "livelihood"})
    assert r.status_code == 200 and 'value="livelihood" selected' in r.content.decode()
    r = community.post(
        reverse("projects:project_create"),
        {
            "programme": "livelihood", "title": "荣锦苑自行车棚改造", "heading": "environment",
            "community": world.c1.pk, "owner_org": world.pm.pk, "owner_name": "社区主任",
            "starts_on": "2026-07-10", "ends_on": "2026-09-30",
            "needs": [need.pk], "funding_source": "service_fund", "funding_yuan": "428000",
        },
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    project = Project.objects.get(title="荣锦苑自行车棚改造")
    assert project.state == Project.State.PROPOSED
    page = sub.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="move-approve"' in page
    url = reverse("projects:project_move", args=[project.pk, "approve"])
    r = sub.post(url, {"version": project.version, "approved_on": "2026-07-01"})
    assert r.status_code == 400 and "四议两公开" in r.content.decode()
    topic = decided_topic(world)
    r = sub.post(url, {"version": project.version, "approved_on": "2026-07-01", "application": topic.pk})
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.state == Project.State.APPROVED
    page = community.get(project.get_absolute_url()).content.decode()
    assert 'data-testid="move-works"' in page and 'data-testid="move-photo"' not in page
    r = community.post(
        reverse("projects:project_move", args=[project.pk, "photo"]),
        {"version": project.version, "caption": "拆除旧车棚", "taken_on": "2026-07-12", "photo": photo()},
    )
    assert r.status_code == 400 and not project.photos.exists()  # not in the works yet: refused


@time_machine.travel(NOW, tick=False)
def test_the_api_applies_approves_and_pays_with_field_errors_and_scope(world, need):
    from rest_framework.test import APIClient

    community, sub, other = APIClient(), APIClient(), APIClient()
    for c, u in (
        (community, world.users.community),
        (sub, world.users.subdistrict),
        (other, world.users.other_community),
    ):
        log_in(c, u)
    body = {
        "programme": "livelihood", "community": world.c1.pk, "title": "荣锦苑自行车棚改造", "heading": "environment",
        "owner_org": world.pm.pk, "owner_name": "社区主任", "starts_on": "2026-07-10", "ends_on": "2026-09-30",
        "funding": [{"source": "residents", "amount_fen": RESIDENTS}],
    }  # fmt: skip
    r = community.post("/api/v1/projects/", body | {"programme": "lottery"}, format="json")
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["programme"]
    r = community.post("/api/v1/projects/", body, format="json")
    assert r.status_code == 201 and r.json()["state"] == "proposed" and r.json()["programme"] == "livelihood"
    pk = r.json()["id"]
    assert other.get(f"/api/v1/projects/{pk}/").status_code == 404
    assert other.post(f"/api/v1/projects/{pk}/approve/", {"version": 0, "approved_on": "2026-07-01"}).status_code == 404
    assert (
        community.post(f"/api/v1/projects/{pk}/approve/", {"version": 0, "approved_on": "2026-07-01"}).status_code
        == 403
    )
    r = sub.post(f"/api/v1/projects/{pk}/approve/", {"version": 0, "approved_on": "2026-07-01"}, format="json")
    assert r.status_code == 200 and r.json()["funding"][0]["approved_fen"] == RESIDENTS
    r = community.post(
        f"/api/v1/projects/{pk}/works/", {"version": 1, "contractor": "某公司", "works_started_on": "2026-07-10"}
    )
    assert r.status_code == 200
    pay = {"source": "residents", "amount_yuan": "15000.01", "paid_on": "2026-08-01", "payee": "某公司"}
    r = sub.post(f"/api/v1/projects/{pk}/pay/", pay, format="json")
    assert r.status_code == 400 and "追加" in str(r.json())
    r = sub.post(f"/api/v1/projects/{pk}/pay/", pay | {"amount_yuan": "15000.00"}, format="json")
    assert r.status_code == 200 and r.json()["payments"][0]["amount_fen"] == RESIDENTS
    listed = other.get("/api/v1/projects/?programme=livelihood").json()
    assert all(row["id"] != pk for row in listed["results"])


@time_machine.travel(NOW, tick=False)
def test_the_annual_list_counts_each_request_answered_once_through_needs_or_the_topic(world, need, login):
    same = need.cases.get()
    other = case_actions.report_case(
        actor=world.users.community, category=Category.objects.get(name="设施维修"), grid=world.grid_a,
        compound=world.cp1, description="车棚没有照明", channel="hotline",
    )  # fmt: skip
    project = apply(world, need)
    topic = decided_topic(world, cases=[same, other])
    move(project, "approve", world.users.subdistrict, approved_on="2026-07-01", application=topic.pk)
    body = login(world.users.community).get(reverse("projects:livelihood"), {"year": 2026}).content.decode()
    row = body[body.index("荣锦苑自行车棚改造") :]
    row = row[: row.index("</tr>")]
    assert re.findall(r">(\d+)</td>", row)[-1] == "2"  # the need's request and the topic's other one
