"""Notifications (docs/notifications.md): in-app always, and the push channels of
settings.LINLI_NOTIFY_BACKENDS (e-mail, an HTTP SMS gateway, the console or a file in
development), each filtered by the user's preferences (NotificationPreference).

`send()` inside a transaction queues the message and delivers it once the transaction commits
(never from inside it, never when it rolls back); outside one it delivers at once. Everything
queued in one transaction is delivered together, which is what keeps it from flooding:

- dedupe: a message with a `key` ("cases.case:12:dispatch": matter and step) reaches each user
  once, ever; a repeat of the same key for that user is dropped (a unique constraint backs it);
- collapse: when one user gets several messages of the same kind (the key without the matter's
  id) at once — thirty work orders dispatched in one batch — the push channels carry one
  message ("您有 30 条新工单", `summary`) instead of thirty; the in-app list keeps one row per
  matter, each with its link and its key.

A backend's failure is logged and never breaks the request nor the other channels.
"""

import datetime as dt
import json
import logging
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Notification, NotificationPreference

log = logging.getLogger("linli.notify")

IN_APP = "linli.core.notify.InAppBackend"


@dataclass
class Notice:
    """One message to some users; `summary(n)` words n of its kind at once (None: a generic count)."""

    users: list
    text: str
    url: str = ""
    key: str = ""
    summary: Callable[[int], str] | None = None
    committed: bool = field(default=False, compare=False)

    @property
    def kind(self) -> str:
        """The key without the matter's id ("cases.case:dispatch"): what collapses; "" never does."""
        parts = self.key.split(":")
        return f"{parts[0]}:{parts[-1]}" if len(parts) > 2 else self.key

    def mark_committed(self):
        self.committed = True


def send(users, text, url="", *, key="", summary=None):
    """Tell `users` `text` (with a link to `url`): after the current transaction commits, or now.
    `key` makes it once per user (see the module's docstring); `summary(n)` words n such messages
    when they arrive together."""
    notice = Notice(list(users), str(text), url, key, summary)
    if not notice.users:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        deliver([notice])
        return
    # Each notice marks itself committed from its own on-commit hook (Django drops the hook if its
    # savepoint rolls back). One outbox per transaction; each send adds a flush hook at the level
    # of the whole transaction (no savepoint: only a rollback of everything drops it), and only
    # the last one delivers, after every notice's own hook has run.
    transaction.on_commit(notice.mark_committed)
    outbox = connection.__dict__.get("_linli_outbox")
    if outbox is None or outbox.done:
        outbox = _Outbox()
        connection.__dict__["_linli_outbox"] = outbox
    outbox.notices.append(notice)
    connection.run_on_commit.append((set(), partial(outbox.flush, len(outbox.notices)), False))


class _Outbox:
    def __init__(self) -> None:
        self.notices: list[Notice] = []
        self.done = False

    def flush(self, queued: int) -> None:
        if self.done or queued != len(self.notices):
            return  # a later flush hook delivers them all
        self.done = True
        deliver([n for n in self.notices if n.committed])


def deliver(notices: list[Notice]) -> None:
    """In-app rows for every (user, notice) not sent before under its key, then the push channels
    with each user's messages of one kind collapsed into one."""
    pairs = _written(_candidates(notices))
    if not pairs:
        return
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)  # (text, url) -> users: one backend call each
    for user, batch in _by_user_and_kind(pairs):
        if len(batch) == 1:
            groups[(batch[0].text, batch[0].url)].append(user)
        else:
            count = len(batch)
            summary = batch[0].summary
            text = (
                summary(count)
                if summary
                else ngettext("You have %(n)s new message.", "You have %(n)s new messages.", count) % {"n": count}
            )
            groups[(text, reverse("core:notifications"))].append(user)
    for path in settings.LINLI_NOTIFY_BACKENDS:
        if path == IN_APP:
            continue
        for (text, url), users in groups.items():
            try:
                import_string(path)().send(users, text, url)
            except Exception:  # a channel's failure never breaks the request, nor the other channels
                log.exception("notification backend %s failed", path)


def _candidates(notices) -> list[tuple[Any, Notice]]:
    """(user, notice) for each user of each notice, without a user's second message of one key
    in this batch."""
    pairs, seen = [], set()
    for notice in notices:
        for user in {u.pk: u for u in notice.users}.values():
            mark = (user.pk, notice.key or id(notice))
            if mark not in seen:
                seen.add(mark)
                pairs.append((user, notice))
    return pairs


COLUMNS = ("user_id", "text", "url", "key", "created_at")


