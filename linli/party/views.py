"""The party screens (党建 · 共驻共建): the organisation tree, members, 双报到, commitments,
partners and agreements. Every list and page fetches through restrict() (403 without the
permission, 404 out of scope) and writes through actions.py or a lifecycle (workflow.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from linli.core import actions as core_actions
from linli.core import printing
from linli.core.ids import parse_id
from linli.core.scope import has_perm
from linli.core.views import ActionFormView, MatterView, ScopedMixin, apply_form_errors
from linli.orgs.models import Kind, Organisation, PartnerCategory
from linli.people.models import Person

from . import actions, forms
from .models import Agreement, CheckIn, Commitment, MemberKind, PartyMember
from .workflow import AGREEMENT, CHECK_IN, COMMITMENT


def _choice(request, name, choices):
    value = request.GET.get(name, "")
    return value if value in dict(choices) else ""


class OrgTreeView(ScopedMixin, ListView):
    """党组织体系: the party organisations in scope, each under its parent, per community."""

    model = PartyMember
    template_name = "party/index.html"
    paginate_by = 100

    def get_queryset(self):
        orgs = Organisation.objects.restrict(self.request.user, "view", domain="party").filter(kind=Kind.PARTY)
        return orgs.select_related("community", "compound", "grid", "building", "parent", "host").order_by(
            "community__name", "parent_id", "name"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = list(ctx["page_obj"])
        counts = dict(
            PartyMember.objects.restrict(self.request.user)
            .filter(in_roster=True, home_org__in=page)
            .values_list("home_org")
            .annotate(n=Count("id"))
        )
        ctx["rows"] = [(o, counts.get(o.pk, 0)) for o in _tree_order(page)]
        ctx["can_change"] = has_perm(self.request.user, "party.change")
        ctx["can_report"] = has_perm(self.request.user, "party.report")
        return ctx


def _tree_order(orgs):
    """(org, depth) depth-first within the page; an org whose parent is not on the page is a root."""
    by_parent: dict = {}
    ids = {o.pk for o in orgs}
    for o in orgs:
        by_parent.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)
    out = []

    def walk(parent, depth):
        for o in by_parent.get(parent, []):
            o.depth = range(depth)
            out.append(o)
            walk(o.pk, depth + 1)

    walk(None, 0)
    return out


# --- members -------------------------------------------------------------------------------------


class MemberListView(ScopedMixin, ListView):
    """党员名册: members in scope, filtered by kind, roster and grid; no ID number or phone here."""

    model = PartyMember
    template_name = "party/member_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().select_related("person", "grid", "community", "home_org", "workplace_org")
        kind = _choice(self.request, "kind", MemberKind.choices)
        if kind:
            qs = qs.filter(kind=kind)
        if self.request.GET.get("roster") in ("1", "0"):
            qs = qs.filter(in_roster=self.request.GET["roster"] == "1")
        grid = parse_id(self.request.GET.get("grid"))
        if grid:
            qs = qs.filter(grid_id=grid)
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "kinds": MemberKind.choices,
            "can_change": has_perm(self.request.user, "party.change"),
        }


class MemberDetailView(ScopedMixin, View):
    """A member: kind, organisations, 双报到, posts and commitments. The phone is shown masked, and
    only to those who see the person in the ledger."""

    model = PartyMember

    def get(self, request, pk, claim=None, status=200):
        member = get_object_or_404(
            self.get_queryset().select_related("person", "grid", "community", "home_org", "workplace_org"), pk=pk
        )
        sees_person = Person.objects.restrict(request.user).filter(pk=member.person_id).exists()
        can_change = member.allows(request.user, "change")
        if can_change and claim is None and member.in_roster:
            claim = forms.ClaimPostForm(member=member, initial={"year": timezone.localdate().year})
        ctx = {
            "member": member,
            "sees_person": sees_person,
            "check_ins": member.check_ins.select_related("organisation", "community"),
            "commitments": member.commitments.select_related("post"),
            "claim": claim if can_change else None,
        }
        return render(request, "party/member_detail.html", ctx, status=status)


class ClaimPostView(MemberDetailView):
    action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        member = get_object_or_404(self.get_queryset(), pk=pk)
        form = forms.ClaimPostForm(request.POST, member=member)
        if form.is_valid():
            try:
                actions.claim_post(actor=request.user, member=member, **form.cleaned_data)
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("The post is claimed."))
                return redirect(member.get_absolute_url())
        return self.get(request, pk, claim=form, status=400)


class MemberCreateView(ActionFormView):
    model = PartyMember
    action = "change"
    form_class = forms.MemberForm

    @property
    def title(self):
        return _("New party member")

    def act(self, data):
        return actions.add_member(actor=self.request.user, **data)


class ReportMemberView(ActionFormView):
    model = CheckIn
    action = "report"
    form_class = forms.ReportMemberForm

    @property
    def title(self):
        return _("Report an in-service member (双报到)")

    def act(self, data):
        return actions.report_member(actor=self.request.user, **data)


class ReportOrganisationView(ReportMemberView):
    form_class = forms.ReportOrganisationForm

    @property
    def title(self):
        return _("Report an organisation to a community")

    def act(self, data):
        return actions.report_organisation(actor=self.request.user, **data)


# --- lifecycle pages (core.views.MatterView): a check-in, a commitment, an agreement ---------------


class CheckInListView(ScopedMixin, ListView):
    model = CheckIn
    template_name = "party/check_in_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().select_related("organisation", "community", "member__person")
        state = _choice(self.request, "state", CheckIn.State.choices)
        return qs.filter(state=state) if state else qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "states": CheckIn.State.choices,
            "can_report": has_perm(self.request.user, "party.report"),
        }


class CheckInView(MatterView):
    model = CheckIn
    lifecycle = CHECK_IN
    template_name = "party/check_in_detail.html"
    select = ("organisation", "community", "member__person", "reported_by")


class CommitmentListView(ScopedMixin, ListView):
    """承诺 · 践诺 of the community: each member's commitment for the year and its check."""

    model = Commitment
    template_name = "party/commitment_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().select_related("member__person", "post", "grid")
        state = _choice(self.request, "state", Commitment.State.choices)
        year = parse_id(self.request.GET.get("year"))
        qs = qs.filter(state=state) if state else qs
        return qs.filter(year=year) if year else qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"states": Commitment.State.choices}


