"""The intake benchmark's baseline (issue 16 §5) writes what the API writes: the same request row
and first timeline event, field for field, so the ratio compares the API with an honest write."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from linli.accounts.actions import issue_api_token
from linli.bench import intake
from linli.cases.models import Case, CaseEvent, Category


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="linli.bench.urls")
def test_the_baseline_writes_the_row_and_the_event_the_api_writes(world):
    intake._KEPT.clear()
    category = Category.objects.get(name="设施维修")
    _token, secret = issue_api_token(world.users.grid_a, name="bench", two_factor=True)
    body = json.dumps({"channel": "patrol", "category": category.pk, "grid": world.grid_a.pk, "description": "灯不亮"})
    client = Client()
    ids = []
    # a Friday evening: the resolve-by deadline counts working days past the weekend
    with time_machine.travel(dt.datetime(2026, 12, 4, 20, 30, tzinfo=dt.UTC), tick=False):
        for url in ("/api/v1/cases/", "/bench/intake/"):
            response = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {secret}")
            assert response.status_code == 201, response.content
            ids.append(response.json()["id"])
    api, baseline = (Case.objects.filter(pk=pk).values().get() for pk in ids)
    assert api.pop("id") != baseline.pop("id")
    assert api == baseline
    assert api["resolve_by"] > api["respond_by"] > timezone.make_aware(dt.datetime(2026, 12, 4, 20, 30), dt.UTC)
    fields = ("action", "from_state", "to_state", "actor_id", "note", "created_at")
    events = [list(CaseEvent.objects.filter(case_id=pk).values(*fields)) for pk in ids]
    assert events[0] == events[1] and len(events[0]) == 1
