import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_render_for_community_staff(world, login):
    c = login(world.users.community)
    urls = [
        reverse("home:home"),
        reverse("core:audit"),
        reverse("places:tree"),
        world.c1.get_absolute_url(),
        world.grid_a.get_absolute_url(),
        world.cp1.get_absolute_url(),
        world.bld_a.get_absolute_url(),
        world.unit_a.get_absolute_url(),
        world.house_a1.get_absolute_url(),
        reverse("people:list"),
        world.hh_a1.get_absolute_url(),
        world.p_a1h.get_absolute_url(),
        reverse("orgs:list"),
        world.pm.get_absolute_url(),
        reverse("accounts:roles"),
        reverse("accounts:grant"),
        reverse("places:grid_edit", args=[world.grid_a.pk]),
        reverse("people:person_edit", args=[world.p_a1h.pk]),
        reverse("people:person_create", args=[world.hh_a1.pk]),
        reverse("places:building_create", args=[world.cp1.pk]),
        reverse("orgs:create"),
    ]
    for url in urls:
        r = c.get(url)
        assert r.status_code == 200, url


@pytest.mark.django_db
def test_the_menu_names_a_residents_ledger_their_home(world, login):
    """A resident's 台账 drop-down holds their own household and their compound's facilities: the
    menu calls it 我家; staff keep 台账."""
    resident = login(world.users.resident).get(reverse("home:home")).content.decode()
    assert "我家" in resident and "我的家庭" in resident and "台账" not in resident
    staff = login(world.users.community).get(reverse("home:home")).content.decode()
    assert "台账" in staff and "我家" not in staff
