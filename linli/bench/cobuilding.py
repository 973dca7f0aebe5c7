"""共驻共建 in the synthetic district: per community its co-building partners (each with a liaison
login), two years of micro-wishes (微心愿) and of the three lists (needs, resources, projects with
their budgets), so the wish wall and the matching page have a district's rows.

Read from the district already written (communities, households and their heads, the community's
party committee and staff), so it can also be added to a district generated before it existed
(`linli bench-data --if-absent`). Its own random stream: the rest of the district is the same
with or without it. Written in bulk (`writer.Table`); each row carries what the lifecycle's
effects would have written for its state (wishes.workflow, projects.workflow), consistent across
tables: a delivered project's needs are met, an open project's needs are planned and its
resources in use. The texts are fixed and name nobody, as the personal-data check requires of
anything published.
"""

import random
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.orgs.models import Kind, Organisation, PartnerCategory
from linli.people.models import Household, Person, Relation
from linli.places.models import Community
from linli.projects.models import Funding, Heading, Need, Project, Resource
from linli.wishes.models import DELIVER_DAYS, UNCLAIMED_DAYS, ClaimantKind, Credit, Wish

from .writer import Table

# per community (the district's 100 at scale 1.0: 1,200 partners, 40,000 wishes, 6,000 needs,
# 4,000 resources, 2,400 projects)
PARTNERS, WISHES, NEEDS, PROJECTS_PER_QUARTER, TALENTS = 12, 400, 60, 3, 4
DAYS = 730
PHOTO = "wishes/bench/delivered.jpg"  # not on disk: the photo is never on a page the benchmark reads

PARTNER_NAMES = [
    (PartnerCategory.FINANCE, "{street}银行{n}支行"),
    (PartnerCategory.MEDICAL, "{street}医院{n}分院"),
    (PartnerCategory.SCHOOL, "{street}路小学{n}"),
    (PartnerCategory.KINDERGARTEN, "{street}幼儿园{n}"),
    (PartnerCategory.GOVERNMENT, "{street}供电所{n}"),
    (PartnerCategory.SOCIAL, "{street}邻里互助协会{n}"),
    (PartnerCategory.PROPERTY, "{street}物业党支部共建点{n}"),
]
# (title, story, category, value in fen): the demo's, which passed the personal-data check
WISH_TEXTS = [
    ("冬天的一床厚棉被", "家里的棉被太薄，想要一床厚棉被过冬", "daily", 30_000),
    ("一盒彩笔和画本", "小朋友喜欢画画，想要一盒彩笔和两个画本", "study", 5_000),
    ("有人陪着聊聊天", "腿脚不便，希望每周有人上门陪着聊聊天", "visit", 0),
    ("修好漏水的水龙头", "厨房水龙头一直滴水，想请人帮忙修好", "repair", 3_000),
    ("一个新书包", "孩子的书包背带断了，想要一个新书包", "study", 12_000),
    ("一个护眼台灯", "孩子晚上写作业光线暗，想要一个护眼台灯", "study", 15_000),
    ("一副老花镜", "看报纸看不清，想要一副老花镜", "health", 6_000),
    ("一双冬天的棉鞋", "想要一双暖和的棉鞋", "daily", 8_000),
    ("一套课外读物", "想给上小学的孩子添一套课外读物", "study", 8_000),
    ("一台二手轮椅", "出门不便，想要一台轮椅", "health", 45_000),
]
NEED_TEXTS = [
    ("独居老人健康体检与慢病随访", Heading.HEALTH, "辖区独居及高龄老人"),
    ("“四点半课堂”课后看护", Heading.CHILDREN, "双职工家庭小学生"),
    ("防范电信诈骗宣传", Heading.LEGAL, "辖区老年居民"),
    ("困难家庭冬季帮扶", Heading.POVERTY, "低保及困难家庭"),
    ("广场舞队活动场地", Heading.CULTURE, "社区文体队伍"),
    ("党员志愿服务培训", Heading.PARTY, "在职党员及志愿者"),
    ("楼道杂物清理", Heading.ENVIRONMENT, "老旧小区居民"),
    ("就业技能培训", Heading.EMPLOYMENT, "辖区待业居民"),
]
RESOURCE_KINDS = [
    (Resource.Kind.ROOM, "多功能活动室", "间", None),
    (Resource.Kind.PEOPLE, "专业志愿服务队", "人", None),
    (Resource.Kind.MONEY, "共建帮扶资金", "笔", 2_000_000),
    (Resource.Kind.GOODS, "慰问物资", "件", None),
    (Resource.Kind.VEHICLE, "接送车辆", "辆", None),
]


