"""The periodic job: a published wish unclaimed for the community's N days is flagged to the
community at exactly N days (届满), not a second earlier, once; a claim past its delivery day is
flagged the day after, not on the day itself."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from linli.core.models import Notification
from linli.wishes import actions
from linli.wishes.models import Wish
from linli.wishes.overdue import flag_overdue, flag_unclaimed

from .conftest import claim, published


@pytest.mark.parametrize(("days", "extra", "flagged"), [(14, dt.timedelta(0), 1), (14, -dt.timedelta(seconds=1), 0)])
def test_unclaimed_at_exactly_n_days(world, wishes, days, extra, flagged, django_capture_on_commit_callbacks):
    wish = published(world)
    at = wish.waiting_since + dt.timedelta(days=days) + extra
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_unclaimed(now=at) == flagged
    told = Notification.objects.filter(url=wish.get_absolute_url(), text__contains="14")
    assert told.filter(user=world.users.community).count() == flagged
    assert flag_unclaimed(now=at + dt.timedelta(days=1)) == 1 - flagged  # once, ever


def test_a_community_with_fewer_days(world, wishes):
    actions.set_policy(
        actor=world.users.community, community=world.c1, max_value=50_000, deliver_days=7, unclaimed_days=3
    )
    wish = published(world)
    assert flag_unclaimed(now=wish.waiting_since + dt.timedelta(days=3) - dt.timedelta(seconds=1)) == 0
    assert flag_unclaimed(now=wish.waiting_since + dt.timedelta(days=3)) == 1


def test_a_release_starts_the_wait_again(world, wishes):
    wish = claim(published(world), wishes.neighbour)
    from linli.wishes.workflow import WISH

    later = timezone.now() + dt.timedelta(days=10)
    WISH.perform(wish.pk, "release", actor=wishes.neighbour, version=wish.version, now=later)
    assert flag_unclaimed(now=later + dt.timedelta(days=13)) == 0
    assert flag_unclaimed(now=later + dt.timedelta(days=14)) == 1


def test_overdue_the_day_after_the_delivery_day(world, wishes, django_capture_on_commit_callbacks):
    wish = claim(published(world), wishes.neighbour)
    last_day = dt.datetime.combine(wish.deliver_by, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
    assert flag_overdue(now=last_day) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue(now=last_day + dt.timedelta(minutes=1)) == 1
    assert Notification.objects.filter(user=wishes.neighbour, url=wish.get_absolute_url()).exists()
    assert flag_overdue(now=last_day + dt.timedelta(days=2)) == 0
    assert Wish.objects.get(pk=wish.pk).overdue_flagged_at is not None


def test_the_command_runs(world, wishes):
    published(world)
    call_command("check_wishes")
