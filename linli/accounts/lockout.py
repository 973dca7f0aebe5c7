"""Who is knocking, and how long they wait: the client address behind trusted proxies, and the
answers django-axes gives when one (account, client) pair is locked.

Behind nginx every connection comes from the proxy, so the address that counts is the one the
proxy wrote into X-Forwarded-For. That header is believed only when the connection itself comes
from a configured proxy (LINLI_TRUSTED_PROXIES), and read from the right: nginx appends the
address it saw, so everything to the left of the last untrusted address is the client's own text.
"""

import ipaddress
from functools import lru_cache

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _trusted(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.LINLI_TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or from a trusted proxy the rightmost address in
    X-Forwarded-For that is not itself a trusted proxy (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # garbage where an address should be: the proxy is all we know
                return remote
    return remote


def _cool_off():

    return get_cool_off()


def lock_minutes() -> int:
    return int(_cool_off().total_seconds() // 60)


def locked_until(request, username):
    """When the lock on (username, this client) ends: the last counted failure plus the cool-off."""

    last = (
        AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", client_ip(request))
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return timezone.localtime((last or timezone.now()) + _cool_off())


def remaining_attempts(request) -> int | None:
    """Failures left before the lock, after a failed login on this request (None if unknown)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return None
    return max(settings.AXES_FAILURE_LIMIT - failures, 0)


def lockout_message(until) -> str:
    return _(
        "After %(limit)s failed logins in a row this account is locked for this network address "
        "until %(until)s. Other devices and networks are not affected. Try again later or ask your administrator."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "until": until.strftime("%H:%M")}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the locked page, or the API's JSON error, both saying until when."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = locked_until(request, username)
    message = lockout_message(until)
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "message": message, "code": "locked"}]}, status=429)
    context = {"message": message, "until": until, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked.html", context, status=429)
