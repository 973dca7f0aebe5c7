"""The workbench's to-do (待办): what waits for the user, each a count of a list they can open.

Every count is the list's own filter (cases.filters.CaseFilter, deliberation.filters) applied to
the user's scope, so the number on the home page is the number of rows the link shows; who may
do which move comes from the lifecycles' declarations through those filters. One query per count
shown, whatever the data (a role without the permission costs none)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.cases.filters import AWAITING, CaseFilter
from linli.cases.models import Case, Channel
from linli.cases.workflow import LIFECYCLE
from linli.core.scope import has_perm
from linli.deliberation import filters as deliberation_filters
from linli.deliberation.models import Meeting, OwnerVote
from linli.facilities.filters import filter_register
from linli.facilities.models import Facility
from linli.projects.models import Need
from linli.wishes.models import State as WishState
from linli.wishes.models import Wish


@dataclass(frozen=True)
class Item:
    """One line of the to-do: a label, how many, and the filtered list that shows them."""

    key: str
    label: str
    count: int
    url: str
    style: str = "secondary"


# (key, label, the list's filter, style); "mine" rows are shown to who holds their move's permission
CASE_ITEMS = (
    ("dispatch", _("To dispatch"), {"mine": "dispatch"}, "danger"),
    ("handle", _("To handle"), {"mine": "handle"}, "danger"),
    ("verify", _("To verify"), {"mine": "verify"}, "danger"),
    ("assign", _("Whistles to assign"), {"mine": "assign"}, "warning"),
    ("supervise", _("Escalations awaiting feedback"), {"mine": "supervise"}, "warning"),
    ("feedback", _("Assignments awaiting your feedback"), {"mine": "feedback"}, "warning"),
    ("co_feedback", _("Joint orders awaiting your feedback"), {"mine": "co_feedback"}, "warning"),
    ("overdue", _("Overdue"), {"overdue": "true"}, "danger"),
    ("due_soon", _("Due within 24 hours"), {"due": "soon"}, "warning"),
    (
        "action_items",
        _("Action items due within 24 hours or overdue"),
        {"channel": Channel.RESOLUTION, "due": "24h"},
        "warning",
    ),
)
# the moves a staff role acts by: holding one of them makes the deadlines the user's business
ACTING = ("dispatch", "handle", "assign")


def _may(user, key: str) -> bool:
    move = LIFECYCLE[AWAITING[key][0][0]]
    return has_perm(user, move.permission)


def _count_cases(request, params: dict) -> int:
    rows = CaseFilter(params, queryset=Case.objects.restrict(request.user), request=request).qs
    return rows.order_by().count()


def _cases_url(params: dict) -> str:
    return f"{reverse('cases:list')}?{urlencode(params)}"


def staff_items(request) -> list[Item]:
    """The to-do of a staff role: the moves awaiting it, the deadlines in its scope, its meetings and votes."""
    user, items = request.user, []
    acting = any(_may(user, key) for key in ACTING)
    for key, label, params, style in CASE_ITEMS:
        shown = _may(user, key) if key in AWAITING else acting
        if shown:
            items.append(Item(key, label, _count_cases(request, params), _cases_url(params), style))
    if acting and has_perm(user, "votes.view"):
        now = timezone.now()
        meetings = Meeting.objects.restrict(user).filter(deliberation_filters.meetings_today_q(now))
        url = f"{reverse('deliberation:meetings')}?when=today"
        items.append(Item("meetings_today", _("Meetings today"), meetings.order_by().count(), url, "info"))
        votes = OwnerVote.objects.restrict(user).filter(deliberation_filters.open_votes_q())
        url = f"{reverse('deliberation:votes')}?status=open"
        items.append(Item("votes_open", _("Owners' votes open"), votes.order_by().count(), url, "info"))
    items.extend(facility_items(request))
    items.extend(cobuilding_items(request))
    return items


# (key, label, who sees it, the rows, the list's URL with its filter, style): the micro-wishes the
# community must check, the wishes and needs a partner's staff can take up. A resident (who posts
# wishes and may claim them as a volunteer) reads the wall instead: not a to-do.
COBUILDING_ITEMS = (
    ("wishes_to_check", _("Micro-wishes to check"), "wishes.manage", Wish, WishState.SUBMITTED, "wishes:list",
     "danger"),
    ("wishes_to_claim", _("Micro-wishes waiting for someone"), "wishes.claim", Wish, WishState.PUBLISHED,
     "wishes:list", "info"),
    ("needs_open", _("Open needs of the three lists"), "projects.offer", Need, Need.State.OPEN, "projects:needs",
     "info"),
)  # fmt: skip


def cobuilding_items(request) -> list[Item]:
    """微心愿 and 三单: one count each of the list's own filter (`?state=`) in the user's scope."""
    user, items = request.user, []
    for key, label, permission, model, state, url_name, style in COBUILDING_ITEMS:
        if not has_perm(user, permission) or (key == "wishes_to_claim" and has_perm(user, "wishes.post")):
            continue
        if key == "needs_open" and has_perm(user, "projects.change"):
            continue  # community staff keep the lists; the matching page is theirs
        rows = model.objects.restrict(user).filter(state=state)
        url = f"{reverse(url_name)}?{urlencode({'state': state})}"
        items.append(Item(key, label, rows.order_by().count(), url, style))
    return items


# (key, label, the register's filter, style): shown to who watches the facilities
FACILITY_ITEMS = (
    ("inspections_overdue", _("Inspections overdue"), {"inspection": "overdue"}, "danger"),
    ("inspections_soon", _("Inspections due soon"), {"inspection": "soon"}, "warning"),
)


def facility_items(request) -> list[Item]:
    """设施检验: the facilities in the user's scope whose inspection is overdue or due within
    LINLI_INSPECTION_SOON_DAYS days (facilities.filters, as the list shows them): one count each."""
    user = request.user
    if not has_perm(user, "facilities.monitor"):
        return []
    today, items = timezone.localdate(), []
    for key, label, params, style in FACILITY_ITEMS:
        rows = filter_register(Facility.objects.restrict(user), params, user, today)
        url = f"{reverse('facilities:list')}?{urlencode(params)}"
        items.append(Item(key, label, rows.order_by().count(), url, style))
    return items


def resident_todo(request) -> dict:
    """A resident's own requests with their state (latest first), what waits for their rating, and
    the owners' votes of their compound still open."""
    user = request.user
    mine = Case.objects.restrict(user).filter(reporter=user).select_related("category")
    votes = OwnerVote.objects.restrict(user).filter(deliberation_filters.open_votes_q()).select_related("compound")
    to_rate = {"mine": "rate"}
    return {
        "my_requests": list(mine[:10]),
        "to_rate": Item("rate", _("To rate"), _count_cases(request, to_rate), _cases_url(to_rate), "danger"),
        "open_votes": list(votes.order_by("closes_at")[:10]),
    }
