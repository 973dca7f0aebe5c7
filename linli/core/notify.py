"""Notifications through pluggable backends (settings.LINLI_NOTIFY_BACKENDS): in-app always,
and e-mail / SMS gateways where a deployment plugs them in. Development prints to the console.

Callers send after their transaction commits (transaction.on_commit), never from inside it.
"""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger("linli.notify")


class InAppBackend:
    def send(self, users, text, url=""):
        Notification.objects.bulk_create([Notification(user=u, text=text[:300], url=url) for u in users])


class ConsoleBackend:
    def send(self, users, text, url=""):
        for u in users:
            log.warning("notify %s: %s %s", u.username, text, url)


class EmailBackend:
    """E-mail through Django's configured mail backend (EMAIL_* settings) to users with an address."""

    def send(self, users, text, url=""):

        sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
        send_mass_mail([(text[:80], f"{text}\n{url}", sender, [u.email]) for u in users if u.email], fail_silently=True)


def mark_read(user, notifications) -> set[int]:
    """The notifications `user` has just seen, among `notifications`, are read now; returns the ids
    of those that were unread (the page marks them as new)."""
    unread = {n.pk for n in notifications if n.read_at is None and n.user_id == user.pk}
    Notification.objects.filter(pk__in=unread, user=user).update(read_at=timezone.now())
    return unread


def send(users, text, url=""):
    users = list({u.pk: u for u in users}.values())
    if not users:
        return
    for path in getattr(settings, "LINLI_NOTIFY_BACKENDS", ["linli.core.notify.InAppBackend"]):
        import_string(path)().send(users, text, url)
