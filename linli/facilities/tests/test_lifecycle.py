"""A facility's moves: in service → out of order → under repair → in service, retired with a
reason; the inspection moves the due date a year on (a lift's statutory annual inspection, the
boundary exactly a year and a day more), keeps it when failed, refuses a day still to come;
the 403 / 404 / 409 of a move; every move on the timeline and in the audit log."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.core.lifecycle import Conflict
from linli.core.models import AuditLog
from linli.facilities import actions
from linli.facilities.models import Facility, one_year_after

from .conftest import api, at, page


def move(f, name, user, **data):
    f.refresh_from_db()
    return actions.move(f.pk, name, actor=user, version=f.version, data=data)


def test_repair_cycle_on_the_timeline(world, fac):
    u = world.users.property  # the property company serving cp1 records faults and repairs
    move(fac.lift_a, "fault", u, note="困人，门无法关闭")
    move(fac.lift_a, "repair", u, note="维保单位到场")
    f = move(fac.lift_a, "restore", u)
    assert f.state == Facility.State.IN_SERVICE
    actions_ = list(f.events.values_list("action", "from_state", "to_state"))
    assert actions_[:3] == [
        ("restore", "under_repair", "in_service"),
        ("repair", "out_of_order", "under_repair"),
        ("fault", "in_service", "out_of_order"),
    ]
    assert actions_[-1][0] == "register"
    notes = AuditLog.objects.filter(object_id=str(f.pk), note__in=["fault", "repair", "restore"]).count()
    assert notes == 3


def test_fault_needs_a_note_and_retire_a_reason(world, fac):
    with pytest.raises(ValidationError) as e:
        move(fac.lift_a, "fault", world.users.community)
    assert "note" in e.value.message_dict
    with pytest.raises(ValidationError):
        move(fac.road, "retire", world.users.community)
    f = move(fac.road, "retire", world.users.community, note="道路改造后废弃")
    assert f.state == Facility.State.RETIRED
    with pytest.raises(ValidationError):  # a retired facility moves no more
        move(fac.road, "fault", world.users.community, note="x")


def test_inspection_moves_the_due_date_a_year_on(world, fac):
    with at(2026, 6, 15):
        f = move(
            fac.lift_a, "inspect", world.users.property, inspected_on="2026-06-10", result="passed", inspector="特检院"
        )
    assert f.inspection_due == dt.date(2027, 6, 10)
    assert f.last_inspected_on == dt.date(2026, 6, 10)
    i = f.inspections.get()
    assert (i.result, i.next_due, i.inspector) == ("passed", dt.date(2027, 6, 10), "特检院")
    assert f.events.filter(action="inspect", from_state="in_service", to_state="in_service").exists()


def test_a_year_from_a_leap_day_ends_on_28_february():
    assert one_year_after(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert one_year_after(dt.date(2025, 3, 1)) == dt.date(2026, 3, 1)


def test_a_lift_is_inspected_at_least_once_a_year(world, fac):
    """Next due exactly a year after the inspection: accepted; a day more: refused. Other kinds
    (a road) may set a longer interval."""
    u = world.users.community
    with at(2026, 6, 15):
        with pytest.raises(ValidationError) as e:
            move(fac.lift_a, "inspect", u, inspected_on="2026-06-10", result="passed", next_due="2027-06-11")
        assert "2027-06-10" in str(e.value)
        f = move(fac.lift_a, "inspect", u, inspected_on="2026-06-10", result="passed", next_due="2027-06-10")
        assert f.inspection_due == dt.date(2027, 6, 10)
        f = move(fac.road, "inspect", u, inspected_on="2026-06-10", result="passed", next_due="2028-06-10")
        assert f.inspection_due == dt.date(2028, 6, 10)
        with pytest.raises(ValidationError):  # not on or before the inspection itself
            move(fac.road, "inspect", u, inspected_on="2026-06-10", result="passed", next_due="2026-06-10")


def test_inspection_today_yes_tomorrow_no(world, fac):
    u = world.users.community
    with at(2026, 6, 15):
        with pytest.raises(ValidationError):
            move(fac.lift_a, "inspect", u, inspected_on="2026-06-16", result="passed")
        f = move(fac.lift_a, "inspect", u, inspected_on="2026-06-15", result="passed")
    assert f.inspection_due == dt.date(2027, 6, 15)


def test_a_failed_inspection_leaves_the_due_date(world, fac):
    with at(2026, 6, 15):
        f = move(fac.lift_a, "inspect", world.users.community, inspected_on="2026-06-12", result="failed")
    assert f.inspection_due == dt.date(2026, 6, 14)
    assert f.inspections.get().next_due is None
    assert f.inspection_overdue(dt.date(2026, 6, 15))


def test_403_404_409(world, fac):
    f = fac.lift_a
    with pytest.raises(PermissionDenied):  # a grid worker reads the register only
        actions.move(f.pk, "fault", actor=world.users.grid_a, version=0, data={"note": "x"})
    with pytest.raises(Facility.DoesNotExist):
        actions.move(f.pk, "fault", actor=world.users.other_community, version=0, data={"note": "x"})
    move(f, "fault", world.users.community, note="坏了")
    with pytest.raises(Conflict):
        actions.move(f.pk, "repair", actor=world.users.community, version=0, data={})
    r = api(world.users.community).post(f"/api/v1/facilities/{f.pk}/repair/", {"version": 0}, format="json")
    assert r.status_code == 409
    r = api(world.users.grid_a).post(f"/api/v1/facilities/{f.pk}/repair/", {"version": 1}, format="json")
    assert r.status_code == 403
    r = api(world.users.community).post(f"/api/v1/facilities/{f.pk}/repair/", {"version": 1}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "under_repair"


def test_screen_moves_and_field_errors(world, fac):
    c = page(world.users.community)
    url = fac.lift_a.get_absolute_url()
    html = c.get(url).content.decode()
    assert 'data-testid="move-inspect"' in html and 'data-testid="move-fault"' in html
    with at(2026, 6, 15):
        r = c.post(f"{url}inspect/", {"version": 0, "inspected_on": "2026-06-30", "result": "passed"})
        assert r.status_code == 400
        assert "检验日期不能是将来的日子" in r.content.decode()
        r = c.post(f"{url}inspect/", {"version": 0, "inspected_on": "不是日期", "result": "passed"})
        assert r.status_code == 400
        r = c.post(f"{url}inspect/", {"version": 0, "inspected_on": "2026-06-14", "result": "passed"})
        assert r.status_code == 302
    fac.lift_a.refresh_from_db()
    assert fac.lift_a.inspection_due == dt.date(2027, 6, 14)
    assert c.post(f"{url}nonsense/", {"version": 1}).status_code == 404
    r = api(world.users.community).post(
        f"/api/v1/facilities/{fac.lift_a.pk}/inspect/",
        {"version": 1, "inspected_on": "x", "result": "ok"},
        format="json",
    )
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} == {"inspected_on", "result"}
