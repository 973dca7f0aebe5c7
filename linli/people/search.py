"""Exact search by ID number or phone: whom a full value belongs to.

That answers what the reveal answers (138****0001 plus 10,000 guesses is a phone), so it keeps
the reveal's rule: only roles with people.reveal, and only among the persons they may reveal.
Every such search is audited with the value masked, and each user may make at most
LINLI_IDENTIFIER_SEARCH_LIMIT of them in LINLI_IDENTIFIER_SEARCH_WINDOW seconds (counted in
Django's cache). Names are searched by everyone, without limit.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.core import audit, crypto
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditLog
from linli.core.scope import has_perm
from linli.core.validators import ID_RE, PHONE_RE, normalise_id, normalise_phone

from .models import Person

MASKS = {"id_number": mask_id_number, "phone": mask_phone}
MAX_FOUND = 50  # a phone shared by a family finds a few; an ID number one


def identifier(value: str) -> tuple[str, str] | None:
    """("id_number" or "phone", the normalised value) when `value` is a whole one, else None."""
    if ID_RE.match(normalise_id(value)):
        return "id_number", normalise_id(value)
    if PHONE_RE.match(normalise_phone(value)):
        return "phone", normalise_phone(value)
    return None


def allow(user) -> None:
    """Count one search by ID number or phone, or refuse it with a message for the search field."""
    if not has_perm(user, "people.reveal"):
        raise ValidationError(
            _("Only roles that may see full ID numbers and phones can search by them; please search by name."),
            code="identifier_search_forbidden",
        )
    wait = _take(user)
    if wait:
        raise ValidationError(
            _(
                "Too many searches by ID number or phone: at most %(limit)d in %(minutes)d minutes. Please try again "
                "in %(wait)d minutes."
            ),
            code="identifier_search_throttled",
            params={
                "limit": settings.LINLI_IDENTIFIER_SEARCH_LIMIT,
                "minutes": math.ceil(settings.LINLI_IDENTIFIER_SEARCH_WINDOW / 60),
                "wait": math.ceil(wait / 60),
            },
        )


def _take(user) -> int:
    """0 when a search is allowed now (and counts it), else the seconds until the oldest search
    counted leaves the window. A sliding window of whole seconds: a search made at t counts until
    t + window. Two requests of one user at the same instant may both pass (no lock): one more."""
    key = f"linli:identifier-search:{user.pk}"
    window, now = settings.LINLI_IDENTIFIER_SEARCH_WINDOW, int(time.time())
    recent = [t for t in cache.get(key, []) if t > now - window]
    if len(recent) >= settings.LINLI_IDENTIFIER_SEARCH_LIMIT:
        return recent[0] + window - now
    cache.set(key, [*recent, now], window)
    return 0


def find(queryset, user, kind: str, value: str):
    """The persons of `queryset` whose ID number or phone is `value`, among those `user` may
    reveal; one audit record per person found (or one on the user's role when nobody is)."""

    matches = queryset.filter(**{f"{kind}_hash": crypto.keyed_hash(value)}) & Person.objects.restrict(user, "reveal")
    found = list(matches[:MAX_FOUND])
    note = f"{kind} {MASKS[kind](value)}"
    for person in found:
        audit.record(user, AuditLog.Action.SEARCH, person, note=note)
    if not found:
        audit.record(user, AuditLog.Action.SEARCH, user.role_granting("people.reveal") or user, note=note)
    return queryset.filter(pk__in=[p.pk for p in found])
