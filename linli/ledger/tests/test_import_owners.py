"""The owners register as columns of the ledger import: 产权人 (是/否) and 产权份额."""

from decimal import Decimal

import pytest
from django.urls import reverse

from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.ledger import columns as C
from linli.ledger.models import ImportJob
from linli.people.models import Ownership, Person
from linli.testing import make_id

from .helpers import row, upload, xlsx


def post(client, rows):
    return client.post(reverse("ledger:import"), {"file": upload(xlsx(rows))}, follow=True)


def owner_row(name, id_number, owner="是", share="", **kw):
    return row(name, id_number, **kw) | {C.OWNER: owner, C.SHARE: share}


@pytest.mark.django_db
def test_import_registers_co_owners_with_their_shares_audited(world, login):
    c = login(world.users.community)
    post(
        c,
        [
            owner_row("新一", make_id(701), share="60", house="201"),
            owner_row("新二", make_id(702), share="40%", house="201", relation="配偶"),
            owner_row("新三", make_id(703), owner="", house="201", relation="子女"),  # blank: not an owner
        ],
    )
    assert ImportJob.objects.get().status == "succeeded"
    owners = Ownership.objects.filter(house=world.house_a2).select_related("person").order_by("person__name")
    assert [(o.person.name, o.share, o.grid_id) for o in owners] == [
        ("新一", Decimal("60.00"), world.grid_a.pk),
        ("新二", Decimal("40.00"), world.grid_a.pk),
    ]
    assert AuditLog.objects.filter(content_type__model="ownership", action="create").count() == 2
    # again: the same file changes nothing; 否 takes a person off the register, a new share is audited
    post(
        c,
        [
            owner_row("新一", make_id(701), share="100", house="201"),
            owner_row("新二", make_id(702), owner="否", house="201", relation="配偶"),
        ],
    )
    assert ImportJob.objects.order_by("-id").first().status == "succeeded"
    assert [(o.person.name, o.share) for o in Ownership.objects.filter(house=world.house_a2)] == [
        ("新一", Decimal("100.00"))
    ]
    kinds = AuditLog.objects.filter(content_type__model="ownership").values_list("action", flat=True)
    assert sorted(kinds) == ["create", "create", "delete", "update"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({C.OWNER: "也许"}, C.OWNER, "是、否"),
        ({C.OWNER: "", C.SHARE: "50"}, C.SHARE, "产权人"),
        ({C.SHARE: "0"}, C.SHARE, "0.01"),
        ({C.SHARE: "100.01"}, C.SHARE, "0.01"),
        ({C.SHARE: "33.333"}, C.SHARE, "0.01"),
        ({C.SHARE: "一半"}, C.SHARE, "0.01"),
    ],
)
def test_each_owner_rule_reports_its_column(world, login, cells, column, message):
    post(login(world.users.community), [owner_row("测试", make_id(710), house="201") | cells])
    job = ImportJob.objects.get()
    assert job.status == "failed" and [e["column"] for e in job.errors] == [column]
    assert message in job.errors[0]["message"]
    assert not Ownership.objects.exists() and not Person.objects.filter(name="测试").exists()


@pytest.mark.django_db
def test_shares_of_a_house_make_at_most_100_with_the_register(world, login):
    """An organisation registered with 30 %: the file's owners may hold 70 % (imported), not 70.01 %."""
    create_object(Ownership, actor=None, house=world.house_a2, organisation="某公司", share=Decimal("30"))
    c = login(world.users.community)
    post(
        c,
        [
            owner_row("新一", make_id(721), share="40", house="201"),
            owner_row("新二", make_id(722), share="30.01", house="201", relation="配偶"),
        ],
    )
    job = ImportJob.objects.get()
    assert job.status == "failed" and [(e["row"], e["column"]) for e in job.errors] == [(3, C.SHARE)]
    assert "100" in job.errors[0]["message"] and Ownership.objects.count() == 1
    post(
        c,
        [
            owner_row("新一", make_id(721), share="40", house="201"),
            owner_row("新二", make_id(722), share="30", house="201", relation="配偶"),
        ],
    )
    assert ImportJob.objects.order_by("-id").first().status == "succeeded" and Ownership.objects.count() == 3


@pytest.mark.django_db
def test_a_file_without_the_owner_columns_leaves_the_register_alone(world, login):
    create_object(Ownership, actor=None, house=world.house_a1, person=world.p_a1h)
    headers = C.PERSON_HEADERS
    content = xlsx([row(world.p_a1h.name, world.p_a1h.id_number)], headers=headers)
    login(world.users.community).post(reverse("ledger:import"), {"file": upload(content)})
    assert ImportJob.objects.get().status == "succeeded" and Ownership.objects.count() == 1


@pytest.mark.django_db
def test_the_template_explains_the_owner_columns(world, login):
    import io

    from openpyxl import load_workbook

    r = login(world.users.community).get(reverse("ledger:template"))
    wb = load_workbook(io.BytesIO(r.content))
    assert [c.value for c in wb[C.SHEET][1]][-2:] == [C.OWNER, C.SHARE]
    assert any("产权人" in str(c.value) for row in wb["填写说明"].iter_rows() for c in row)
