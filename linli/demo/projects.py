"""The demo's 三单 in 馨和苑社区, built through the projects actions and lifecycles as staff and a
partner's liaison would: needs from the needs survey and one from a resident's request; resources
of several partners (the bank's liaison offers its own) and of the residents' talent pool; this
quarter's 党建联席会议 whose resolution makes the quarter's projects (each an action item with its
work order); one project delivered and on the community's board, crediting the partner."""

import datetime as dt

from django.utils import timezone

from linli.accounts.models import User
from linli.cases.models import Case, Category
from linli.deliberation import meetings, procedures
from linli.deliberation.models import Meeting, Procedure
from linli.orgs.models import Kind, Organisation
from linli.places.models import Community, Grid
from linli.projects import actions
from linli.projects.models import Heading, Resource
from linli.projects.workflow import PROJECT

NEEDS = [
    ("独居老人健康体检与慢病随访", Heading.HEALTH, "辖区独居及高龄老人", 36),
    ("“四点半课堂”课后看护", Heading.CHILDREN, "双职工家庭小学生", 25),
    ("防范电信诈骗宣传", Heading.LEGAL, "辖区老年居民", 120),
    ("困难家庭冬季帮扶", Heading.POVERTY, "低保及困难家庭", 14),
    ("广场舞队活动场地", Heading.CULTURE, "社区文体队伍", 40),
    ("党员志愿服务培训", Heading.PARTY, "在职党员及志愿者", 30),
]

# (partner or None for the talent pool, kind, heading, title, quantity, unit, amount in fen, conditions)
RESOURCES = [
    (
        "宁夏银行金凤支行",
        Resource.Kind.ROOM,
        Heading.EDUCATION,
        "营业网点二楼多功能厅",
        1,
        "间",
        None,
        "工作日18:00后，提前三天预约",
    ),
    ("宁夏银行金凤支行", Resource.Kind.MONEY, Heading.POVERTY, "共建帮困资金", 1, "笔", 2_000_000, "用于困难家庭帮扶"),
    ("金凤区人民医院", Resource.Kind.PEOPLE, Heading.HEALTH, "全科医生义诊", 3, "人", None, "每月一次"),
    ("银川市第二十一小学", Resource.Kind.ROOM, Heading.CHILDREN, "学校图书室与操场", 2, "处", None, "寒暑假及周末"),
    ("金凤区邻里互助志愿者协会", Resource.Kind.PEOPLE, Heading.VOLUNTEER, "助老志愿服务队", 12, "人", None, ""),
    (None, Resource.Kind.TALENT, Heading.CULTURE, "退休教师书法、舞蹈指导", 4, "人", None, "居民能人，义务授课"),
]


def _quarter(day):
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = dt.date(first.year + (first.month + 3 > 12), (first.month + 2) % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def build_projects(sub, out=print):
    out("建立馨和苑社区的需求、资源与项目清单……")
    community = Community.objects.get(subdistrict=sub, name="馨和苑社区")
    staff = User.objects.get(username="shequ")
    liaison = User.objects.get(username="gongjian")
    committee = Organisation.objects.get(kind=Kind.PARTY, community=community, parent__isnull=True, host=None)
    grid = Grid.objects.filter(community=community).order_by("id").first()
    today = timezone.localdate()
    first, last = _quarter(today)

    case = Case.objects.filter(community=community, anonymous=False).order_by("id").first()
    needs = []
    for i, (title, heading, who, count) in enumerate(NEEDS):
        needs.append(
            actions.create_need(
                actor=staff,
                community=community,
                title=title,
                heading=heading,
                beneficiaries=who,
                people_count=count,
                source="survey",
                case_numbers=[case.number] if i == 0 and case is not None else [],
            )
        )
    resources = []
    for partner_name, kind, heading, title, quantity, unit, amount, conditions in RESOURCES:
        partner = (
            Organisation.objects.get(subdistrict=sub, kind=Kind.PARTNER, name=partner_name) if partner_name else None
        )
        resources.append(
            actions.offer_resource(
                actor=liaison if partner_name == "宁夏银行金凤支行" else staff,
                partner=partner,
                community=None if partner else community,
                kind=kind,
                heading=heading,
                title=title,
                quantity=quantity,
                unit=unit,
                amount_fen=amount,
                conditions=conditions,
                available_from=first,
                available_until=dt.date(today.year, 12, 31) if partner else None,
            )
        )

    # the quarter's 党建联席会议 and its resolution: the 个性化共建清单
    topic = procedures.raise_topic(
        actor=staff,
        title=f"{first.year}年第{(first.month - 1) // 3 + 1}季度个性化共建清单",
        community=community,
        procedure=Procedure.builtin(Procedure.COMMUNITY),
    )
    procedures.screen(topic, actor=staff, accept=True)
    meeting = meetings.create_meeting(
        actor=staff,
        kind=Meeting.Kind.PARTY_JOINT,
        title=f"{first.year}年第{(first.month - 1) // 3 + 1}季度党建联席会议",
        community=community,
        starts_at=timezone.make_aware(dt.datetime.combine(first, dt.time(9, 0))),
        location="馨和苑社区党群服务中心",
        topics=[topic],
    )
    category = Category.objects.filter(active=True, children=None).order_by("id").first()
    deadline = max(last, today + dt.timedelta(days=14))
    plan = [
        ("银行防诈骗知识讲座", Heading.LEGAL, [needs[2]], [resources[0]], [("partner", 300_000)]),
        ("困难家庭冬季送温暖", Heading.POVERTY, [needs[3]], [resources[1]],
         [("partner", 1_000_000), ("service_fund", 500_000)]),
        ("四点半课堂", Heading.CHILDREN, [needs[1]], [resources[3], resources[4]],
         [("service_fund", 800_000), ("residents", 100_000)]),
    ]  # fmt: skip
    for title, heading, served, used, funding in plan:
        actions.create_project(
            actor=staff,
            community=community,
            grid=grid,
            title=title,
            heading=heading,
            description=f"{title}：由联席会议确定，社区党委牵头落实",
            needs=served,
            resources=used,
            owner_org=committee,
            owner_name="社区党委委员",
            starts_on=first,
            ends_on=deadline,
            funding=funding,
            meeting=meeting,
            topic=topic,
            category=category,
        )
    # delivered and on the board (晒事): the hospital's health check-ups
    done = actions.create_project(
        actor=staff,
        community=community,
        title="人民医院进社区健康义诊",
        heading=Heading.HEALTH,
        needs=[needs[0]],
        resources=[resources[2]],
        owner_org=Organisation.objects.get(subdistrict=sub, kind=Kind.PARTNER, name="金凤区人民医院"),
        owner_name="医院党支部书记",
        starts_on=first,
        ends_on=deadline,
        funding=[("partner", 150_000), ("subdistrict", 50_000)],
    )
    PROJECT.perform(done.pk, "start", actor=staff, version=0)
    PROJECT.perform(
        done.pk,
        "deliver",
        actor=staff,
        version=1,
        data={"delivered_on": today, "result": "3名全科医生为36位独居及高龄老人测血压、血糖，建立慢病随访台账"},
    )
