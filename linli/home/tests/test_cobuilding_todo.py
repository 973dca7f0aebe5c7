"""The workbench's co-building lines (微心愿, 三单): the community's wishes to check, the wishes and
needs a partner's staff can take up — each count the list's own filter in the user's scope, so the
number is the rows its link shows; another community's partner counts none of ours; a resident
(who reads the wall) gets no such line."""

import pytest

from linli.party.tests.conftest import party, staff  # noqa: F401 - fixtures reused
from linli.projects.tests.conftest import lists  # noqa: F401 - fixtures reused
from linli.wishes import actions as wish_actions
from linli.wishes.workflow import WISH

from .test_todo import login, todo  # noqa: F401 - fixture reused

pytestmark = pytest.mark.django_db


def listed(client, url) -> int:
    return client.get(url).context["paginator"].count


def test_wishes_to_check_and_to_claim_and_open_needs_in_each_ones_scope(world, lists, login):  # noqa: F811
    u, p = world.users, lists.party
    for title in ("一床厚棉被", "一个新书包", "一盒彩笔"):
        wish_actions.post_on_behalf(
            actor=u.community, household=world.hh_b1, title=title, story="", category="daily", value=3_000
        )
    published = wish_actions.post_on_behalf(
        actor=u.community, household=world.hh_b1, title="修好水龙头", story="", category="repair", value=3_000
    )
    WISH.perform(published.pk, "approve", actor=u.community, version=0)

    community, bank, school = login(u.community), login(p.bank_staff), login(p.school_staff)
    mine = todo(community)
    assert mine["wishes_to_check"][0] == 3 == listed(community, mine["wishes_to_check"][1])
    assert "needs_open" not in mine  # the community keeps the lists: its matching page

    theirs = todo(bank)  # the bank is paired with 馨和苑: our published wish and our open need
    assert theirs["wishes_to_claim"][0] == 1 == listed(bank, theirs["wishes_to_claim"][1])
    assert theirs["needs_open"][0] == 1 == listed(bank, theirs["needs_open"][1])
    assert "wishes_to_check" not in theirs

    other = todo(school)  # the school is paired with 西湖: none of ours
    assert other["wishes_to_claim"][0] == 0 == listed(school, other["wishes_to_claim"][1])
    assert other["needs_open"][0] == 1 == listed(school, other["needs_open"][1])  # 西湖's own need
    assert lists.need.title not in school.get(other["needs_open"][1]).content.decode()

    resident = todo(login(u.resident))
    assert not {"wishes_to_check", "wishes_to_claim", "needs_open"} & set(resident)
