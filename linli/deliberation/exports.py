"""The exports of the topic, meeting and owners' vote lists (core.exports): what each list shows."""

from django.utils.translation import gettext_lazy as _

from linli.core.exports import Column, Export, display

TOPICS = Export(
    name="topics",
    label=_("Topics"),
    perm="votes.export",
    columns=(
        Column(_("title"), lambda t: t.title),
        Column(_("community"), lambda t: str(t.community)),
        Column(_("scale"), display("scale")),
        Column(_("procedure"), lambda t: str(t.procedure)),
        Column(_("status"), display("status")),
    ),
)

MEETINGS = Export(
    name="meetings",
    label=_("Meetings"),
    perm="votes.export",
    columns=(
        Column(_("title"), lambda m: m.title),
        Column(_("kind"), display("kind")),
        Column(_("community"), lambda m: str(m.community)),
        Column(_("starts at"), lambda m: m.starts_at),
        Column(_("location"), lambda m: m.location),
        Column(_("minutes done"), lambda m: m.closed_at is not None),
    ),
)

VOTES = Export(
    name="votes",
    label=_("Owners' votes"),
    perm="votes.export",
    columns=(
        Column(_("title"), lambda v: v.title),
        Column(_("compound"), lambda v: str(v.compound)),
        Column(_("matter"), display("matter")),
        Column(_("status"), display("status")),
        Column(_("closes at"), lambda v: v.closes_at),
    ),
)
