"""The demo's 荣锦苑: its reserve refuses the sheds under the floor, its uses are on the board."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from linli.funds import book
from linli.funds.models import Fund, Use
from linli.funds.status import floor_status


@pytest.mark.django_db
def test_the_demo_compound_reserve_refuses_the_sheds_under_the_floor(client):
    call_command("demo", households=60, stdout=io.StringIO())
    fund = Fund.objects.select_related("compound").get(compound__name="荣锦苑")
    assert fund.first_total == 160_000_000
    assert Use.objects.filter(fund=fund, state=Use.State.PAID).count() == 4
    assert fund.balance == 160_000_000 - 30_000_000 - 32_000_000 - 49_000_000 - 800_000
    status = floor_status(fund)
    assert not status.below and status.available == 200_000  # ¥2,000.00 above the floor
    refusal = book.floor_refusal(fund, 42_800_000)
    assert refusal and "426,000.00" in refusal  # the shortfall
    assert fund.accounts.filter(needs_topup=True).exists()  # the houses of the unit doors' buildings
    html = client.get(reverse("board:community", args=[fund.community_id])).content.decode()
    assert "荣锦苑监控系统改造" in html and "490,000.00" in html
