"""Two staff screen the same proposed topic at the same moment: the version is checked under the
row's lock (workflow.TOPIC), so exactly one decides and the other is refused (a Conflict: 409 on
the screen and the API). PostgreSQL only (real row locks; SQLite serialises writers by design)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from linli.core.audit import history
from linli.core.lifecycle import Conflict
from linli.deliberation import procedures
from linli.deliberation.models import Procedure, Topic
from linli.testing import build_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_screening_one_decides_one_is_refused():
    world = build_world()
    topic = procedures.raise_topic(
        actor=world.users.resident,
        title="小区增设充电桩",
        community=world.c1,
        procedure=Procedure.builtin(Procedure.COMMUNITY),
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def screen(user, accept, reason=""):
        page = Topic.objects.get(pk=topic.pk)  # each read the topic as proposed
        try:
            barrier.wait()
            procedures.screen(page, actor=user, accept=accept, reason=reason)
            outcomes.append("accepted" if accept else "declined")
        except (Conflict, ValidationError):
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=screen, args=(world.users.community, True)),
        threading.Thread(target=screen, args=(world.users.subdistrict, False, "场地不足")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(outcomes) == 2 and "refused" in outcomes
    winner = next(o for o in outcomes if o != "refused")
    topic.refresh_from_db()
    assert topic.status == winner
    [entry] = history(topic).filter(action="update")  # one decision, audited once
    assert entry.changes["status"] == ["proposed", winner] and set(entry.changes) <= {"status", "decline_reason"}
