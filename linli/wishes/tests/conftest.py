"""The wish world on top of the party world (linli/party/tests/conftest.py): 馨和苑社区 (c1) with
its bank partner and the partner's staff, a 在职党员 of the bank's branch who did 双报到 and signs in
as a resident of 2号楼 (hh_b2), a neighbour of 2号楼 (hh_b1) who volunteers, a resident of 西湖社区
(c2). The wisher is `world.users.resident` (household a1)."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linli.accounts.roles import Role
from linli.party import actions as party_actions
from linli.party.tests.conftest import api, page, party, staff  # noqa: F401 - the party fixture, reused
from linli.party.workflow import CHECK_IN
from linli.testing import make_id
from linli.wishes import actions
from linli.wishes.models import Category
from linli.wishes.workflow import WISH


def photo(name="delivered.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def post(world, actor=None, value=12_000, title="一个新书包", story="孩子上三年级，想要一个新书包", **kw):
    return actions.post_wish(
        actor=actor or world.users.resident, title=title, story=story, category=Category.STUDY, value=value, **kw
    )


def published(world, **kw):
    wish = post(world, **kw)
    return WISH.perform(wish.pk, "approve", actor=world.users.community, version=0, data={})


def claim(wish, actor, as_kind="volunteer", credit="anonymous", **data):
    return WISH.perform(
        wish.pk, "claim", actor=actor, version=wish.version, data={"as_kind": as_kind, "credit": credit, **data}
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Delivery photos go to a temporary directory, not the data directory."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def wishes(world, party):  # noqa: F811 - the party fixture above
    w = SimpleNamespace(party=party)
    w.neighbour = staff("neighbour", Role.RESIDENT, household=world.hh_b1)
    w.zaizhi = staff("zaizhi", Role.RESIDENT, household=world.hh_b2)
    w.west = staff("west_resident", Role.RESIDENT, household=world.hh_c1)
    check_in = party_actions.report_member(actor=party.bank_staff, organisation=party.bank_branch, id_number=make_id(7))
    CHECK_IN.perform(check_in.pk, "confirm", actor=world.users.community, version=0, data={})
    w.member = check_in.member  # 居民b2h, 在职党员 in the roster
    return w
