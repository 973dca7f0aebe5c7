"""The demo's 微心愿 in 馨和苑社区, built through the wish actions and lifecycle as people would:
a wall with several wishes in each state — one waiting to be checked, several on the wall, one
claimed by the 在职党员 who did 双报到 (they sign in as `zaizhi`, a resident of their household),
one by the bank's liaison for the bank, two delivered (one named, one anonymous), one not accepted,
one withdrawn. Needy households' wishes are posted by the community on their behalf."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.orgs.models import Kind, Organisation
from linli.party.models import MemberKind, PartyMember
from linli.people.models import Household
from linli.places.models import Community
from linli.wishes import actions
from linli.wishes.models import Category
from linli.wishes.workflow import WISH

# (title, story, category, value in fen)
ON_BEHALF = [
    ("冬天的一床厚棉被", "独居老人家里的棉被太薄，想要一床厚棉被过冬", Category.DAILY, 30_000),
    ("一盒彩笔和画本", "小朋友喜欢画画，想要一盒彩笔和两个画本", Category.STUDY, 5_000),
    ("有人陪着聊聊天", "老人腿脚不便，希望每周有人上门陪着聊聊天", Category.VISIT, 0),
    ("修好漏水的水龙头", "厨房水龙头一直滴水，想请人帮忙修好", Category.REPAIR, 3_000),
    ("一个新书包", "孩子的书包背带断了，想要一个新书包", Category.STUDY, 12_000),
    ("一个护眼台灯", "孩子晚上写作业光线暗，想要一个护眼台灯", Category.STUDY, 15_000),
    ("一副老花镜", "看报纸看不清，想要一副老花镜", Category.HEALTH, 6_000),
    ("帮忙申请困难补助", "希望社区帮忙办理困难补助", Category.OTHER, 0),
    ("一双冬天的棉鞋", "想要一双暖和的棉鞋", Category.DAILY, 8_000),
]


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 60)).save(out, "JPEG")
    return SimpleUploadedFile("delivered.jpg", out.getvalue(), content_type="image/jpeg")


def build_wishes(sub, out=print, password=None):
    out("建立馨和苑社区心愿墙……")
    community = Community.objects.get(subdistrict=sub, name="馨和苑社区")
    staff, resident = User.objects.get(username="shequ"), User.objects.get(username="jumin")
    liaison = User.objects.get(username="gongjian")
    bank = Organisation.objects.get(pk=liaison.role_assignments.get().organisation_id, kind=Kind.PARTNER)
    member = PartyMember.objects.select_related("person").filter(kind=MemberKind.IN_SERVICE, in_roster=True).first()
    zaizhi = None
    if member is not None:
        zaizhi, created = User.objects.get_or_create(
            username="zaizhi", defaults={"display_name": f"在职党员·{member.person.name}"}
        )
        if created and password:
            zaizhi.set_password(password)
            zaizhi.save(update_fields=["password"])
        RoleAssignment.objects.get_or_create(user=zaizhi, role=Role.RESIDENT, household_id=member.person.household_id)
    own = resident.role_assignments.get().household_id
    skip = {own, member.person.household_id if member else None}
    households = list(Household.objects.filter(community=community).exclude(pk__in=[h for h in skip if h])[:9])
    actions.post_wish(
        actor=resident,
        title="一套课外读物",
        story="想给上小学的孩子添一套课外读物",
        category=Category.STUDY,
        value=8_000,
    )
    wishes = []
    for household, (title, story, category, value) in zip(households, ON_BEHALF, strict=False):
        wish = actions.post_on_behalf(
            actor=staff, household=household, title=title, story=story, category=category, value=value
        )
        wishes.append(wish)
    if len(wishes) < len(ON_BEHALF):
        return
    rejected = wishes.pop(7)
    WISH.perform(
        rejected.pk, "reject", actor=staff, version=0, data={"reason": "困难补助请到社区服务站申请，不属于微心愿"}
    )
    for wish in wishes:
        WISH.perform(wish.pk, "approve", actor=staff, version=0)
    waiting, drawing, talk, tap, bag, lamp, glasses, shoes = wishes
    WISH.perform(shoes.pk, "withdraw", actor=staff, version=1, data={"reason": "家人已经买了"})
    if zaizhi is not None:
        _claim(tap, zaizhi, "member", "name", member=member.pk)
        _deliver(_claim(glasses, zaizhi, "member", "name", member=member.pk), staff)
    _claim(bag, liaison, "partner", "organisation", organisation=bank.pk)
    _deliver(_claim(lamp, resident, "volunteer", "anonymous"), staff)


def _claim(wish, actor, as_kind, credit, **data):
    return WISH.perform(wish.pk, "claim", actor=actor, version=1, data={"as_kind": as_kind, "credit": credit, **data})


def _deliver(wish, staff):
    WISH.perform(wish.pk, "confirm", actor=staff, version=wish.version, files={"photo": _photo()}, data={})