class CommitmentView(MatterView):
    model = Commitment
    lifecycle = COMMITMENT
    template_name = "party/commitment_detail.html"
    select = ("member__person", "post", "grid")


# --- partners and agreements ---------------------------------------------------------------------


class PartnerListView(ScopedMixin, ListView):
    """共建单位 by category, with their agreements in force."""

    model = PartyMember  # the party domain's permission; the rows are organisations
    template_name = "party/partner_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Organisation.objects.restrict(self.request.user, "view").filter(kind=Kind.PARTNER)
        category = _choice(self.request, "category", PartnerCategory.choices)
        qs = qs.filter(partner_category=category) if category else qs
        signed = Q(agreements__state=Agreement.State.SIGNED)
        qs = qs.select_related("community").annotate(in_force=Count("agreements", filter=signed))
        return qs.order_by("partner_category", "name", "id")  # a GROUP BY drops Meta.ordering

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"categories": PartnerCategory.choices}


class PartnerDetailView(ScopedMixin, View):
    """A partner's page: contact, its party organisations, its agreements with what each side
    committed."""

    model = PartyMember

    def get(self, request, pk):
        partner = get_object_or_404(
            Organisation.objects.restrict(request.user, "view").filter(kind=Kind.PARTNER).select_related("community"),
            pk=pk,
        )
        agreements = Agreement.objects.restrict(request.user).filter(partner=partner).select_related("community")
        party = Organisation.objects.restrict(request.user, "view").filter(host=partner, kind=Kind.PARTY)
        ctx = {"partner": partner, "agreements": agreements, "party_orgs": party}
        return render(request, "party/partner_detail.html", ctx)


class AgreementListView(ScopedMixin, ListView):
    model = Agreement
    template_name = "party/agreement_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().select_related("partner", "community")
        state = _choice(self.request, "state", Agreement.State.choices)
        return qs.filter(state=state) if state else qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "states": Agreement.State.choices,
            "can_change": has_perm(self.request.user, "party.change"),
        }


class AgreementView(MatterView):
    model = Agreement
    lifecycle = AGREEMENT
    template_name = "party/agreement_detail.html"
    select = ("partner", "community", "renewal_of")

    def more_context(self, obj):
        renewal = Agreement.objects.restrict(self.request.user).filter(renewal_of=obj).first()
        return {"renewal": renewal}


class AgreementCreateView(ScopedMixin, FormView):
    model = Agreement
    action = "change"
    form_class = forms.AgreementForm
    template_name = "core/form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": Agreement(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": _("New co-building agreement")}

    def form_valid(self, form):
        try:
            obj = core_actions.create_object(Agreement, actor=self.request.user, **form.changed_values(all_fields=True))
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect(obj.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AgreementPaperView(ScopedMixin, View):
    """共驻共建协议书 printed, or as PDF (core.printing): the parties, the term, what each commits."""

    model = Agreement

    def get(self, request, pk):
        a = get_object_or_404(self.get_queryset().select_related("partner", "community"), pk=pk)
        ctx = {"a": a, "number": printing.doc_number(_("Agreement no."), a.created_at, a.pk)}
        response = render(request, "party/agreement_paper.html", ctx)
        return printing.as_pdf(request, response, f"agreement-{a.pk}") if printing.wants_pdf(request) else response
