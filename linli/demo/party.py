"""The demo's 党建 · 共驻共建 in 馨和苑社区, built through the party actions and lifecycles as staff
would: the committee's tree (小区党支部 → 楼栋党小组 → 党员中心户), a few 直管 and 流动 members,
a 在职党员 of the bank's party branch through 双报到, a post with the year's commitment, and several
partners paired with the community with their agreements (one renewed after its term ran out)."""

import datetime as dt

from django.utils import timezone

from linli.accounts.models import User
from linli.core.actions import create_object, update_object
from linli.orgs.models import Kind, Organisation, PartyLevel
from linli.party import actions
from linli.party.models import Agreement, MemberKind
from linli.party.workflow import AGREEMENT, CHECK_IN
from linli.people.models import Person, ResidentPost
from linli.places.models import Community

# (partner, what the community commits, what the partner commits)
AGREEMENTS = [
    (
        "宁夏银行金凤支行",
        "开放党群服务中心会议室，组织居民参加金融知识讲座",
        "每季度开展一次防范电信诈骗和金融知识讲座",
    ),
    ("金凤区人民医院", "提供义诊场地，组织独居老人参加", "每月派医生到社区义诊一次，为高龄老人上门随访"),
    ("银川市第二十一小学", "招募社区志愿者参与护学岗", "寒暑假开放操场和图书室，开设“四点半课堂”"),
    ("金凤区邻里互助志愿者协会", "提供活动室和宣传栏", "组织志愿者每月开展一次环境整治和助老服务"),
]


def build_party(sub, out=print):
    out("建立馨和苑社区党组织与共建单位……")
    community = Community.objects.get(subdistrict=sub, name="馨和苑社区")
    staff = User.objects.get(username="shequ")
    committee = Organisation.objects.get(kind=Kind.PARTY, community=community)
    tree = _tree(sub, community, committee)
    _partners(sub, community, staff)
    people = list(Person.objects.filter(community=community).order_by("id")[:40:8])
    members = [
        actions.add_member(
            actor=staff,
            id_number=p.id_number,
            kind=MemberKind.FLOATING if i == 3 else MemberKind.DIRECT,
            home_org=tree.get(p.compound_id, committee),
        )
        for i, p in enumerate(people[:4])
    ]
    bank = Organisation.objects.get(subdistrict=sub, kind=Kind.PARTNER, name=AGREEMENTS[0][0])
    branch = create_object(
        Organisation,
        actor=staff,
        kind=Kind.PARTY,
        name=f"{bank.name}党支部",
        subdistrict=sub,
        community=community,
        party_level=PartyLevel.NONPUBLIC_BRANCH,
        parent=committee,
        host=bank,
    )
    liaison = User.objects.get(username="gongjian")
    if len(people) > 4:  # 在职党员 through 双报到, confirmed by the community
        check_in = actions.report_member(actor=liaison, organisation=branch, id_number=people[4].id_number)
        CHECK_IN.perform(check_in.pk, "confirm", actor=staff, version=0, data={"home_org": committee.pk})
        members.append(check_in.member)
    org_check_in = actions.report_organisation(actor=liaison, organisation=branch, community=community)
    CHECK_IN.perform(org_check_in.pk, "confirm", actor=staff, version=0)
    if members:
        actions.claim_post(
            actor=staff,
            member=members[0],
            post=ResidentPost.Post.DELIBERATION_REP,
            year=timezone.localdate().year,
            duties="收集本楼居民意见，参加协商议事会",
            promise="每月走访本楼住户，反映居民诉求不过夜",
        )


def _tree(sub, community, committee):
    """A branch for each compound of the community, a group in each one's first building, one
    member centre household; returns {compound id: its branch}."""
    update_object(committee, actor=None, party_level=PartyLevel.COMMUNITY_COMMITTEE)
    branches = {}
    for compound in community.compounds.order_by("id"):
        branch = create_object(
            Organisation,
            actor=None,
            kind=Kind.PARTY,
            name=f"{compound.name}小区党支部",
            subdistrict=sub,
            community=community,
            compound=compound,
            party_level=PartyLevel.COMPOUND_BRANCH,
            parent=committee,
        )
        branches[compound.pk] = branch
        building = compound.buildings.order_by("id").first()
        if building is None:
            continue
        group = create_object(
            Organisation,
            actor=None,
            kind=Kind.PARTY,
            name=f"{compound.name}{building.name}党小组",
            subdistrict=sub,
            community=community,
            building=building,
            party_level=PartyLevel.BUILDING_GROUP,
            parent=branch,
        )
        if len(branches) == 1:
            create_object(
                Organisation,
                actor=None,
                kind=Kind.PARTY,
                name=f"{compound.name}{building.name}党员中心户",
                subdistrict=sub,
                community=community,
                building=building,
                party_level=PartyLevel.MEMBER_HOUSEHOLD,
                parent=group,
            )
    return branches


def _partners(sub, community, staff):
    """The partners paired with the community, each with this year's agreement signed; the
    bank's last year agreement expired and was renewed."""
    today = timezone.localdate()
    for name, ours, theirs in AGREEMENTS:
        partner = Organisation.objects.get(subdistrict=sub, kind=Kind.PARTNER, name=name)
        update_object(partner, actor=staff, community=community)
        start = dt.date(today.year, 1, 1)
        if name == AGREEMENTS[0][0]:
            old = _agreement(partner, community, staff, dt.date(today.year - 1, 1, 1), ours, theirs)
            AGREEMENT.perform(old.pk, "sign", actor=staff, version=0, data={"signed_on": old.starts_on})
            AGREEMENT.perform(old.pk, "expire", actor=staff, version=1)
            AGREEMENT.perform(old.pk, "renew", actor=staff, version=2, data={"ends_on": dt.date(today.year, 12, 31)})
            current = Agreement.objects.get(renewal_of=old)
        else:
            current = _agreement(partner, community, staff, start, ours, theirs)
        AGREEMENT.perform(current.pk, "sign", actor=staff, version=0, data={"signed_on": min(today, start)})


def _agreement(partner, community, staff, start, ours, theirs):
    return create_object(
        Agreement,
        actor=staff,
        partner=partner,
        community=community,
        title=f"{community.name}与{partner.name}共驻共建协议书（{start.year}）",
        starts_on=start,
        ends_on=dt.date(start.year, 12, 31),
        community_commits=ours,
        partner_commits=theirs,
    )
