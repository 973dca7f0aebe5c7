import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.accounts.models import RoleAssignment, User
from linli.deliberation import procedures
from linli.deliberation.models import Topic

from .moves import post_move


@pytest.mark.django_db
def test_resident_proposes_neighbours_support_and_staff_screen(world, login):
    c = login(world.users.resident)
    r = c.post(reverse("deliberation:topic_create"), {"title": "小区增设充电桩", "description": "电动车充电难"})
    topic = Topic.objects.get()
    assert r.status_code == 302 and (topic.community, topic.status, topic.proposer) == (
        world.c1,
        "proposed",
        world.users.resident,
    )
    neighbour = User.objects.create_user("neighbour")
    RoleAssignment.objects.create(user=neighbour, role="resident", household=world.hh_a2)
    n = login(neighbour)
    assert post_move(n, topic, "cosign").status_code == 302
    r = post_move(n, topic, "cosign")  # once only
    assert r.status_code == 400 and "已经附议" in r.content.decode()
    assert topic.cosignatures.count() == 1
    with pytest.raises(ValidationError, match="您提出的议题"):
        procedures.cosign(topic, user=world.users.resident)  # the proposer
    assert (
        "1"
        in login(world.users.community)
        .get(topic.get_absolute_url())
        .content.decode()
        .split('data-testid="cosigners">')[1][:20]
    )
    assert login(world.users.other_community).get(topic.get_absolute_url()).status_code == 404
    outsider = User.objects.create_user("outsider")
    RoleAssignment.objects.create(user=outsider, role="resident", household=world.hh_c1)
    assert login(outsider).get(topic.get_absolute_url()).status_code == 404  # another community's resident
    assert post_move(login(world.users.resident), topic, "accept").status_code == 403  # residents do not screen
    assert Topic.objects.get(pk=topic.pk).status == "proposed"


@pytest.mark.django_db
def test_built_in_procedures_are_found_by_code_not_by_name(world, login):
    from linli.deliberation.models import Procedure

    codes = dict(Procedure.objects.exclude(code=None).values_list("code", "name"))
    assert codes == {"community": "城乡社区协商", "four_and_two": "四议两公开", "owners": "业主共同决定"}
    Procedure.objects.filter(code=Procedure.COMMUNITY).update(
        name="城乡社区协商（2026年修订）"
    )  # a display name changes
    r = login(world.users.resident).post(
        reverse("deliberation:topic_create"), {"title": "小区增设充电桩", "description": "电动车充电难"}
    )
    assert r.status_code == 302 and Topic.objects.get().procedure.code == Procedure.COMMUNITY


@pytest.mark.django_db
def test_evaluate_publish_and_timeline(world, login, client):
    from linli.deliberation.models import Procedure

    topic = procedures.raise_topic(
        actor=world.users.community,
        title="楼道照明改造",
        community=world.c1,
        procedure=Procedure.objects.get(name="业主共同决定"),
        matter=4,
    )
    with pytest.raises(ValidationError):
        procedures.evaluate(topic, actor=world.users.resident, score=5)  # not done yet
    procedures.screen(topic, actor=world.users.community, accept=True)
    Topic.objects.filter(pk=topic.pk).update(status="done")
    c = login(world.users.resident)
    post_move(c, topic, "evaluate", {"score": 4, "comment": "亮多了"})
    r = post_move(c, topic, "evaluate", {"score": 5})
    assert r.status_code == 400 and "已评价" in r.content.decode() and topic.evaluations.count() == 1
    s = login(world.users.community)
    post_move(s, topic, "evaluate", {"score": 3, "by_callback": "1", "comment": "电话回访"})
    post_move(s, topic, "publish", {"outcome": "已完成全部楼道照明改造，费用由维修资金列支"})
    topic.refresh_from_db()
    assert topic.published_at and topic.evaluations.filter(by_callback=True).count() == 1
    board = client.get(reverse("board:community", args=[world.c1.pk])).content.decode()
    assert "已完成全部楼道照明改造" in board and "亮多了" not in board
    from django.utils import translation

    with translation.override("zh-hans"):
        kinds = [k for _w, k, _t, _u in procedures.timeline(topic)]
    assert kinds[0] == "提出议题" and kinds[-1] == "结果公开" and kinds.count("评价") == 2
