"""The screens of the three lists (三单): needs, resources, projects, the matching page and the
agenda page of a 党建联席会议. Every list and page fetches through restrict() (403 without the
permission, 404 out of scope) and writes through actions.py or a lifecycle (workflow.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from linli.cases.models import Case
from linli.core.ids import parse_id
from linli.core.scope import has_perm
from linli.core.views import ActionFormView, MatterView, ScopedMixin, apply_form_errors
from linli.deliberation.models import Topic

from . import actions, forms, matching
from .models import YEARS, Funding, Heading, Need, Payment, Photo, Project, Resource
from .workflow import NEED, PROJECT, RESOURCE


def _choice(request, name, choices):
    value = request.GET.get(name, "")
    return value if value in dict(choices) else ""


class _List(ScopedMixin, ListView):
    paginate_by = 50
    states: list = []
    select: tuple = ()

    def get_queryset(self):
        qs = super().get_queryset().select_related(*self.select)
        state = _choice(self.request, "state", self.states)
        heading = _choice(self.request, "heading", Heading.choices)
        community = parse_id(self.request.GET.get("community"))
        partner = parse_id(self.request.GET.get("partner")) if self.model is not Need else None
        qs = qs.filter(partner_id=partner) if partner else qs
        qs = qs.filter(state=state) if state else qs
        qs = qs.filter(heading=heading) if heading else qs
        return qs.filter(community_id=community) if community else qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "states": self.states,
            "headings": Heading.choices,
            "can_change": has_perm(self.request.user, "projects.change"),
            "can_offer": has_perm(self.request.user, "projects.offer"),
            "query": self.request.GET.copy(),
        }


# --- needs ---------------------------------------------------------------------------------------


class NeedListView(_List):
    """需求清单: by state, heading and community (open first by default: the newest)."""

    model = Need
    template_name = "projects/need_list.html"
    states = Need.State.choices
    select = ("community", "compound", "grid")


class NeedView(MatterView):
    """A need: who needs it, where, how many; its sources (only those the reader may see), the
    projects serving it and, while open, the resources that could meet it."""

    model = Need
    lifecycle = NEED
    template_name = "projects/need_detail.html"
    select = ("community", "compound", "grid")

    def more_context(self, obj):
        user = self.request.user
        ctx = {
            "cases": Case.objects.restrict(user).filter(needs=obj).select_related("category"),
            "topics": Topic.objects.restrict(user).filter(needs=obj),
            "projects": Project.objects.restrict(user).filter(needs=obj),
        }
        if obj.state == Need.State.OPEN:
            ctx["suggestions"] = matching.suggestions(obj, user)
        return ctx


class NeedCreateView(ActionFormView):
    model = Need
    action = "change"
    form_class = forms.NeedForm

    @property
    def title(self):
        return _("New need")

    def get_initial(self):
        initial = super().get_initial()
        case = parse_id(self.request.GET.get("case"))
        row = Case.objects.restrict(self.request.user).filter(pk=case).first() if case else None
        if row is not None:  # 从诉求生成需求: "make a need of this request"
            initial |= {"case_numbers": row.number, "community": row.community_id, "source": Need.Source.REQUEST}
        return initial

    def act(self, data):
        return actions.create_need(actor=self.request.user, **data)


# --- resources -----------------------------------------------------------------------------------


class ResourceListView(_List):
    """资源清单: by state, kind, heading, community (a partner's staff: their own)."""

    model = Resource
    template_name = "projects/resource_list.html"
    states = Resource.State.choices
    select = ("partner", "community")

    def get_queryset(self):
        kind = _choice(self.request, "kind", Resource.Kind.choices)
        qs = super().get_queryset()
        return qs.filter(kind=kind) if kind else qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"kinds": Resource.Kind.choices}


class ResourceView(MatterView):
    model = Resource
    lifecycle = RESOURCE
    template_name = "projects/resource_detail.html"
    select = ("partner", "community", "compound", "grid")

    def more_context(self, obj):
        return {"projects": Project.objects.restrict(self.request.user).filter(resources=obj)}


class ResourceCreateView(ActionFormView):
    model = Resource
    action = "offer"
    form_class = forms.ResourceForm

    @property
    def title(self):
        return _("Offer a resource")

    def act(self, data):
        return actions.offer_resource(actor=self.request.user, **data)


# --- projects ------------------------------------------------------------------------------------


class ProjectListView(_List):
    """项目清单: by state, heading, community; the budget of each row from one grouped query."""

    model = Project
    template_name = "projects/project_list.html"
    states = Project.State.choices
    select = ("community", "partner", "owner_org")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = list(ctx["page_obj"])
        totals = dict(
            Project.objects.filter(pk__in=[p.pk for p in page])
            .values_list("pk")
            .annotate(total=Sum("funding__amount_fen"))
            .order_by()
        )
        for p in page:
            p.total_fen = totals.get(p.pk) or 0
        ctx["rows"] = page
        return ctx


