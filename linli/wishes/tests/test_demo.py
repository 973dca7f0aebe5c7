"""The demo's wish wall in 馨和苑社区: several wishes in each state, one claimed by the 在职党员 who
did 双报到, the wall public and anonymised."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from linli.party.models import MemberKind
from linli.places.models import Community
from linli.wishes.models import State, Wish


@pytest.mark.django_db
def test_demo_wish_wall_in_xinheyuan(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", households=120, stdout=io.StringIO())
    community = Community.objects.get(name="馨和苑社区")
    states = {s: Wish.objects.filter(community=community, state=s).count() for s in State.values}
    assert states[State.PUBLISHED] >= 3 and states[State.CLAIMED] >= 2 and states[State.DELIVERED] >= 2
    assert states[State.SUBMITTED] >= 1 and states[State.REJECTED] >= 1 and states[State.WITHDRAWN] >= 1
    by_member = Wish.objects.filter(state=State.CLAIMED, claimant_member__kind=MemberKind.IN_SERVICE).get()
    assert by_member.claimant_member.in_roster and by_member.claimant_user.username == "zaizhi"
    wall = Client().get(reverse("wishes:wall", args=[community.pk])).content.decode()
    assert wall.count('data-testid="wall-wish"') == states[State.PUBLISHED] + states[State.CLAIMED]
    board = Client().get(reverse("board:community", args=[community.pk])).content.decode()
    assert "一副老花镜" in board and "一个护眼台灯" in board and "匿名认领" in board
    assert f"{by_member.claimant_member.person.name} 认领" in board  # the 在职党员 chose to be named
    assert "一个新书包" not in board  # claimed, not yet delivered
