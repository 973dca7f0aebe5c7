from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import Form
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from linli.cases.models import Case
from linli.cases.similarity import clusters
from linli.core import notify, printing
from linli.core.forms import style
from linli.core.ids import parse_ids
from linli.core.lifecycle import Conflict, Lifecycle, VersionForm
from linli.core.scope import has_perm
from linli.core.views import (
    ExportMixin,
    ScopedMixin,
    apply_form_errors,
    export_context,
    form_with_errors,
    get_by_id_or_404,
    require_perm,
)
from linli.orgs.models import Organisation

from . import actions, exports, filters, meetings, procedures
from .forms import (
    ActionItemForm,
    BallotForm,
    ConsentForm,
    MeetingForm,
    OutcomeForm,
    ProcedureForm,
    ProcedureStepForm,
    ResidentTopicForm,
    TopicForm,
    VoteForm,
)
from .models import (
    Ballot,
    ConsentCampaign,
    HandVote,
    Invitation,
    Meeting,
    Opinion,
    OwnerVote,
    Procedure,
    StepRule,
    Topic,
    reads_as_resident,
    sees_decline_reason,
)
from .workflow import MEETING, OWNER_VOTE, TOPIC


class VoteListView(ScopedMixin, ListView):
    model = OwnerVote
    template_name = "deliberation/vote_list.html"
    paginate_by = 30

    def get_queryset(self):
        return filters.votes(super().get_queryset().select_related("compound"), self.request.GET)

    def get_context_data(self, **kwargs):
        campaigns = ConsentCampaign.objects.restrict(self.request.user).select_related("compound")[:20]
        return (
            super().get_context_data(**kwargs)
            | {"campaigns": campaigns}
            | export_context(self.request.user, exports.VOTES, "deliberation:votes")
        )


