from django.db import transaction

from linli.core.actions import create_object

from .models import RoleAssignment, User


@transaction.atomic
def grant_role(*, actor, username, role, place, display_name="", password=None, existing=None):
    """Create the login if needed and grant `role` on `place` (a {level: object} dict)."""
    user = existing
    if user is None:
        user = User.objects.create_user(username, password=password, display_name=display_name)
    return create_object(RoleAssignment, actor=actor, user=user, role=role, **place)
