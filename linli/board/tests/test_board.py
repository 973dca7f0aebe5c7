"""The public board's pages open without a login. (What a community's board shows and hides is
tested with the requests and outcomes that reach it: cases/tests/test_workflow.py,
test_anonymity.py, deliberation/tests/test_outcome.py, test_meetings.py.)"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_index_links_every_community_without_a_login(world, client):
    r = client.get(reverse("board:index"))
    assert r.status_code == 200
    body = r.content.decode()
    for community in (world.c1, world.c2):
        assert reverse("board:community", args=[community.pk]) in body


def test_a_community_board_opens_without_a_login_and_an_unknown_one_is_a_404(world, client):
    assert reverse("board:community", args=[world.c1.pk]) == f"/board/{world.c1.pk}/"
    assert client.get(reverse("board:community", args=[world.c1.pk])).status_code == 200
    assert client.get(reverse("board:community", args=[world.c2.pk + 1000])).status_code == 404
