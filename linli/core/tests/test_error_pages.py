"""`make run` (DEBUG on) answers a missing page or a crash with the product's own Chinese pages,
not Django's English technical ones (core.middleware.ProductErrorPagesInDebugMiddleware)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import include, path


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), path("", include("linli.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.LINLI_TECHNICAL_ERRORS = False
    return settings


def test_a_missing_page_in_debug_is_the_chinese_404(debug, client):
    r = client.get("/no/such/page/")
    text = r.content.decode()
    assert r.status_code == 404
    assert "未找到" in text and "Page not found" not in text and "URLconf" not in text


def test_a_missing_object_in_debug_is_the_chinese_404(debug, world, login):
    c = login(world.users.grid_b)
    r = c.get(world.hh_a1.get_absolute_url())  # another grid's household: a 404 from the view
    assert r.status_code == 404
    assert "未找到" in r.content.decode() and "Traceback" not in r.content.decode()


def test_a_crash_in_debug_is_the_chinese_500(debug, client):
    client.raise_request_exception = False
    r = client.get("/boom/")
    assert r.status_code == 500
    assert "服务器出错" in r.content.decode() and "RuntimeError" not in r.content.decode()


def test_a_refusal_in_debug_is_the_chinese_403(debug, client):
    r = client.get("/forbidden/")
    assert r.status_code == 403 and "Forbidden" not in r.content.decode()


def test_the_api_keeps_its_json_404(debug, world, login):
    c = login(world.users.grid_b)
    r = c.get(f"/api/v1/households/{world.hh_a1.pk}/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")


def test_a_developer_may_keep_the_technical_pages(debug, client):
    debug.LINLI_TECHNICAL_ERRORS = True
    r = client.get("/no/such/page/")
    assert r.status_code == 404 and "URLconf" in r.content.decode()
