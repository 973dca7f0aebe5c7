"""Open311 keys travel in query strings (server logs, proxies, browser history), so they are not
user API tokens: a separate credential, hashed at rest, named, revocable, with its last use,
issued by administrators for one user whose scope it uses."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from linli.accounts.models import ApiToken, Open311Key
from linli.cases.models import Case, Category
from linli.core.models import AuditLog
from linli.testing import PASSWORD


def create_key(client, world, name="12345热线", username="grid_a"):
    r = client.post("/accounts/open311-keys/", {"name": name, "username": username})
    assert r.status_code == 200, r.content.decode()[-2000:]
    assert r["Cache-Control"].startswith("no-store")
    key = Open311Key.objects.get(name=name)
    secret = r.context["secret"]
    assert secret in r.content.decode()
    return key, secret


@pytest.mark.django_db
def test_an_administrator_issues_a_key_that_files_and_reads_in_its_users_scope(world, login, client):
    admin = login(world.users.admin)
    key, secret = create_key(admin, world)
    assert (key.user, key.created_by) == (world.users.grid_a, world.users.admin)
    assert AuditLog.objects.filter(action="create", content_type__model="open311key", object_id=str(key.pk)).exists()
    cat = Category.objects.get(name="飞线充电")
    anonymous = client.__class__()
    r = anonymous.post(
        "/open311/v2/requests.json",
        {"api_key": secret, "service_code": cat.pk, "address_id": world.grid_a.pk, "description": "楼道飞线充电"},
    )
    assert r.status_code == 201
    assert Case.objects.get(pk=r.json()[0]["service_request_id"]).created_by == world.users.grid_a
    key.refresh_from_db()
    assert key.last_used_at is not None
    # another community's grid is outside the key's user's scope
    r = anonymous.post(
        "/open311/v2/requests.json",
        {"api_key": secret, "service_code": cat.pk, "address_id": world.grid_c.pk, "description": "x"},
    )
    assert r.status_code == 400


@pytest.mark.django_db
def test_keys_are_hashed_at_rest_and_revocable(world, login):
    admin = login(world.users.admin)
    key, secret = create_key(admin, world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_open311key")
        assert secret not in str(cursor.fetchall())
    page = admin.get("/accounts/open311-keys/").content.decode()
    assert "12345热线" in page and secret not in page
    assert admin.post(f"/accounts/open311-keys/{key.pk}/revoke/").status_code == 302
    r = APIClient().get("/open311/v2/requests.json", {"api_key": secret})
    assert r.status_code == 403 and "api_key" in r.json()[0]["description"]


@pytest.mark.django_db
def test_a_user_api_token_is_no_open311_key(world):
    token = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "resident", "password": PASSWORD}, format="json")
        .json()["token"]
    )
    assert ApiToken.objects.count() == 1
    r = APIClient().get("/open311/v2/requests.json", {"api_key": token})
    assert r.status_code == 403


@pytest.mark.django_db
def test_only_administrators_manage_keys(world, login):
    for user in (world.users.subdistrict, world.users.community, world.users.grid_a, world.users.resident):
        c = login(user)
        assert c.get("/accounts/open311-keys/").status_code == 403, user
        assert c.post("/accounts/open311-keys/", {"name": "x", "username": "grid_a"}).status_code == 403
    assert not Open311Key.objects.exists()


@pytest.mark.django_db
def test_a_key_needs_a_name_and_an_active_user(world, login):
    admin = login(world.users.admin)
    r = admin.post("/accounts/open311-keys/", {"name": "", "username": "no-such-user"})
    errors = r.context["form"].errors
    assert "name" in errors and "没有这个用户名" in errors["username"][0]
    assert not Open311Key.objects.exists()
