import pytest
from django.urls import reverse

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.core.models import AuditLog
from linli.testing import PASSWORD


def test_production_hasher_is_argon2():
    # conftest swaps in a fast hasher for tests; the real settings module must use Argon2 first
    from linli import settings as real

    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_login_locks_out_after_five_failures(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    url = reverse("accounts:login")
    for _ in range(4):
        r = client.post(url, {"username": "grid_a", "password": "wrong"})
        assert r.status_code == 200 and "用户名或密码错误" in r.content.decode()
    r = client.post(url, {"username": "grid_a", "password": "wrong"})
    assert r.status_code == 429 and "登录失败次数过多" in r.content.decode()
    r = client.post(url, {"username": "grid_a", "password": PASSWORD})
    assert r.status_code == 429  # the right password does not help while locked


@pytest.mark.django_db
def test_login_works_before_the_limit(world, client):
    url = reverse("accounts:login")
    for _ in range(4):
        client.post(url, {"username": "grid_a", "password": "wrong"})
    r = client.post(url, {"username": "grid_a", "password": PASSWORD})
    assert r.status_code == 302


@pytest.mark.django_db
def test_community_staff_grants_grid_role_in_scope_and_it_is_audited(world, login):
    c = login(world.users.community)
    r = c.post(
        reverse("accounts:grant"),
        {
            "username": "new_worker",
            "display_name": "新网格员",
            "password": "a-Long-pass-2026",
            "role": Role.GRID_WORKER,
            "grid": world.grid_b.pk,
        },
    )
    assert r.status_code == 302
    ra = RoleAssignment.objects.get(user__username="new_worker")
    assert (ra.role, ra.grid) == (Role.GRID_WORKER, world.grid_b)
    assert AuditLog.objects.filter(
        action="create", content_type__model="roleassignment", object_id=str(ra.pk), community_id=world.c1.pk
    ).exists()


@pytest.mark.django_db
def test_grant_outside_scope_or_admin_is_refused(world, login):
    c = login(world.users.community)
    r = c.post(
        reverse("accounts:grant"),
        {"username": "x", "password": "a-Long-pass-2026", "role": Role.GRID_WORKER, "grid": world.grid_c.pk},
    )
    assert r.status_code == 200 and "grid" in r.context["form"].errors
    r = c.post(reverse("accounts:grant"), {"username": "x", "password": "a-Long-pass-2026", "role": Role.ADMIN})
    assert r.status_code == 200 and "role" in r.context["form"].errors
    r = c.post(
        reverse("accounts:grant"),
        {"username": "x", "password": "a-Long-pass-2026", "role": Role.SUBDISTRICT_STAFF, "subdistrict": world.sub.pk},
    )
    assert "subdistrict" in r.context["form"].errors
    r = c.post(
        reverse("accounts:grant"),
        {"username": "x", "password": "123", "role": Role.GRID_WORKER, "grid": world.grid_a.pk},
    )
    assert "password" in r.context["form"].errors
    assert not User.objects.filter(username="x").exists()
    assert login(world.users.grid_a).get(reverse("accounts:grant")).status_code == 403


@pytest.mark.django_db
def test_revoke_confirms_then_deletes_with_audit(world, login):
    c = login(world.users.community)
    ra = world.users.grid_b.role_assignments.get()
    url = reverse("accounts:revoke", args=[ra.pk])
    assert c.get(url).status_code == 200 and RoleAssignment.objects.filter(pk=ra.pk).exists()
    assert c.post(url).status_code == 302
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    assert AuditLog.objects.filter(action="delete", object_id=str(ra.pk), content_type__model="roleassignment").exists()
