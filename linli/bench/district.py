"""A synthetic city district for the benchmarks, at a chosen fraction of full size.

Scale 1.0 is a district of 10 sub-districts, 100 communities, 600 grids, 300,000 households,
~900,000 people and 1,000,000 requests over two years (12345-hotline rates per head). Every
row is consistent with what the application would have written: ancestor ids copied down the
place tree, ID numbers with valid check digits, personal data encrypted and hashed, deadlines
from the working-day calendar, each request's events in time order ending in its state.

The bulk tables are written through `writer.Table` and the ledger's bulk writer (COPY on
PostgreSQL, bulk_create on SQLite), each value prepared by its field; each request is moved
along its path by the work-order lifecycle's own effects (`Lifecycle.replay`), so what each state
implies is decided by cases.workflow; the few topics, meetings and votes go through the real
actions, so their rules are applied. Deterministic for a given seed. Names come from Faker (the
`bench` extra); ID numbers, phones and texts from the demo builder.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from faker import Faker

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.cases import rollup
from linli.cases.calendar import workday_deadline
from linli.cases.models import Assignment, Case, CaseEvent, Category, HandlerKind
from linli.cases.workflow import LIFECYCLE
from linli.deliberation.models import Ballot, Elector, OwnerVote, Procedure
from linli.demo.builder import TAGS, DemoBuilder, _rect
from linli.orgs.models import Kind, Organisation, PartnerCategory
from linli.people.derive import person_values
from linli.people.models import Household, Person, Relation, ResidentPost, Tag, Tenure
from linli.places.models import Building, Community, Compound, Grid, House, Subdistrict, Unit

from . import cobuilding, funds
from .writer import Table

FULL = {"subdistricts": 10, "communities": 100, "grids": 600, "households": 300_000, "cases": 1_000_000}
VOTE_HOUSES, VOTE_BALLOTS = 5000, 4000
RESIDENT_REQUESTS = 3  # self-service requests of each community's resident login (bench.phone opens one)
PASSWORD = "linli-bench-2026"  # noqa: S105 - benchmark accounts on synthetic data
CODE_PREFIX = "BENCH"
STREETS = [
    "长安",
    "和平",
    "新华",
    "建设",
    "解放",
    "人民",
    "胜利",
    "幸福",
    "光明",
    "东风",
    "朝阳",
    "文化",
    "团结",
    "友谊",
    "前进",
    "红旗",
]
NAMES = [
    "锦绣",
    "阳光",
    "翠苑",
    "金地",
    "华府",
    "御景",
    "怡园",
    "康城",
    "碧水",
    "枫林",
    "丽景",
    "和园",
    "书香",
    "润泽",
    "星河",
    "春晓",
]
SUFFIXES = ["花园", "小区", "家园", "苑", "新村", "公寓", "名邸", "雅居"]
FLOORS, UNITS, PER_FLOOR = 11, 2, 2  # 44 houses a building
OLD_STATES = [
    ("closed", 64),
    ("rated", 14),
    ("verified", 2),
    ("handled", 1.5),
    ("in_progress", 1),
    ("dispatched", 0.6),
    ("accepted", 0.3),
    ("returned", 0.2),
    ("declined", 9),
    ("merged", 4),
    ("escalated", 0.4),
]


def sizes(scale: float) -> dict:
    n = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    n["communities"] = max(n["communities"], n["subdistricts"])
    n["grids"] = max(n["grids"], n["communities"])
    n["households"] = max(n["households"], 20 * n["communities"])
    n["cases"] = max(n["cases"], 50)
    n["vote_houses"] = VOTE_HOUSES if scale >= 0.1 else max(20, round(VOTE_HOUSES * scale * 10))
    n["vote_ballots"] = n["vote_houses"] * VOTE_BALLOTS // VOTE_HOUSES
    return n


@dataclass
class Progress:
    out: callable
    label: str
    total: int
    every: int = 0
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def step(self, n=1):
        self.done += n
        every = self.every or max(1, self.total // 10)
        if self.done % every < n or self.done == self.total:
            rate = self.done / max(time.monotonic() - self.started, 1e-6)
            self.out(
                _("%(label)s: %(done)s of %(total)s (%(rate)s a second)")
                % {"label": self.label, "done": f"{self.done:,}", "total": f"{self.total:,}", "rate": f"{rate:,.0f}"}
            )


class District:
    def __init__(self, scale=1.0, seed=2026, out=print, now=None, fund_interest="yearly"):
        self.scale, self.n = scale, sizes(scale)
        self.rng, self.seed = random.Random(seed), seed
        self.demo = DemoBuilder(households=0, seed=seed, out=out)  # names, ID numbers, phones, texts
        self.demo.rng = self.rng
        self.demo.SIZE_WEIGHTS = [10, 25, 30, 22, 13]  # 3.0 people a household, as in the census of a city district
        self.out = out
        self.now = now or timezone.now()
        self.counts = {}
        self.fund_interest = fund_interest
        self.heads = {}  # grid id → heads of household with a phone (build_people)

    # ---- places ---------------------------------------------------------------
    def build_places(self):
        n, rng = self.n, self.rng
        t = {m: Table(m) for m in (Subdistrict, Community, Grid, Compound, Building, Unit, House, Organisation)}
        houses_per_community = round(n["households"] / 0.9 / n["communities"])
        self.subs, self.communities, self.grids, self.compounds, self.companies = [], [], {}, [], {}
        self.houses = []  # (id, unit, building, compound, grid, community, subdistrict)
        self.orgs = {"property": {}, "department": {}, "party": {}}
        progress = Progress(self.out, _("places"), n["communities"])
        for s in range(n["subdistricts"]):
            sid = t[Subdistrict].add(
                name=f"{STREETS[s % len(STREETS)]}{'' if s < len(STREETS) else s}街道", code=f"{CODE_PREFIX}{s:03d}"
            )
            self.subs.append(sid)
            self.orgs["property"][sid] = [
                t[Organisation].add(
                    kind=Kind.PROPERTY, name=f"{STREETS[s % 16]}{x + 1}号物业服务有限公司", subdistrict_id=sid
                )
                for x in range(4)
            ]
            self.orgs["department"][sid] = [
                t[Organisation].add(
                    kind=Kind.DEPARTMENT, name=f"{name}（{STREETS[s % 16]}片区{s}）", subdistrict_id=sid
                )
                for name in ("住房和城乡建设局", "综合执法局", "派出所", "市场监督管理所", "消防救援大队")
            ]
            t[Organisation].add(kind=Kind.PARTY, name=f"{STREETS[s % 16]}街道党工委{s}", subdistrict_id=sid)
            t[Organisation].add(
                kind=Kind.PARTNER,
                name=f"{STREETS[s % 16]}社区卫生服务中心{s}",
                subdistrict_id=sid,
                partner_category=PartnerCategory.MEDICAL,
            )
        for c in range(n["communities"]):
            sid = self.subs[c % len(self.subs)]
            x0, y0 = 106.0 + (c % 10) * 0.03, 38.3 + (c // 10) * 0.025
            cid = t[Community].add(subdistrict_id=sid, name=f"{NAMES[c % 16]}{STREETS[(c // 16) % 16]}社区{c + 1}")
            self.communities.append((cid, sid))
            self.orgs["party"][cid] = t[Organisation].add(
                kind=Kind.PARTY, name=f"社区党委{c + 1}", subdistrict_id=sid, community_id=cid
            )
            n_grids = n["grids"] // n["communities"] + (1 if c < n["grids"] % n["communities"] else 0)
            grids = [
                t[Grid].add(
                    community_id=cid,
                    subdistrict_id=sid,
                    name=f"第{g + 1}网格",
                    boundary=_rect(x0 + g * 0.028 / n_grids, y0, 0.028 / n_grids, 0.02, rng),
                )
                for g in range(n_grids)
            ]
            self.grids[cid] = grids
            house_budget = houses_per_community
            if c == 0:
                house_budget += n["vote_houses"]  # the large compound of the owners' vote benchmark
            k = 0
            while house_budget > 0:
                size = n["vote_houses"] if (c == 0 and k == 0) else min(house_budget, rng.randint(300, 520))
                size = min(size, house_budget)
                pid = t[Compound].add(
                    community_id=cid,
                    subdistrict_id=sid,
                    # unique in the district, as the ledger file needs
                    name=f"{NAMES[(c + k) % 16]}{SUFFIXES[k % len(SUFFIXES)]}{c + 1}区{k + 1}期",
                    address=f"{STREETS[c % 16]}路{rng.randint(1, 999)}号",
                    property_company_id=(company := rng.choice(self.orgs["property"][sid])),
                    boundary=_rect(x0 + (k % 4) * 0.007, y0 + (k // 4) * 0.006, 0.006, 0.005, rng),
                )
                self.compounds.append((pid, cid, sid, size))
                self.companies[pid] = company
                if k % 2 == 0:
                    t[Organisation].add(
                        kind=Kind.OWNERS_COMMITTEE,
                        name=f"业主委员会{pid}",
                        subdistrict_id=sid,
                        community_id=cid,
                        compound_id=pid,
                    )
                self._buildings(t, pid, cid, sid, grids, size)
                house_budget -= size
                k += 1
            progress.step()
        for table in t.values():
            table.finish()
        self.counts["places"] = {m._meta.model_name: table.written for m, table in t.items()}

    def _buildings(self, t, pid, cid, sid, grids, size):
        per_building = FLOORS * UNITS * PER_FLOOR
        for b in range(-(-size // per_building)):
            gid = grids[(b + pid) % len(grids)]
            bid = t[Building].add(
                compound_id=pid, grid_id=gid, community_id=cid, subdistrict_id=sid, name=f"{b + 1}号楼"
            )
            left = min(per_building, size - b * per_building)
            base = Decimal(self.rng.choice([68, 76, 89, 96, 108, 120, 135, 142]))
            for u in range(UNITS):
                in_unit = min(FLOORS * PER_FLOOR, left - u * FLOORS * PER_FLOOR)
                if in_unit <= 0:
                    break
                uid = t[Unit].add(
                    building_id=bid,
                    compound_id=pid,
                    grid_id=gid,
                    community_id=cid,
                    subdistrict_id=sid,
                    name=f"{u + 1}单元",
                )
                for h in range(in_unit):
                    floor, door = divmod(h, PER_FLOOR)
                    hid = t[House].add(
                        unit_id=uid,
                        building_id=bid,
                        compound_id=pid,
                        grid_id=gid,
                        community_id=cid,
                        subdistrict_id=sid,
                        number=f"{floor + 1}{door + 1:02d}",
                        area=base + Decimal(self.rng.randint(-300, 300)) / 100,
                    )
                    self.houses.append((hid, uid, bid, pid, gid, cid, sid))

    # ---- people ---------------------------------------------------------------
    def build_people(self):
        rng, demo = self.rng, self.demo
        fake = Faker("zh_CN")  # the bench extra: a wider choice of names than the demo's
        fake.seed_instance(self.seed)
        pool = {
            "surname": [fake.last_name() for _i in range(400)],
            True: [fake.first_name_male() for _i in range(1500)],
            False: [fake.first_name_female() for _i in range(1500)],
        }
        tags = {
            name: Tag.objects.get_or_create(name=name, defaults={"sensitive": s, "order": i})[0].pk
            for i, (name, s) in enumerate(TAGS)
        }
        t_hh, t_person, t_tag = Table(Household), Table(Person), Table(Person.tags.through)
        occupied = sorted(rng.sample(range(len(self.houses)), min(self.n["households"], len(self.houses))))
        self.households = []  # (household id, house tuple)
        self.heads = {}  # grid id → [person id of a head with a phone]
        progress = Progress(self.out, _("households"), len(occupied))
        for i in occupied:
            house = self.houses[i]
            hid, uid, bid, pid, gid, cid, sid = house
            tenure = Tenure.TENANT if rng.random() < 0.18 else Tenure.OWNER
            where = {
                "unit_id": uid,
                "building_id": bid,
                "compound_id": pid,
                "grid_id": gid,
                "community_id": cid,
                "subdistrict_id": sid,
            }
            hh = t_hh.add(house_id=hid, tenure=tenure, created_at=self.now, **where)
            places = SimpleNamespace(**where)
            self.households.append((hh, house))
            members = demo._members()
            surname = rng.choice(pool["surname"])
            for relation, male, birth in members:
                kin = relation in (Relation.HEAD, Relation.CHILD, Relation.GRANDCHILD)
                name = (surname if kin else rng.choice(pool["surname"])) + rng.choice(pool[male])
                id_number = demo._id_number(birth, male)
                age = (self.now.date() - birth).days // 365
                phone = demo._phone() if age >= 16 else ""
                # the ID number and phone are encrypted by the field; the rest as Person.save() derives it
                person = t_person.add(
                    household_id=hh,
                    name=name,
                    relation=relation,
                    created_at=self.now,
                    **person_values(
                        id_number=id_number, phone=phone, household=places, gender="male" if male else "female"
                    ),
                )
                if relation == Relation.HEAD and phone:
                    self.heads.setdefault(gid, []).append(person)
                for tag in self._tags(age, male, len(members), tenure):
                    t_tag.add(person_id=person, tag_id=tags[tag])
            progress.step()
        for table in (t_hh, t_person, t_tag):
            table.finish()
        self.counts |= {"households": t_hh.written, "people": t_person.written, "person_tags": t_tag.written}

    def _tags(self, age, male, size, tenure):
        rng, chosen = self.rng, []
        if age >= 18 and rng.random() < 0.09:
            chosen.append("党员")
            if 22 <= age <= 60 and rng.random() < 0.4:
                chosen.append("在职党员")
        if age >= 65 and size == 1:
            chosen.append("独居老人")
        if rng.random() < 0.02:
            chosen.append("低保")
        if rng.random() < 0.015:
            chosen.append("残疾人")
        if age >= 25 and male and rng.random() < 0.03:
            chosen.append("退役军人")
        if tenure == Tenure.TENANT and rng.random() < 0.5:
            chosen.append("流动人口")
        return chosen

    # ---- accounts -------------------------------------------------------------
    def build_accounts(self):
        """One login per sub-district, community, grid, property company and department."""
        password = make_password(PASSWORD)  # hashed once: PBKDF2 per account would take minutes
        t_user, t_role, t_post = Table(User), Table(RoleAssignment), Table(ResidentPost)
        self.users = {"grid": {}, "community": {}, "subdistrict": {}, "org": {}}

        def account(username, display, role, **place):
            uid = t_user.add(username=username, password=password, display_name=display, date_joined=self.now)
            t_role.add(user_id=uid, role=role, **place)
            return uid

        self.users["admin"] = account("bench-admin", "区级管理员", Role.ADMIN)
        for i, sid in enumerate(self.subs):
            self.users["subdistrict"][sid] = account(
                f"bench-jd{i + 1}", f"街道工作人员{i + 1}", Role.SUBDISTRICT_STAFF, subdistrict_id=sid
            )
            for k, org in enumerate(self.orgs["property"][sid]):
                self.users["org"][org] = account(
                    f"bench-wy{i + 1}-{k + 1}", f"物业{i + 1}-{k + 1}", Role.PROPERTY_STAFF, organisation_id=org
                )
            for k, org in enumerate(self.orgs["department"][sid]):
                self.users["org"][org] = account(
                    f"bench-bm{i + 1}-{k + 1}", f"部门{i + 1}-{k + 1}", Role.DEPARTMENT_STAFF, organisation_id=org
                )
        for j, (cid, sid) in enumerate(self.communities):
            self.users["community"][cid] = account(
                f"bench-sq{j + 1}", f"社区工作人员{j + 1}", Role.COMMUNITY_STAFF, community_id=cid
            )
            for gid in self.grids[cid]:
                self.users["grid"][gid] = account(f"bench-wg{gid}", f"网格员{gid}", Role.GRID_WORKER, grid_id=gid)
                head = next(iter(self.heads.get(gid, [])), None)
                if head:
                    t_post.add(
                        person_id=head,
                        post=ResidentPost.Post.GRID_CHIEF,
                        grid_id=gid,
                        community_id=cid,
                        subdistrict_id=sid,
                    )
        for table in (t_user, t_role, t_post):
            table.finish()
        self.counts["accounts"] = t_user.written

    # ---- requests -------------------------------------------------------------
    def build_cases(self):
        """The requests, each moved through its path by the lifecycle's own effects
        (`Lifecycle.replay`: what each state implies is decided by cases.workflow), written in bulk."""
        rng, n = self.rng, self.n["cases"]
        leaves = list(Category.objects.filter(children=None, active=True))
        weights = [4 if c.handler_kind == HandlerKind.PROPERTY else 2 for c in leaves]
        users, orgs = (
            User.objects.in_bulk(),
            Organisation.objects.in_bulk(),
        )  # the moves' actors and handlers, as objects
        t_case, t_event, t_assign = Table(Case), Table(CaseEvent, batch=50_000), Table(Assignment)
        tables = {Case: t_case, CaseEvent: t_event, Assignment: t_assign}
        start = self.now - timedelta(days=730)
        offsets = sorted(rng.uniform(0, 730 * 86400 - 3600) for _i in range(n))
        deadline_cache, last_open_in_grid = {}, {}
        recent_states = [s for s, _w in DemoBuilder.FINAL_STATES], [w for _s, w in DemoBuilder.FINAL_STATES]
        old_states = [s for s, _w in OLD_STATES], [w for _s, w in OLD_STATES]
        channels = [
            "self_service",
            "patrol",
            "patrol",
            "hotline",
            "hotline",
            "visit",
            "wechat",
            "reception",
            "comment_book",
            "whisper",
        ]
        horizon = self.now - timedelta(minutes=1)
        # a community's first household is its resident login's (bench.cobuilding, bench-jm<j>): the
        # community's first self-service requests are theirs, so the phone benchmark opens their own
        # (drawn as any other request: the random sequence, and so the rest of the district, is unchanged)
        first_household, owned = {}, {}
        for hh, house in self.households:
            first_household.setdefault(house[5], (hh, house))
        progress = Progress(self.out, _("requests"), n)
        for offset in offsets:
            created = start + timedelta(seconds=offset)
            hh, (hid, uid, bid, pid, gid, cid, sid) = rng.choice(self.households)
            cat = rng.choices(leaves, weights)[0]
            age_days = (self.now - created).days
            final = rng.choices(*(old_states if age_days > 45 else recent_states))[0]
            channel = rng.choice(channels)
            if channel == "self_service" and owned.get(cid, 0) < RESIDENT_REQUESTS:
                owned[cid] = owned.get(cid, 0) + 1
                hh, (hid, uid, bid, pid, gid, cid, sid) = first_household[cid]
            local_day = timezone.localtime(created).date()
            key = (local_day, cat.resolve_workdays)
            if key not in deadline_cache:
                deadline_cache[key] = workday_deadline(created, cat.resolve_workdays)
            if cat.handler_kind == HandlerKind.PROPERTY:
                org = orgs[self.companies[pid]]
            elif cat.handler_kind == HandlerKind.DEPARTMENT:
                org = orgs[rng.choice(self.orgs["department"][sid])]
            else:
                org = orgs[self.orgs["party"][cid]]
            grid_worker, community_staff = self.users["grid"][gid], self.users["community"][cid]
            case = t_case.instance(
                id=t_case.new_id(),
                channel=channel,
                category_id=cat.pk,
                description=rng.choice(DemoBuilder.CASE_TEXTS.get(cat.name, ["需要协助处理"])),
                grid_id=gid,
                compound_id=pid,
                building_id=bid,
                house_id=None if channel == "whisper" else hid,
                community_id=cid,
                subdistrict_id=sid,
                anonymous=channel == "whisper",
                reporter_household_id=hh if channel == "self_service" else None,
                reporter_name="" if channel == "whisper" else "居民",
                respond_by=created + timedelta(hours=cat.respond_hours),
                resolve_by=deadline_cache[key],
                created_at=created,
                created_by_id=grid_worker,
            )
            t_event.add(case_id=case.pk, action="report", to_state="accepted", actor_id=grid_worker, created_at=created)
            path, into = self._path(final, cat, last_open_in_grid.get(gid))
            late = rng.random() < 0.12
            t, rows = created, []
            for k, step in enumerate(path):
                t = min(
                    t + timedelta(hours=rng.uniform(1, 20 if not late else 110)),
                    horizon - timedelta(minutes=len(path) - k),
                )
                actor = (
                    self.users["org"].get(case.assignee_org_id, community_staff)
                    if step in ("start", "handle", "return")
                    else self.users["subdistrict"][sid]
                    if step == "assign"
                    else grid_worker
                    if step in ("dispatch", "verify")
                    else community_staff
                )
                event = LIFECYCLE.replay(
                    case, step, actor=users[actor], now=t, rows=rows, data=self._input(step, case, org, into, t)
                )
                event["actor_id"] = event.pop("actor").pk
                t_event.add(case_id=case.pk, **event)
            for row in rows:  # what the effects wrote elsewhere: an assignment, a note on the request merged into
                tables[type(row)].add_object(row)
            if case.state in ("accepted", "dispatched", "in_progress"):
                last_open_in_grid[gid] = case
            case.rolled_up = (
                case.respond_by < self.now and case.resolve_by < self.now
            )  # what rollup.refresh() would pick
            t_case.add_object(case)
            progress.step()
        for table in (t_case, t_event, t_assign):
            table.finish()
        self.counts |= {"cases": t_case.written, "case_events": t_event.written, "assignments": t_assign.written}

    def _path(self, final, category, open_in_grid):
        """The moves to the final state (the demo's paths), varied as a district's are: some
        department matters escalated and assigned (交办) instead of dispatched, some deadlines
        extended, some results sent back at verification; a merge goes into the grid's latest
        open request (none: the request stays accepted)."""
        rng, path = self.rng, list(DemoBuilder.PATHS[final])
        if final == "merged":
            return (path if open_in_grid else []), open_in_grid
        if path[:1] == ["dispatch"] and category.handler_kind == HandlerKind.DEPARTMENT and rng.random() < 0.1:
            path[:1] = ["whistle", "assign"]
        if "handle" in path:
            if rng.random() < 0.04:
                path.insert(path.index("handle"), "extend")
            if rng.random() < 0.03:
                at = path.index("handle") + 1
                path[at:at] = ["send_back", "handle"]
        return path, None

    def _input(self, step, case, org, into, t):
        """What a move of a path is given, as its form would have cleaned it."""
        if step == "dispatch":
            return {"assignee_org": org}
        if step == "assign":
            return {"assignee_org": org, "deadline": t + timedelta(days=5), "note": "请于5日内办结"}
        if step == "extend":
            return {"deadline": case.resolve_by + timedelta(days=5), "note": "需协调施工，申请延期"}
        if step == "merge":
            return {"into": into}
        if step == "rate":
            return {"rating": self.rng.choices(["satisfied", "basic", "dissatisfied"], [76, 17, 7])[0]}
        if step == "send_back":
            return {"note": "现场核查未解决"}
        return {"note": DemoBuilder.NOTES.get(step, "")}

    # ---- deliberation ---------------------------------------------------------
    def build_deliberation(self):
        """Per community a topic through its first steps and a held meeting (the real actions);
        per sub-district an owners' vote; and the large vote: 5,000 houses, 4,000 ballots."""
        from linli.deliberation import actions as votes
        from linli.deliberation import procedures

        consult = Procedure.builtin(Procedure.COMMUNITY)
        staff = {
            u.pk: u
            for u in User.objects.filter(
                pk__in=list(self.users["community"].values()) + list(self.users["subdistrict"].values())
            )
        }
        progress = Progress(self.out, _("topics and meetings"), len(self.communities))
        compounds_of = {}
        for pid, cid, _sid, size in self.compounds:
            compounds_of.setdefault(cid, []).append((pid, size))
        for cid, _sid in self.communities:
            actor = staff[self.users["community"][cid]]
            compound = Compound.objects.select_related("community").get(pk=compounds_of[cid][-1][0])
            cases = list(Case.objects.filter(compound=compound).order_by("-id")[:2])
            topic = procedures.raise_topic(
                actor=actor,
                title=f"{compound.name}停车秩序整治",
                community=compound.community,
                compound=compound,
                scale="major",
                procedure=consult,
                cases=cases,
            )
            procedures.screen(topic, actor=actor, accept=True)
            self.demo._demo_meeting(topic, actor)
            for step in list(topic.procedure.steps.all())[:2]:
                procedures.complete_step(topic.pk, step.pk, actor=actor, note=f"{step.name}：已完成并记录在案")
            progress.step()
        # accepting a topic took its open source requests into deliberation: one timeline entry each
        self.counts["case_events"] += CaseEvent.objects.filter(action="deliberate").count()
        closes = self.now + timedelta(days=20)
        for i, sid in enumerate(self.subs):
            actor = staff[self.users["subdistrict"][sid]]
            pid, cid, _s, size = next(c for c in self.compounds if c[2] == sid and (i or c != self.compounds[0]))
            compound = Compound.objects.get(pk=pid)
            unit = Unit.objects.filter(compound=compound).order_by("id").first()
            vote = votes.open_vote(
                actor=actor,
                title=f"{compound.name}{unit}加装电梯",
                matter=7,
                compound=compound,
                unit=unit,
                closes_at=closes,
            )
            self._ballots(vote, share=0.8, actor=actor)
        pid = self.compounds[0][0]
        actor = staff[self.users["subdistrict"][self.subs[0]]]
        big = votes.open_vote(
            actor=actor, title="选聘物业服务企业", matter=4, compound=Compound.objects.get(pk=pid), closes_at=closes
        )
        self._ballots(big, count=self.n["vote_ballots"], actor=actor)
        self.big_vote = big.pk
        self.counts |= {
            "owner_votes": OwnerVote.objects.count(),
            "electors": Elector.objects.count(),
            "ballots": Ballot.objects.count(),
        }

    def _ballots(self, vote, *, actor, share=None, count=None):
        electors = list(Elector.objects.filter(vote=vote).values_list("pk", flat=True).order_by("pk"))
        chosen = self.rng.sample(
            electors, min(len(electors), count if count is not None else round(len(electors) * share))
        )
        t = Table(Ballot)
        for k, pk in enumerate(sorted(chosen)):
            t.add(
                vote_id=vote.pk,
                elector_id=pk,
                choice=self.rng.choices(["agree", "disagree", "abstain"], [70, 20, 10])[0],
                paper_reference=f"P-{k + 1:05d}",
                entered_by_id=actor.pk,
                updated_at=self.now,
            )
        t.finish()

    # ---- 共驻共建 ---------------------------------------------------------------
    def build_cobuilding(self):
        """Partners, micro-wishes and the three lists of every community (bench/cobuilding.py),
        from a random stream of their own: the rows above are the same with or without them."""
        counts = cobuilding.Cobuilding(seed=self.seed, now=self.now, out=self.out).build()
        counts.pop("seconds")
        self.counts["accounts"] += counts.pop("user")
        self.counts["cobuilding"] = counts

    # ---- 维修资金 -----------------------------------------------------------------
    def build_funds(self):
        """A fund per compound, a sub-account per house, ten years of ledger (bench/funds.py), from
        a random stream of its own."""
        counts = funds.Funds(seed=self.seed, now=self.now, out=self.out, interest=self.fund_interest).build()
        counts.pop("seconds")
        self.counts["funds"] = counts

    # ---- all ------------------------------------------------------------------
    def build(self, funds_only=False) -> dict:
        """The whole district; `funds_only`: its places, the staff logins and the funds, all that
        `linli bench --only funds` reads (minutes instead of most of an hour at scale 1.0)."""
        if Subdistrict.objects.filter(code__startswith=CODE_PREFIX).exists():
            raise ValueError(_("The benchmark district is in this database already; use an empty database."))
        started = time.monotonic()
        steps = [
            (_("places"), self.build_places),
            (_("people"), self.build_people),
            (_("accounts"), self.build_accounts),
            (_("requests"), self.build_cases),
            (_("deliberation"), self.build_deliberation),
            (cobuilding.label(), self.build_cobuilding),
            (funds.label(), self.build_funds),
        ]
        if funds_only:
            steps = [steps[0], steps[2], steps[-1]]
        with transaction.atomic():
            for label, step in steps:
                began = time.monotonic()
                step()
                self.out(
                    _("%(label)s done in %(seconds)s s")
                    % {"label": label, "seconds": f"{time.monotonic() - began:.1f}"}
                )
            if not funds_only:
                began = time.monotonic()
                # requests were written rolled up where settled; count them once, as the job would have
                self.counts["rollup_rows"] = rollup.rebuild()
                self.out(
                    _("%(label)s done in %(seconds)s s")
                    % {"label": _("dashboard rollup"), "seconds": f"{time.monotonic() - began:.1f}"}
                )
        if connection.vendor == "postgresql":
            began = time.monotonic()
            with connection.cursor() as cursor:
                # statistics and the visibility map, as autovacuum would leave them (VACUUM cannot
                # run inside a transaction, e.g. a test's)
                command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(command)
            self.out(
                _("%(label)s done in %(seconds)s s") % {"label": command, "seconds": f"{time.monotonic() - began:.1f}"}
            )
        self.counts["seconds"] = round(time.monotonic() - started, 1)
        return self.counts


def bench_users() -> dict:
    """The accounts the benchmarks act as: a grid worker, the worker of the community holding that
    grid, and the staff of its sub-district (nested scopes), plus the district administrator."""
    sub = Subdistrict.objects.filter(code__startswith=CODE_PREFIX).order_by("id").first()
    community = Community.objects.filter(subdistrict=sub).order_by("id").first()
    grid = Grid.objects.filter(community=community).order_by("id").first()
    roles = RoleAssignment.objects.select_related("user")
    return {
        "grid": roles.get(role=Role.GRID_WORKER, grid=grid).user,
        "community": roles.get(role=Role.COMMUNITY_STAFF, community=community).user,
        "subdistrict": roles.get(role=Role.SUBDISTRICT_STAFF, subdistrict=sub).user,
        "admin": User.objects.get(username="bench-admin"),
        "subdistrict_obj": sub,
        "community_obj": community,
        "grid_obj": grid,
    }
