"""The facility world on top of linli.testing's: 馨和苑 (cp1, community c1) with a lift in building
1 (grid A), a lift in building 2 (grid B) and a compound-wide road, maintained by 宁和物业 (which
serves cp1); 西湖小区 (cp2, community c2) with one lift of its own."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from linli.cases import actions as case_actions
from linli.cases.models import Category
from linli.facilities import actions
from linli.facilities.models import FacilityKind
from linli.testing import log_in

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 15)


def at(y, m, d, h=10, minute=0, second=0):
    return time_machine.travel(dt.datetime(y, m, d, h, minute, second, tzinfo=TZ), tick=False)


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def page(user):
    return log_in(Client(), user)


def report(world, facility, *, actor=None, household=None, now=None, building=None):
    """A request naming `facility`, from a grid worker (or the resident of `household`)."""
    actor = actor or world.users.grid_a
    building = building or facility.building or world.bld_a
    return case_actions.report_case(
        actor=actor,
        category=Category.objects.get(name="设施维修"),
        grid=building.grid,
        compound=facility.compound,
        building=building,
        description="电梯困人，按钮失灵",
        channel="self_service" if household else "patrol",
        reporter=actor if household else None,
        reporter_household=household,
        reporter_name="报告人" if household else "",
        facility=facility,
        now=now,
    )


@pytest.fixture
def fac(world):
    f = SimpleNamespace()
    u = world.users.community
    f.lift_a = actions.add_facility(
        actor=u, kind=FacilityKind.LIFT, name="1号楼1单元 1号电梯", compound=world.cp1, building=world.bld_a,
        unit=world.unit_a, maintainer=world.pm, code="31106401002016050001",
        installed_on=dt.date(2016, 5, 1), inspection_due=dt.date(2026, 6, 14),
    )  # fmt: skip
    f.lift_b = actions.add_facility(
        actor=u, kind=FacilityKind.LIFT, name="2号楼 电梯", compound=world.cp1, building=world.bld_b,
        inspection_due=dt.date(2026, 7, 15),
    )  # fmt: skip
    f.road = actions.add_facility(actor=u, kind=FacilityKind.ROAD, name="小区主干道", compound=world.cp1)
    f.lift_c = actions.add_facility(
        actor=world.users.other_community, kind=FacilityKind.LIFT, name="西湖 1号楼 电梯", compound=world.cp2,
        building=world.bld_c, inspection_due=dt.date(2026, 1, 1),
    )  # fmt: skip
    return f