class ProjectView(MatterView):
    """A project: needs, resources, owner, schedule, budget by source, the joint meeting and its
    work order, and the moves."""

    model = Project
    lifecycle = PROJECT
    template_name = "projects/project_detail.html"
    select = (
        "community", "compound", "grid", "partner", "owner_org", "meeting", "action_item__case",
        "application", "consultation", "campaign__compound",
    )  # fmt: skip

    funding_form = None
    failed = None

    def get(self, request, pk, move=None, failed=None, status=200):
        self.failed = failed  # a refused answer shows its errors in the campaign's section
        return super().get(request, pk, move=move, failed=failed, status=status)

    def campaign_context(self, obj):
        """问需: the campaign's figures and, for the staff who keep or approve the project, one page
        of its houses (building, unit, room and the answer, never a resident's name), with the answer
        form if the viewer may record. A paired partner's staff read the figures only: a house's
        answer and payment is its owners' business, and the room number points to their home."""
        campaign, user = obj.campaign, self.request.user
        if not (obj.allows(user, "change") or obj.allows(user, "approve")):
            return {"campaign": campaign, "campaign_figures": campaign.figures(), "campaign_rows": None}
        page = Paginator(campaign.houses().select_related("unit__building").order_by("id"), 50).get_page(
            self.request.GET.get("page")
        )
        answers = {c.house_id: c for c in campaign.consents.filter(house__in=[h.pk for h in page])}
        may_answer = obj.state in PROJECT["answer"].sources and obj.allows(self.request.user, "change")
        failed = self.failed if self.failed is not None and self.failed.move == "answer" else None
        return {
            "campaign": campaign,
            "campaign_figures": campaign.figures(),
            "campaign_rows": [(h, answers.get(h.pk)) for h in page],
            "page_obj": page,
            "may_answer": may_answer,
            "answer_form": failed,
        }

    def more_context(self, obj):
        user = self.request.user
        funding = list(obj.funding.all())
        if obj.livelihood:
            open_budget = obj.state == Project.State.PROPOSED
        else:
            open_budget = obj.state in (Project.State.PLANNED, Project.State.IN_PROGRESS)
        can_change = open_budget and obj.allows(user, "change")
        livelihood = {}
        if obj.livelihood:
            livelihood = {
                "accounts": obj.accounts(),
                "payments": list(obj.payments.select_related("fund_use")),
                "photos": list(obj.photos.all()),
                "applied_fen": sum(f.amount_fen for f in funding),
                "approved_fen": sum(f.approved_fen or 0 for f in funding),
            }
            if obj.campaign_id:
                livelihood |= self.campaign_context(obj)
        return livelihood | {
            "needs": Need.objects.restrict(user).filter(projects=obj),
            "resources": Resource.objects.restrict(user).filter(projects=obj).select_related("partner"),
            "funding": funding,
            "total_fen": sum(f.amount_fen for f in funding),
            "work_order": Case.objects.restrict(user).filter(action_item__project=obj).first(),
            "funding_form": (self.funding_form or forms.FundingForm()) if can_change else None,
        }


class PhotoView(View):
    """A progress photo of a 民生实事 (EXIF removed when uploaded): to those who read the project,
    and to anyone once the project is published on the board (晒事); else 404."""

    def get(self, request, pk):
        photo = get_object_or_404(Photo.objects.select_related("project"), pk=pk)
        public = photo.project.state == Project.State.DELIVERED and photo.project.public_checked
        readable = (
            request.user.is_authenticated
            and Project.objects.restrict(request.user).filter(pk=photo.project_id).exists()
        )
        if not (public or readable):
            raise Http404
        return FileResponse(photo.photo.open("rb"), content_type="image/jpeg")


class LivelihoodListView(ScopedMixin, View):
    """为民办实事: the year's 民生实事 of each community in scope — state, the money approved and
    paid, and how many residents' requests each answers (five queries, however many rows)."""

    model = Project

    def get(self, request):
        years = list(range(timezone.localdate().year + 1, YEARS[0] - 1, -1))[:10]
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = 0
        if year not in years:
            return render(request, "projects/livelihood.html", {"years": years, "error": True}, status=400)
        rows = list(
            self.get_queryset()
            .filter(programme=Project.Programme.LIVELIHOOD, starts_on__year=year)
            .select_related("community", "compound")
            .order_by("community__name", "starts_on", "id")
        )
        ids = [p.pk for p in rows]
        approved = dict(
            Funding.objects.filter(project__in=ids).values_list("project").annotate(t=Sum("approved_fen")).order_by()
        )
        paid = dict(
            Payment.objects.filter(project__in=ids).values_list("project").annotate(t=Sum("amount_fen")).order_by()
        )
        # the requests it answers: through its needs, or through its 四议两公开 topic (each once)
        answered = set(
            Project.needs.through.objects.filter(project__in=ids, need__cases__isnull=False).values_list(
                "project", "need__cases"
            )
        ) | set(
            Project.objects.filter(pk__in=ids, application__cases__isnull=False).values_list("pk", "application__cases")
        )
        requests: dict = {}
        for project, _case in answered:
            requests[project] = requests.get(project, 0) + 1
        communities: dict = {}
        for p in rows:
            p.approved_fen, p.paid_fen, p.requests = approved.get(p.pk) or 0, paid.get(p.pk) or 0, requests.get(p.pk, 0)
            communities.setdefault(p.community, []).append(p)
        ctx = {"year": year, "years": years, "communities": communities, "total": len(rows)}
        return render(request, "projects/livelihood.html", ctx)


