from .models import Notification
from .scope import has_perm


def nav(request):
    """Which menu entries the current user sees (the views still check on their own)."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}

    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at=None).count(),
        "nav": {
            "places": has_perm(user, "places.view"),
            "people": has_perm(user, "people.view"),
            "orgs": has_perm(user, "orgs.view"),
            "accounts": has_perm(user, "accounts.view"),
            "audit": has_perm(user, "audit.view"),
            "import": has_perm(user, "people.import"),
            "tags": has_perm(user, "tags.change"),
            "cases": has_perm(user, "cases.view"),
            "config": has_perm(user, "config.change"),
            "votes": has_perm(user, "votes.view"),
            "votes_manage": has_perm(user, "votes.manage"),
            "votes_propose": has_perm(user, "votes.propose"),
            "open311_keys": has_perm(user, "open311.manage"),
        },
    }