class ActionFormView(ScopedMixin, View):
    """A form whose valid data goes to one action; the action's ValidationErrors come back onto the
    form's fields. Subclasses name the form, the title and the action (`perform`)."""

    action = "manage"
    form_class: type[Form] | None = None
    title: str | Promise = ""

    def make_form(self, request, data=None):
        return self.form_class(data, user=request.user)

    def get(self, request, form=None):
        return render(request, "core/form.html", {"form": form or self.make_form(request), "title": self.title})

    def post(self, request):
        form = self.make_form(request, request.POST)
        if not form.is_valid():
            return self.get(request, form)
        try:
            obj = self.perform(request, form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.get(request, form)
        return redirect(obj)


class VoteCreateView(ActionFormView):
    model = OwnerVote
    form_class = VoteForm
    title = gettext_lazy("New owners' vote")

    def perform(self, request, data):
        return actions.open_vote(actor=request.user, **data)


class VoteDetailView(ScopedMixin, View):
    model = OwnerVote

    def get(self, request, pk, failed=None, status=200):
        vote = get_object_or_404(self.get_queryset().select_related("compound", "unit"), pk=pk)
        electors = vote.electors.select_related("ballot")
        page = Paginator(electors, 100).get_page(request.GET.get("page"))
        actions.house_names(page.object_list)
        can_manage = vote.allows(request.user, "manage")
        mine = actions.own_elector(vote, request.user) if request.user.has_role("resident") else None
        return render(
            request,
            "deliberation/vote_detail.html",
            {
                "mine": mine,
                "my_ballot": Ballot.objects.filter(elector=mine).first() if mine else None,
                # owners see the figures and their own ballot, not how each neighbour voted
                "show_electorate": can_manage or not request.user.has_role("resident"),
                "vote": vote,
                "result": actions.result(vote),
                "page_obj": page,
                "can_manage": can_manage,
                "offered": {m.name for m in OWNER_VOTE.available(vote, request.user)},
                "choices": Ballot.Choice.choices,
                "own_choices": [c for c in Ballot.Choice.choices if c[0] != Ballot.Choice.SPOILED],
            },
            status=status,
        )

    def post(self, request, pk):
        """A ballot: an owner's own (`mine`), or one entered by staff from paper."""
        if request.POST.get("mine"):
            return self.cast_own(request, pk)
        vote = get_object_or_404(OwnerVote.objects.restrict(request.user, "manage"), pk=pk)
        form = BallotForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            elector = get_object_or_404(vote.electors, pk=form.cleaned_data["elector"])
            actions.cast(
                vote.pk,
                elector.pk,
                form.cleaned_data["choice"],
                actor=request.user,
                paper_reference=form.cleaned_data["paper_reference"],
            )
            messages.success(request, _("Ballot recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(f"{vote.get_absolute_url()}?page={request.POST.get('page', 1)}")

    def cast_own(self, request, pk):
        """An owner casts (or, before the close, changes) their own ballot online."""
        vote = get_object_or_404(OwnerVote.objects.restrict(request.user), pk=pk)
        mine = actions.own_elector(vote, request.user)
        if mine is None:
            raise Http404
        try:
            actions.cast(
                vote.pk,
                mine.pk,
                request.POST.get("choice", ""),
                actor=request.user,
                paper_reference=_("online"),
                online=True,
            )
            messages.success(request, _("Ballot recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(vote)


class SearchListMixin:
    """A list filtered by `filterset_class` (its `q` a full-text search, best match first: paged
    by number, as every small list), with the words to mark in its rows (`search_query`)."""

    filterset_class: type[filters.SearchFilter] = filters.SearchFilter
    select: tuple[str, ...] = ()

    def get_queryset(self):
        rows = super().get_queryset().select_related(*self.select)
        self.filterset = self.filterset_class(self.request.GET, queryset=rows, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "filter": self.filterset,
            "search_query": self.request.GET.get("q", ""),
        }


class TopicListView(SearchListMixin, ScopedMixin, ListView):
    model = Topic
    template_name = "deliberation/topic_list.html"
    paginate_by = 30
    filterset_class = filters.TopicFilter
    select = ("community", "procedure")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs) | export_context(
            self.request.user, exports.TOPICS, "deliberation:topics"
        )
        if has_perm(self.request.user, "votes.manage"):
            ctx["clusters"] = [
                (g, ",".join(str(c.pk) for c in g))
                for g in clusters(Case.objects.restrict(self.request.user, "dispatch"))
            ]
        return ctx


class TopicCreateView(ActionFormView):
    model = Topic
    title = gettext_lazy("Raise a topic")

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not has_perm(request.user, "votes.manage")
            and has_perm(request.user, "votes.propose")
        ):
            return ResidentTopicView.as_view()(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, request, data=None):
        if data is not None:
            return TopicForm(data, user=request.user)
        ids = parse_ids(request.GET.get("cases", "").split(","))  # picked on the request list
        return TopicForm(user=request.user, case_ids=ids, initial={"cases": ids})

    def perform(self, request, data):
        return procedures.raise_topic(actor=request.user, **data)


class ResidentTopicView(ScopedMixin, View):
    """A resident proposes a topic for their community; the community screens it."""

    model = Topic
    action = "propose"

    def get(self, request, form=None):
        return render(request, "core/form.html", {"form": form or ResidentTopicForm(), "title": _("Propose a topic")})

    def post(self, request):
        form = ResidentTopicForm(request.POST)
        if not form.is_valid():
            return self.get(request, form)
        ra = next(ra for ra in request.user.role_list if ra.role == "resident")
        try:
            topic = procedures.raise_topic(
                actor=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                community=ra.household.community,
                compound=ra.household.compound,
                procedure=Procedure.builtin(Procedure.COMMUNITY),
            )
        except ValidationError as exc:  # the neighbours read it: no personal data (people.public_text)
            apply_form_errors(form, exc)
            return self.get(request, form)
        messages.success(request, _("Thank you. The community will look at your topic."))
        return redirect(topic)


class TopicDetailView(ScopedMixin, View):
    model = Topic

    def get(self, request, pk, failed=None, status=200):
        """`failed`: the form of a move just refused, with its errors (the outcome's text comes
        back with what the public-text check found marked)."""
        topic = get_object_or_404(self.get_queryset().select_related("procedure", "community", "compound"), pk=pk)
        records = {r.step_id: r for r in topic.records.select_related("completed_by", "owner_vote")}
        steps = [(s, records.get(s.pk)) for s in topic.procedure.steps.all()]
        offered = {m.name for m in TOPIC.available(topic, request.user)}
        # a resident reads the topic's public summary: no neighbour's words, no internal step records
        resident_view = reads_as_resident(request.user)
        # source requests: only those the user may read anyway (a resident: their own), with the count
        cases, evaluations = procedures.readers_view(topic, request.user)
        item_form = (
            failed
            if failed is not None and failed.move == "action_item"
            else ActionItemForm(obj=topic, actor=request.user)
        )
        style(item_form)
        outcome_form = (
            failed
            if failed is not None and failed.move == "publish"
            else OutcomeForm(initial={"outcome": topic.outcome})
        )
        return render(
            request,
            "deliberation/topic_detail.html",
            {
                "topic": topic,
                "steps": steps,
                "next": procedures.next_step(topic),
                "offered": offered,
                "step_move": next((name for name in ("step", "finish") if name in offered), None),
                "can_manage": topic.allows(request.user, "manage"),
                "resident_view": resident_view,
                "sees_decline_reason": sees_decline_reason(topic, request.user),
                "cases": cases,
                "source_count": topic.cases.count(),
                # the 业主表决 step takes only a closed vote opened for this topic (steps.check_rule)
                "votes": OwnerVote.objects.restrict(request.user).filter(topic=topic, status="closed"),
                "items": topic.items.select_related("case__assignee_org", "meeting"),
                "item_form": item_form,
                "meetings": topic.meetings.all(),
                "timeline": procedures.timeline(topic, cases=cases, evaluations=evaluations),
                "cosigners": topic.cosignatures.count(),
                "evaluations": evaluations,
                "average_score": sum(e.score for e in evaluations) / len(evaluations) if evaluations else None,
                "outcome_form": outcome_form,
            },
            status=status,
        )


class MoveMixin(View):
    """POST only: one move of a lifecycle (`lifecycle`, `move`), with its own form. Refused: the
    detail page again (400) with the reason; 409 (someone else moved it first): the fresh page
    with a warning; without the permission 403, outside its scope 404."""

    http_method_names = ["post"]
    lifecycle: Lifecycle | None = None
    move: str | None = None

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        move = self.lifecycle[self.move]
        version = VersionForm(request.POST)
        try:
            if move.versioned and not version.is_valid():
                raise ValidationError(_("The action could not be carried out; check the form."))
            self.lifecycle.perform(
                obj.pk,
                move.name,
                actor=request.user,
                data=request.POST,
                version=version.cleaned_data["version"] if move.versioned else None,
            )
        except Conflict as exc:
            messages.warning(request, str(exc))
            return redirect(obj)
        except self.model.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            form = form_with_errors(move.form(obj=obj, actor=request.user, initial=request.POST.dict()), exc)
            form.move = move.name
            return self.get(request, pk, failed=form, status=400)
        messages.success(request, _("Done: %(action)s.") % {"action": move.label})
        return redirect(obj)


class VoteMoveView(MoveMixin, VoteDetailView):
    lifecycle = OWNER_VOTE


class TopicMoveView(MoveMixin, TopicDetailView):
    lifecycle = TOPIC


class MeetingListView(SearchListMixin, ScopedMixin, ListView):
    model = Meeting
    template_name = "deliberation/meeting_list.html"
    paginate_by = 30
    filterset_class = filters.MeetingFilter
    select = ("community",)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | export_context(
            self.request.user, exports.MEETINGS, "deliberation:meetings"
        )


class MeetingCreateView(ActionFormView):
    model = Meeting
    form_class = MeetingForm
    title = gettext_lazy("Convene a meeting")

    def perform(self, request, data):
        return meetings.create_meeting(actor=request.user, **data)


class MeetingDetailView(ScopedMixin, View):
    model = Meeting
    template = "deliberation/meeting_detail.html"

    def get(self, request, pk, failed=None, status=200):
        """`failed`: the form of a move just refused; a notice refused for personal data shows
        the title and location with what was found marked."""
        meeting = get_object_or_404(self.get_queryset().select_related("community", "compound"), pk=pk)
        marked = [(Meeting._meta.get_field(name).verbose_name, html) for name, html in getattr(failed, "marked", [])]
        return render(
            request,
            self.template,
            {
                "marked": marked,
                "meeting": meeting,
                "offered": {m.name for m in MEETING.available(meeting, request.user)},
                "invitations": meeting.invitations.select_related("organisation"),
                "opinions": meeting.opinions.select_related("speaker", "topic"),
                "agenda": meeting.topics.all(),
                "hand_votes": meeting.hand_votes.all(),
                "items": meeting.items.select_related("case__assignee_org", "topic"),
                "modes": Opinion.Mode.choices,
                "organisations": Organisation.objects.filter(subdistrict_id=meeting.subdistrict_id).order_by(
                    "kind", "name"
                ),
                "hand_rules": HandVote.Rule.choices,
                "can_manage": meeting.allows(request.user, "manage"),
            }
            | self.extra_context(meeting),
            status=status,
        )

    def extra_context(self, meeting):
        return {}


class MeetingMoveView(MoveMixin, MeetingDetailView):
    lifecycle = MEETING


class ConsentCreateView(ScopedMixin, View):
    model = ConsentCampaign
    action = "manage"

    def get(self, request, form=None):
        return render(
            request,
            "core/form.html",
            {"form": form or ConsentForm(user=request.user), "title": _("Ask households for consent")},
        )

    def post(self, request):
        form = ConsentForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.get(request, form)
        try:
            campaign = actions.open_campaign(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.get(request, form)
        return redirect(campaign)


class ConsentView(ScopedMixin, View):
    """同意率: each house's answer, recorded by staff door to door, and the progress. A 民生实事's
    campaign is recorded on its project's page (the shares paid fund its budget)."""

    model = ConsentCampaign

    def get(self, request, pk):
        campaign = get_object_or_404(self.get_queryset().select_related("compound"), pk=pk)
        yes, total, reached = campaign.progress()
        answers = dict(campaign.consents.values_list("house_id", "consent"))
        page = Paginator(campaign.houses().select_related("unit__building").order_by("id"), 100).get_page(
            request.GET.get("page")
        )
        rows = [(house, answers.get(house.pk)) for house in page]
        return render(
            request,
            "deliberation/consent.html",
            {
                "campaign": campaign,
                "yes": yes,
                "total": total,
                "reached": reached,
                "rows": rows,
                "page_obj": page,
                "percent": (yes * 1000 // total) / 10 if total else 0,
                "can_manage": campaign.allows(request.user, "manage") and campaign.share_fen is None,
                "project": getattr(campaign, "project", None),  # none: the reverse accessor raises
            },
        )

    def post(self, request, pk):
        campaign = get_object_or_404(
            ConsentCampaign.objects.restrict(request.user, "manage").filter(project=None), pk=pk
        )
        house = get_by_id_or_404(campaign.houses(), request.POST.get("house"))
        actions.record_consent(campaign, house, actor=request.user, consent=request.POST.get("consent") == "yes")
        return redirect(f"{campaign.get_absolute_url()}?page={request.POST.get('page', 1)}")


class OwnConsentView(LoginRequiredMixin, View):
    """A resident's own house in the consent campaigns that ask it: the campaign, the threshold and
    their own answer, which they may give or change — no one else's answer, no count of houses."""

    def get(self, request):
        rows = actions.own_campaigns(request.user)
        return render(request, "deliberation/consent_own.html", {"rows": rows})

    def post(self, request):
        campaign_id = parse_ids([request.POST.get("campaign", "")])
        answer = request.POST.get("consent")
        if not campaign_id or answer not in ("yes", "no"):
            raise Http404
        try:
            actions.answer_own(request.user, campaign_id[0], answer == "yes")
        except ConsentCampaign.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your answer is recorded."))
        return redirect("deliberation:consent_own")


class ConfirmAttendanceView(View):
    """The participant opens their personal link on a phone at the meeting and confirms."""

    def invitation(self, token):
        inv = Invitation.from_token(token)
        if inv is None:
            raise Http404
        return inv

    def get(self, request, token):
        inv = self.invitation(token)
        return render(request, "deliberation/confirm.html", {"inv": inv, "meeting": inv.meeting})

    def post(self, request, token):
        inv = self.invitation(token)
        if timezone.localdate() != timezone.localdate(inv.meeting.starts_at):
            messages.error(request, _("Attendance is confirmed on the day of the meeting."))
        else:
            try:
                meetings.confirm_attendance(inv)
                messages.success(request, _("Thank you, your attendance is recorded."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect(inv.get_confirm_url())


class MinutesView(MeetingDetailView):
    """会议纪要: a printable page, and the same page as a PDF rendered by WeasyPrint with the
    system's CJK fonts (Debian: fonts-noto-cjk, libpango)."""

    template = "deliberation/minutes.html"

    def extra_context(self, meeting):
        invited = list(meeting.invitations.all())
        return {
            "number": printing.doc_number(_("Minutes no."), meeting.starts_at, meeting.pk),
            "present": [i for i in invited if i.signed_in_at],
            "absent": [i for i in invited if not i.signed_in_at],
        }

    def get(self, request, pk):
        response = super().get(request, pk)
        if not printing.wants_pdf(request) or response.status_code != 200:
            return response
        return printing.as_pdf(request, response, f"minutes-{pk}")

    def post(self, request, pk):
        raise Http404


class InvitationCardsView(ScopedMixin, View):
    """邀请函: a printable card per invitation with the participant's personal sign-in link and its
    QR code (drawn here by segno, no outside service), for those who manage the meeting."""

    model = Meeting
    action = "manage"

    def get(self, request, pk):
        meeting = get_object_or_404(self.get_queryset(), pk=pk)
        cards = []
        for invitation in meeting.invitations.all():
            link = notify.absolute(invitation.get_confirm_url())
            cards.append((invitation, link, printing.qr_data_uri(link)))
        response = render(request, "deliberation/invitations.html", {"meeting": meeting, "cards": cards})
        return printing.as_pdf(request, response, f"invitations-{pk}") if printing.wants_pdf(request) else response


class ProcedureSettingsView(LoginRequiredMixin, View):
    """Administrators define further procedures from the same building blocks (the step rules)."""

    def get(self, request):
        require_perm(request.user, "config.change")
        procs = Procedure.objects.prefetch_related("steps").annotate(n_topics=Count("topics"))
        return render(request, "deliberation/procedures.html", {"procedures": procs, "rules": StepRule.choices})

    def post(self, request):
        """A new procedure."""
        require_perm(request.user, "config.change")
        return self.submit(request, ProcedureForm(request.POST), procedures.add_procedure)

    def submit(self, request, form, action, *args):
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            action(*args, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("deliberation:procedures")


class ProcedureStepView(ProcedureSettingsView):
    """POST only: one more step at the end of a procedure no topic follows yet."""

    http_method_names = ["post"]
    model = Procedure  # what the URL's id names

    def post(self, request, pk):
        require_perm(request.user, "config.change")
        procedure = get_by_id_or_404(Procedure.objects.all(), pk)
        return self.submit(request, ProcedureStepForm(request.POST), procedures.add_step, procedure)


# 导出 CSV / 导出 Excel of each list as filtered (core.views.ExportMixin)
class VoteExportView(ExportMixin, VoteListView):
    export = exports.VOTES
    list_url = "deliberation:votes"


class TopicExportView(ExportMixin, TopicListView):
    export = exports.TOPICS
    list_url = "deliberation:topics"


class MeetingExportView(ExportMixin, MeetingListView):
    export = exports.MEETINGS
    list_url = "deliberation:meetings"