class FundingAddView(ProjectView):
    """A row of the budget (source, amount), posted from the project's page."""

    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        project = self.row(pk)
        form = forms.FundingForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.add_funding(
                    actor=request.user,
                    project=project,
                    source=d["source"],
                    amount_fen=int(d["amount_yuan"] * 100),
                    note=d["note"],
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(project)
        self.funding_form = form
        return self.get(request, pk, status=400)


class ProjectCreateView(ActionFormView):
    model = Project
    action = "change"
    form_class = forms.ProjectForm

    @property
    def title(self):
        return _("New project")

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("programme") in Project.Programme.values:
            initial["programme"] = self.request.GET["programme"]
        return initial

    def act(self, data):
        return actions.create_project(actor=self.request.user, **data)


# --- matching and the joint meeting ------------------------------------------------------------


class MatchingView(ScopedMixin, View):
    """对接: per community, the open needs and the resources available; for the community chosen,
    the unmet needs (each with its best suggestion count) and the unused resources."""

    model = Need

    def get(self, request):
        user = request.user
        communities = list(matching.communities(user)[:100])
        chosen = parse_id(request.GET.get("community"))
        chosen = next((c for c in communities if c.pk == chosen), communities[0] if len(communities) == 1 else None)
        ctx = {"summary": matching.summary(user, communities), "chosen": chosen}
        if chosen is not None:
            ctx["figures"] = matching.figures(user, chosen)
            ctx["needs"] = (
                Need.objects.restrict(user)
                .filter(community=chosen, state=Need.State.OPEN)
                .select_related("compound", "grid")
                .order_by("-people_count", "id")[:50]
            )
            ctx["resources"] = (
                matching.available(Resource.objects.restrict(user))
                .filter(community=chosen)
                .select_related("partner")
                .annotate(uses=Count("projects"))
                .order_by("uses", "available_until", "id")[:50]
            )
        return render(request, "projects/matching.html", ctx)


class MeetingAgendaView(ScopedMixin, View):
    """The agenda of a 党建联席会议 (deliberation Meeting, kind party_joint): the community's open
    needs and offered resources, the projects resolved at it (its 个性化共建清单) and, for staff
    who may run the meeting and the community's lists, the form that resolves one more (a project
    and its action item). A paired partner's staff read it (matching.joint_meetings): each list
    restricted as everywhere else — their own resources, the projects they are part of — and no
    form; the meeting's own page, which they may not open, is not linked for them."""

    model = Project

    def meeting(self, pk):
        meeting = matching.joint_meetings(self.request.user).select_related("community").filter(pk=pk).first()
        if meeting is None:
            raise Http404
        return meeting

    def may_resolve(self, meeting):
        user = self.request.user
        return meeting.allows(user, "manage") and meeting.community.allows(user, "change", domain="projects")

    def get(self, request, pk, form=None, status=200):
        meeting = self.meeting(pk)
        user = request.user
        can_resolve = self.may_resolve(meeting)
        if can_resolve and form is None:
            form = forms.ProjectForm(user=user, meeting=meeting)
        ctx = {
            "meeting": meeting,
            "meeting_visible": meeting.allows(user),
            "needs": Need.objects.restrict(user)
            .filter(community=meeting.community, state=Need.State.OPEN)
            .select_related("compound", "grid")[:50],
            "resources": matching.available(Resource.objects.restrict(user))
            .filter(community=meeting.community)
            .select_related("partner")[:50],
            "projects": Project.objects.restrict(user)
            .filter(meeting=meeting)
            .select_related("owner_org", "partner", "action_item__case"),
            "form": form if can_resolve else None,
        }
        return render(request, "projects/meeting.html", ctx, status=status)

    def post(self, request, pk):
        meeting = self.meeting(pk)
        if not self.may_resolve(meeting):
            raise PermissionDenied
        form = forms.ProjectForm(request.POST, user=request.user, meeting=meeting)
        if form.is_valid():
            try:
                project = actions.create_project(actor=request.user, meeting=meeting, **form.cleaned_data)
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(project)
        return self.get(request, pk, form=form, status=400)
