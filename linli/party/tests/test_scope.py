"""Scope is security: every list, page and API endpoint of the party domain, for each persona.
Party membership is personal data: never an ID number or a clear phone, the masked phone only to
those who see the person in the ledger, and nothing to those outside the scope."""

import pytest
from django.urls import reverse

from linli.party.models import CheckIn, PartyMember

from .conftest import api, page
from .test_check_in import report


def pages(party):
    check_in = CheckIn.objects.first()
    return {
        "member": party.m_a.get_absolute_url(),
        "check_in": check_in.get_absolute_url(),
        "agreement": party.agreement.get_absolute_url(),
        "paper": reverse("party:agreement_paper", args=[party.agreement.pk]),
        "partner": reverse("party:partner", args=[party.bank.pk]),
    }


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("community", {"member", "check_in", "agreement", "paper", "partner"}),
        ("subdistrict", {"member", "check_in", "agreement", "paper", "partner"}),
        ("grid_a", {"member"}),
        ("grid_b", set()),
        ("other_community", set()),
        ("bank_staff", {"check_in", "agreement", "paper", "partner"}),
        ("school_staff", set()),
    ],
)
def test_who_sees_which_page(world, party, who, visible):
    report(party)
    user = getattr(party, who, None) or getattr(world.users, who)
    c = page(user)
    for name, url in pages(party).items():
        code = c.get(url).status_code
        assert code == (200 if name in visible else 404), (who, name, code)


@pytest.mark.parametrize("who", ["resident", "property", "department", "building_head", "nobody"])
def test_roles_without_the_party_permission_get_403(world, party, who):
    c = page(getattr(world.users, who))
    for url in ("party:index", "party:members", "party:check_ins", "party:commitments", "party:agreements"):
        assert c.get(reverse(url)).status_code == 403
    assert c.get(party.m_a.get_absolute_url()).status_code == 403
    assert api(getattr(world.users, who)).get("/api/v1/party-members/").status_code == 403


def test_lists_show_only_what_is_in_scope(world, party):
    report(party)
    expect = {
        world.users.community: ({"居民a1h", "居民b1h", "居民a2h"}, {"居民c1h"}),
        world.users.grid_a: ({"居民a1h", "居民a2h"}, {"居民b1h", "居民c1h"}),
        world.users.grid_b: ({"居民b1h"}, {"居民a1h", "居民c1h"}),
        world.users.other_community: ({"居民c1h"}, {"居民a1h", "居民b1h"}),
        party.bank_staff: ({"居民a2h"}, {"居民a1h", "居民b1h", "居民c1h"}),
        party.school_staff: (set(), {"居民a1h", "居民a2h", "居民b1h", "居民c1h"}),
    }
    for user, (shown, hidden) in expect.items():
        text = page(user).get(reverse("party:members")).content.decode()
        names = {r["name"] for r in api(user).get("/api/v1/party-members/").json()["results"]}
        for name in shown:
            assert name in text and name in names, (user, name)
        for name in hidden:
            assert name not in text and name not in names, (user, name)
    agreements = {
        world.users.community: "共驻共建协议书（2026）",
        party.bank_staff: "共驻共建协议书（2026）",
        world.users.other_community: "西湖共建协议",
        party.school_staff: "西湖共建协议",
    }
    for user, title in agreements.items():
        text = page(user).get(reverse("party:agreements")).content.decode()
        got = [r["title"] for r in api(user).get("/api/v1/agreements/").json()["results"]]
        assert got == [title] and title in text
        other = "西湖共建协议" if title != "西湖共建协议" else "共驻共建协议书（2026）"
        assert other not in text
        partners = page(user).get(reverse("party:partners")).content.decode()
        assert ("西湖小学" in partners) == (title == "西湖共建协议")


def test_member_personal_data_is_masked_and_only_for_the_ledgers_readers(world, party):
    member = report(party).member
    phone = world.p_a2h.phone
    for user in (world.users.community, world.users.grid_a):
        text = page(user).get(member.get_absolute_url()).content.decode()
        assert "138****0003" in text and phone not in text and world.p_a2h.id_number not in text
    text = page(party.bank_staff).get(member.get_absolute_url()).content.decode()
    assert "居民a2h" in text and "138****" not in text and "第一网格" not in text
    for user in (world.users.community, party.bank_staff):
        body = str(api(user).get(f"/api/v1/party-members/{member.pk}/").json())
        assert phone not in body and "0003" not in body and world.p_a2h.id_number not in body
        for url in (reverse("party:members"), reverse("party:check_ins")):
            listing = page(user).get(url).content.decode()
            assert phone not in listing and "138****0003" not in listing
    assert "居民a2h" not in page(world.users.grid_b).get(reverse("party:check_ins")).content.decode()


def test_the_public_board_shows_nothing_of_party_members(world, party, client):
    text = client.get(reverse("board:index")).content.decode()
    for name in ("居民a1h", "居民b1h", "馨和苑小区党支部"):
        assert name not in text


def test_lists_run_a_constant_number_of_queries(world, party, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.core.actions import create_object
    from linli.party import actions
    from linli.party.models import Agreement
    from linli.testing import make_id

    from .test_commitments import claim

    def grow(id_serials, report_serial):
        for serial in id_serials:
            member = actions.add_member(actor=world.users.community, id_number=make_id(serial), kind="direct")
            claim(world, member, post="deliberation_rep", building=None)
        report(party, serial=report_serial)
        copied = ("partner", "community", "title", "starts_on", "ends_on", "community_commits", "partner_commits")
        create_object(Agreement, actor=None, **{f: getattr(party.agreement, f) for f in copied})

    c = page(world.users.community)
    urls = [reverse(n) for n in ("party:index", "party:members", "party:check_ins", "party:commitments",
                                 "party:partners", "party:agreements")]  # fmt: skip
    grow([2], 3)
    counts = {}
    for url in urls:
        c.get(url)
        with CaptureQueriesContext(connection) as q:
            assert c.get(url).status_code == 200
        counts[url] = len(q)
    grow([4, 6, 7], 8)
    assert PartyMember.objects.filter(community=world.c1).count() == 8
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert c.get(url).status_code == 200
