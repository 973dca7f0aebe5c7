"""The lifecycles of the three lists (docs/projects.md), declared once and performed by
core.lifecycle. A need becomes planned and a resource in use when a project takes them up
(actions.create_project); the project's own moves — start, deliver, cancel — carry them on:
delivering meets the needs, frees the resources and publishes the project on the board (晒事);
cancelling reopens the needs and frees the resources."""

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.cases.models import Case
from linli.core.lifecycle import Lifecycle, Move
from linli.deliberation import actions as deliberation_actions
from linli.deliberation.models import Consent, Procedure, StepRecord
from linli.funds.models import Use
from linli.funds.money import yuan
from linli.party.workflow import community_staff, organisation_staff
from linli.people.public_text import check_public_text

from . import forms
from .models import Funding, Need, Payment, Photo, Project, Resource

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


# --- 民生实事: 问需 → 申报/立项 → 问计 → 招标 → 实施 → 验收 → 问效 → 晒账 ----------------------------------


def _cobuilding(project, actor):
    """A 民生实事 takes its own moves (approve, works, accept, evaluate)."""
    return not project.livelihood


def _livelihood(project, actor):
    """Only a 民生实事."""
    return project.livelihood


def _day(day, *, after=None, after_label=""):
    """A day not still to come, and not before `after`."""
    if day > timezone.localdate():
        return gettext("Give a day that is not still to come.")
    if after is not None and day < after:
        return gettext("Give a day on or after %(what)s (%(date)s).") % {"what": after_label, "date": after.isoformat()}
    return None


def _not_applicant(project, actor, data):
    """By whoever did not apply for the project."""
    if project.created_by_id == actor.pk:
        return gettext("The one who applied for a project does not approve it.")
    return None


def _approvable(project, actor, data):
    """By whoever did not apply for it; the budget has rows; a 为民服务专项资金 row needs a
    四议两公开 topic of the community decided (every step up to 决议公开 recorded); the approved
    amount of that fund is at most what was applied for; its consent campaign (问需), if any, has
    reached its threshold."""
    refusal = _not_applicant(project, actor, data)
    if refusal or data is None:
        return refusal
    rows = list(project.funding.all())
    if not rows:
        return gettext("A project is approved with its budget: add the amounts by source first.")
    reason = _day(data["approved_on"])
    if reason:
        return reason
    service = sum(f.amount_fen for f in rows if f.source == Funding.Source.SERVICE_FUND)
    if service:
        topic = data.get("application")
        if topic is None:
            return gettext("The service-for-the-people fund is applied for through 四议两公开: choose its topic.")
        if topic.community_id != project.community_id or topic.procedure.code != Procedure.FOUR_AND_TWO:
            return gettext("Choose a 四议两公开 topic of the project's community.")
        steps = list(topic.procedure.steps.order_by("order").values_list("pk", flat=True))[:-1]
        done = set(StepRecord.objects.filter(topic=topic, step_id__in=steps).values_list("step_id", flat=True))
        if len(done) < len(steps):
            return gettext("The 四议两公开 topic has not reached its published resolution (决议公开).")
    if data.get("service_fund_fen") is not None and data["service_fund_fen"] > service:
        return gettext("No more of the service-for-the-people fund can be approved than was applied for.")
    return _campaign_short(project)


def _campaign_short(project):
    """Its consent campaign, if any, has reached its threshold; else the refusal with the figures."""
    campaign = project.campaign
    if campaign is None:
        return None
    f = campaign.figures()
    if f["reached"]:
        return None
    return (
        gettext(
            "The consent campaign has not reached its threshold: %(agreed)s of %(houses)s houses agree (%(rate)s%%); "
            "%(threshold)s%% needs %(needed)s."
        )
        % f
    )


def _approve(ctx):
    """立项: each budget row is approved at the amount applied for — the 为民服务专项资金 at the
    amount given, if less (taken off its last rows) —, the community's staff are told."""
    project, data = ctx.obj, ctx.data
    project.approved_on, project.approved_by, project.application = data["approved_on"], ctx.actor, data["application"]
    cut = None
    if data.get("service_fund_fen") is not None:
        service = sum(f.amount_fen for f in project.funding.all() if f.source == Funding.Source.SERVICE_FUND)
        cut = service - data["service_fund_fen"]
    for row in project.funding.order_by("-id"):
        row.approved_fen = row.amount_fen
        if cut and row.source == Funding.Source.SERVICE_FUND:
            taken = min(cut, row.amount_fen)
            row.approved_fen, cut = row.amount_fen - taken, cut - taken
        ctx.save(row, ["approved_fen"])
    ctx.changes["budget_approved"] = [None, "¥" + yuan(sum(f.approved_fen or 0 for f in project.funding.all()))]
    text = gettext("The project “%(title)s” is approved (立项).") % {"title": project.title}
    ctx.notify(lambda: community_staff(project.community_id), text, step="approved")


