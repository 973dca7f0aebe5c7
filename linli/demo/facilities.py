"""The demo's facility register (设施台账), built through the facility actions and lifecycle as
staff would: 西湖社区's lift register at the scale of the seeds (西湖花园, 81 lifts inspected on
staggered dates, one whose statutory inspection is overdue), and in 馨和苑 — where the demo
logins are — two lifts (one overdue), bicycle sheds, chargers and cameras; requests name 馨和苑's
lift, three of them within the window, so it shows as a topic candidate (repeated failures)."""

import datetime as dt
import itertools

from django.conf import settings
from django.utils import timezone

from linli.accounts.models import User
from linli.cases import actions as case_actions
from linli.cases.models import Category
from linli.facilities import actions
from linli.facilities.models import Condition, FacilityKind
from linli.people.models import Household
from linli.places.models import Compound, Unit

LIFTS = 81  # 西湖社区: "81部电梯和130个监控"


def build_facilities(sub, out=print):
    out("建立设施台账（西湖社区 81 部电梯，馨和苑电梯、车棚、充电桩、监控）……")
    admin = User.objects.get(username="admin")
    staff = User.objects.get(username="shequ")
    today = timezone.localdate()
    _lift_register(Compound.objects.get(community__subdistrict=sub, name="西湖花园"), admin, today)
    household = Household.objects.filter(community__subdistrict=sub, community__name="馨和苑社区").order_by("id")[0]
    lift = _xinheyuan(household, staff, today)
    _requests(lift, household, User.objects.get(username="wanggeyuan"), User.objects.get(username="jumin"))


def _lift_register(compound, actor, today):
    """81 lifts over the compound's units, inspected through the year: the first one overdue."""
    units = list(Unit.objects.filter(compound=compound).select_related("building").order_by("building_id", "id"))
    per_unit: dict[int, int] = {}
    for i, unit in zip(range(LIFTS), itertools.cycle(units), strict=False):
        per_unit[unit.pk] = per_unit.get(unit.pk, 0) + 1
        due = today - dt.timedelta(days=12) if i == 0 else today + dt.timedelta(days=(i * 37) % 360 + 1)
        actions.add_facility(
            actor=actor,
            kind=FacilityKind.LIFT,
            name=f"{unit.building.name}{unit.name} {per_unit[unit.pk]}号电梯",
            code=f"3110640100{2015 + i % 8}{i + 1:06d}",
            compound=compound,
            building=unit.building,
            unit=unit,
            installed_on=dt.date(2015 + i % 8, 1 + i % 12, 1 + i % 28),
            maintainer=compound.property_company,
            inspection_due=due,
            condition=Condition.FAIR if i % 9 == 0 else Condition.GOOD,
        )


def _xinheyuan(household, staff, today):
    compound, building, unit = household.compound, household.building, household.unit
    company = compound.property_company
    lift = actions.add_facility(
        actor=staff, kind=FacilityKind.LIFT, name=f"{building.name}{unit.name} 1号电梯", compound=compound,
        building=building, unit=unit, maintainer=company, installed_on=dt.date(2014, 9, 1),
        inspection_due=today - dt.timedelta(days=5), condition=Condition.POOR, location="单元入口东侧",
    )  # fmt: skip
    other = actions.add_facility(
        actor=staff, kind=FacilityKind.LIFT, name=f"{building.name}{unit.name} 2号电梯", compound=compound,
        building=building, unit=unit, maintainer=company, installed_on=dt.date(2014, 9, 1),
        inspection_due=today + dt.timedelta(days=20),
    )  # fmt: skip
    inspector = User.objects.get(username="wuye")  # the property company records the inspection
    actions.move(
        other.pk, "inspect", actor=inspector, version=0,
        data={"inspected_on": today - dt.timedelta(days=340), "result": "passed", "inspector": "宁夏特种设备检验检测院",
              "next_due": today + dt.timedelta(days=20)},
    )  # fmt: skip
    for n in range(1, 4):
        actions.add_facility(
            actor=staff, kind=FacilityKind.BICYCLE_SHED, name=f"{n}号车棚", compound=compound,
            installed_on=dt.date(2008, 5, 1), condition=Condition.POOR if n < 3 else Condition.FAIR,
        )  # fmt: skip
    actions.add_facility(
        actor=staff, kind=FacilityKind.CHARGER, name="电动自行车充电桩（北区）", compound=compound,
        installed_on=dt.date(2022, 7, 1), warranty_ends=dt.date(2025, 6, 30), maintainer=company,
    )  # fmt: skip
    actions.add_facility(
        actor=staff, kind=FacilityKind.CAMERA, name="小区东门监控", compound=compound,
        installed_on=dt.date(2019, 3, 1), maintainer=company,
    )  # fmt: skip
    return lift


def _requests(lift, household, grid_worker, resident):
    """Three requests about the lift within the window (a topic candidate), the resident's own one
    of them; an older one outside it."""
    category = Category.objects.get(name="设施维修")
    now = timezone.now()
    days = settings.LINLI_FACILITY_FAILURE_DAYS
    stories = [
        (grid_worker, None, "1号电梯运行时异响，居民反映多次", days + 20),
        (grid_worker, None, "1号电梯困人，物业已放人，需检修", 12),
        (resident, household, "电梯门关不上，老人上下楼不方便", 5),
        (grid_worker, None, "1号电梯按钮失灵", 1),
    ]
    for actor, hh, text, ago in stories:
        case_actions.report_case(
            actor=actor,
            category=category,
            grid=lift.building.grid,
            compound=lift.compound,
            building=lift.building,
            unit=lift.unit,
            where="unit",
            description=text,
            channel="self_service" if hh else "patrol",
            reporter=actor if hh else None,
            reporter_household=hh,
            reporter_name=str(actor) if hh else "",
            facility=lift,
            now=now - dt.timedelta(days=ago),
        )
