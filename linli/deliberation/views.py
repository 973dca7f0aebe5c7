from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from linli.core.views import ScopedMixin, apply_form_errors
from linli.places.models import Building, Compound, Unit

from . import actions
from .models import Ballot, Matter, OwnerVote


class VoteForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=120)
    matter = forms.TypedChoiceField(label=gettext_lazy("matter"), choices=Matter.choices, coerce=int)
    compound = forms.ModelChoiceField(label=gettext_lazy("compound"), queryset=Compound.objects.none())
    buildings = forms.ModelMultipleChoiceField(label=gettext_lazy("only these buildings"), queryset=Building.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=gettext_lazy("only this unit"), queryset=Unit.objects.none(), required=False)
    closes_at = forms.DateTimeField(label=gettext_lazy("closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = Compound.objects.restrict(user, "manage", domain="votes")
        self.fields["buildings"].queryset = Building.objects.restrict(user, "manage", domain="votes").select_related("compound")
        self.fields["unit"].queryset = Unit.objects.restrict(user, "manage", domain="votes").select_related("building__compound")
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")


class VoteListView(ScopedMixin, ListView):
    model = OwnerVote
    template_name = "deliberation/vote_list.html"
    paginate_by = 30

    def get_queryset(self):
        return super().get_queryset().select_related("compound")


class VoteCreateView(ScopedMixin, View):
    model = OwnerVote
    action = "manage"

    def get(self, request, form=None):
        return render(request, "core/form.html", {"form": form or VoteForm(user=request.user), "title": _("New owners' vote")})

    def post(self, request):
        form = VoteForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.get(request, form)
        try:
            vote = actions.open_vote(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.get(request, form)
        return redirect(vote)


class VoteDetailView(ScopedMixin, View):
    model = OwnerVote

    def get(self, request, pk):
        vote = get_object_or_404(self.get_queryset().select_related("compound", "unit"), pk=pk)
        electors = vote.electors.select_related("ballot")
        page = Paginator(electors, 100).get_page(request.GET.get("page"))
        can_manage = OwnerVote.objects.restrict(request.user, "manage").filter(pk=vote.pk).exists()
        return render(request, "deliberation/vote_detail.html", {
            "vote": vote, "result": actions.result(vote), "page_obj": page, "can_manage": can_manage,
            "choices": Ballot.Choice.choices, "supermajority": vote.matter in (6, 7, 8),
        })

    def post(self, request, pk):
        vote = get_object_or_404(OwnerVote.objects.restrict(request.user, "manage"), pk=pk)
        try:
            if request.POST.get("close"):
                actions.close_vote(vote, actor=request.user)
                messages.success(request, _("The vote is closed."))
            else:
                actions.cast(vote.pk, int(request.POST["elector"]), request.POST.get("choice", ""), actor=request.user,
                             paper_reference=request.POST.get("paper_reference", "")[:40])
                messages.success(request, _("Ballot recorded."))
        except (KeyError, ValueError):
            messages.error(request, _("The ballot could not be read."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(f"{vote.get_absolute_url()}?page={request.POST.get('page', 1)}")