def _extend(ctx):
    """追加: a budget row approved at once, with its reason; spending beyond the approved budget
    needs one."""
    data = ctx.data
    row = Funding(
        project=ctx.obj, source=data["source"], amount_fen=data["amount_fen"], approved_fen=data["amount_fen"]
    )
    row.note = data["reason"]
    ctx.save(row)
    ctx.changes["funding"] = [None, f"{row.get_source_display()} +¥{yuan(row.amount_fen)}"]


def _campaignable(project, actor, data):
    """A project placed on a compound, without a campaign yet."""
    if project.campaign_id is not None:
        return gettext("This project has its consent campaign already.")
    if project.compound_id is None:
        return gettext("A consent campaign asks the houses of a compound: place the project on one first.")
    return None


def _open_campaign(ctx):
    """问需: the houses of the project's compound (or of the buildings chosen) are asked to agree,
    and to pay the share if one is given; the title is the project's."""
    project, data = ctx.obj, ctx.data
    project.campaign = deliberation_actions.open_campaign(
        actor=ctx.actor,
        title=project.title,
        compound=project.compound,
        threshold_percent=data["threshold_percent"],
        buildings=data.get("buildings") or (),
        share_fen=data.get("share_fen"),
    )


def _has_campaign(project, actor, data):
    """It has a consent campaign."""
    return None if project.campaign_id else gettext("This project has no consent campaign.")


def _answer(ctx):
    """One house's answer and share paid (audited on the campaign); with a share, the project's
    居民自筹 budget row follows the total paid."""
    project, data = ctx.obj, ctx.data
    deliberation_actions.record_consent(
        project.campaign,
        data["house"],
        actor=ctx.actor,
        consent=data["consent"],
        paid_fen=data["paid_fen"],
        paid_on=data["paid_on"],
    )
    if project.campaign.share_fen is not None:
        _residents_row(project, ctx)


def _residents_row(project, ctx):
    """The first 居民自筹 row is the shares paid (approved as paid once the project is approved);
    none when nothing is paid. Not below what was already spent of it."""
    total = Consent.objects.filter(campaign=project.campaign).aggregate(t=Sum("paid_fen"))["t"] or 0
    spent = project.payments.filter(source=Funding.Source.RESIDENTS).aggregate(t=Sum("amount_fen"))["t"] or 0
    if total < spent:
        text = gettext("%(spent)s yuan of the residents' payments are spent already.") % {"spent": yuan(spent)}
        raise ValidationError({"paid_yuan": text})
    row = project.funding.filter(source=Funding.Source.RESIDENTS).order_by("id").first()
    before = row.amount_fen if row else 0
    if total == 0:
        if row is not None:
            row.delete()
    else:
        row = row or Funding(project=project, source=Funding.Source.RESIDENTS, note=gettext("shares paid (问需)"))
        row.amount_fen = total
        if project.state != Project.State.PROPOSED:
            row.approved_fen = total
        ctx.save(row)
    if before != total:
        ctx.changes["residents_paid"] = ["¥" + yuan(before), "¥" + yuan(total)]


def _works_startable(project, actor, data):
    """The works start on a day not to come and not before the approval."""
    if data is None:
        return None
    if data.get("consultation") is not None and data["consultation"].community_id != project.community_id:
        return gettext("Choose a meeting of the project's community.")
    return _day(data["works_started_on"], after=project.approved_on, after_label=gettext("the approval"))


def _start_works(ctx):
    """The contractor, the day and the design consultation (问计) are kept; partners are told."""
    project, data = ctx.obj, ctx.data
    project.contractor, project.works_started_on = data["contractor"], data["works_started_on"]
    project.consultation = data.get("consultation")
    check_public_text(project.community, contractor=project.contractor)
    _tell_partners(ctx, gettext("The project “%(title)s” has started."))


