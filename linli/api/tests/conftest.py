import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from linli.core.actions import create_object
from linli.core.models import AuditLog
from linli.people.models import Person
from linli.places.models import Subdistrict


@pytest.fixture
def api_world(world):
    """The test world plus a second sub-district and the creation records of two persons."""
    world.sub2 = create_object(Subdistrict, actor=None, name="另一街道")
    ct = ContentType.objects.get_for_model(Person)
    world.audit_a = AuditLog.objects.get(content_type=ct, object_id=str(world.p_a1h.pk), action="create")
    world.audit_c = AuditLog.objects.get(content_type=ct, object_id=str(world.p_c1h.pk), action="create")
    return world


@pytest.fixture
def api():
    def _client(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _client
