"""The screens and the API drive the same actions and lifecycle: a proposal refused under the floor
shows the shortfall in Chinese on the field (screen) or at its path (API); bad input is a 400,
never a 500."""

import pytest
from django.urls import reverse

from linli.funds.models import Entry, Fund, Use
from linli.funds.tests.conftest import DEPOSIT, api, page
from linli.funds.tests.helpers import closes_soon

pytestmark = pytest.mark.django_db


def test_propose_on_the_screen_refused_under_the_floor_with_the_shortfall_in_chinese(world, funds):
    client = page(world.users.community)
    url = reverse("funds:use_create")
    answer = client.post(url, {"fund": funds.fund.pk, "title": "监控更换", "budget": "28000.01"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "低于下限" in text and "0.01" in text
    answer = client.post(url, {"fund": funds.fund.pk, "title": "监控更换", "budget": "28000.00"})
    assert answer.status_code == 302
    use = Use.objects.get(title="监控更换")
    assert use.budget == 2_800_000
    answer = client.post(reverse("funds:use_move", args=[use.pk, "put_to_vote"]),
                         {"version": use.version, "closes_at": closes_soon().strftime("%Y-%m-%dT%H:%M")})  # fmt: skip
    assert answer.status_code == 302
    use.refresh_from_db()
    assert use.state == Use.State.VOTING and use.vote_id
    page_text = client.get(use.get_absolute_url()).content.decode()
    assert use.vote.title in page_text


def test_bad_input_is_a_400_on_the_field(world, funds):
    client = page(world.users.community)
    account_url = reverse("funds:book", args=[funds.acc["a1"].pk])
    answer = client.post(account_url, {"kind": "top_up", "amount": "-1", "booked_on": "2026-03-01"})
    assert answer.status_code == 400
    answer = client.post(account_url, {"kind": "use", "amount": "abc", "booked_on": "x"})
    assert answer.status_code == 400
    answer = client.post(account_url, {"kind": "top_up", "amount": "12.34", "booked_on": "2026-03-01"})
    assert answer.status_code == 302
    assert Entry.objects.filter(account=funds.acc["a1"]).first().amount == 1234
    assert client.post(reverse("funds:use_create"), {"fund": "x", "title": "", "budget": "1e99"}).status_code == 400


def test_reverse_on_the_screen(world, funds):
    client = page(world.users.community)
    entry = Entry.objects.filter(account=funds.acc["a1"]).first()
    client.post(reverse("funds:reverse", args=[entry.pk]), {"booked_on": "2026-03-02", "note": ""})
    assert not Entry.objects.filter(reverses=entry).exists()  # a reason is needed
    client.post(reverse("funds:reverse", args=[entry.pk]), {"booked_on": "2026-03-02", "note": "重复录入"})
    assert Entry.objects.get(reverses=entry).amount == -DEPOSIT


def test_the_api_proposes_moves_and_refuses_with_field_paths(world, funds):
    rest = api(world.users.community)
    answer = rest.post(
        "/api/v1/fund-uses/", {"fund": funds.fund.pk, "title": "道路", "budget": 2_800_001}, format="json"
    )
    assert answer.status_code == 400 and "budget" in str(answer.json())
    answer = rest.post(
        "/api/v1/fund-uses/",
        {"fund": funds.fund.pk, "title": "屋面渗漏抢修", "budget": 100_000, "emergency": "leak"},
        format="json",
    )
    assert answer.status_code == 201
    use = answer.json()
    answer = rest.post(f"/api/v1/fund-uses/{use['id']}/emergency_works/",
                       {"version": use["version"], "contractor": "防水公司", "works_started_on": "2026-03-01"},
                       format="json")  # fmt: skip
    assert answer.status_code == 200 and answer.json()["state"] == "works"
    answer = rest.post(f"/api/v1/fund-uses/{use['id']}/request_payment/",
                       {"version": answer.json()["version"], "invoice_total": "999.99", "invoice_reference": "F9",
                        "works_finished_on": "2026-03-05"}, format="json")  # fmt: skip
    assert answer.status_code == 200 and answer.json()["invoice_total"] == 99_999
    # the community may not approve (403); a stale version is a 409
    assert rest.post(f"/api/v1/fund-uses/{use['id']}/approve/", {"version": 2}, format="json").status_code == 403
    sub = api(world.users.subdistrict)
    assert sub.post(f"/api/v1/fund-uses/{use['id']}/approve/", {"version": 0}, format="json").status_code == 409
    assert sub.post(f"/api/v1/fund-uses/{use['id']}/approve/", {"version": 2}, format="json").status_code == 200
    answer = sub.post(f"/api/v1/fund-uses/{use['id']}/pay/", {"version": 3, "booked_on": "2026-03-06"}, format="json")
    assert answer.status_code == 200 and answer.json()["balance_after"] == 4 * DEPOSIT - 99_999
    assert Fund.objects.get(pk=funds.fund.pk).balance == 4 * DEPOSIT - 99_999


def test_the_api_books_and_reverses(world, funds):
    rest = api(world.users.community)
    url = f"/api/v1/fund-accounts/{funds.acc['a1'].pk}/book/"
    assert rest.post(url, {"kind": "top_up", "amount": 0, "booked_on": "2026-03-01"}, format="json").status_code == 400
    answer = rest.post(url, {"kind": "top_up", "amount": 500, "booked_on": "2026-03-01"}, format="json")
    assert answer.status_code == 201 and answer.json()["balance_after"] == DEPOSIT + 500
    entry = answer.json()["id"]
    answer = rest.post(
        f"/api/v1/fund-entries/{entry}/reverse/", {"booked_on": "2026-03-01", "note": "错"}, format="json"
    )
    assert answer.status_code == 201 and answer.json()["amount"] == -500
    again = rest.post(
        f"/api/v1/fund-entries/{entry}/reverse/", {"booked_on": "2026-03-01", "note": "错"}, format="json"
    )
    assert again.status_code == 400
