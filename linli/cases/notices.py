"""Who is told of each step of a request, and in which words (docs/notifications.md).

The reporter (a user account; a request filed on the phone has none and is not told) hears of
every step: received, dispatched, handled, verified (with the link to rate it), closed. Whoever
must act next is told: the grid's and the community's staff of a new report, the handling
organisation's staff of a new work order, the verifiers of a handled one. An anonymous
request's reporter is told like any other — only they see their own messages — and no message
to anyone else names or places them: the texts carry the request's number and category only.
The workflow's effects (cases.workflow) and `actions.report_case` call these; each message has
its step as its key, so a person hears of one step of one request once (core.notify).
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.accounts.models import User
from linli.accounts.roles import PERMISSIONS, ROLE_LEVEL, Role
from linli.core import notify

from .models import Case


def step(case, name: str) -> str:
    """The key's step: a reopened request's second round is told again ("dispatch.r1")."""
    return f"{name}.r{case.reopen_count}" if case.reopen_count else name


def reporter(case) -> list:
    return [case.reporter] if case.reporter_id and case.reporter.is_active else []


def local_staff(case, perm: str, *, besides=None) -> list:
    """The users whose roles carry `perm` on the request's grid or its community (grid workers and
    chiefs, community staff; not the sub-district's nor administrators, who would hear of every
    request of a district), one query; `besides` (the actor) is left out."""
    roles = [r for r in Role if perm in PERMISSIONS[r] and ROLE_LEVEL[r] in ("grid", "community")]
    users = User.objects.filter(
        Q(role_assignments__grid_id=case.grid_id) | Q(role_assignments__community_id=case.community_id),
        is_active=True,
        role_assignments__role__in=roles,
    ).distinct()
    return [u for u in users if besides is None or u.pk != besides.pk]


def handlers(case, *, besides=None) -> list:
    """The staff of the handling organisation (property, department, or the community's own)."""
    if not case.assignee_org_id:
        return []
    users = User.objects.filter(is_active=True, role_assignments__organisation_id=case.assignee_org_id).distinct()
    return [u for u in users if besides is None or u.pk != besides.pk]


def new_orders(n: int) -> str:
    return ngettext("You have %(n)s new work order.", "You have %(n)s new work orders.", n) % {"n": n}


def to_verify(n: int) -> str:
    return ngettext(
        "%(n)s request is handled and waits for verification.",
        "%(n)s requests are handled and wait for verification.",
        n,
    ) % {"n": n}


def new_requests(n: int) -> str:
    return ngettext("%(n)s new request was reported.", "%(n)s new requests were reported.", n) % {"n": n}


def rate_url(case) -> str:
    """The request's page at its form, where the reporter rates the result."""
    return f"{case.get_absolute_url()}#moves"


def words(case) -> dict:
    return {"number": case.number, "category": case.category.name}


# --- the steps -------------------------------------------------------------------------------


def reported(case, actor, send):
    """受理: the reporter gets a receipt; the grid's and community's staff who dispatch, a new
    request to dispatch (an action item is dispatched at once: they are not asked)."""
    send(reporter(case), _("Your request %(number)s (%(category)s) was received.") % words(case), step="report")
    if case.channel != "resolution":
        send(
            local_staff(case, "cases.dispatch", besides=actor),
            _("New request %(number)s (%(category)s) to dispatch.") % words(case),
            step="report",
            summary=new_requests,
        )


def dispatched(case, actor, send):
    """派单: the reporter hears who handles it; the handling organisation gets a new work order."""
    org = case.assignee_org
    send(
        reporter(case),
        _("Your request %(number)s was passed to %(org)s.") % (words(case) | {"org": org.name}),
        step=step(case, "dispatch"),
    )
    send(
        handlers(case, besides=actor),
        _("New work order %(number)s (%(category)s).") % words(case),
        step=step(case, "dispatch"),
        summary=new_orders,
    )


def handled(case, actor, send):
    """办结: the reporter hears it is done; the grid's and community's verifiers, that it waits for them."""
    send(reporter(case), _("Your request %(number)s has been handled.") % words(case), step=step(case, "handle"))
    send(
        local_staff(case, "cases.verify", besides=actor),
        _("Request %(number)s (%(category)s) is handled: please verify it on site.") % words(case),
        step=step(case, "handle"),
        summary=to_verify,
    )


def verified(case, actor, send):
    """核实: the reporter is asked to rate the result, with the link to the form."""
    send(
        reporter(case),
        _("Your request %(number)s was verified on site. Please rate the result.") % words(case),
        rate_url(case),
        step=step(case, "verify"),
    )


def deliberating(case, actor, send, topic):
    """议事中: the reporter hears their request is decided as a topic, its deadline waiting."""
    send(
        reporter(case),
        _("Your request %(number)s is being deliberated as the topic “%(topic)s”.") % (words(case) | {"topic": topic}),
        step=step(case, "deliberate"),
    )


def outcome(case, actor, send):
    """议事结果: the reporter receives the topic's outcome and is asked to rate it."""
    send(
        reporter(case),
        _("The topic your request %(number)s was taken into has its outcome: please rate it.") % words(case),
        rate_url(case),
        step=step(case, "outcome"),
    )


def closed(case, actor, send):
    """办结归档: the reporter hears it is closed."""
    send(reporter(case), _("Your request %(number)s is closed.") % words(case), step=step(case, "close"))


def sent_back(case, actor, send):
    """退回重办: the handling organisation hears it must work on it again (no key: each time)."""
    send(handlers(case, besides=actor), _("Request %(number)s was sent back to you at verification.") % words(case))


def tell(ctx, who):
    """Run the step `who` (one of the above) from a move's effect, through `ctx.notify`; a
    replay tells nobody and reads no recipients."""
    if not ctx.replaying:
        who(ctx.obj, ctx.actor, ctx.notify)


def after_report(case, actor):
    """The report is no move: `reported` with core.notify, keys made as Context.notify makes them."""

    def send(users, text, url=None, *, step="", summary=None):
        key = f"{Case._meta.label_lower}:{case.pk}:{step}" if step else ""
        notify.send(users, text, url if url is not None else case.get_absolute_url(), key=key, summary=summary)

    reported(case, actor, send)