def _photo_ok(project, actor, data):
    """Taken on a day not to come and not before the works started."""
    if data is None:
        return None
    return _day(data["taken_on"], after=project.works_started_on, after_label=gettext("the start of the works"))


def _add_photo(ctx):
    """A progress photo (EXIF removed) with its caption, checked for personal data."""
    data = ctx.data
    check_public_text(ctx.obj.community, caption=data["caption"])
    photo = Photo(
        project=ctx.obj, photo=data["photo"], caption=data["caption"], taken_on=data["taken_on"], created_by=ctx.actor
    )
    ctx.save(photo)
    ctx.changes["photo"] = [None, photo.caption]


def _payable(project, actor, data):
    """Paid on a day not to come, not before the works started, and within what was approved for
    its source: beyond it, a further approval (追加) comes first."""
    if project.created_by_id == actor.pk:
        return gettext("The one who applied for a project does not record its payments.")
    if data is None:
        return None
    reason = _day(data["paid_on"], after=project.works_started_on, after_label=gettext("the start of the works"))
    if reason:
        return reason
    reason = _fund_use(data)
    if reason:
        return reason
    approved = project.funding.filter(source=data["source"]).aggregate(t=Sum("approved_fen"))["t"] or 0
    paid = project.payments.filter(source=data["source"]).aggregate(t=Sum("amount_fen"))["t"] or 0
    if paid + data["amount_fen"] > approved:
        over = paid + data["amount_fen"] - approved
        return gettext(
            "This payment goes %(over)s yuan beyond the approved budget of %(source)s "
            "(approved %(approved)s, paid %(paid)s): a further approval (追加) is needed first."
        ) % {
            "over": yuan(over),
            "source": Funding.Source(data["source"]).label,
            "approved": yuan(approved),
            "paid": yuan(paid),
        }
    return None


def _fund_use(data):
    """A payment from the maintenance fund is one of the fund's own uses, paid through its steps
    (vote or emergency, approval, payment apportioned to the houses): it names that use and takes
    no more than what the use paid and other projects' accounts have not already shown."""
    use, maintenance = data.get("fund_use"), data["source"] == Funding.Source.MAINTENANCE
    if maintenance and use is None:
        return gettext(
            "A payment from the maintenance fund names the fund's use that paid it: the fund pays through its "
            "own steps (vote or emergency, approval, payment)."
        )
    if use is None:
        return None
    if not maintenance:
        return gettext("Only a payment from the maintenance fund names a fund use.")
    shown = use.project_payments.aggregate(t=Sum("amount_fen"))["t"] or 0
    if shown + data["amount_fen"] > (use.invoice_total or 0):
        return gettext(
            "The maintenance fund use “%(use)s” paid %(paid)s yuan, of which %(shown)s are already in a "
            "project's accounts."
        ) % {"use": use.title, "paid": yuan(use.invoice_total or 0), "shown": yuan(shown)}
    return None


def _pay(ctx):
    """One payment row, published with the accounts."""
    data = ctx.data
    if data.get("fund_use") is not None:  # two projects showing one use at once: one at a time
        Use.objects.select_for_update().filter(pk=data["fund_use"].pk).first()
        if reason := _fund_use(data):
            raise ValidationError(reason)
    check_public_text(ctx.obj.community, payee=data["payee"])
    payment = Payment(
        project=ctx.obj,
        source=data["source"],
        amount_fen=data["amount_fen"],
        paid_on=data["paid_on"],
        payee=data["payee"],
        invoice=data.get("invoice") or "",
        fund_use=data.get("fund_use"),
        created_by=ctx.actor,
    )
    ctx.save(payment)
    ctx.changes["payment"] = [None, f"{payment.get_source_display()} ¥{yuan(payment.amount_fen)} {payment.payee}"]


def _acceptable(project, actor, data):
    """Accepted on a day not to come and not before the works started."""
    if data is None:
        return None
    return _day(data["accepted_on"], after=project.works_started_on, after_label=gettext("the start of the works"))


def _accept(ctx):
    """验收: the day and the representatives who signed; the residents whose requests the
    project's needs (or its 四议两公开 topic) came from are told."""
    project, data = ctx.obj, ctx.data
    project.accepted_on, project.representatives = data["accepted_on"], data["representatives"]
    cases = Case.objects.filter(needs__projects=project)
    if project.application_id:
        cases = cases | Case.objects.filter(topics=project.application_id)
    text = gettext("The project “%(title)s”, which answers your request, has been accepted (验收).") % {
        "title": project.title
    }
    ctx.notify(lambda: list(User.objects.filter(pk__in=cases.values("reporter_id"), is_active=True)), text)


