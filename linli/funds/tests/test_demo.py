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


@pytest.mark.django_db
def test_the_demo_builds_the_sheds_with_the_special_fund_and_publishes_its_accounts(client, settings, tmp_path):
    """Seed 002's way out: the 四议两公开 application approved, the sheds built, accepted, evaluated
    and their accounts on 双福社区's board; this year's application waits in the annual list."""
    from linli.projects.models import Project

    settings.MEDIA_ROOT = tmp_path
    call_command("demo", households=60, stdout=io.StringIO())
    sheds = Project.objects.get(title="荣锦苑自行车棚改造")
    assert sheds.state == Project.State.DELIVERED and sheds.application.procedure.code == "four_and_two"
    assert {a["source"]: (a["approved"], a["paid"]) for a in sheds.accounts()} == {
        "service_fund": (42_800_000, 42_800_000),
        "residents": (2_000_000, 1_980_000),
    }
    assert sheds.photos.count() == 2
    html = client.get(reverse("board:community", args=[sheds.community_id])).content.decode()
    section = html[html.index('data-testid="livelihood"') :]
    assert "荣锦苑自行车棚改造" in section and "428,000.00" in section and "宁夏建工维修公司" in section
    assert "FP2022071" not in html  # invoices are the staff's
    waiting = Project.objects.get(title="西湖花园电梯维保与监控补点")
    assert waiting.state == Project.State.PROPOSED
    # 艺术巷: its campaign passed 80 %, the shares paid are its residents' budget row, it is approved
    lane = Project.objects.get(title="艺术巷老旧小区改造")
    f = lane.campaign.figures()
    assert f["reached"] and f["agreed"] * 100 >= 80 * f["houses"] > 0 and f["paying"] > 0
    assert lane.state == Project.State.APPROVED
    assert lane.funding.get(source="residents").approved_fen == f["paid_fen"] == 30_000 * f["paying"]