class Cobuilding:
    def __init__(self, seed=2026, now=None, out=print):
        self.rng = random.Random(f"cobuilding-{seed}")  # noqa: S311 - synthetic data
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.out = out
        self.counts = {}

    def build(self, communities=None):
        """`communities`: [(community id, sub-district id)], the benchmark district's by default."""
        began = time.monotonic()
        if communities is None:
            communities = list(
                Community.objects.filter(subdistrict__code__startswith="BENCH")
                .order_by("id")
                .values_list("id", "subdistrict_id")
            )
        self._read([c for c, _s in communities])
        self.t = {
            m: Table(m)
            for m in (
                Organisation,
                User,
                RoleAssignment,
                Wish,
                Need,
                Resource,
                Project,
                Funding,
                Project.needs.through,
                Project.resources.through,
            )
        }
        self.password = make_password(None)  # liaisons and residents of the benchmark: no usable password
        for j, (cid, sid) in enumerate(communities):
            partners = self._partners(j, cid, sid)
            self._wishes(j, cid, sid, partners)
            self._lists(cid, sid, partners)
        for table in self.t.values():
            table.finish()
        self.counts = {m._meta.model_name: table.written for m, table in self.t.items()}
        self.counts["seconds"] = round(time.monotonic() - began, 1)
        return self.counts

    def _read(self, ids):
        self.households = {}
        for pk, cid in Household.objects.filter(community_id__in=ids).order_by("id").values_list("id", "community_id"):
            self.households.setdefault(cid, []).append(pk)
        rows = Person.objects.filter(community_id__in=ids, relation=Relation.HEAD).values_list("household_id", "id")
        self.heads = dict(rows.order_by("id"))
        self.committee = dict(
            Organisation.objects.filter(kind=Kind.PARTY, community_id__in=ids, compound=None)
            .order_by("-id")
            .values_list("community_id", "id")
        )
        self.staff = dict(
            RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, community_id__in=ids)
            .order_by("-id")
            .values_list("community_id", "user_id")
        )
        streets = Community.objects.filter(pk__in=ids).values_list("id", "subdistrict__name")
        self.street = {cid: name[:2] for cid, name in streets}

    def _account(self, username, display, role, **place):
        uid = self.t[User].add(username=username, password=self.password, display_name=display, date_joined=self.now)
        self.t[RoleAssignment].add(user_id=uid, role=role, **place)
        return uid

    def _partners(self, j, cid, sid):
        """The community's co-building partners (paired with it), each with its liaison's login."""
        partners = []
        for k in range(PARTNERS):
            category, name = PARTNER_NAMES[k % len(PARTNER_NAMES)]
            name = name.format(street=self.street[cid], n=f"{j + 1}-{k + 1}")
            org = self.t[Organisation].add(
                kind=Kind.PARTNER,
                name=name,
                subdistrict_id=sid,
                community_id=cid,
                partner_category=category,
                contact_name="联络员",
            )
            user = self._account(
                f"bench-gj{j + 1}-{k + 1}", f"共建联络员{j + 1}-{k + 1}", Role.PARTNER_STAFF, organisation_id=org
            )
            partners.append((org, name, user))
        return partners

    # ---- 微心愿 ---------------------------------------------------------------------
    def _wishes(self, j, cid, sid, partners):
        """Two years of wishes: the old ones settled (mostly delivered), the last 90 days' still
        moving (checked, on the wall, claimed); a few old ones still unclaimed (flagged). The
        community's resident login (bench-jm<j>) posted their household's own and volunteers."""
        rng, households = self.rng, self.households[cid]
        resident_household = households[0]
        volunteer = (f"居民{j + 1}",)
        resident = self._account(f"bench-jm{j + 1}", volunteer[0], Role.RESIDENT, household_id=resident_household)
        volunteer += (resident,)
        staff = self.staff[cid]
        for i in range(WISHES):
            created = self.now - timedelta(seconds=rng.uniform(3600, DAYS * 86400))
            recent = (self.now - created).days <= 90
            state = rng.choices(
                *(
                    (["published", "claimed", "delivered", "submitted", "rejected", "withdrawn"], [35, 30, 20, 7, 3, 5])
                    if recent
                    else (["delivered", "rejected", "withdrawn", "published"], [84, 6, 7, 3])
                )
            )[0]
            household = resident_household if i % 100 == 0 else rng.choice(households)
            own = household == resident_household
            title, story, category, value = rng.choice(WISH_TEXTS)
            row = {
                "community_id": cid,
                "subdistrict_id": sid,
                "household_id": household,
                "wisher_id": self.heads.get(household),
                "posted_by_id": resident if own else staff,
                "on_behalf": not own,
                "title": title,
                "story": story,
                "category": category,
                "value_fen": value,
                "state": state,
                "version": 0,
                "created_at": created,
            }
            self._wish_moves(row, created, state, partners, None if own else volunteer)
            self.t[Wish].add(**row)

    def _wish_moves(self, row, created, state, partners, volunteer):
        """What approve, reject, claim, confirm and withdraw write (wishes.workflow)."""
        rng = self.rng
        if state == "submitted":
            return
        if state == "rejected":
            row |= {"version": 1, "reason": "不属于微心愿范围，请到社区服务站申请"}
            return
        if state == "withdrawn" and rng.random() < 0.5:  # withdrawn before it was checked
            row |= {"version": 1, "reason": "家人已经买了"}
            return
        published = min(created + timedelta(hours=rng.uniform(2, 72)), self.now)
        row |= {"version": 1, "published_at": published, "waiting_since": published}
        if state == "withdrawn":
            row |= {"version": 2, "reason": "家人已经买了"}
            return
        if state == "published":
            if (self.now - published).days > UNCLAIMED_DAYS:
                row["unclaimed_flagged_at"] = published + timedelta(days=UNCLAIMED_DAYS, hours=1)  # by the daily job
            return
        # claimed within days of publishing; one still claimed is due in the coming days (not overdue)
        claimed = published + timedelta(hours=rng.uniform(1, 240))
        if state == "claimed":
            claimed = max(published, self.now - timedelta(days=rng.uniform(0, DELIVER_DAYS - 1)))
        claimed = min(claimed, self.now)
        org, name, liaison = rng.choice(partners)
        if volunteer is not None and rng.random() < 0.4:  # the community's resident login, as a volunteer
            kind, (name, user), org = ClaimantKind.VOLUNTEER, volunteer, None
            credit = rng.choice([Credit.NAME, Credit.ANONYMOUS])
            name = name if credit == Credit.NAME else ""
        else:
            kind, user = ClaimantKind.PARTNER, liaison
            credit = rng.choice([Credit.ORGANISATION, Credit.ORGANISATION, Credit.ANONYMOUS])
            name = name if credit == Credit.ORGANISATION else ""
        row |= {
            "version": 2,
            "claimant_kind": kind,
            "claimant_user_id": user,
            "claimant_org_id": org,
            "credit": credit,
            "credit_name": name,
            "claimed_at": claimed,
            "deliver_by": timezone.localdate(claimed) + timedelta(days=DELIVER_DAYS),
        }
        if state == "delivered":
            row |= {
                "version": 3,
                "delivered_at": min(claimed + timedelta(hours=rng.uniform(4, 24 * 12)), self.now),
                "photo": PHOTO,
            }

    # ---- 三单 ------------------------------------------------------------------------
    def _lists(self, cid, sid, partners):
        """Per quarter of the two years, projects resolved for the community, each serving one or
        two needs and using one or two partners' resources, with a budget; the needs and resources
        no project took are still open or offered (some withdrawn, some no longer available)."""
        rng, t = self.rng, self.t
        place = {"community_id": cid, "subdistrict_id": sid}
        staff, committee = self.staff[cid], self.committee[cid]
        resources = []
        for org, name, liaison in partners:
            for kind, title, unit, amount in rng.sample(RESOURCE_KINDS, 3):
                resources.append(self._resource(place, org, liaison, kind, f"{name}{title}", unit, amount))
        for _k in range(TALENTS):
            resources.append(
                self._resource(place, None, staff, Resource.Kind.TALENT, "退休教师书法、舞蹈指导", "人", None)
            )
        needs = [self._need(place, staff) for _i in range(NEEDS)]
        rng.shuffle(needs)
        free_needs = needs
        start = self.today - timedelta(days=DAYS)
        for q in range(DAYS // 91 + 1):
            first = start + timedelta(days=91 * q)
            current = first + timedelta(days=91) > self.today
            for _p in range(PROJECTS_PER_QUARTER):
                if not free_needs:
                    break
                n = rng.choice((1, 2))
                served, free_needs = free_needs[:n], free_needs[n:]
                # an open project takes only resources on offer (projects.actions.create_project)
                offered = [r for r in resources if r["state"] == Resource.State.OFFERED] if current else resources
                used = rng.sample(offered, rng.choice((1, 2)))
                self._project(place, first, current, served, used, partners, staff, committee)
        for need in free_needs:  # taken by no project: open, some withdrawn
            if rng.random() < 0.15:
                need |= {"state": Need.State.WITHDRAWN, "version": 1, "reason": "需求已由其他渠道解决"}
        for need in needs:
            t[Need].add(**need)
        for resource in resources:
            if resource["state"] == Resource.State.OFFERED and rng.random() < 0.1:
                resource |= {
                    "state": Resource.State.WITHDRAWN,
                    "version": resource["version"] + 1,
                    "reason": "暂停提供",
                }
            t[Resource].add(**resource)

    def _need(self, place, staff):
        title, heading, who = self.rng.choice(NEED_TEXTS)
        created = self.now - timedelta(days=self.rng.uniform(1, DAYS))
        return place | {
            "id": self.t[Need].new_id(),
            "title": title,
            "heading": heading,
            "beneficiaries": who,
            "people_count": self.rng.randint(5, 200),
            "source": self.rng.choice(["survey", "survey", "staff", "request"]),
            "state": Need.State.OPEN,
            "version": 0,
            "created_by_id": staff,
            "created_at": created,
        }

    def _resource(self, place, org, user, kind, title, unit, amount):
        rng = self.rng
        created = self.now - timedelta(days=rng.uniform(1, DAYS))
        until = None if rng.random() < 0.7 else self.today + timedelta(days=rng.randint(-200, 300))
        return place | {
            "id": self.t[Resource].new_id(),
            "partner_id": org,
            "kind": kind,
            "heading": rng.choice(Heading.values),
            "title": title,
            "quantity": rng.randint(1, 12),
            "unit": unit,
            "amount_fen": amount,
            "available_from": timezone.localdate(created),
            "available_until": until,
            "state": Resource.State.OFFERED,
            "version": 0,
            "offered_by_id": user,
            "created_at": created,
        }

    def _project(self, place, first, current, served, used, partners, staff, committee):
        """A project and what planning, starting, delivering or cancelling it wrote on its needs
        and resources (projects.actions.create_project, projects.workflow)."""
        rng, t = self.rng, self.t
        starts = first + timedelta(days=rng.randint(0, 30))
        ends = starts + timedelta(days=rng.randint(30, 80))
        state = (
            rng.choice([Project.State.PLANNED, Project.State.IN_PROGRESS])
            if current
            else rng.choices([Project.State.DELIVERED, Project.State.CANCELLED], [9, 1])[0]
        )
        partner = next((p for p in partners if p[0] == used[0]["partner_id"]), rng.choice(partners))
        row = place | {
            "title": f"{served[0]['title']}共建项目",
            "heading": served[0]["heading"],
            "partner_id": partner[0],
            "owner_org_id": committee,
            "owner_name": "社区党委书记",
            "starts_on": starts,
            "ends_on": ends,
            "state": state,
            "version": 0 if state == Project.State.PLANNED else 1 if state != Project.State.DELIVERED else 2,
            "created_by_id": staff,
            "created_at": self.now - timedelta(days=(self.today - first).days),
        }
        if state == Project.State.DELIVERED:
            row |= {
                "delivered_on": min(ends - timedelta(days=rng.randint(0, 20)), self.today),
                "result": f"{served[0]['beneficiaries']}受益，{partner[1]}提供支持",
                "public_checked": True,
            }
        elif state == Project.State.CANCELLED:
            row["reason"] = "共建单位调整计划"
        pk = t[Project].add(**row)
        settled = state in (Project.State.DELIVERED, Project.State.CANCELLED)
        for need in served:  # planned with the project; met when delivered, open again when cancelled
            t[Project.needs.through].add(project_id=pk, need_id=need["id"])
            need["created_at"] = min(need["created_at"], row["created_at"])
            need["state"] = {Project.State.DELIVERED: Need.State.MET, Project.State.CANCELLED: Need.State.OPEN}.get(
                state, Need.State.PLANNED
            )
            need["version"] += 2 if settled else 1
        for resource in used:  # in use with the project; offered again when it is settled
            t[Project.resources.through].add(project_id=pk, resource_id=resource["id"])
            resource["state"] = Resource.State.OFFERED if settled else Resource.State.IN_USE
            resource["version"] += 2 if settled else 1
        for source in rng.sample(["partner", "service_fund", "residents", "subdistrict"], rng.randint(1, 3)):
            t[Funding].add(project_id=pk, source=source, amount_fen=rng.randint(5, 500) * 10_000)


def label():
    return ", ".join((_("Co-building partners"), _("Micro-wishes")))


def present() -> bool:
    """The district has its co-building rows already."""
    return Wish.objects.filter(subdistrict__code__startswith="BENCH").exists()


def add(seed=2026, out=print) -> dict:
    """Add the co-building rows to a district generated without them, in one transaction."""
    with transaction.atomic():
        counts = Cobuilding(seed=seed, out=out).build()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts
