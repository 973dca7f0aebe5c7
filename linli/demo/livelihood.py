"""The demo's 民生实事, built through the projects lifecycle as staff would. 荣锦苑 (seed 002): its
maintenance fund cannot pay for the bicycle sheds (the floor, demo/funds.py), so the community takes
the 四议两公开 topic of the deliberation demo to its published resolution and applies for 42.8 万元
of 为民服务专项资金 (plus the residents' share); the sub-district approves it; the sheds are built
from 2022-07-10 to the end of September with progress photos, accepted by the residents'
representatives, evaluated, and the accounts published on 双福社区's board. 西湖社区's lifts and
cameras are this year's application, waiting for approval. 艺术巷 (馨和苑社区) asks its houses to agree
to its renovation and pay a share of 300 元: 85 % agree, most pay, and the project is approved
once the campaign has passed its 80 %."""

import datetime as dt
import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw

from linli.accounts.models import User
from linli.deliberation import procedures
from linli.deliberation.models import StepRecord, Topic, needed
from linli.orgs.models import Kind, Organisation
from linli.places.models import Compound
from linli.projects import actions
from linli.projects.models import Heading, Project
from linli.projects.workflow import PROJECT

SHEDS_TOPIC = "荣锦苑自行车棚改造（申请专项资金）"
RESOLUTION = "居民代表会议表决通过：申请为民服务发展专项资金42.8万元改造小区7处自行车棚，居民自筹2万元"


def _photo(colour, name):
    """A drawn picture standing in for a site photo (a roof over posts)."""
    out = io.BytesIO()
    img = Image.new("RGB", (320, 200), (230, 236, 240))
    draw = ImageDraw.Draw(img)
    draw.polygon([(30, 80), (160, 30), (290, 80)], fill=colour)
    for x in (50, 120, 200, 270):
        draw.rectangle([x, 80, x + 8, 180], fill=(90, 90, 90))
    img.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _move(project, name, actor, files=None, **data):
    project.refresh_from_db()
    PROJECT.perform(project.pk, name, actor=actor, version=project.version, data=data, files=files)


def _decide(topic, actor):
    """The topic's steps up to its published resolution (决议公开), the notice periods run."""
    figures = {"residents_meeting": {"eligible": 60, "present": 46, "approving": 43}}
    steps = list(topic.procedure.steps.all())[:-1]
    done = set(topic.records.values_list("step_id", flat=True))
    for step in steps:
        if step.pk in done:
            continue
        StepRecord.objects.filter(topic=topic).update(completed_at=F("completed_at") - timedelta(days=20))
        note = RESOLUTION if step.rule in ("residents_meeting", "publication") else f"{step.name}：已完成并记录在案"
        procedures.complete_step(topic.pk, step.pk, actor=actor, note=note, **figures.get(step.rule, {}))


