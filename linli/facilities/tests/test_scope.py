"""Scope is security: every list, page and API endpoint of the facility register, for each
persona (a row outside the scope is a 404, a role without the permission a 403), and privacy: a
resident sees their compound's facilities, but nothing of other people's requests naming them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.facilities.models import Facility

from .conftest import TODAY, api, at, page, report

VISIBLE = {
    "community": {"lift_a", "lift_b", "road"},
    "subdistrict": {"lift_a", "lift_b", "road", "lift_c"},
    "admin": {"lift_a", "lift_b", "road", "lift_c"},
    "other_community": {"lift_c"},
    "grid_a": {"lift_a", "road"},  # its building's lift, and the compound-wide road
    "grid_b": {"lift_b", "road"},
    "building_head": {"lift_a"},
    "property": {"lift_a", "lift_b", "road"},  # the compound its company serves
    "resident": {"lift_a", "lift_b", "road"},  # their own compound
    "department": set(),
}


@pytest.mark.parametrize(("who", "visible"), VISIBLE.items())
def test_who_sees_which_facility(world, fac, who, visible):
    user = getattr(world.users, who)
    c, a = page(user), api(user)
    for name in ("lift_a", "lift_b", "road", "lift_c"):
        f = getattr(fac, name)
        expected = 200 if name in visible else 404
        assert c.get(f.get_absolute_url()).status_code == expected, (who, name)
        assert a.get(f"/api/v1/facilities/{f.pk}/").status_code == expected, (who, name)
    listed = {r["name"] for r in a.get("/api/v1/facilities/").json()["results"]}
    assert listed == {getattr(fac, n).name for n in visible}
    html = c.get(reverse("facilities:list")).content.decode()
    for name in ("lift_a", "lift_b", "road", "lift_c"):
        assert (f'data-testid="facility-{getattr(fac, name).pk}"' in html) == (name in visible), (who, name)


def test_without_the_permission_403(world, fac):
    for who in ("nobody",):
        user = getattr(world.users, who)
        assert page(user).get(reverse("facilities:list")).status_code == 403
        assert page(user).get(fac.lift_a.get_absolute_url()).status_code == 403
        assert api(user).get("/api/v1/facilities/").status_code == 403
    assert page(world.users.grid_a).get(reverse("facilities:create")).status_code == 403
    assert page(world.users.resident).get(reverse("facilities:edit", args=[fac.lift_a.pk])).status_code == 403


def test_anonymous_is_sent_to_log_in(client, fac):
    assert client.get(reverse("facilities:list")).status_code == 302
    assert client.get(fac.lift_a.get_absolute_url()).status_code == 302


def test_change_is_scoped(world, fac):
    """Another community's staff cannot edit or move cp1's facility (404), nor register one in cp1."""
    other = world.users.other_community
    assert page(other).get(reverse("facilities:edit", args=[fac.lift_a.pk])).status_code == 404
    r = page(other).post(reverse("facilities:move", args=[fac.lift_a.pk, "fault"]), {"version": 0, "note": "坏了"})
    assert r.status_code == 404
    r = api(other).post(f"/api/v1/facilities/{fac.lift_a.pk}/fault/", {"version": 0, "note": "坏了"}, format="json")
    assert r.status_code == 404
    r = api(other).post(
        "/api/v1/facilities/", {"kind": "lift", "name": "越界电梯", "compound": world.cp1.pk}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "compound"
    assert not Facility.objects.filter(name="越界电梯").exists()


def test_resident_sees_nothing_of_other_peoples_requests(world, fac):
    """Two requests name the lift: a grid worker's and the resident's own. The resident's page
    lists only their own, and neither the repeated-failure count nor the staff's notes."""
    with at(2026, 6, 15):
        theirs = report(world, fac.lift_a)
        mine = report(world, fac.lift_a, actor=world.users.resident, household=world.hh_a1)
        report(world, fac.lift_a)
        c = page(world.users.resident)
        html = c.get(fac.lift_a.get_absolute_url()).content.decode()
        assert mine.number in html
        assert theirs.number not in html
        assert 'data-testid="recent-failures"' not in html and 'data-testid="candidate"' not in html
        body = api(world.users.resident).get(f"/api/v1/facilities/{fac.lift_a.pk}/").json()
        assert body["recent_failures"] is None and body["topic_candidate"] is None and body["note"] == ""
        listed = c.get(reverse("facilities:list") + "?failing=1").content.decode()
        assert 'data-testid="candidate"' not in listed
        # staff see all three and the flag
        staff = page(world.users.community).get(fac.lift_a.get_absolute_url()).content.decode()
        assert theirs.number in staff and mine.number in staff and 'data-testid="candidate"' in staff


