"""core.notify: once per key, collapsed push messages, delivered only after the commit, the SMS
gateway (against a real HTTP server on localhost), the file backend, the daily digest and the
user's own settings (docs/notifications.md)."""

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from linli.core import notify
from linli.core.models import AuditLog, Notification, NotificationPreference
from linli.testing import log_in, response_text

SMS = "linli.core.notify.HttpSmsBackend"
EMAIL = "linli.core.notify.EmailBackend"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """What the test's transaction queued is delivered at the end of the block, as after a commit."""
    return django_capture_on_commit_callbacks


@pytest.mark.django_db
def test_a_key_reaches_each_user_once(world, committed):
    u = world.users
    with committed(execute=True):
        notify.send([u.grid_a, u.grid_a, u.community], "新工单", "/cases/1/", key="cases.case:1:dispatch")
    with committed(execute=True):  # a later transaction: the key was used
        notify.send([u.grid_a, u.grid_b], "新工单（重发）", "/cases/1/", key="cases.case:1:dispatch")
    with committed(execute=True):
        notify.send([u.grid_a], "另一步", "/cases/1/", key="cases.case:1:handle")
        notify.send([u.grid_a], "无键的提醒", "/cases/1/")
        notify.send([u.grid_a], "无键的提醒", "/cases/1/")  # no key: a reminder is sent each time
        notify.send([u.community], "同一批里重复", "/cases/2/", key="cases.case:2:dispatch")
        notify.send([u.community], "同一批里重复", "/cases/2/", key="cases.case:2:dispatch")
    rows = sorted(Notification.objects.values_list("user__username", "text"))
    assert rows == [
        ("community", "同一批里重复"),
        ("community", "新工单"),
        ("grid_a", "另一步"),
        ("grid_a", "新工单"),
        ("grid_a", "无键的提醒"),
        ("grid_a", "无键的提醒"),
        ("grid_b", "新工单（重发）"),
    ]


@pytest.mark.django_db
def test_nothing_leaves_before_the_commit_nor_after_a_rollback(world, committed):
    u = world.users
    with committed(execute=True):
        notify.send([u.grid_a], "提交后才发")
        assert not Notification.objects.exists()
        with pytest.raises(RuntimeError), transaction.atomic():
            notify.send([u.grid_b], "回滚了")
            raise RuntimeError
        notify.send([u.community], "也提交后才发")
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["community", "grid_a"]


@pytest.mark.django_db
@override_settings(LINLI_NOTIFY_BACKENDS=[EMAIL])
def test_many_of_one_kind_at_once_are_one_email_and_kinds_do_not_mix(world, committed):
    u = world.users
    u.grid_a.email, u.grid_b.email = "a@example.cn", "b@example.cn"
    u.grid_a.save()
    u.grid_b.save()
    with committed(execute=True):
        for pk in (1, 2, 3):
            notify.send([u.grid_a], f"新工单 {pk}", f"/cases/{pk}/", key=f"cases.case:{pk}:dispatch")
        notify.send([u.grid_a], "请核实 4", "/cases/4/", key="cases.case:4:handle")
        notify.send([u.grid_b], "新工单 1", "/cases/1/", key="cases.case:1:dispatch")
    by = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert by == [("a@example.cn", "您有 3 条新消息。"), ("a@example.cn", "请核实 4"), ("b@example.cn", "新工单 1")]
    collapsed = next(m for m in mail.outbox if m.subject == "您有 3 条新消息。")
    assert collapsed.body.endswith("/notifications/")  # to the list, where each keeps its own link
    assert Notification.objects.filter(user=u.grid_a).count() == 4


@pytest.mark.django_db
@override_settings(LINLI_NOTIFY_BACKENDS=[EMAIL])
def test_a_key_sent_before_is_neither_written_nor_pushed_again_and_one_statement_writes(
    world, committed, django_assert_num_queries
):
    """The in-app rows are one INSERT … ON CONFLICT DO NOTHING RETURNING (no read of the keys
    first): the rows it did not write, a user's repeat of a key, reach no push channel either."""
    u = world.users
    u.grid_a.email, u.grid_b.email = "a@example.cn", "b@example.cn"
    u.grid_a.save()
    u.grid_b.save()
    with committed(execute=True):
        notify.send([u.grid_a], "新工单 7", "/cases/7/", key="cases.case:7:dispatch")
    mail.outbox.clear()
    with django_assert_num_queries(3), committed(execute=True):  # the rows; the preferences of each e-mail
        notify.send([u.grid_a, u.grid_b], "新工单 7（重发）", "/cases/7/", key="cases.case:7:dispatch")
        notify.send([u.grid_a], "无键的提醒", "/cases/7/")
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("a@example.cn", "无键的提醒"),
        ("b@example.cn", "新工单 7（重发）"),
    ]
    assert sorted(Notification.objects.values_list("user__username", "text")) == [
        ("grid_a", "新工单 7"),
        ("grid_a", "无键的提醒"),
        ("grid_b", "新工单 7（重发）"),
    ]