def build_arts_lane(sub, admin, jiedao, owner, out=print):
    """艺术巷: "最终达到80%改造同意率", and the residents paid their share (问需 · agree or pay)."""
    lane = Compound.objects.filter(subdistrict=sub, name="艺术巷").first()
    if lane is None:
        return
    out("民生实事：艺术巷改造（入户征询同意率与居民缴费）……")
    today = timezone.localdate()
    project = actions.create_project(
        actor=admin, community=lane.community, compound=lane, title="艺术巷老旧小区改造",
        heading=Heading.ENVIRONMENT, programme=Project.Programme.LIVELIHOOD, owner_org=owner,
        owner_name="馨和苑社区居委会", starts_on=today - timedelta(days=40), ends_on=today + timedelta(days=150),
        description="屋面防水、外墙保温、雨污分流；居民每户缴费300元",
        funding=[("subdistrict", 80_000_000)],
    )  # fmt: skip
    _move(project, "campaign", admin, threshold_percent=80, share_yuan="300.00")
    project.refresh_from_db()
    houses = list(project.campaign.houses().order_by("id"))
    n = len(houses)
    agree = min(n, max(needed(n, 80), -(-85 * n // 100)))  # 85 %, never under the threshold
    refuse = (n - agree + 1) // 2  # of the rest, half refuse, the others were not met at home
    for i, house in enumerate(houses[: agree + refuse]):
        pays = i < agree and i % 10 != 9  # nine in ten of those who agree have paid
        data = {"house": house.pk, "answer": "agree" if i < agree else "refuse"}
        if pays:
            data |= {"paid_yuan": "300.00", "paid_on": today - timedelta(days=30 - i % 20)}
        PROJECT.perform(project.pk, "answer", actor=admin, data=data)
    _move(project, "approve", jiedao, approved_on=today - timedelta(days=5))


def build_livelihood(sub, out=print):
    out("民生实事：荣锦苑自行车棚改造（为民服务专项资金）……")
    admin, jiedao = User.objects.get(username="admin"), User.objects.get(username="jiedao")
    topic = Topic.objects.filter(community__subdistrict=sub, title=SHEDS_TOPIC).first()
    compound = Compound.objects.filter(subdistrict=sub, name="荣锦苑").first()
    owner = Organisation.objects.filter(subdistrict=sub, kind=Kind.PROPERTY).order_by("id").first()
    if topic is None or compound is None or owner is None:
        return
    _decide(topic, admin)
    sheds = actions.create_project(
        actor=admin, community=compound.community, compound=compound, title="荣锦苑自行车棚改造",
        heading=Heading.ENVIRONMENT, programme=Project.Programme.LIVELIHOOD, owner_org=owner,
        owner_name="双福社区居委会", starts_on=dt.date(2022, 7, 10), ends_on=dt.date(2022, 9, 30),
        description="拆除7处破旧自行车棚，新建带充电设施的车棚",
        funding=[("service_fund", 42_800_000), ("residents", 2_000_000)],
    )  # fmt: skip
    _move(sheds, "approve", jiedao, approved_on=dt.date(2022, 6, 28), application=topic.pk)
    _move(sheds, "works", admin, contractor="宁夏建工维修公司", works_started_on=dt.date(2022, 7, 10))
    _move(sheds, "photo", admin, files={"photo": _photo((160, 60, 50), "old.jpg")}, caption="拆除旧车棚",
          taken_on=dt.date(2022, 7, 12))  # fmt: skip
    _move(sheds, "photo", admin, files={"photo": _photo((40, 110, 170), "new.jpg")}, caption="新车棚封顶",
          taken_on=dt.date(2022, 9, 20))  # fmt: skip
    pay = {"payee": "宁夏建工维修公司", "source": "service_fund"}
    _move(sheds, "pay", jiedao, amount_yuan="128400.00", paid_on=dt.date(2022, 7, 20), invoice="FP2022071", **pay)
    _move(sheds, "accept", admin, accepted_on=dt.date(2022, 9, 30), representatives=9)
    _move(sheds, "pay", jiedao, amount_yuan="299600.00", paid_on=dt.date(2022, 10, 25), invoice="FP2022102", **pay)
    _move(sheds, "pay", jiedao, amount_yuan="19800.00", paid_on=dt.date(2022, 10, 25), invoice="FP2022103",
          **(pay | {"source": "residents"}))  # fmt: skip
    _move(sheds, "evaluate", admin, respondents=186, satisfied=177,
          result="新建自行车棚7处，可停放电动车、自行车约400辆，增设充电端口56个，飞线充电基本消除")  # fmt: skip
    # this year's application: 西湖花园's lifts and cameras (西湖社区), waiting for the sub-district
    west = Compound.objects.filter(subdistrict=sub, name="西湖花园").first()
    if west is not None:
        today = timezone.localdate()
        actions.create_project(
            actor=admin, community=west.community, compound=west, title="西湖花园电梯维保与监控补点",
            heading=Heading.SAFETY, programme=Project.Programme.LIVELIHOOD, owner_org=owner,
            owner_name="西湖社区居委会", starts_on=today, ends_on=today + timedelta(days=120),
            description="81部电梯年度检验整改，新增监控探头130个",
            funding=[("service_fund", 36_000_000), ("maintenance", 12_000_000)],
        )  # fmt: skip
    build_arts_lane(sub, admin, jiedao, owner, out)
