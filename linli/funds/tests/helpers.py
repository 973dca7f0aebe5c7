"""Moving a use through its lifecycle as the world's staff would."""

import datetime as dt

from django.utils import timezone

from linli.funds import actions
from linli.funds.workflow import USE

DAY = dt.date(2026, 3, 1)


def move(use, name, actor, **data):
    use.refresh_from_db()
    return USE.perform(use.pk, name, actor=actor, version=use.version, data=data)


def paid_emergency(world, fund, amount, **scope):
    """An emergency use of `amount` fen, requested by the community and paid by the sub-district."""
    u = world.users
    use = actions.propose_use(actor=u.community, fund=fund, title="电梯维修", budget=amount, emergency="lift", **scope)
    move(use, "emergency_works", u.community, contractor="宁夏电梯维保公司", works_started_on=DAY)
    move(use, "request_payment", u.community, invoice_total=f"{amount / 100:.2f}", invoice_reference="FP-1",
         works_finished_on=DAY)  # fmt: skip
    move(use, "approve", u.subdistrict)
    move(use, "pay", u.subdistrict, booked_on=DAY)
    use.refresh_from_db()
    return use


def closes_soon():
    return timezone.now() + dt.timedelta(days=7)