def test_list_filters(world, fac):
    with at(*TODAY.timetuple()[:3]):
        c = page(world.users.subdistrict)

        def names(q):
            html = c.get(reverse("facilities:list") + q).content.decode()
            return {n for n in ("lift_a", "lift_b", "road", "lift_c") if f'facility-{getattr(fac, n).pk}"' in html}

        assert names("?kind=lift") == {"lift_a", "lift_b", "lift_c"}
        assert names(f"?compound={world.cp2.pk}") == {"lift_c"}
        assert names("?inspection=overdue") == {"lift_a", "lift_c"}
        assert names("?inspection=soon") == {"lift_b"}
        assert names("?kind=nonsense&compound=abc&inspection=x") == {"lift_a", "lift_b", "road", "lift_c"}
        r = api(world.users.subdistrict).get("/api/v1/facilities/?inspection=overdue")
        assert {x["name"] for x in r.json()["results"]} == {fac.lift_a.name, fac.lift_c.name}


def _grow(world, n):
    from linli.facilities import actions
    from linli.facilities.models import FacilityKind

    for i in range(n):
        actions.add_facility(
            actor=world.users.community, kind=FacilityKind.CAMERA, name=f"监控{i}", compound=world.cp1,
            building=world.bld_a, maintainer=world.pm,
        )  # fmt: skip


@pytest.mark.parametrize("who", ["community", "grid_a", "resident", "property"])
def test_list_has_a_constant_number_of_queries(world, fac, django_assert_max_num_queries, who):
    """The same number of queries for a page of 6 and of 36 facilities, screen and API."""
    user = getattr(world.users, who)
    c, a = page(user), api(user)
    counts = []
    c.get(reverse("facilities:list"))  # the session's first page loads what every page then reuses
    for growth in (2, 30):
        _grow(world, growth)
        report(world, fac.lift_a)
        with CaptureQueriesContext(connection) as screen:
            assert c.get(reverse("facilities:list")).status_code == 200
        with CaptureQueriesContext(connection) as rest:
            assert a.get("/api/v1/facilities/").status_code == 200
        counts.append((len(screen), len(rest)))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1][0]):
        c.get(reverse("facilities:list") + "?failing=1&inspection=overdue")


def test_export_is_the_list_in_scope_and_filter(world, fac):
    from linli.core.models import AuditLog
    from linli.testing import response_text

    c = page(world.users.community)
    assert 'data-testid="export"' in c.get(reverse("facilities:list")).content.decode()
    text = response_text(c.get(reverse("facilities:export_csv") + "?kind=lift"))
    assert fac.lift_a.name in text and fac.lift_b.name in text
    assert fac.road.name not in text and fac.lift_c.name not in text
    assert "电梯" in text  # the kind as the list shows it
    other = response_text(page(world.users.other_community).get(reverse("facilities:export_xlsx")))
    assert fac.lift_c.name in other and fac.lift_a.name not in other
    assert AuditLog.objects.filter(action=AuditLog.Action.EXPORT, actor=world.users.community).exists()
    resident = page(world.users.resident)
    assert 'data-testid="export"' not in resident.get(reverse("facilities:list")).content.decode()
    assert resident.get(reverse("facilities:export_csv")).status_code == 403


def test_compound_page_counts_the_facilities_in_scope(world, fac):
    with at(*TODAY.timetuple()[:3]):
        url = reverse("places:compound", args=[world.cp1.pk])
        html = page(world.users.community).get(url).content.decode()
        assert 'data-testid="compound-facilities"' in html and 'data-testid="compound-overdue"' in html
        grid_b = page(world.users.grid_b).get(url).content.decode()  # lift_b and the road: none overdue
        assert 'data-testid="compound-facilities"' in grid_b and 'data-testid="compound-overdue"' not in grid_b
