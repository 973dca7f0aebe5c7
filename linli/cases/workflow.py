"""The work-order state machine: which transition moves a case from which states to which, and
which permission it needs. Anything else is refused with a clear message.

    accepted ──dispatch──▶ dispatched ──start──▶ in_progress ──handle──▶ handled
       │  ▲                   │  │                  │                   │   │
  decline  └──(re)dispatch── returned ◀──return────┘◀────send_back──────┘  verify
       ▼                                                                    ▼
    declined                       closed ◀──close── rated ◀──rate──── verified
                                     (dissatisfied → reopen: back to accepted, once; then the supervisor)
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import State


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple
    target: str | None  # None: the state does not change (a reminder, a feedback)
    perm: str
    needs: tuple = ()  # form fields the transition requires
    style: str = "secondary"


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("dispatch", _("Dispatch"), (State.ACCEPTED, State.RETURNED), State.DISPATCHED, "cases.dispatch", ("assignee_org",), "danger"),
        Transition("decline", _("Decline"), (State.ACCEPTED,), State.DECLINED, "cases.dispatch", ("note",)),
        Transition("start", _("Start work"), (State.DISPATCHED,), State.IN_PROGRESS, "cases.handle", (), "danger"),
        Transition("return", _("Return to dispatcher"), (State.DISPATCHED, State.IN_PROGRESS), State.RETURNED, "cases.handle", ("note",)),
        Transition("handle", _("Report as handled"), (State.IN_PROGRESS,), State.HANDLED, "cases.handle", ("note",), "danger"),
        Transition("verify", _("Verified on site"), (State.HANDLED,), State.VERIFIED, "cases.verify", (), "danger"),
        Transition("send_back", _("Send back to handler"), (State.HANDLED,), State.IN_PROGRESS, "cases.verify", ("note",)),
        Transition("rate", _("Rate the result"), (State.VERIFIED,), State.RATED, "cases.rate", ("rating",), "danger"),
        Transition("close", _("Close"), (State.RATED, State.VERIFIED), State.CLOSED, "cases.dispatch", (), "danger"),
        Transition("reopen", _("Reopen"), (State.RATED,), State.ACCEPTED, "cases.dispatch", ("note",)),
        # 吹哨 · 交办 · 督办 · 反馈: the community calls in the sub-district, which assigns a department
        Transition("whistle", _("Blow the whistle to the sub-district"), (State.ACCEPTED, State.RETURNED, State.DISPATCHED, State.IN_PROGRESS), State.ESCALATED, "cases.whistle", ("note",), "warning"),
        Transition("assign", _("Assign to a department"), (State.ESCALATED,), State.DISPATCHED, "cases.assign", ("assignee_org", "deadline"), "danger"),
        Transition("supervise", _("Send a supervision reminder"), (State.DISPATCHED, State.IN_PROGRESS), None, "cases.assign", (), "warning"),
        Transition("feedback", _("Answer with feedback"), (State.DISPATCHED, State.IN_PROGRESS, State.HANDLED), None, "cases.handle", ("note",)),
        # 缓办 / 延期: the clock stops while deferred; an approved extension moves the deadline
        Transition("defer", _("Defer (stop the clock)"), (State.DISPATCHED, State.IN_PROGRESS), None, "cases.dispatch", ("note",)),
        Transition("resume", _("Resume (restart the clock)"), (State.DISPATCHED, State.IN_PROGRESS), None, "cases.dispatch", ()),
        Transition("extend", _("Approve an extension"), (State.DISPATCHED, State.IN_PROGRESS), None, "cases.dispatch", ("note", "deadline")),
    )
}