@pytest.mark.django_db
def test_rows_beyond_one_statement_are_written_in_batches_all_or_none(world, committed, monkeypatch):
    """More rows than one statement may carry (SQLite's limit on parameters): several INSERTs,
    each returning what it wrote, and a key sent before is still left out."""
    from django.db import connection

    u = world.users
    with committed(execute=True):
        notify.send([u.grid_b], "新工单 8", "/cases/8/", key="cases.case:8:dispatch")
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 1)
    with committed(execute=True):
        notify.send([u.grid_a, u.grid_b, u.community], "新工单 8", "/cases/8/", key="cases.case:8:dispatch")
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["community", "grid_a", "grid_b"]


@pytest.mark.django_db
@override_settings(LINLI_NOTIFY_BACKENDS=[EMAIL])
def test_email_goes_only_to_users_with_an_address_who_did_not_turn_it_off(world, committed):
    u = world.users
    for user, address in ((u.grid_a, "a@example.cn"), (u.grid_b, "b@example.cn")):
        user.email = address
        user.save()
    NotificationPreference.objects.create(user=u.grid_b, email=False)
    with committed(execute=True):
        notify.send([u.grid_a, u.grid_b, u.community], "诉求已超期", "/cases/1/")
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert mail.outbox[0].body == "诉求已超期\nhttp://127.0.0.1:8000/cases/1/"


class Gateway(BaseHTTPRequestHandler):
    """A real SMS gateway stand-in: records each POST; answers 500 for one phone, hangs for another."""

    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers["Authorization"], self.headers["Content-Type"], body))
        if body["phone"] == "13900000002":
            time.sleep(1.5)  # slower than the timeout
        try:
            self.send_response(500 if body["phone"] == "13900000001" else 200)
            self.end_headers()
            self.wfile.write(b"{}")
        except BrokenPipeError:  # the client gave up waiting (the hanging phone)
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_the_sms_gateway_gets_one_json_post_per_user_who_asked_and_failures_never_break(
    world, gateway, caplog, committed
):
    u = world.users
    NotificationPreference.objects.create(user=u.grid_a, sms=True, phone="13800000000")
    NotificationPreference.objects.create(user=u.grid_b, sms=True, phone="13900000001")  # the gateway fails
    NotificationPreference.objects.create(user=u.community, sms=True, phone="13900000002")  # the gateway hangs
    NotificationPreference.objects.create(user=u.property, sms=False, phone="13700000000")  # turned off
    NotificationPreference.objects.create(user=u.department, sms=True, phone="13600000000")
    with (
        override_settings(
            LINLI_NOTIFY_BACKENDS=[SMS],
            LINLI_SMS_URL=gateway,
            LINLI_SMS_TOKEN="secret-token",
            LINLI_SMS_TEMPLATE="【邻里】{text} {url}",
            LINLI_SMS_TIMEOUT=0.5,
            LINLI_SITE_URL="https://linli.example.cn",
        ),
        committed(execute=True),
    ):
        notify.send([u.grid_a, u.grid_b, u.community, u.property, u.department, u.resident], "新工单 1", "/cases/1/")
    phones = [body["phone"] for _auth, _type, body in Gateway.received]
    assert phones == ["13800000000", "13900000001", "13900000002", "13600000000"]  # after a failure, the rest
    auth, kind, body = Gateway.received[0]
    assert (auth, kind) == ("Bearer secret-token", "application/json")
    assert body == {"phone": "13800000000", "text": "【邻里】新工单 1 https://linli.example.cn/cases/1/"}
    assert Notification.objects.filter(user=u.grid_b).count() == 1  # in-app whatever the gateway did
    assert "SMS gateway failed for 139****" in caplog.text


@pytest.mark.django_db
def test_no_gateway_configured_sends_no_sms(world, committed):
    NotificationPreference.objects.create(user=world.users.grid_a, sms=True, phone="13800000000")
    with override_settings(LINLI_NOTIFY_BACKENDS=[SMS], LINLI_SMS_URL=""), committed(execute=True):
        notify.send([world.users.grid_a], "x")  # nothing to post to: nothing raised
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_the_file_backend_writes_one_json_line_per_user(world, tmp_path, committed):
    out = tmp_path / "notifications.jsonl"
    with (
        override_settings(LINLI_NOTIFY_BACKENDS=["linli.core.notify.FileBackend"], LINLI_NOTIFY_FILE=str(out)),
        committed(execute=True),
    ):
        notify.send([world.users.grid_a, world.users.grid_b], "新工单", "/cases/1/")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"user": "grid_a", "text": "新工单", "url": "/cases/1/"},
        {"user": "grid_b", "text": "新工单", "url": "/cases/1/"},
    ]


