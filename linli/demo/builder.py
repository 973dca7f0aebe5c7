"""The demo sub-district: 金凤区贺兰山中路街道 with the communities of the seed articles.

Places, organisations and posts are few and created row by row; households and persons are
bulk-inserted, with what Person.save() derives taken from the same function
(people.derive.person_values); work orders are bulk-inserted too, each moved along its path by
the lifecycle's own effects (core.lifecycle.Lifecycle.replay). Names come from demo/names.py.
Deterministic for a given seed, so reruns are comparable.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import ROLE_LEVEL, TWO_FACTOR_ROLES, Role
from linli.accounts.two_factor import DEMO_TOTP_KEY
from linli.cases import actions as case_actions
from linli.cases.actions import deadlines
from linli.cases.models import Case, CaseEvent, Category, CoHandler, HandlerKind, Route
from linli.cases.workflow import LIFECYCLE
from linli.core import audit
from linli.core.models import AuditLog
from linli.core.validators import id_check_digit
from linli.deliberation import actions as vote_actions
from linli.deliberation import meetings, procedures
from linli.deliberation.models import ActionItem, Matter, Meeting, Procedure, StepRecord, Topic
from linli.orgs.models import DepartmentGrid, Kind, Organisation, PartnerCategory, PartyLevel
from linli.people.derive import person_values
from linli.people.models import Household, Ownership, Person, Relation, ResidentPost, Tag, Tenure
from linli.places.models import Building, Community, Compound, Grid, House, Subdistrict, Unit

from .facilities import build_facilities
from .funds import build_funds
from .livelihood import build_livelihood
from .names import Names
from .party import build_party
from .projects import build_projects
from .wishes import build_wishes

# the texts the stories' publication steps put on the board (步骤名 → 公开内容)
PUBLISHED = {
    (
        "枫林湾",
        "提前告知协商内容",
    ): "定于本月召开协商议事会，协商枫林湾小区消防通道被占用问题，欢迎居民参加、提出意见。",
    ("枫林湾", "向参与主体和居民反馈结果"): (
        "消防通道已施划网格线并安装隔离桩，占道车辆已劝离；物业每日巡查，网格员每周复查。"
    ),
    ("双福苑", "提前告知协商内容"): "定于本月召开协商议事会，协商双福苑冬季供暖不热问题，欢迎居民参加、提出意见。",
    ("馨和苑", "提前十五日公告业主大会"): (
        "拟于公告十五日后就1号楼1单元加装电梯进行业主表决（《民法典》第二百七十八条），请相关业主关注。"
    ),
}

SUBDISTRICT = "金凤区贺兰山中路街道"
PASSWORD = "linli-demo-2026"  # noqa: S105 - published demo password
COMMUNITIES = {
    "馨和苑社区": ["馨和苑", "馨和苑二期", "艺术巷", "金凤花园"],
    "西湖社区": ["西湖花园", "枫林湾", "新民小区", "湖畔嘉苑"],
    "双福社区": ["双福苑", "荣锦苑", "福宁小区", "康居苑"],
    "芙蓉社区": ["芙蓉苑", "新月花园", "芙蓉里", "怡景苑", "锦绣园"],
    "阅海湾社区": ["鸿曦悦海湾", "新华联广场", "香溪美地", "阅海万家"],
}
PROPERTY_COMPANIES = [
    "宁夏万家物业服务有限公司",
    "银川鸿曦物业管理有限公司",
    "宁夏中房物业服务有限公司",
    "新华联物业服务有限公司",
]
DEPARTMENTS = [
    "金凤区住房和城乡建设局",
    "金凤区综合执法局",
    "贺兰山中路派出所",
    "金凤区市场监督管理局贺兰山中路所",
    "金凤区消防救援大队",
]
PARTNERS = [
    ("宁夏银行金凤支行", PartnerCategory.FINANCE),
    ("宁夏中房物业集团", PartnerCategory.PROPERTY),
    ("金凤区人民检察院", PartnerCategory.GOVERNMENT),
    ("金凤区人民医院", PartnerCategory.MEDICAL),
    ("银川市第二十一小学", PartnerCategory.SCHOOL),
    ("金凤区第三幼儿园", PartnerCategory.KINDERGARTEN),
    ("金凤区邻里互助志愿者协会", PartnerCategory.SOCIAL),
]
TAGS = [
    ("党员", False),
    ("在职党员", False),
    ("低保", True),
    ("独居老人", False),
    ("残疾人", True),
    ("退役军人", False),
    ("流动人口", False),
]
REGION = "640106"  # 银川市金凤区
ORIGIN = (106.205, 38.470)  # south-west corner of the demo map, near 阅海湾


@dataclass
class Login:
    username: str
    display_name: str
    role: str
    place: object


def _rect(x, y, w, h, rng=None):
    """A roughly rectangular block with its edges bent a little, like real street blocks."""
    j = (lambda: rng.uniform(-0.08, 0.08)) if rng else (lambda: 0.0)
    ring = [
        [x + w * j(), y + h * j()],
        [x + w * (0.5 + j()), y + h * j()],
        [x + w * (1 + j()), y + h * j()],
        [x + w * (1 + j()), y + h * (1 + j())],
        [x + w * (0.5 + j()), y + h * (1 + j())],
        [x + w * j(), y + h * (1 + j())],
    ]
    ring = [[round(a, 6), round(b, 6)] for a, b in ring]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


class DemoBuilder:
    SIZE_WEIGHTS = [14, 30, 30, 18, 8]  # household sizes 1..5

    def __init__(self, households=2000, seed=2026, out=print):
        self.target = households
        self.rng = random.Random(seed)
        self.names = Names(seed)
        self.out = out
        self.used_ids = set()

    # ---- places ---------------------------------------------------------------
    def build_places(self):
        self.sub = Subdistrict.objects.create(name=SUBDISTRICT, code="640106003")
        n_compounds = sum(len(v) for v in COMMUNITIES.values())
        # houses per compound so that ~90 % occupancy gives the target household count
        per_compound = max(12, round(self.target / 0.9 / n_compounds))
        self.companies = [
            Organisation.objects.create(
                kind=Kind.PROPERTY,
                name=n,
                subdistrict=self.sub,
                contact_name=self.names.full(),
                contact_phone=self._phone(),
            )
            for n in PROPERTY_COMPANIES
        ]
        self.houses = []
        for ci, (cname, compounds) in enumerate(COMMUNITIES.items()):
            cx, cy = ORIGIN[0] + (ci % 3) * 0.02, ORIGIN[1] + (ci // 3) * 0.016
            community = Community.objects.create(subdistrict=self.sub, name=cname)
            n_grids = 3 if len(compounds) < 5 else 4
            grids = [
                Grid.objects.create(
                    community=community,
                    name=f"第{'一二三四五'[g]}网格",
                    boundary=_rect(cx + g * 0.018 / n_grids, cy, 0.018 / n_grids, 0.014, self.rng),
                )
                for g in range(n_grids)
            ]
            for pi, pname in enumerate(compounds):
                compound = Compound.objects.create(
                    community=community,
                    name=pname,
                    address=f"贺兰山中路{self.rng.randint(100, 999)}号",
                    property_company=self.companies[(ci + pi) % len(self.companies)],
                    boundary=_rect(cx + pi * 0.0035 + 0.0005, cy + 0.002 + (pi % 2) * 0.005, 0.003, 0.004, self.rng),
                )
                if pi % 2 == 0:
                    Organisation.objects.create(
                        kind=Kind.OWNERS_COMMITTEE,
                        name=f"{pname}业主委员会",
                        subdistrict=self.sub,
                        community=community,
                        compound=compound,
                    )
                self._buildings(compound, grids, per_compound)
            Organisation.objects.create(
                kind=Kind.PARTY,
                name=f"{cname}党委",
                subdistrict=self.sub,
                community=community,
                party_level=PartyLevel.COMMUNITY_COMMITTEE,
            )

    def _buildings(self, compound, grids, n_houses):
        units_per_building, floors, per_floor = 2, 6, 2
        per_building = units_per_building * floors * per_floor
        n_buildings = max(1, -(-n_houses // per_building))
        for b in range(n_buildings):
            grid = grids[(b + compound.pk) % len(grids)]
            building = Building.objects.create(compound=compound, grid=grid, name=f"{b + 1}号楼")
            area = Decimal(self.rng.choice([68, 76, 89, 96, 108, 120, 135, 142]))
            for u in range(units_per_building):
                unit = Unit.objects.create(building=building, name=f"{u + 1}单元")
                houses = [
                    House(
                        unit=unit,
                        number=f"{f}0{h + 1}",
                        area=area + Decimal(self.rng.randint(-300, 300)) / 100,
                        building=building,
                        compound_id=building.compound_id,
                        grid_id=building.grid_id,
                        community_id=building.community_id,
                        subdistrict_id=building.subdistrict_id,
                    )
                    for f in range(1, floors + 1)
                    for h in range(per_floor)
                ]
                self.houses += House.objects.bulk_create(houses)

    def build_orgs(self):
        for name in DEPARTMENTS:
            Organisation.objects.create(
                kind=Kind.DEPARTMENT,
                name=name,
                subdistrict=self.sub,
                contact_name=self.names.full(),
                contact_phone=self._landline(),
            )
        for name, category in PARTNERS:
            Organisation.objects.create(
                kind=Kind.PARTNER,
                name=name,
                subdistrict=self.sub,
                partner_category=category,
                contact_name=self.names.full(),
                contact_phone=self._phone(),
            )
        Organisation.objects.create(
            kind=Kind.PARTY,
            name="贺兰山中路街道党工委",
            subdistrict=self.sub,
            party_level=PartyLevel.SUBDISTRICT_COMMITTEE,
        )

    # ---- people ---------------------------------------------------------------
    def _phone(self):
        return (
            self.rng.choice(["138", "139", "150", "151", "158", "177", "180", "186", "189"])
            + f"{self.rng.randint(0, 99_999_999):08d}"
        )

    def _landline(self):
        return f"0951-{self.rng.randint(5_000_000, 8_999_999)}"

    def _id_number(self, birth: date, male: bool) -> str:
        while True:
            seq = self.rng.randint(0, 99) * 10 + self.rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
            first17 = f"{REGION}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self.used_ids:
                self.used_ids.add(first17)
                return first17 + id_check_digit(first17)

    def _birth(self, age_from, age_to):
        today = date(2026, 11, 1)
        return today - timedelta(days=self.rng.randint(age_from * 365, age_to * 365 + 364))

    def _members(self):
        """(relation, male, birth) tuples for one household."""
        head_birth = self._birth(26, 82)
        head_male = self.rng.random() < 0.6
        members = [(Relation.HEAD, head_male, head_birth)]
        size = self.rng.choices([1, 2, 3, 4, 5], weights=self.SIZE_WEIGHTS)[0]
        if size >= 2:
            members.append((Relation.SPOUSE, not head_male, head_birth + timedelta(days=self.rng.randint(-1500, 1500))))
        head_age = (date(2026, 11, 1) - head_birth).days // 365
        for _ in range(size - len(members)):
            if head_age > 55 and self.rng.random() < 0.5:
                members.append((Relation.GRANDCHILD, self.rng.random() < 0.5, self._birth(1, 16)))
            elif head_age < 50 and self.rng.random() < 0.3:
                members.append(
                    (
                        Relation.PARENT,
                        self.rng.random() < 0.5,
                        self._birth(min(head_age + 22, 90), min(head_age + 32, 95)),
                    )
                )
            else:
                members.append(
                    (Relation.CHILD, self.rng.random() < 0.5, self._birth(max(0, head_age - 40), max(1, head_age - 22)))
                )
        return members

    def build_people(self):
        occupied = self.rng.sample(self.houses, min(self.target, len(self.houses)))
        occupied.sort(key=lambda h: h.pk)
        households = Household.objects.bulk_create(
            [
                Household(
                    house=h,
                    tenure=Tenure.TENANT if self.rng.random() < 0.18 else Tenure.OWNER,
                    unit_id=h.unit_id,
                    building_id=h.building_id,
                    compound_id=h.compound_id,
                    grid_id=h.grid_id,
                    community_id=h.community_id,
                    subdistrict_id=h.subdistrict_id,
                )
                for h in occupied
            ]
        )
        persons, plan = [], []
        for hh in households:
            members = self._members()
            surname = self.names.surname()
            for relation, male, birth in members:
                given = self.names.given(male)
                name = (
                    surname
                    if relation in (Relation.HEAD, Relation.CHILD, Relation.GRANDCHILD)
                    else self.names.surname()
                ) + given
                id_number = self._id_number(birth, male)
                age = (date(2026, 11, 1) - birth).days // 365
                phone = self._phone() if age >= 16 else ""
                persons.append(
                    Person(  # bulk: the derived fields as Person.save() derives them
                        household=hh,
                        name=name,
                        relation=relation,
                        **person_values(
                            id_number=id_number, phone=phone, household=hh, gender="male" if male else "female"
                        ),
                    )
                )
                plan.append((hh, age, len(members)))
        self.persons = Person.objects.bulk_create(persons, batch_size=1000)
        self._tag(plan)
        self.households = households

    def _tag(self, plan):
        tags = {
            name: Tag.objects.get_or_create(name=name, defaults={"sensitive": s, "order": i})[0]
            for i, (name, s) in enumerate(TAGS)
        }
        through = Person.tags.through
        rows = []
        for person, (hh, age, size) in zip(self.persons, plan, strict=True):
            chosen = set()
            if age >= 18 and self.rng.random() < 0.09:
                chosen.add("党员")
                if 22 <= age <= 60 and self.rng.random() < 0.4:
                    chosen.add("在职党员")
            if age >= 65 and size == 1:
                chosen.add("独居老人")
            if self.rng.random() < 0.02:
                chosen.add("低保")
            if self.rng.random() < 0.015:
                chosen.add("残疾人")
            if age >= 25 and person.gender == "male" and self.rng.random() < 0.03:
                chosen.add("退役军人")
            if hh.tenure == Tenure.TENANT and self.rng.random() < 0.5:
                chosen.add("流动人口")
            rows += [through(person_id=person.pk, tag_id=tags[t].pk) for t in chosen]
        through.objects.bulk_create(rows, batch_size=2000)

    def build_posts(self):
        heads = {}
        for p in self.persons:
            if p.relation == Relation.HEAD and p.phone:
                heads.setdefault(p.grid_id, []).append(p)
        posts = []
        P = ResidentPost.Post
        for grid in Grid.objects.filter(subdistrict=self.sub):
            pool = heads.get(grid.pk, [])
            self.rng.shuffle(pool)
            picks = iter(pool)
            for post in (
                P.GRID_CHIEF,
                P.GRID_WORKER,
                P.PARTY_GROUP_LEADER,
                P.DELIBERATION_REP,
                P.DELIBERATION_REP,
                P.RESIDENT_REP,
                P.RESIDENT_REP,
            ):
                person = next(picks, None)
                if person:
                    posts.append(
                        ResidentPost(
                            person=person,
                            post=post,
                            grid=grid,
                            community_id=grid.community_id,
                            subdistrict_id=grid.subdistrict_id,
                        )
                    )
            for building in grid.buildings.all():
                candidates = [p for p in pool if p.building_id == building.pk]
                if candidates:
                    posts.append(
                        ResidentPost(
                            person=candidates[0],
                            post=P.BUILDING_HEAD,
                            grid=grid,
                            building=building,
                            community_id=grid.community_id,
                            subdistrict_id=grid.subdistrict_id,
                        )
                    )
                for unit in building.units.all():
                    in_unit = [p for p in candidates if p.unit_id == unit.pk]
                    if len(in_unit) > 1:
                        posts.append(
                            ResidentPost(
                                person=in_unit[1],
                                post=P.UNIT_HEAD,
                                grid=grid,
                                building=building,
                                unit=unit,
                                community_id=grid.community_id,
                                subdistrict_id=grid.subdistrict_id,
                            )
                        )
        ResidentPost.objects.bulk_create(posts)

    # ---- requests (说事 · 办事) ----------------------------------------------------
    CASE_TEXTS = {
        "环境卫生": ["楼道堆放杂物，影响通行", "小区门口垃圾无人清运"],
        "垃圾分类": ["分类垃圾桶破损", "厨余垃圾桶满溢"],
        "文明养犬": ["有人遛狗不牵绳", "草坪上狗粪无人清理"],
        "绿化与树木修剪": ["树枝挡住三楼窗户", "绿地杂草丛生"],
        "物业服务": ["物业保安夜间不在岗", "单元门禁坏了一周没人修"],
        "设施维修": ["楼道灯不亮", "单元门闭门器损坏", "电梯异响"],
        "供暖": ["暖气不热，室温只有15度", "暖气管道漏水"],
        "安全隐患": ["外墙瓷砖松动有坠落风险", "井盖缺失"],
        "飞线充电": ["有人从楼上拉线给电动车充电", "电动车停在楼道充电"],
        "停车与消防通道": ["消防通道被私家车占用", "小区车位不够乱停车"],
        "邻里纠纷": ["楼上装修噪音太大", "邻居空调外机滴水"],
    }
    FINAL_STATES = [
        ("closed", 45),
        ("rated", 10),
        ("verified", 5),
        ("handled", 8),
        ("in_progress", 10),
        ("dispatched", 8),
        ("accepted", 7),
        ("returned", 2),
        ("declined", 5),
        ("merged", 3),
        ("escalated", 3),
    ]
    # the moves that lead to each final state; what each move implies is the lifecycle's (cases.workflow)
    PATHS = {
        "accepted": [],
        "declined": ["decline"],
        "dispatched": ["dispatch"],
        "returned": ["dispatch", "return"],
        "in_progress": ["dispatch", "start"],
        "handled": ["dispatch", "start", "handle"],
        "verified": ["dispatch", "start", "handle", "verify"],
        "rated": ["dispatch", "start", "handle", "verify", "rate"],
        "closed": ["dispatch", "start", "handle", "verify", "rate", "close"],
        "merged": ["merge"],
        "escalated": ["whistle"],
    }
    NOTES = {
        "whistle": "社区协调未果，吹哨报街道",
        "decline": "不属于受理范围，已告知居民",
        "return": "不属于本单位职责",
        "handle": "已安排人员处理完毕",
    }

    def build_cases(self, n=300):
        """Requests in every state: written in bulk, each moved through its path by the
        lifecycle's own effects (`Lifecycle.replay`), so each state's fields are what the
        application would have written."""

        leaves = list(Category.objects.filter(children=None, active=True))
        if not leaves:
            return
        departments = list(Organisation.objects.filter(subdistrict=self.sub, kind=Kind.DEPARTMENT))
        parties = {
            o.community_id: o
            for o in Organisation.objects.filter(subdistrict=self.sub, kind=Kind.PARTY).exclude(community=None)
        }
        staff = {r.role: r.user for r in RoleAssignment.objects.select_related("user")}
        households = list(Household.objects.filter(subdistrict=self.sub).select_related("house__compound"))
        states = [s for s, _w in self.FINAL_STATES]
        weights = [w for _s, w in self.FINAL_STATES]
        now = timezone.now()
        cases, plans = [], []
        for _i in range(n):
            hh = self.rng.choice(households)
            cat = self.rng.choice(leaves)
            final = self.rng.choices(states, weights)[0]
            # orders still open are mostly recent; the old ones are the overdue backlog
            recent = final not in ("closed", "rated", "declined") and self.rng.random() < 0.75
            created = now - timedelta(days=self.rng.uniform(1, 6 if recent else 150), hours=self.rng.uniform(0, 12))
            respond_by, resolve_by = deadlines(cat, created)
            channel = self.rng.choice(
                [
                    "self_service",
                    "patrol",
                    "patrol",
                    "hotline",
                    "visit",
                    "wechat",
                    "reception",
                    "comment_book",
                    "whisper",
                ]
            )
            compound = hh.house.compound
            if cat.handler_kind == HandlerKind.PROPERTY and compound.property_company_id:
                org = compound.property_company
            elif cat.handler_kind == HandlerKind.DEPARTMENT and departments:
                org = self.rng.choice(departments)
            else:
                org = parties.get(hh.community_id) or (departments[0] if departments else None)
            # a whisper says where the problem is (here: the building), never the reporter's house
            case = Case(
                channel=channel,
                category=cat,
                description=self.rng.choice(self.CASE_TEXTS.get(cat.name, ["需要协助处理"])),
                grid_id=hh.grid_id,
                compound_id=hh.compound_id,
                building_id=hh.building_id,
                house_id=None if channel == "whisper" else hh.house_id,
                community_id=hh.community_id,
                subdistrict_id=hh.subdistrict_id,
                anonymous=channel == "whisper",
                reporter_household=hh if channel == "self_service" else None,
                reporter_name="" if channel == "whisper" else "居民",
                respond_by=respond_by,
                resolve_by=resolve_by,
                created_at=created,
            )
            cases.append(case)
            plans.append((case, final, org))
        Case.objects.bulk_create(cases)
        events, rows = [], []  # rows: what the effects write elsewhere (merge: a note on the request merged into)
        for case, final, org in plans:
            t = case.created_at
            events.append(
                CaseEvent(
                    case=case, action="report", to_state="accepted", actor=staff.get(Role.GRID_WORKER), created_at=t
                )
            )
            path = self.PATHS[final]
            into = None
            if final == "merged":
                into = next(
                    (
                        o
                        for o, f, _org in plans
                        if f in ("accepted", "dispatched", "in_progress") and o.grid_id == case.grid_id
                    ),
                    None,
                )
                path = path if into else []  # nothing open to merge into: it stays accepted
            late = self.rng.random() < 0.15  # some orders run over their deadline
            for k, step in enumerate(path):
                # steps move forward in time and never past now
                t = min(
                    t + timedelta(hours=self.rng.uniform(1, 20 if not late else 90)),
                    now - timedelta(minutes=len(path) - k),
                )
                # the community handles what was dispatched to its own party committee (就地解决)
                handler = Role.COMMUNITY_STAFF if org is not None and org.kind == Kind.PARTY else Role.PROPERTY_STAFF
                actor = staff.get(
                    handler
                    if step in ("start", "handle", "return")
                    else Role.GRID_WORKER
                    if step in ("dispatch", "verify")
                    else Role.COMMUNITY_STAFF
                )
                data = {"note": self.NOTES.get(step, "")}
                if step == "dispatch":
                    data["assignee_org"] = org
                elif step == "merge":
                    data["into"] = into
                elif step == "rate":
                    data["rating"] = self.rng.choices(["satisfied", "basic", "dissatisfied"], [75, 18, 7])[0]
                events.append(
                    CaseEvent(case=case, **LIFECYCLE.replay(case, step, actor=actor, now=t, data=data, rows=rows))
                )
        Case.objects.bulk_update(
            cases, [f.name for f in Case._meta.concrete_fields if not f.primary_key], batch_size=200
        )
        CaseEvent.objects.bulk_create(events + rows, batch_size=1000)

    # ---- routing (派单路由) --------------------------------------------------------
    UTILITIES = ["银川市热力公司", "银川市水务集团", "国网银川供电公司"]

    def build_routes(self):
        """The utilities, a police beat and a power supply area over the community grids (部门网格),
        and a few routes: 供暖 to the heating company everywhere, 飞线充电 to the power company on
        its supply area, 停车与消防通道 to the police on their beat, 设施维修 in the first community's
        first grid to the water company (cases.routing)."""
        heating, water, power = (
            Organisation.objects.create(kind=Kind.UTILITY, name=name, subdistrict=self.sub) for name in self.UTILITIES
        )
        police = Organisation.objects.get(subdistrict=self.sub, kind=Kind.DEPARTMENT, name=DEPARTMENTS[2])
        grids = list(Grid.objects.filter(community__subdistrict=self.sub).order_by("community_id", "id"))
        beat = DepartmentGrid.objects.create(organisation=police, name="第一警务网格", subdistrict=self.sub)
        beat.grids.set(grids[:1])  # one-to-one
        supply = DepartmentGrid.objects.create(organisation=power, name="城东供电网格", subdistrict=self.sub)
        supply.grids.set(grids[:3])  # one-to-many
        category = {c.name: c for c in Category.objects.filter(children=None)}
        places = [
            {},
            {"department_grid": supply},
            {"department_grid": beat},
            {"grid": grids[0], "community": grids[0].community},
        ]
        names = ["供暖", "飞线充电", "停车与消防通道", "设施维修"]
        Route.objects.bulk_create(
            Route(category=category[name], organisation=org, subdistrict=self.sub, **place)
            for name, org, place in zip(names, [heating, power, police, water], places, strict=True)
        )

    # ---- a joint order (联合处置) -------------------------------------------------
    def build_joint_order(self):
        """飞线充电 in a building of the demo logins' grid: 综合执法 leads (the 部门 login works it), the
        police (网格警) and the power company co-handle; the police have answered, the power company
        not yet. Moved by the lifecycle's own effects (`Lifecycle.replay`), as build_cases does."""
        hh = (
            Household.objects.filter(community__subdistrict=self.sub, community__name="馨和苑社区")
            .select_related("building")
            .order_by("id")
            .first()
        )
        lead = Organisation.objects.get(subdistrict=self.sub, kind=Kind.DEPARTMENT, name=DEPARTMENTS[1])
        police = Organisation.objects.get(subdistrict=self.sub, kind=Kind.DEPARTMENT, name=DEPARTMENTS[2])
        power = Organisation.objects.get(subdistrict=self.sub, kind=Kind.UTILITY, name=self.UTILITIES[2])
        staff = {r.role: r.user for r in RoleAssignment.objects.select_related("user")}
        category = Category.objects.get(name="飞线充电", children=None)
        created = timezone.now() - timedelta(days=1, hours=3)
        respond_by, resolve_by = deadlines(category, created)
        case = Case.objects.create(
            channel="patrol",
            category=category,
            description=f"{hh.building.name}楼道内有电动车飞线充电，存在火灾隐患，劝导后仍反复出现",
            grid_id=hh.grid_id,
            compound_id=hh.compound_id,
            building_id=hh.building_id,
            community_id=hh.community_id,
            subdistrict_id=hh.subdistrict_id,
            reporter_name="网格员",
            respond_by=respond_by,
            resolve_by=resolve_by,
            created_at=created,
        )
        grid_worker, department = staff.get(Role.GRID_WORKER), staff.get(Role.DEPARTMENT_STAFF)
        events = [CaseEvent(case=case, action="report", to_state="accepted", actor=grid_worker, created_at=created)]
        plan = [
            ("dispatch", grid_worker, {"assignee_org": lead, "co_handlers": [police, power], "note": "联合上门处置"}),
            ("start", department, {}),
            # the officer who answered has no demo login: the timeline names the police station
            ("co_feedback", None, {"co_handler": police, "note": "网格警已联合上门劝导，车主承诺不再飞线充电"}),
        ]
        for k, (step, actor, data) in enumerate(plan, start=1):
            rows = []
            now = created + timedelta(hours=2 * k)
            events.append(
                CaseEvent(case=case, **LIFECYCLE.replay(case, step, actor=actor, now=now, data=data, rows=rows))
            )
            CoHandler.objects.bulk_create([r for r in rows if r.pk is None])
            CoHandler.objects.bulk_update([r for r in rows if r.pk], ["feedback", "feedback_at", "feedback_by"])
        case.save()
        CaseEvent.objects.bulk_create(events)

    # ---- deliberation (议事) -----------------------------------------------------
    def build_deliberation(self):
        """Topics and a lift vote modelled on the seed stories, at different stages."""

        staff = {r.role: r.user for r in RoleAssignment.objects.select_related("user")}
        default_actor = staff.get(Role.SUBDISTRICT_STAFF) or staff.get(Role.COMMUNITY_STAFF)
        # each story is told by its own community's staff: the topic's moves check their scope
        community_staff = {
            r.community_id: r.user
            for r in RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF).select_related("user")
        }
        stories = [
            ("西湖社区", "枫林湾", Procedure.COMMUNITY, "枫林湾小区消防通道长期被占用", 5, "停车与消防通道"),
            ("双福社区", "荣锦苑", Procedure.FOUR_AND_TWO, "荣锦苑自行车棚改造（申请专项资金）", 3, "设施维修"),
            ("双福社区", "双福苑", Procedure.COMMUNITY, "双福苑冬季供暖不热", 2, "供暖"),
            ("馨和苑社区", "馨和苑", Procedure.OWNERS, "馨和苑1号楼1单元加装电梯", 1, None),
        ]
        for community_name, compound_name, procedure, title, steps_done, category in stories:
            compound = Compound.objects.filter(
                community__subdistrict=self.sub, community__name=community_name, name=compound_name
            ).first()
            if compound is None:
                continue
            actor = community_staff.get(compound.community_id) or default_actor
            # open requests of the matter: taken into the topic when it is accepted (议事中), they
            # receive its outcome when it is published (枫林湾's) or wait for it (荣锦苑's, 双福苑's)
            open_ones = Case.objects.filter(
                compound=compound, category__name=category, state__in=LIFECYCLE["deliberate"].sources
            )
            cases = list(open_ones.order_by("id")[:3]) if category else []
            if category and not cases:  # raised at a reception day (代表接待日) when none is open
                grid = Grid.objects.filter(buildings__compound=compound).order_by("id").first()
                cases = [
                    case_actions.report_case(
                        actor=actor,
                        category=Category.objects.get(name=category),
                        grid=grid,
                        compound=compound,
                        description=f"{title}（居民在代表接待日反映）",
                        channel="reception",
                    )
                ]
            topic = procedures.raise_topic(
                actor=actor,
                title=title,
                community=compound.community,
                compound=compound,
                scale="major",
                procedure=Procedure.builtin(procedure),
                matter=Matter.REBUILD if procedure == Procedure.OWNERS else None,
                cases=cases,
            )
            procedures.screen(topic, actor=actor, accept=True)
            meeting = None
            if procedure == Procedure.COMMUNITY and steps_done >= 3:
                meeting = self._demo_meeting(topic, actor)
            for step in list(topic.procedure.steps.all())[:steps_done]:
                if meeting is not None and step.order == 4:  # 组织实施: the meeting's item done and checked first
                    self._demo_item(topic, actor, meeting)
                # the story happened over past weeks: notice periods have run
                StepRecord.objects.filter(topic=topic).update(completed_at=F("completed_at") - timedelta(days=20))
                figures = {
                    "party_meeting": {"eligible": 36, "present": 30, "approving": 28},
                    "residents_meeting": {"eligible": 60, "present": 45, "approving": 41},
                }.get(step.rule, {})
                if step.rule == "owner_vote":
                    break
                note = PUBLISHED.get((compound_name, step.name)) or f"{step.name}：已完成并记录在案"
                procedures.complete_step(topic.pk, step.pk, actor=actor, note=note, **figures)
            self._date_story(topic)
            if procedure == Procedure.OWNERS:
                unit = Unit.objects.filter(building__compound=compound).order_by("id").first()
                # owners who do not live in their house (empty, or let to tenants) are registered as owners

                heads = list(
                    Person.objects.filter(subdistrict=self.sub, relation=Relation.HEAD).exclude(unit=unit)[:200]
                )
                lived_in = set(
                    Household.objects.filter(unit=unit, tenure=Tenure.OWNER).values_list("house_id", flat=True)
                )
                # the register as 产权人 rolls are: one buyer of three houses (one elector by head, with
                # the three areas), the developer's unsold houses, the others each their own owner
                others = list(House.objects.filter(unit=unit).exclude(pk__in=lived_in).order_by("id"))
                unsold, others = others[-2:], others[:-2]
                House.objects.filter(pk__in=[h.pk for h in unsold]).update(developer_owned=True)
                buyer = self.rng.choice(heads)
                owned = []
                for i, h in enumerate(others):
                    owned.append(Ownership(house=h, person=buyer if i < 3 else self.rng.choice(heads)))
                    owned[-1].copy_places(h)  # bulk_create skips save(): the register is scoped like the house
                Ownership.objects.bulk_create(owned)
                vote = vote_actions.open_vote(
                    actor=actor,
                    title=title,
                    matter=7,
                    compound=compound,
                    unit=unit,
                    closes_at=timezone.now() + timedelta(days=20),
                )
                for i, elector in enumerate(vote.electors.all()):
                    if i % 5 != 4:  # most owners have voted on paper so far
                        vote_actions.cast(
                            vote.pk,
                            elector.pk,
                            "agree" if i % 6 else "disagree",
                            actor=actor,
                            paper_reference=f"XHY-{i + 1:03d}",
                        )

    def _date_story(self, topic):
        """Put the topic and its meeting in time order with the backdated steps."""

        first = StepRecord.objects.filter(topic=topic).aggregate(m=Min("completed_at"))["m"]
        if first:
            Topic.objects.filter(pk=topic.pk).update(created_at=first - timedelta(days=5))
            # its requests were taken into it when it was accepted and waited since (the story's
            # moves ran today); one raised for the story (reception day) came two days before it
            accepted = first - timedelta(days=5)
            for case in topic.cases.all():
                if case.created_at > accepted:
                    shift = case.created_at - (accepted - timedelta(days=2))
                    times = ("created_at", "respond_by", "resolve_by", "responded_at")
                    Case.objects.filter(pk=case.pk).update(**{f: F(f) - shift for f in times})
                    CaseEvent.objects.filter(case=case).exclude(action="deliberate").update(
                        created_at=F("created_at") - shift
                    )
                CaseEvent.objects.filter(case=case, action="deliberate").update(created_at=accepted)
                if case.paused_at:
                    Case.objects.filter(pk=case.pk).update(paused_at=accepted)
                elif case.state == "verified":  # the outcome came: its deadline moved by the time it waited
                    Case.objects.filter(pk=case.pk).update(resolve_by=F("resolve_by") + (case.handled_at - accepted))
        consult = StepRecord.objects.filter(topic=topic, step__order=3).first()
        if consult:
            held = consult.completed_at - timedelta(days=1)
            Meeting.objects.filter(topics=topic).update(starts_at=held, closed_at=held + timedelta(hours=2))
            # the meeting's action items were decided there and done before the next step
            for case in topic.action_items.all():
                shift = case.created_at - (consult.completed_at + timedelta(days=1))
                times = ("created_at", "respond_by", "resolve_by", "responded_at", "handled_at")
                Case.objects.filter(pk=case.pk).update(**{f: F(f) - shift for f in times})
                CaseEvent.objects.filter(case=case).update(created_at=F("created_at") - shift)
                ActionItem.objects.filter(case=case).update(created_at=F("created_at") - shift)

    def _demo_meeting(self, topic, actor):
        """A held 协商议事会 on the topic, the way 西湖社区 runs them: each party in turn."""

        m = meetings.create_meeting(
            actor=actor,
            kind="consultation",
            title=f"{topic.compound.name}协商议事会",
            community=topic.community,
            compound=topic.compound,
            starts_at=timezone.now() - timedelta(days=30),
            location="社区党群服务中心",
            topics=[topic],
        )
        parties = [
            ("社区党委", "李书记"),
            ("业委会", "王主任"),
            ("物业公司", "周经理"),
            ("网格警", "马警官"),
            ("居民代表", "张阿姨"),
        ]
        for party, name in parties:
            inv = meetings.invite(m, actor=actor, name=name, party=party)
            meetings.sign_in(inv, actor=actor)
            meetings.record_opinion(
                m,
                actor=actor,
                speaker=inv,
                topic=topic,
                text={
                    "社区党委": "先摸清情况，分工到人",
                    "业委会": "支持，经费由公共收益列支",
                    "物业公司": "七日内完成施划和标识",
                    "网格警": "配合劝导，拒不整改的依法处理",
                    "居民代表": "希望尽快解决，居民愿意监督",
                }[party],
            )
        meetings.close_meeting(
            m, actor=actor, conclusions="物业公司7日内完成整改；网格员每日巡查；一个月后回访居民并公示结果。"
        )
        return m

    def _demo_item(self, topic, actor, meeting):
        """The meeting's resolution as a row of its table (an action item): the community's party
        committee coordinates it (社区能解决的就地解决), handles it and checks it on site."""
        committee = Organisation.objects.get(kind=Kind.PARTY, community=topic.community)
        building = Building.objects.filter(compound=topic.compound).order_by("id").first()
        case = procedures.add_action_item(
            topic,
            actor=actor,
            matter="消防通道施划与隔离桩",
            organisation=committee,
            responsible="社区党委书记",
            measure="协调物业施划消防通道网格线、安装隔离桩，占道车辆劝离，网格员每日巡查",
            deadline=timezone.now() + timedelta(days=7),
            category=Category.objects.get(name="停车与消防通道"),
            building=building,
            meeting=meeting,
        )
        # the steps as the generator writes work orders (Lifecycle.replay: the lifecycle's own effects)
        events, t = [], timezone.now()  # after its dispatch; _date_story moves the story back in time
        for name, note in (("start", ""), ("handle", "网格线已施划，隔离桩6根已安装"), ("verify", "现场核查通道畅通")):
            t += timedelta(minutes=30)
            events.append(CaseEvent(case=case, **LIFECYCLE.replay(case, name, actor=actor, now=t, data={"note": note})))
        Case.objects.bulk_update([case], [f.name for f in Case._meta.concrete_fields if not f.primary_key])
        CaseEvent.objects.bulk_create(events)

    # ---- accounts -------------------------------------------------------------
    def logins(self) -> list[Login]:
        sub = Subdistrict.objects.get(name=SUBDISTRICT)
        community = Community.objects.get(subdistrict=sub, name="馨和苑社区")
        # The resident, grid, building and unit logins all meet in the first household of 馨和苑.
        household = (
            Household.objects.filter(community=community)
            .select_related("grid", "building", "unit", "compound")
            .order_by("id")
            .first()
        )
        grid, building, unit = household.grid, household.building, household.unit
        compound = household.compound
        return [
            Login("admin", "系统管理员", Role.ADMIN, None),
            Login("jiedao", "街道·王主任", Role.SUBDISTRICT_STAFF, sub),
            Login("shequ", "社区·李书记", Role.COMMUNITY_STAFF, community),
            Login("wanggezhang", "网格长·张敏", Role.GRID_CHIEF, grid),
            Login("wanggeyuan", "网格员·马丽", Role.GRID_WORKER, grid),
            Login("louzhang", "楼栋长·刘建国", Role.BUILDING_HEAD, building),
            Login("danyuanzhang", "单元长·赵芳", Role.UNIT_HEAD, unit),
            Login("wuye", "物业·周经理", Role.PROPERTY_STAFF, compound.property_company),
            Login(
                "bumen",
                "综合执法局·孙科长",
                Role.DEPARTMENT_STAFF,
                Organisation.objects.get(subdistrict=sub, kind=Kind.DEPARTMENT, name=DEPARTMENTS[1]),
            ),
            Login("jumin", "居民·" + household.members.get(relation=Relation.HEAD).name, Role.RESIDENT, household),
            Login(
                "gongjian",
                "宁夏银行·共建联络员",
                Role.PARTNER_STAFF,
                Organisation.objects.get(subdistrict=sub, kind=Kind.PARTNER, name=PARTNERS[0][0]),
            ),
        ]

    def ensure_accounts(self):

        for login in self.logins():
            user, created = User.objects.get_or_create(
                username=login.username, defaults={"display_name": login.display_name}
            )
            if created:
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            level = ROLE_LEVEL[login.role]
            place = {level: login.place} if level else {}
            RoleAssignment.objects.get_or_create(user=user, role=login.role, **place)
            if login.role in TWO_FACTOR_ROLES:  # an authenticator app on the published demo key
                TOTPDevice.objects.get_or_create(
                    user=user, confirmed=True, defaults={"name": "演示验证器", "key": DEMO_TOTP_KEY.hex()}
                )

    def build(self) -> bool:
        """Build the demo sub-district unless it exists; always make sure the logins exist."""
        with transaction.atomic():
            created = not Subdistrict.objects.filter(name=SUBDISTRICT).exists()
            if created:
                self.out("建立演示街道与社区……")
                self.build_places()
                self.build_orgs()
                self.out(f"生成住户与居民（约 {self.target} 户）……")
                self.build_people()
                self.build_posts()
                audit.record(
                    None,
                    AuditLog.Action.IMPORT,
                    self.sub,
                    note=f"demo data: {len(self.households)} households, {len(self.persons)} people",
                )
            self.ensure_accounts()
            if created:
                self.build_cases(n=max(30, self.target // 7))
                self.build_deliberation()
                self.build_routes()
                self.build_joint_order()
                build_party(self.sub, self.out)
                build_facilities(self.sub, self.out)
                build_projects(self.sub, self.out)
                build_funds(self.sub, self.out)
                build_livelihood(self.sub, self.out)
                build_wishes(self.sub, self.out, PASSWORD)
        return created
