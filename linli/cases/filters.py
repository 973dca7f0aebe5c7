from datetime import timedelta

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.ids import IdFilter
from linli.core.scope import scope_for
from linli.core.search import MAX_QUERY

from . import joint, search, workflow
from .models import OPEN_STATES, Assignment, Case, Category, Channel, State
from .workflow import LIFECYCLE

SOON = timedelta(hours=24)


def overdue_q(now) -> Q:
    """Open, its clock running (not deferred, not in deliberation) and past the deadline: at the
    deadline itself a request is not yet overdue (Case.is_overdue)."""
    return Q(state__in=OPEN_STATES, paused_at=None, resolve_by__lt=now)


def due_soon_q(now) -> Q:
    """Open, its clock running, not yet overdue, and due within 24 hours (以内: exactly 24 hours
    from now included)."""
    return Q(state__in=OPEN_STATES, paused_at=None, resolve_by__gte=now, resolve_by__lte=now + SOON)


def unanswered_assignment_q() -> Q:
    """An assignment (交办单) the department has not answered yet: the "feedback" move's guard
    (workflow.assigned) asks for an assignment; this asks that it still lacks the feedback."""
    return Q(Exists(Assignment.objects.filter(case=OuterRef("pk"), feedback_at=None)))


# What awaits a user's move: each entry names the lifecycle's moves whose source states and scoped
# permission define it (so who may do what is read from workflow.LIFECYCLE, never restated), and
# what else a row must satisfy where a move's guard asks more than its state.
AWAITING = {
    "dispatch": (("dispatch", "decline"), Q()),
    "handle": (("start", "handle"), Q()),
    "verify": (("verify",), Q()),
    "assign": (("assign",), Q()),
    "supervise": (("supervise",), unanswered_assignment_q()),
    "feedback": (("feedback",), unanswered_assignment_q()),
    "co_feedback": (("co_feedback",), Q()),
    "rate": (("rate",), Q()),
}


def awaiting(user, name: str):
    """The requests waiting for `user`'s move `name` (a key of AWAITING): in the scope of the moves'
    permission, in one of their source states. A move narrowed by `may` (rating: the reporter, or
    staff who verify) is narrowed here to what the user reported unless they may verify."""
    moves, extra = AWAITING[name]
    first = LIFECYCLE[moves[0]]
    states = sorted({s for m in moves for s in LIFECYCLE[m].sources})
    rows = Case.objects.restrict(user, first.action, domain=first.domain).filter(extra, state__in=states)
    if first.may is workflow.handler:  # the community's staff handle only its own organisations' requests
        rows = rows.filter(workflow.handled_by_q(user))
    if first.may is joint.co_handler:  # 联合处置: where one of the user's co-handlers has not answered yet
        rows = rows.filter(joint.co_handled_by_q(user, unanswered=True))
    if name == "rate" and scope_for(user, "cases.verify").empty:  # as workflow.reporter_or_staff
        rows = rows.filter(reporter_id=user.pk)
    return rows


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=MAX_QUERY)
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.select_related("parent"), method="in_category"
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    # a choice, not a BooleanFilter: the list page draws every visible filter as a <select> of its choices
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), method="only_overdue", choices=[("true", _("Overdue")), ("false", _("Not overdue"))]
    )
    due = django_filters.ChoiceFilter(
        label=_("Deadline"),
        method="by_deadline",
        choices=[("soon", _("Due within 24 hours")), ("24h", _("Overdue or due within 24 hours"))],
    )
    mine = django_filters.ChoiceFilter(
        label=_("Awaiting my move"),
        method="awaiting_my_move",
        choices=[
            ("dispatch", _("To dispatch")),
            ("handle", _("To handle")),
            ("verify", _("To verify")),
            ("assign", _("To assign")),
            ("supervise", _("Escalations awaiting feedback")),
            ("feedback", _("Assignments to answer")),
            ("co_feedback", _("Joint orders awaiting your feedback")),
            ("rate", _("To rate")),
        ],
    )
    grid = IdFilter(label=_("Grid"), field_name="grid_id", widget=django_filters.widgets.forms.HiddenInput)
    compound = IdFilter(label=_("Compound"), field_name="compound_id", widget=django_filters.widgets.forms.HiddenInput)
    handler = IdFilter(
        label=_("Handled by"), field_name="assignee_org_id", widget=django_filters.widgets.forms.HiddenInput
    )

    class Meta:
        model = Case
        fields: list[str] = []

    @property
    def qs(self):
        return super().qs if not self.is_bound or self.is_valid() else self.queryset.none()

    def search(self, queryset, name, value):
        # every word of the query in the description, the result or the timeline's notes, best first;
        # the lists and the API restrict the requests with cases.view: the index is read in that scope
        user = getattr(self.request, "user", None)
        return search.INDEX.search(queryset, value, scope=scope_for(user, "cases.view") if user else None)

    def in_category(self, queryset, name, value):
        # ids, not a join on the parent: the list's indexes then serve the filter
        return queryset.filter(
            category__in=[value.pk, *Category.objects.filter(parent=value).values_list("pk", flat=True)]
        )

    def only_overdue(self, queryset, name, value):
        overdue = overdue_q(timezone.now())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)

    def by_deadline(self, queryset, name, value):
        now = timezone.now()
        if value == "soon":
            return queryset.filter(due_soon_q(now))
        return queryset.filter(state__in=OPEN_STATES, paused_at=None, resolve_by__lte=now + SOON)

    def awaiting_my_move(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(pk__in=awaiting(user, value).values("pk")) if user else queryset.none()
