from django.utils.translation import get_language, to_locale

from . import elder
from .models import Notification
from .scope import has_perm


def display(request):
    """How every page is shown: 长辈版 on or off (core.elder), and the page's language as a BCP 47
    tag for <html lang> (zh-Hans, which screen readers know, rather than Django's zh-hans)."""
    return {"elder_mode": elder.is_on(request), "html_lang": to_locale(get_language() or "zh-hans").replace("_", "-")}


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
            "party": has_perm(user, "party.view"),
            "facilities": has_perm(user, "facilities.view"),
            "projects": has_perm(user, "projects.view"),
            "projects_change": has_perm(user, "projects.change"),
            "funds": has_perm(user, "funds.view"),
            "wishes": has_perm(user, "wishes.view"),
            "accounts": has_perm(user, "accounts.view"),
            "audit": has_perm(user, "audit.view"),
            "import": has_perm(user, "people.import"),
            "registrations": has_perm(user, "people.change"),
            "tags": has_perm(user, "tags.change"),
            "cases": has_perm(user, "cases.view"),
            "config": has_perm(user, "config.change"),
            "votes": has_perm(user, "votes.view"),
            "votes_manage": has_perm(user, "votes.manage"),
            "votes_propose": has_perm(user, "votes.propose"),
            "open311_keys": has_perm(user, "open311.manage"),
            "reports": has_perm(user, "reports.view"),
            # a resident's 台账 is their own home: the menu says so
            "home_only": user.has_role("resident") and not has_perm(user, "people.change"),
        },
    }
