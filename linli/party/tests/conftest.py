"""The party world on top of linli.testing's: 馨和苑社区 (c1) with its party committee tree, a
bank partner paired with it with its party branch and a partner-staff user, a school partner of
西湖社区 (c2) with its own staff, and members in grid A, grid B and c2."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.core.actions import create_object
from linli.orgs.models import Kind, Organisation, PartnerCategory, PartyLevel
from linli.party import actions
from linli.party.models import Agreement, MemberKind
from linli.testing import PASSWORD, log_in, make_id


def org(world, name, **kw):
    kw.setdefault("subdistrict", world.sub)
    return create_object(Organisation, actor=None, name=name, **kw)


def staff(username, role, **place):
    user = User.objects.create_user(username, password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=role, **place)
    return user


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def page(user):
    return log_in(Client(), user)


@pytest.fixture
def party(world):
    p = SimpleNamespace()
    P = Kind.PARTY
    p.committee = org(world, "馨和苑社区党委", kind=P, party_level=PartyLevel.COMMUNITY_COMMITTEE, community=world.c1)
    p.branch = org(
        world, "馨和苑小区党支部", kind=P, party_level=PartyLevel.COMPOUND_BRANCH, community=world.c1,
        compound=world.cp1, parent=p.committee,
    )  # fmt: skip
    p.group = org(
        world, "1号楼党小组", kind=P, party_level=PartyLevel.BUILDING_GROUP, community=world.c1,
        building=world.bld_a, parent=p.branch,
    )  # fmt: skip
    p.bank = org(
        world, "宁夏银行金凤支行", kind=Kind.PARTNER, partner_category=PartnerCategory.FINANCE, community=world.c1,
        contact_name="马经理", contact_phone="0951-1234567",
    )  # fmt: skip
    p.bank_branch = org(world, "宁夏银行金凤支行党支部", kind=P, party_level=PartyLevel.NONPUBLIC_BRANCH, host=p.bank)
    p.school = org(world, "西湖小学", kind=Kind.PARTNER, partner_category=PartnerCategory.SCHOOL, community=world.c2)
    p.school_branch = org(world, "西湖小学党支部", kind=P, party_level=PartyLevel.WORKPLACE, host=p.school)
    p.bank_staff = staff("bank_staff", Role.PARTNER_STAFF, organisation=p.bank)
    p.school_staff = staff("school_staff", Role.PARTNER_STAFF, organisation=p.school)
    u = world.users
    # 直管党员 in grid A and grid B, one in c2
    p.m_a = actions.add_member(actor=u.community, id_number=make_id(1), kind=MemberKind.DIRECT, home_org=p.branch)
    p.m_b = actions.add_member(actor=u.community, id_number=make_id(5), kind=MemberKind.FLOATING)
    p.m_c = actions.add_member(actor=u.other_community, id_number=make_id(9), kind=MemberKind.DIRECT)
    p.agreement = create_object(
        Agreement, actor=u.community, partner=p.bank, community=world.c1, title="共驻共建协议书（2026）",
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
        community_commits="提供党群服务中心活动室", partner_commits="每季度开展一次金融知识讲座",
    )  # fmt: skip
    p.school_agreement = create_object(
        Agreement, actor=u.other_community, partner=p.school, community=world.c2, title="西湖共建协议",
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
        community_commits="场地", partner_commits="课后托管",
    )  # fmt: skip
    return p
