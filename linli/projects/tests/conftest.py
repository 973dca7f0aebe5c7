"""The three lists' world on top of the party world (linli/party/tests/conftest.py): 馨和苑社区
(c1) with the bank partner (paired, with a partner-staff user), 西湖社区 (c2) with the school
partner and its staff; a need of each community, a resource of each partner and one of c1's
talent pool."""

import datetime as dt
from types import SimpleNamespace

import pytest

from linli.party.tests.conftest import api, page, party  # noqa: F401  (the party world's fixture and helpers)
from linli.projects import actions
from linli.projects.models import Heading, Resource

TODAY = dt.date(2026, 4, 15)


@pytest.fixture
def lists(world, party):  # noqa: F811  (the party fixture imported above)
    u = world.users
    s = SimpleNamespace(party=party)
    s.need = actions.create_need(
        actor=u.community, community=world.c1, compound=world.cp1, title="独居老人健康体检",
        heading=Heading.HEALTH, beneficiaries="辖区独居老人", people_count=36,
    )  # fmt: skip
    s.need_c2 = actions.create_need(
        actor=u.other_community, community=world.c2, title="青少年课后托管",
        heading=Heading.CHILDREN, beneficiaries="双职工家庭子女", people_count=20,
    )  # fmt: skip
    s.room = actions.offer_resource(
        actor=party.bank_staff, partner=party.bank, kind=Resource.Kind.ROOM, heading=Heading.EDUCATION,
        title="营业网点二楼会议室", quantity=1, unit="间", conditions="工作日晚间",
    )  # fmt: skip
    s.doctor = actions.offer_resource(
        actor=u.community, partner=party.bank, kind=Resource.Kind.PEOPLE, heading=Heading.HEALTH,
        title="金融知识宣讲员", quantity=2, unit="人",
    )  # fmt: skip
    s.talent = actions.offer_resource(
        actor=u.community, community=world.c1, kind=Resource.Kind.TALENT, heading=Heading.CULTURE,
        title="退休教师书法班", quantity=3, unit="人",
    )  # fmt: skip
    s.school_room = actions.offer_resource(
        actor=party.school_staff, partner=party.school, kind=Resource.Kind.ROOM, heading=Heading.CHILDREN,
        title="学校图书室", quantity=1, unit="间",
    )  # fmt: skip
    return s


def new_project(world, lists, **kw):
    data = {
        "actor": world.users.community, "community": world.c1, "title": "银行助老义诊日", "heading": Heading.HEALTH,
        "owner_org": lists.party.bank, "owner_name": "马经理", "starts_on": dt.date(2026, 4, 1),
        "ends_on": dt.date(2026, 6, 30), "needs": [lists.need], "resources": [lists.doctor],
        "funding": [("partner", 200_000), ("service_fund", 50_000)],
    }  # fmt: skip
    return actions.create_project(**(data | kw))
