"""双报到: a workplace party organisation reports a member to the community where they live; the
community confirms (the member enters the roster) or refuses with a reason; who must act is told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.core.lifecycle import Conflict
from linli.core.models import Notification
from linli.orgs.models import Kind, PartyLevel
from linli.party import actions
from linli.party.models import CheckIn, MemberKind, PartyMember
from linli.party.workflow import CHECK_IN
from linli.testing import make_id

from .conftest import org, page


def report(party, serial=3, actor=None):
    return actions.report_member(
        actor=actor or party.bank_staff, organisation=party.bank_branch, id_number=make_id(serial), note="在职党员"
    )


def test_a_partner_reports_a_member_and_the_community_confirms(world, party, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        check_in = report(party)
    member = check_in.member
    assert (member.person, member.kind, member.workplace_org, member.in_roster) == (
        world.p_a2h,
        MemberKind.IN_SERVICE,
        party.bank_branch,
        False,
    )
    assert (check_in.state, check_in.community) == (CheckIn.State.REPORTED, world.c1)
    told = Notification.objects.filter(url=check_in.get_absolute_url())
    assert set(told.values_list("user__username", flat=True)) == {"community"}
    # not yet in the roster
    roster = page(world.users.community).get(reverse("party:members"), {"roster": "1"}).content.decode()
    assert "居民a2h" not in roster
    with django_capture_on_commit_callbacks(execute=True):
        r = page(world.users.community).post(
            reverse("party:check_in_move", args=[check_in.pk, "confirm"]),
            {"version": 0, "home_org": party.branch.pk},
        )
    assert r.status_code == 302
    check_in.refresh_from_db()
    member.refresh_from_db()
    assert check_in.state == CheckIn.State.CONFIRMED and check_in.decided_at is not None
    assert member.in_roster and member.home_org == party.branch
    assert Notification.objects.filter(user=party.bank_staff, url=check_in.get_absolute_url()).count() == 1
    roster = page(world.users.community).get(reverse("party:members"), {"roster": "1"}).content.decode()
    assert "居民a2h" in roster


def test_the_community_refuses_with_a_reason_and_the_reporter_is_told(world, party, django_capture_on_commit_callbacks):
    check_in = report(party)
    c = page(world.users.community)
    url = reverse("party:check_in_move", args=[check_in.pk, "refuse"])
    r = c.post(url, {"version": 0, "reason": ""})
    assert r.status_code == 400 and "必填" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(url, {"version": 0, "reason": "不在本社区居住"}).status_code == 302
    check_in.refresh_from_db()
    assert (check_in.state, check_in.reason) == (CheckIn.State.REFUSED, "不在本社区居住")
    assert not PartyMember.objects.get(pk=check_in.member_id).in_roster
    told = Notification.objects.get(user=party.bank_staff, url=check_in.get_absolute_url())
    assert "不在本社区居住" in told.text
    # decided: no second decision
    with pytest.raises(ValidationError):
        CHECK_IN.perform(check_in.pk, "confirm", actor=world.users.community, version=1)


def test_who_may_decide(world, party):
    check_in = report(party)
    with pytest.raises(PermissionDenied):  # a partner reports but never confirms
        CHECK_IN.perform(check_in.pk, "confirm", actor=party.bank_staff, version=0)
    with pytest.raises(CheckIn.DoesNotExist):  # another community's staff: out of scope
        CHECK_IN.perform(check_in.pk, "confirm", actor=world.users.other_community, version=0)
    with pytest.raises(PermissionDenied):  # a grid worker reads only
        CHECK_IN.perform(check_in.pk, "confirm", actor=world.users.grid_a, version=0)
    CHECK_IN.perform(check_in.pk, "confirm", actor=world.users.community, version=0)
    with pytest.raises(Conflict):
        CHECK_IN.perform(check_in.pk, "refuse", actor=world.users.community, version=0, data={"reason": "x"})


def test_reports_that_are_refused_before_a_check_in_exists(world, party):
    with pytest.raises(ValidationError) as exc:  # nobody with that ID number
        actions.report_member(actor=party.bank_staff, organisation=party.bank_branch, id_number=make_id(99))
    assert "id_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # not the partner's own party organisation
        actions.report_member(actor=party.bank_staff, organisation=party.school_branch, id_number=make_id(3))
    assert "organisation" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a directly managed member of the community
        report(party, serial=1)
    report(party)
    with pytest.raises(ValidationError) as exc:  # one pending check-in at a time
        report(party)
    assert "等待" in " ".join(exc.value.messages)
    with pytest.raises(PermissionDenied):  # a grid worker does not report
        actions.report_member(actor=world.users.grid_a, organisation=party.bank_branch, id_number=make_id(4))
    assert CheckIn.objects.count() == 1 and PartyMember.objects.filter(kind=MemberKind.IN_SERVICE).count() == 1


def test_an_organisation_reports_itself_once(world, party):
    c = page(party.bank_staff)
    url = reverse("party:report_organisation")
    r = c.post(url, {"organisation": party.bank_branch.pk, "community": world.c1.pk})
    assert r.status_code == 302
    check_in = CheckIn.objects.get(member=None)
    assert (check_in.organisation, check_in.community) == (party.bank_branch, world.c1)
    r = c.post(url, {"organisation": party.bank_branch.pk, "community": world.c1.pk})
    assert r.status_code == 400 and "已经向该社区报到" in r.content.decode()
    CHECK_IN.perform(check_in.pk, "confirm", actor=world.users.community, version=0)
    assert CheckIn.objects.get(pk=check_in.pk).state == CheckIn.State.CONFIRMED


def test_the_report_form_shows_field_errors_in_chinese(world, party):
    r = page(party.bank_staff).post(
        reverse("party:report_member"), {"organisation": party.bank_branch.pk, "id_number": "123"}
    )
    assert r.status_code == 400
    assert "身份证号" in r.content.decode()
    assert not CheckIn.objects.exists()


def test_the_party_tree_refuses_a_level_out_of_place(world, party):
    with pytest.raises(ValidationError) as exc:  # a building group straight under the committee
        org(world, "错层党小组", kind=Kind.PARTY, party_level=PartyLevel.BUILDING_GROUP, community=world.c1,
            building=world.bld_a, parent=party.committee)  # fmt: skip
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a grid branch without its grid
        org(world, "网格党支部", kind=Kind.PARTY, party_level=PartyLevel.GRID_BRANCH, community=world.c1,
            parent=party.committee)  # fmt: skip
    assert "grid" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a partner has no party level
        org(world, "某物业", kind=Kind.PROPERTY, party_level=PartyLevel.GRID_BRANCH)
    assert "party_level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a grid of another community
        org(world, "西湖网格党支部", kind=Kind.PARTY, party_level=PartyLevel.GRID_BRANCH, community=world.c1,
            grid=world.grid_c, parent=party.committee)  # fmt: skip
    assert "grid" in exc.value.message_dict
    grid_branch = org(world, "第一网格党支部", kind=Kind.PARTY, party_level=PartyLevel.GRID_BRANCH,
                      community=world.c1, grid=world.grid_a, parent=party.committee)  # fmt: skip
    household = org(world, "党员中心户", kind=Kind.PARTY, party_level=PartyLevel.MEMBER_HOUSEHOLD, community=world.c1,
                    building=world.bld_a, parent=party.group)  # fmt: skip
    tree = page(world.users.community).get(reverse("party:index")).content.decode()
    for o in (party.committee, party.branch, party.group, grid_branch, household):
        assert o.name in tree
    assert tree.index("馨和苑社区党委") < tree.index("馨和苑小区党支部") < tree.index("1号楼党小组")


def test_partner_staff_are_granted_on_a_co_building_partner_only(world, party):
    from linli.accounts.models import RoleAssignment
    from linli.accounts.roles import Role

    with pytest.raises(ValidationError) as exc:
        RoleAssignment(user=world.users.nobody, role=Role.PARTNER_STAFF, organisation=world.pm).full_clean()
    assert "organisation" in exc.value.message_dict
    RoleAssignment(user=world.users.nobody, role=Role.PARTNER_STAFF, organisation=party.bank).full_clean()
