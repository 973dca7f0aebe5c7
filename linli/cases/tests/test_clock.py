import datetime as dt
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.cases import actions, metrics
from linli.cases.models import Case, CaseEvent, Category
from linli.cases.overdue import mark_overdue, warn_near_deadline


@pytest.fixture
def case(world):
    cat = Category.objects.get(name="设施维修")
    c = actions.report_case(
        actor=world.users.grid_a, category=cat, grid=world.grid_a, description="水管漏水", channel="patrol"
    )
    return actions.transition(c.pk, "dispatch", actor=world.users.grid_a, version=0, assignee_org=world.pm)


def step(case, name, user, **kw):
    case.refresh_from_db()
    return actions.transition(case.pk, name, actor=user, version=case.version, **kw)


@pytest.mark.django_db
def test_deferral_stops_the_clock_and_moves_the_deadline_by_the_pause(world, case):
    u, due = world.users, case.resolve_by
    t0 = timezone.now()
    step(case, "defer", u.grid_a, note="等待配件", now=t0)
    with pytest.raises(ValidationError):
        step(case, "defer", u.grid_a, note="again")
    assert mark_overdue(now=due + dt.timedelta(hours=1)) == 0  # deferred: not overdue
    step(case, "resume", u.grid_a, now=t0 + dt.timedelta(hours=30))
    case.refresh_from_db()
    assert case.resolve_by == due + dt.timedelta(hours=30) and case.deferred and case.paused_at is None


@pytest.mark.django_db
def test_extension_must_be_later(world, case):
    with pytest.raises(ValidationError):
        step(case, "extend", world.users.grid_a, note="需要施工", deadline=case.resolve_by)
    later = case.resolve_by + dt.timedelta(days=2)
    step(case, "extend", world.users.grid_a, note="需要施工", deadline=later)
    case.refresh_from_db()
    assert case.resolve_by == later and case.extended
    with pytest.raises(PermissionDenied):  # handlers cannot extend their own deadline
        step(case, "extend", world.users.property, note="x", deadline=later + dt.timedelta(days=1))


@pytest.mark.django_db
def test_warning_at_exactly_the_share_of_the_time_limit(world, case, settings):
    settings.LINLI_WARN_SHARE = 0.5
    Case.objects.filter(pk=case.pk).update(resolve_by=case.created_at + dt.timedelta(hours=10))
    assert warn_near_deadline(now=case.created_at + dt.timedelta(hours=4, minutes=59)) == 0
    assert warn_near_deadline(now=case.created_at + dt.timedelta(hours=5)) == 1  # exactly half: warned
    assert warn_near_deadline(now=case.created_at + dt.timedelta(hours=6)) == 0  # once only
    assert CaseEvent.objects.filter(case=case, action="warn").count() == 1


@pytest.mark.django_db
def test_warning_when_first_looked_at_past_the_share(world, case, settings):
    settings.LINLI_WARN_SHARE = 0.5
    Case.objects.filter(pk=case.pk).update(resolve_by=case.created_at + dt.timedelta(hours=10))
    assert warn_near_deadline(now=case.created_at + dt.timedelta(hours=7)) == 1  # the job ran late: warned all the same


@pytest.mark.django_db
def test_supervision_centre_rates(world):
    cat = Category.objects.get(name="设施维修")
    now = timezone.now()
    past = now - dt.timedelta(days=1)
    base = {
        "channel": "hotline",
        "category": cat,
        "grid": world.grid_a,
        "community": world.c1,
        "subdistrict": world.sub,
        "description": "x",
        "respond_by": past,
        "resolve_by": past,
    }
    Case.objects.create(**base, handled_at=past - dt.timedelta(hours=1), state="handled")  # on time
    Case.objects.create(**base, handled_at=past, state="handled", reworked=True)  # exactly at the deadline: on time
    Case.objects.create(**base, handled_at=past + dt.timedelta(seconds=1), state="handled", extended=True)  # late
    Case.objects.create(**base, deferred=True)  # deferred: not counted as due
    Case.objects.create(**(base | {"resolve_by": now + dt.timedelta(days=3)}))  # not yet due
    Case.objects.create(**(base | {"resolve_by": now + dt.timedelta(days=3)}), deferred=True)  # deferred, not yet due
    s = metrics.summary(Case.objects.all(), now=now)
    assert (s["due"], s["due_deferred"], s["closed_on_time"]) == (4, 1, 2)
    assert s["on_time_rate"] == Fraction(2, 3)
    assert s["rework_rate"] == Fraction(1, 3) and s["extension_rate"] == Fraction(1, 4)