@pytest.mark.django_db
@override_settings(LINLI_NOTIFY_BACKENDS=["linli.core.notify.InAppBackend", "linli.no.such.Backend", EMAIL])
def test_a_broken_backend_is_logged_and_the_other_channels_still_deliver(world, caplog, committed):
    world.users.grid_a.email = "a@example.cn"
    world.users.grid_a.save()
    with committed(execute=True):
        notify.send([world.users.grid_a], "x")
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    assert "notification backend linli.no.such.Backend failed" in caplog.text


# --- the daily digest ---------------------------------------------------------------------


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime(2026, 12, day, hour, minute))  # Asia/Shanghai


@pytest.mark.django_db
def test_the_digest_mails_yesterdays_unread_once_and_skips_empty_days(world):
    u = world.users
    for user, address in ((u.grid_a, "a@example.cn"), (u.grid_b, "b@example.cn"), (u.community, "c@example.cn")):
        user.email = address
        user.save()
        NotificationPreference.objects.create(user=user, digest=True)
    NotificationPreference.objects.create(user=u.property, digest=False)
    u.property.email = "p@example.cn"
    u.property.save()

    def note(user, text, when, read=False):
        Notification.objects.create(
            user=user, text=text, url="/cases/1/", created_at=when, read_at=when if read else None
        )

    note(u.grid_a, "昨天第一条", at(6, 0, 0))  # the first minute of yesterday
    note(u.grid_a, "昨天最后一条", at(6, 23, 59))
    note(u.grid_a, "今天的", at(7, 0, 0))  # today: tomorrow's digest
    note(u.grid_a, "前天的", at(5, 23, 59))
    note(u.grid_b, "昨天已读", at(6, 12), read=True)  # read: grid_b has nothing unread
    note(u.property, "没订阅", at(6, 12))
    mail.outbox.clear()
    assert notify.send_digests(now=at(7, 8)) == 1
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert mail.outbox[0].subject == "邻里：2026-12-06 的 2 条未读消息"
    assert mail.outbox[0].body.splitlines() == [
        "· 昨天第一条 http://127.0.0.1:8000/cases/1/",
        "· 昨天最后一条 http://127.0.0.1:8000/cases/1/",
    ]
    assert notify.send_digests(now=at(7, 8, 5)) == 0  # the same day again: nothing
    assert len(mail.outbox) == 1
    assert notify.send_digests(now=at(8, 8)) == 1  # the next day: that day's
    assert mail.outbox[1].body.splitlines() == ["· 今天的 http://127.0.0.1:8000/cases/1/"]


@pytest.mark.django_db
def test_the_digest_runs_as_a_command(world):
    from django.core.management import call_command

    call_command("digest")  # nobody asked: nothing sent, nothing raised
    assert mail.outbox == []


# --- one's own settings ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_user_sets_their_channels_and_the_phone_is_never_shown_in_full(world, client):
    u = world.users
    log_in(client, u.resident)
    page = client.get("/notifications/")
    assert page.status_code == 200 and "通知方式" in response_text(page)

    bad = client.post("/notifications/settings/", {"sms": "on", "phone": "12345"})
    assert bad.status_code == 400 and "请输入以 1 开头的 11 位手机号。" in response_text(bad)
    missing = client.post("/notifications/settings/", {"sms": "on"})
    assert missing.status_code == 400 and "请填写接收短信的手机号。" in response_text(missing)
    assert not NotificationPreference.objects.exists()  # nothing half-saved

    ok = client.post("/notifications/settings/", {"sms": "on", "phone": "138 0000 5678", "digest": "on"})
    assert ok.status_code == 302
    pref = NotificationPreference.objects.get(user=u.resident)
    assert (pref.email, pref.sms, pref.phone, pref.digest) == (False, True, "13800005678", True)
    shown = response_text(client.get("/notifications/"))
    assert "138****5678" in shown and "13800005678" not in shown
    record = AuditLog.objects.filter(object_repr=str(u.resident.pk)).latest("id")
    assert record.changes["phone"] == [None, "138****5678"]

    client.post("/notifications/settings/", {"sms": "on", "email": "on"})  # phone left empty: kept
    pref.refresh_from_db()
    assert (pref.email, pref.phone) == (True, "13800005678")


@pytest.mark.django_db
def test_the_settings_need_a_login(client):
    assert client.post("/notifications/settings/", {"email": "on"}).status_code == 302
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_the_list_shows_only_ones_own_messages(world, client, committed):
    with committed(execute=True):
        notify.send([world.users.grid_a], "网格一的新工单", "/cases/1/")
    log_in(client, world.users.grid_b)
    assert "网格一的新工单" not in response_text(client.get("/notifications/"))
    log_in(client, world.users.grid_a)
    assert "网格一的新工单" in response_text(client.get("/notifications/"))
