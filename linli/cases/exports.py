"""The work-order list's export (core.exports): the columns of the list and of the detail page's
header, the reporter as the detail page names them to the viewer (an anonymous request's reporter
is "Anonymous" — no name, phone or house of theirs is a column)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.exports import Column, Export, display

from . import reporter


def prepare(chunk, user):
    now = timezone.now()
    for case in chunk:
        case.shown_reporter = reporter.reporter_label(case, user)
        case.overdue_now = case.is_overdue(now)


EXPORT = Export(
    name="requests",
    label=_("Requests"),
    perm="cases.export",
    select=("reporter",),
    prepare=prepare,
    columns=(
        Column(_("Number"), lambda c: c.number),
        Column(_("reported at"), lambda c: c.created_at),
        Column(_("category"), lambda c: str(c.category)),
        Column(_("state"), display("state")),
        Column(_("Overdue"), lambda c: c.overdue_now),
        Column(_("description"), lambda c: c.description),
        Column(_("grid"), lambda c: str(c.grid)),
        Column(_("compound"), lambda c: str(c.compound) if c.compound_id else ""),
        Column(_("channel"), display("channel")),
        Column(_("handling organisation"), lambda c: str(c.assignee_org) if c.assignee_org_id else ""),
        Column(_("resolve by"), lambda c: c.resolve_by),
        Column(_("Reporter"), lambda c: c.shown_reporter),
    ),
)
