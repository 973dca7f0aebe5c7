import pytest
from django.urls import reverse

from linli.cases import actions
from linli.cases.models import Case, Category, State
from linli.cases.similarity import similar_open, similarity
from linli.core.models import Notification


def test_bigram_similarity():
    assert similarity("楼道灯不亮", "楼道的灯不亮了") > 0.3
    assert similarity("楼道灯不亮", "消防通道被占用") < 0.2
    assert similarity("", "x") == 0.0


@pytest.mark.django_db
def test_similar_requests_are_found_and_merged(world, login, django_capture_on_commit_callbacks):
    cat = Category.objects.get(name="设施维修")

    def report(text, who=None, grid=None):
        return actions.report_case(
            actor=who,
            category=cat,
            grid=grid or world.grid_a,
            compound=world.cp1,
            description=text,
            channel="self_service",
            reporter=who,
        )

    first = report("3号楼楼道灯不亮，晚上很黑", world.users.resident)
    dup = report("3号楼楼道的灯不亮了", world.users.building_head)
    other = report("消防通道被车堵了")
    found = [c for _s, c in similar_open(dup)]
    assert found == [first] and other not in found
    page = login(world.users.grid_a).get(dup.get_absolute_url()).content.decode()
    assert 'data-testid="similar"' in page and first.number in page

    c = login(world.users.grid_a)
    assert c.post(reverse("cases:move_merge", args=[dup.pk]), {"into": first.pk, "version": 0}).status_code == 302
    dup.refresh_from_db()
    assert (dup.state, dup.merged_into) == (State.MERGED, first)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):  # merged is final
        actions.merge(dup.pk, other.pk, actor=world.users.grid_a, version=dup.version)

    u = world.users
    with django_capture_on_commit_callbacks(execute=True):
        for name, user, kw in (
            ("dispatch", u.grid_a, {"assignee_org": world.pm}),
            ("start", u.property, {}),
            ("handle", u.property, {"note": "已修"}),
            ("verify", u.grid_a, {}),
            ("close", u.community, {}),
        ):
            first.refresh_from_db()
            actions.transition(first.pk, name, actor=user, version=first.version, **kw)
    assert Notification.objects.filter(user=u.building_head, url=first.get_absolute_url()).exists()


@pytest.mark.django_db
def test_merge_needs_dispatch_rights_and_scope(world):
    cat = Category.objects.get(name="设施维修")
    a = actions.report_case(actor=None, category=cat, grid=world.grid_a, description="一", channel="hotline")
    b = actions.report_case(actor=None, category=cat, grid=world.grid_c, description="一", channel="hotline")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.merge(a.pk, b.pk, actor=world.users.property, version=0)
    with pytest.raises(Case.DoesNotExist):
        actions.merge(a.pk, b.pk, actor=world.users.grid_a, version=0)  # the other is outside grid A


@pytest.mark.django_db
def test_a_request_is_merged_neither_into_itself_nor_into_a_closed_one(world):
    from django.core.exceptions import ValidationError

    cat = Category.objects.get(name="设施维修")
    a, b = (
        actions.report_case(actor=None, category=cat, grid=world.grid_a, description="楼道灯坏了", channel="hotline")
        for _ in "ab"
    )
    actions.transition(b.pk, "decline", actor=world.users.grid_a, version=0, note="重复")
    for into in (a, b):  # itself (open), then a declined one (another request)
        with pytest.raises(ValidationError) as err:
            actions.merge(a.pk, into.pk, actor=world.users.grid_a, version=0)
        assert err.value.messages == ["只有办理中的诉求才能并入另一件办理中的诉求。"]
    a.refresh_from_db()
    assert (a.state, a.merged_into, a.version, a.events.count()) == (State.ACCEPTED, None, 0, 1)
    c = actions.report_case(actor=None, category=cat, grid=world.grid_a, description="楼道灯坏了", channel="hotline")
    actions.merge(a.pk, c.pk, actor=world.users.grid_a, version=0)  # an open one: merged
    a.refresh_from_db()
    assert (a.state, a.merged_into) == (State.MERGED, c)
