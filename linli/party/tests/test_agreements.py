"""共驻共建协议书: draft → signed → renewed / expired, at the exact days; printed as PDF with its
Chinese read back; a partner's page shows its agreements and commitments."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from linli.core.models import Notification
from linli.party.models import Agreement
from linli.party.workflow import AGREEMENT
from linli.testing import response_text

from .conftest import page

TZ = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 10, 0, tzinfo=TZ), tick=False)


def sign(world, a, day, version=0):
    return AGREEMENT.perform(a.pk, "sign", actor=world.users.community, version=version, data={"signed_on": day})


def test_signing_refuses_a_day_to_come_and_a_day_after_the_term(world, party, django_capture_on_commit_callbacks):
    a = party.agreement
    with at(2026, 3, 1):
        with pytest.raises(ValidationError):
            sign(world, a, dt.date(2026, 3, 2))
        with django_capture_on_commit_callbacks(execute=True):
            sign(world, a, dt.date(2026, 3, 1))
    a.refresh_from_db()
    assert (a.state, a.signed_on) == (Agreement.State.SIGNED, dt.date(2026, 3, 1))
    assert Notification.objects.filter(user=party.bank_staff, url=a.get_absolute_url()).exists()
    late = party.school_agreement
    with at(2027, 1, 2), pytest.raises(ValidationError):
        AGREEMENT.perform(
            late.pk, "sign", actor=world.users.other_community, version=0, data={"signed_on": dt.date(2027, 1, 1)}
        )
    with at(2027, 1, 2):
        AGREEMENT.perform(
            late.pk, "sign", actor=world.users.other_community, version=0, data={"signed_on": dt.date(2026, 12, 31)}
        )


def test_it_expires_only_after_its_last_day(world, party):
    a = party.agreement
    with at(2026, 3, 1):
        sign(world, a, dt.date(2026, 3, 1))
    with at(2026, 12, 31), pytest.raises(ValidationError) as exc:
        AGREEMENT.perform(a.pk, "expire", actor=world.users.community, version=1)
    assert "2026-12-31" in exc.value.messages[0]
    with at(2027, 1, 1):
        AGREEMENT.perform(a.pk, "expire", actor=world.users.community, version=1)
    assert Agreement.objects.get(pk=a.pk).state == Agreement.State.EXPIRED


def test_a_renewal_is_a_new_draft_from_the_day_after_the_term(world, party):
    a = party.agreement
    with at(2026, 3, 1):
        sign(world, a, dt.date(2026, 3, 1))
        with pytest.raises(ValidationError):
            AGREEMENT.perform(a.pk, "renew", actor=world.users.community, version=1, data={"ends_on": a.ends_on})
        AGREEMENT.perform(
            a.pk, "renew", actor=world.users.community, version=1, data={"ends_on": dt.date(2027, 12, 31)}
        )
    a.refresh_from_db()
    new = a.renewal
    assert a.state == Agreement.State.RENEWED
    assert (new.state, new.starts_on, new.ends_on, new.partner, new.partner_commits) == (
        Agreement.State.DRAFT,
        dt.date(2027, 1, 1),
        dt.date(2027, 12, 31),
        party.bank,
        a.partner_commits,
    )
    text = page(world.users.community).get(a.get_absolute_url()).content.decode()
    assert "已续签" in text and "2027-01-01" in text


def test_the_agreement_prints_as_pdf_in_chinese_in_scope(world, party):
    a = party.agreement
    with at(2026, 3, 1):
        sign(world, a, dt.date(2026, 3, 1))
    url = reverse("party:agreement_paper", args=[a.pk])
    text = response_text(page(party.bank_staff).get(url, {"format": "pdf"}))
    for words in ("共驻共建协议书", "宁夏银行金凤支行", "馨和苑社区", "金融知识讲座", "2026年3月1日"):
        assert words in text
    assert page(party.school_staff).get(url).status_code == 404
    assert page(world.users.other_community).get(url, {"format": "pdf"}).status_code == 404


def test_a_partners_page_shows_its_agreements_and_commitments(world, party):
    c = page(party.bank_staff)
    text = c.get(reverse("party:partner", args=[party.bank.pk])).content.decode()
    assert "每季度开展一次金融知识讲座" in text and "提供党群服务中心活动室" in text
    assert "宁夏银行金凤支行党支部" in text
    assert c.get(reverse("party:partner", args=[party.school.pk])).status_code == 404


def test_the_agreement_form_gives_field_errors_and_writes_nothing(world, party):
    before = Agreement.objects.count()
    r = page(world.users.community).post(
        reverse("party:agreement_create"),
        {
            "partner": party.bank.pk,
            "community": world.c1.pk,
            "title": "新协议",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "community_commits": "场地",
            "partner_commits": "讲座",
        },  # fmt: skip
    )
    assert r.status_code == 400 and "期限的结束日期不能早于开始日期" in r.content.decode()
    r = page(world.users.community).post(
        reverse("party:agreement_create"),
        {
            "partner": party.school.pk,
            "community": world.c1.pk,
            "title": "新协议",
            "starts_on": "2026-05-01",
            "ends_on": "2026-06-01",
            "community_commits": "场地",
            "partner_commits": "讲座",
        },  # fmt: skip
    )
    assert r.status_code == 400  # another community's partner is not offered
    assert Agreement.objects.count() == before
