import datetime as dt

import pytest
from django.urls import reverse

from linli.cases.calendar import add_workdays
from linli.cases.models import Category, WorkdayOverride
from linli.core.models import AuditLog


@pytest.mark.django_db
def test_subdistrict_staff_edit_time_limits_and_calendar(world, login):
    assert login(world.users.community).get(reverse("cases:settings_categories")).status_code == 403
    c = login(world.users.subdistrict)
    cat = Category.objects.get(name="供暖")
    r = c.post(
        reverse("cases:settings_categories"),
        {
            "pk": cat.pk,
            "parent": cat.parent_id,
            "name": "供暖",
            "handler_kind": "property",
            "respond_hours": 2,
            "resolve_workdays": 1,
            "order": 1,
            "active": "on",
        },
    )
    assert r.status_code == 302
    cat.refresh_from_db()
    assert (cat.respond_hours, cat.resolve_workdays) == (2, 1)
    assert AuditLog.objects.filter(action="update", object_repr__contains="供暖").exists()
    r = c.post(
        reverse("cases:settings_categories"),
        {
            "pk": cat.pk,
            "parent": cat.parent_id,
            "name": "供暖",
            "handler_kind": "property",
            "respond_hours": 2,
            "resolve_workdays": 0,
            "order": 1,
        },
    )
    assert r.status_code == 200 and "至少一个工作日" in r.content.decode()

    # a new holiday on a Monday moves deadlines
    assert add_workdays(dt.date(2027, 1, 8), 1) == dt.date(2027, 1, 11)
    r = c.post(reverse("cases:settings_calendar"), {"date": "2027-01-11", "note": "测试假日"})
    assert r.status_code == 302 and add_workdays(dt.date(2027, 1, 8), 1) == dt.date(2027, 1, 12)
    r = c.post(reverse("cases:settings_calendar"), {"date": "2027-01-11", "note": "重复"})
    assert r.status_code == 200 and WorkdayOverride.objects.filter(date="2027-01-11").count() == 1
    day = WorkdayOverride.objects.get(date="2027-01-11")
    assert c.post(reverse("cases:settings_calendar"), {"delete": day.pk}).status_code == 302
    assert add_workdays(dt.date(2027, 1, 8), 1) == dt.date(2027, 1, 11)