def _evaluate(ctx):
    """问效 · 晒账: the satisfaction is kept; its needs are met; the title, the result, the photos'
    captions and the accounts go on the community's board."""
    project, data = ctx.obj, ctx.data
    check_public_text(project.community, title=project.title, result=data["result"])
    project.respondents, project.satisfied = data["respondents"], data["satisfied"]
    project.result, project.public_checked = data["result"], True
    project.delivered_on = timezone.localdate()
    _set_state(ctx, project.needs.select_for_update().exclude(state=Need.State.WITHDRAWN), Need.State.MET, "needs")
    _free_resources(ctx)
    _tell_partners(ctx, gettext("The project “%(title)s” is delivered and published on the board."))


LIVELIHOOD_MOVES = [
    Move(
        "campaign",
        _("Ask the houses for consent (问需)"),
        (Project.State.PROPOSED,),
        None,
        "projects.change",
        forms.CampaignForm,
        guard=_campaignable,
        effect=_open_campaign,
        may=_livelihood,
        style="outline-primary",
    ),
    Move(
        "answer",
        _("Record a house's answer"),
        (Project.State.PROPOSED, Project.State.APPROVED, Project.State.IN_PROGRESS),
        None,
        "projects.change",
        forms.AnswerForm,
        guard=_has_campaign,
        effect=_answer,
        may=_livelihood,
        offered=False,
        versioned=False,
    ),
    Move(
        "approve",
        _("Approve (立项)"),
        (Project.State.PROPOSED,),
        Project.State.APPROVED,
        "projects.approve",
        forms.ApproveForm,
        guard=_approvable,
        effect=_approve,
        may=_livelihood,
        style="success",
    ),
    Move(
        "extend",
        _("Approve more (追加)"),
        (Project.State.APPROVED, Project.State.IN_PROGRESS, Project.State.ACCEPTED),
        None,
        "projects.approve",
        forms.BudgetForm,
        guard=_not_applicant,
        effect=_extend,
        may=_livelihood,
        versioned=False,
        style="outline-secondary",
    ),
    Move(
        "works",
        _("Start the works"),
        (Project.State.APPROVED,),
        Project.State.IN_PROGRESS,
        "projects.change",
        forms.WorksForm,
        guard=_works_startable,
        effect=_start_works,
        may=_livelihood,
    ),
    Move(
        "photo",
        _("Add a progress photo"),
        (Project.State.IN_PROGRESS,),
        None,
        "projects.change",
        forms.PhotoForm,
        guard=_photo_ok,
        effect=_add_photo,
        may=_livelihood,
        versioned=False,
        style="outline-secondary",
    ),
    Move(
        "pay",
        _("Record a payment"),
        (Project.State.IN_PROGRESS, Project.State.ACCEPTED),
        None,
        "projects.approve",
        forms.PaymentForm,
        guard=_payable,
        effect=_pay,
        may=_livelihood,
        versioned=False,
        style="outline-secondary",
    ),
    Move(
        "accept",
        _("Accept (验收)"),
        (Project.State.IN_PROGRESS,),
        Project.State.ACCEPTED,
        "projects.change",
        forms.AcceptForm,
        guard=_acceptable,
        effect=_accept,
        may=_livelihood,
        style="success",
    ),
    Move(
        "evaluate",
        _("Evaluate and publish the accounts (问效 · 晒账)"),
        (Project.State.ACCEPTED,),
        Project.State.DELIVERED,
        "projects.change",
        forms.EvaluateForm,
        effect=_evaluate,
        may=_livelihood,
        style="success",
    ),
]


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
            may=_cobuilding,
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
            may=_cobuilding,
        ),
        *LIVELIHOOD_MOVES,
        Move(
            "cancel",
            _("Cancel"),
            (Project.State.PROPOSED, Project.State.APPROVED, Project.State.PLANNED, Project.State.IN_PROGRESS),
            Project.State.CANCELLED,
            "projects.change",
            forms.ReasonForm,
            effect=_cancel,
            style="outline-danger",
        ),
    ],
    start=(Project.State.PLANNED, _("staff or the joint meeting plan it; a 民生实事 is applied for (proposed)")),
    doc="projects.md",
)