def _written(pairs) -> list[tuple[Any, Notice]]:
    """The in-app rows of `pairs`, and those of them that were new: a user's message under a key
    sent before is left out by the unique constraint (user, key). One statement per batch, an
    INSERT … ON CONFLICT DO NOTHING RETURNING the rows written (PostgreSQL; SQLite ≥ 3.35) — no
    read of the keys first, no transaction of its own, and two deliveries racing for one key push
    it once (issue 16 §5: the notice of every new request is part of each intake)."""
    if not pairs:
        return []
    connection = transaction.get_connection()
    fields: list[Any] = [Notification._meta.get_field(c.removesuffix("_id")) for c in COLUMNS]
    now = timezone.now()
    rows = [(user.pk, n.text[:300], n.url, n.key, now) for user, n in pairs]
    size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
    sql = "INSERT INTO {} ({}) VALUES {{}} ON CONFLICT DO NOTHING RETURNING {}, {}".format(  # noqa: S608 - our names
        connection.ops.quote_name(Notification._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in COLUMNS),
        connection.ops.quote_name("user_id"),
        connection.ops.quote_name("key"),
    )
    created: set[tuple[int, str]] = set()
    several = len(rows) > size  # then all or none; one statement is atomic by itself
    with transaction.atomic(savepoint=False) if several else nullcontext(), connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            values = [f.get_db_prep_save(v, connection) for row in batch for f, v in zip(fields, row, strict=True)]
            cursor.execute(sql.format(", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))), values)
            created.update(map(tuple, cursor.fetchall()))
    return [(user, n) for user, n in pairs if not n.key or (user.pk, n.key) in created]


def _by_user_and_kind(pairs: list[tuple[Any, Notice]]):
    batches: dict[tuple[int, str], tuple[Any, list]] = {}
    for user, notice in pairs:
        group = (user.pk, notice.kind or f"#{id(notice)}")
        batches.setdefault(group, (user, []))[1].append(notice)
    return batches.values()


def preferences(users) -> dict[int, NotificationPreference]:
    """Each user's preference, the default one where they saved none (one query)."""
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users])}
    return {u.pk: saved.get(u.pk) or NotificationPreference(user_id=u.pk) for u in users}


def absolute(url: str) -> str:
    """A link for a message read outside the site (e-mail, SMS): LINLI_SITE_URL in front."""
    return f"{settings.LINLI_SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


# --- channels --------------------------------------------------------------------------------


class InAppBackend:
    """The in-app list: always written by `deliver` (listed or not), so it does nothing here."""

    def send(self, users, text, url=""):
        pass


class ConsoleBackend:
    """Development: one log line per user."""

    def send(self, users, text, url=""):
        for u in users:
            log.warning("notify %s: %s %s", u.username, text, url)


class FileBackend:
    """Development: one JSON line per user appended to LINLI_NOTIFY_FILE."""

    def send(self, users, text, url=""):
        with open(settings.LINLI_NOTIFY_FILE, "a", encoding="utf-8") as out:
            for u in users:
                out.write(json.dumps({"user": u.username, "text": text, "url": url}, ensure_ascii=False) + "\n")


class EmailBackend:
    """E-mail through Django's configured mail backend (EMAIL_* settings) to users with an address
    who did not turn e-mail off."""

    def send(self, users, text, url=""):
        prefs = preferences(users)
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
        mails = [
            (text[:80], f"{text}\n{absolute(url)}", sender, [u.email]) for u in users if u.email and prefs[u.pk].email
        ]
        send_mass_mail(mails, fail_silently=True)


class HttpSmsBackend:
    """SMS through an HTTP gateway: one JSON POST per user who turned SMS on and gave a phone, to
    LINLI_SMS_URL with `Authorization: Bearer LINLI_SMS_TOKEN`, body {"phone", "text"}, the text
    from LINLI_SMS_TEMPLATE ({text}, {url}). A gateway that fails or is slower than
    LINLI_SMS_TIMEOUT seconds is logged; the other users still get theirs."""

    def send(self, users, text, url=""):
        if not settings.LINLI_SMS_URL:
            return
        prefs = preferences(users)
        message = settings.LINLI_SMS_TEMPLATE.format(text=text, url=absolute(url))
        for u in users:
            pref = prefs[u.pk]
            if pref.sms and pref.phone:
                self.post(pref.phone, message)

    def post(self, phone, message) -> bool:
        body = json.dumps({"phone": phone, "text": message}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the deployment's own setting)
            settings.LINLI_SMS_URL,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.LINLI_SMS_TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.LINLI_SMS_TIMEOUT) as response:  # noqa: S310
                return 200 <= response.status < 300
        except Exception as exc:  # an HTTP error, a refused connection, a timeout: logged, never raised
            log.warning("SMS gateway failed for %s: %s", phone[:3] + "****", exc)
            return False


# --- reading -------------------------------------------------------------------------------


def mark_read(user, notifications) -> set[int]:
    """The notifications `user` has just seen, among `notifications`, are read now; returns the ids
    of those that were unread (the page marks them as new)."""
    unread = {n.pk for n in notifications if n.read_at is None and n.user_id == user.pk}
    Notification.objects.filter(pk__in=unread, user=user).update(read_at=timezone.now())
    return unread


# --- the daily digest ----------------------------------------------------------------------


def send_digests(now=None) -> int:
    """每日摘要: one e-mail to each user who asked for the digest, listing the previous day's
    (Asia/Shanghai) unread messages not digested yet; nobody with none gets one. Each message is
    claimed by a conditional UPDATE, so a second run that day, or a second worker, sends nothing.
    Returns the number of e-mails sent."""
    today = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - dt.timedelta(days=1)
    rows = (
        Notification.objects.filter(
            user__notification_preference__digest=True,
            user__is_active=True,
            read_at=None,
            digested_at=None,
            created_at__gte=start,
            created_at__lt=today,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at", "id")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in rows:
        by_user[n.user_id].append(n)
    sent = 0
    for messages in by_user.values():
        ids = [n.pk for n in messages]
        if not Notification.objects.filter(pk__in=ids, digested_at=None).update(digested_at=now or timezone.now()):
            continue  # another run took them
        lines = [f"· {n.text} {absolute(n.url)}" for n in messages]
        subject = _("Linli: %(n)s unread messages of %(date)s") % {"n": len(lines), "date": f"{start:%Y-%m-%d}"}
        user = messages[0].user
        try:
            send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
        except Exception:
            log.exception("digest to user %s failed", user.pk)
    return sent
