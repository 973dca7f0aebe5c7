"""The lifecycles of the three lists (docs/projects.md), declared once and performed by
core.lifecycle. A need becomes planned and a resource in use when a project takes them up
(actions.create_project); the project's own moves — start, deliver, cancel — carry them on:
delivering meets the needs, frees the resources and publishes the project on the board (晒事);
cancelling reopens the needs and frees the resources."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.core.lifecycle import Lifecycle, Move
from linli.party.workflow import community_staff, organisation_staff
from linli.people.public_text import check_public_text

from . import forms
from .models import Need, Project, Resource

# --- 需求 ---------------------------------------------------------------------------------------


def _withdraw_need(ctx):
    """The reason is kept."""
    ctx.obj.reason = ctx.data["reason"]


NEED = Lifecycle(
    Need,
    [
        Move(
            "withdraw",
            _("Withdraw"),
            (Need.State.OPEN,),
            Need.State.WITHDRAWN,
            "projects.change",
            forms.ReasonForm,
            effect=_withdraw_need,
            style="outline-secondary",
        ),
    ],
    start=(Need.State.OPEN, _("collected from requests, topics, the survey or staff")),
    doc="projects.md",
)


# --- 资源 ---------------------------------------------------------------------------------------


def _withdraw_resource(ctx):
    """The reason is kept; the community's staff are told."""
    resource = ctx.obj
    resource.reason = ctx.data["reason"]
    text = gettext("The resource “%(title)s” was withdrawn: %(reason)s") % {
        "title": resource.title,
        "reason": resource.reason,
    }
    ctx.notify(lambda: community_staff(resource.community_id), text, step="withdrawn")


RESOURCE = Lifecycle(
    Resource,
    [
        Move(
            "withdraw",
            _("Withdraw"),
            (Resource.State.OFFERED,),
            Resource.State.WITHDRAWN,
            "projects.offer",
            forms.ReasonForm,
            effect=_withdraw_resource,
            style="outline-secondary",
        ),
    ],
    start=(Resource.State.OFFERED, _("a partner or the community offers it")),
    doc="projects.md",
)


# --- 项目 ---------------------------------------------------------------------------------------


def _set_state(ctx, rows, state, name):
    """Move related rows (needs, resources) to `state`, each saved and listed in the audit record."""
    moved = []
    for row in rows:
        if row.state != state:
            row.state = state
            row.version += 1
            ctx.save(row, ["state", "version"])
            moved.append(row.pk)
    if moved:
        ctx.changes[name] = [None, f"{state}: {moved}"]


def _free_resources(ctx):
    project = ctx.obj
    busy_elsewhere = set(
        Project.resources.through.objects.filter(
            resource__in=project.resources.all(),
            project__state__in=[Project.State.PLANNED, Project.State.IN_PROGRESS],
        )
        .exclude(project=project)
        .values_list("resource_id", flat=True)
    )
    rows = project.resources.filter(state=Resource.State.IN_USE).exclude(pk__in=busy_elsewhere)
    _set_state(ctx, rows.select_for_update(), Resource.State.OFFERED, "resources")


def _start(ctx):
    """The partner's staff are told."""
    _tell_partners(ctx, gettext("The project “%(title)s” has started."))


def _deliverable(project, actor, data):
    """Delivered before the project started or on a day still to come."""
    if data is None:
        return None
    if data["delivered_on"] > timezone.localdate():
        return gettext("A project cannot be delivered on a day still to come.")
    if data["delivered_on"] < project.starts_on:
        return gettext("A project cannot be delivered before it starts (%(date)s).") % {
            "date": project.starts_on.isoformat()
        }
    return None


def _deliver(ctx):
    """Its needs are met, its resources free again; the title and result, checked for personal
    data, go on the community's board crediting the partner; the partner's staff are told."""
    project = ctx.obj
    check_public_text(project.community, title=project.title, result=ctx.data["result"])
    project.delivered_on, project.result, project.public_checked = ctx.data["delivered_on"], ctx.data["result"], True
    _set_state(ctx, project.needs.select_for_update().exclude(state=Need.State.WITHDRAWN), Need.State.MET, "needs")
    _free_resources(ctx)
    _tell_partners(ctx, gettext("The project “%(title)s” is delivered and published on the board."))


def _cancel(ctx):
    """The reason is kept; its needs are open again (unless another project serves them) and its
    resources free."""
    project = ctx.obj
    project.reason = ctx.data["reason"]
    served_elsewhere = (
        Project.needs.through.objects.filter(
            need__in=project.needs.all(),
            project__state__in=[Project.State.PLANNED, Project.State.IN_PROGRESS],
        )
        .exclude(project=project)
        .values_list("need_id", flat=True)
    )
    needs = project.needs.filter(state=Need.State.PLANNED).exclude(pk__in=list(served_elsewhere))
    _set_state(ctx, needs.select_for_update(), Need.State.OPEN, "needs")
    _free_resources(ctx)


def _tell_partners(ctx, text):
    project = ctx.obj

    def users():
        orgs = {r.partner for r in project.resources.select_related("partner") if r.partner_id}
        if project.partner_id:
            orgs.add(project.partner)
        return {u for org in orgs for u in organisation_staff(org)}

    ctx.notify(users, text % {"title": project.title}, step=ctx.move.name)


PROJECT = Lifecycle(
    Project,
    [
        Move(
            "start",
            _("Start"),
            (Project.State.PLANNED,),
            Project.State.IN_PROGRESS,
            "projects.change",
            effect=_start,
        ),
        Move(
            "deliver",
            _("Deliver and publish"),
            (Project.State.IN_PROGRESS,),
            Project.State.DELIVERED,
            "projects.change",
            forms.DeliverForm,
            guard=_deliverable,
            effect=_deliver,
            style="success",
        ),
        Move(
            "cancel",
            _("Cancel"),
            (Project.State.PLANNED, Project.State.IN_PROGRESS),
            Project.State.CANCELLED,
            "projects.change",
            forms.ReasonForm,
            effect=_cancel,
            style="outline-danger",
        ),
    ],
    start=(Project.State.PLANNED, _("staff or the joint meeting plan it")),
    doc="projects.md",
)
