"""Residents: the filtered ledger list, households, persons, and the audited reveal."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from linli.core import actions as core_actions
from linli.core.scope import has_perm
from linli.core.views import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedDetailView,
    ScopedMixin,
    detached,
    get_by_id_or_404,
    require_perm,
)
from linli.places.models import Grid, House

from . import actions, privacy
from .filters import PersonFilter
from .forms import HouseholdForm, OwnershipForm, PersonForm, ResidentPostForm, TagForm
from .models import Household, Ownership, Person, ResidentPost, Tag

LIST_SELECT = ["household__house__unit__building__compound", "grid"]


def person_list_queryset(user, params):
    """The residents list and its export share this: scope first, then the user's filters."""
    qs = Person.objects.restrict(user).select_related(*LIST_SELECT).prefetch_related("tags")
    return PersonFilter(params, queryset=qs, user=user)


class PersonListView(ScopedMixin, ListView):
    model = Person
    paginate_by = 50
    template_name = "people/person_list.html"

    def get_queryset(self):
        self.filterset = person_list_queryset(self.request.user, self.request.GET)
        # names by pinyin (core.collation), not by character code
        return self.filterset.qs.order_by("community_id", "sort_key", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["can_export"] = has_perm(self.request.user, "people.export")
        ctx["can_search_identifiers"] = has_perm(self.request.user, "people.reveal")
        return ctx


def place_links(user, obj):
    """Whether the grid and house in the breadcrumbs may be opened by this user."""
    return {
        "grid_linkable": Grid.objects.restrict(user).filter(pk=obj.grid_id).exists(),
        "house_linkable": House.objects.restrict(user)
        .filter(pk=getattr(obj, "house_id", None) or obj.household.house_id)
        .exists(),
    }


class HouseholdDetailView(ScopedDetailView):
    model = Household
    template_name = "people/household_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("house__unit__building__compound", "grid")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["members"] = (
            Person.objects.restrict(self.request.user).filter(household=self.object).prefetch_related("tags")
        )
        ctx["can_reveal"] = privacy.reveals(self.request.user, self.object)
        ctx.update(place_links(self.request.user, self.object))
        return ctx


@method_decorator(never_cache, name="dispatch")
class PersonDetailView(ScopedDetailView):
    """Never stored: the back/forward cache would restore it with a revealed value swapped in."""

    model = Person
    template_name = "people/person_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("household__house__unit__building__compound", "grid")
            .prefetch_related("tags", "posts__grid")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_reveal"] = privacy.reveals(self.request.user, self.object)
        p = self.object
        ctx.update(place_links(self.request.user, p))
        ctx["sensitive"] = [
            ("id_number", Person._meta.get_field("id_number").verbose_name, p.id_number_masked),
            ("phone", Person._meta.get_field("phone").verbose_name, p.phone_masked),
        ]
        return ctx


@method_decorator(never_cache, name="dispatch")
class RevealView(ScopedMixin, View):
    """POST only: shows one clear value, in place (htmx), and audits it. Never stored by a
    browser or proxy cache (Cache-Control: no-store, private), nor in htmx's history snapshot."""

    model = Person
    action = "reveal"

    def post(self, request, pk, field):
        person = get_object_or_404(self.get_queryset(), pk=pk)
        if field not in actions.REVEALABLE:
            raise Http404
        value = actions.reveal_field(person, field, actor=request.user)
        return render(request, "people/_revealed.html", {"value": value})


class HouseholdCreateView(ScopedCreateView):
    model = Household
    parent_model = House
    parent_field = "house"
    form_class = HouseholdForm


class PersonCreateView(ScopedCreateView):
    model = Person
    parent_model = Household
    parent_field = "household"
    form_class = PersonForm


class HouseholdDeleteView(ScopedDeleteView):
    model = Household

    def success_url(self, obj):
        return obj.house.get_absolute_url()


class PersonDeleteView(ScopedDeleteView):
    model = Person

    def success_url(self, obj):
        return obj.household.get_absolute_url()


class TagListView(LoginRequiredMixin, View):
    """The configurable tag list (党员, 低保, 独居老人 …): add, rename, mark sensitive."""

    def get(self, request, form=None):
        require_perm(request.user, "tags.change")
        tags = Tag.objects.annotate(n=Count("people"))
        return render(request, "people/tag_list.html", {"tags": tags, "form": form or TagForm()})

    def post(self, request):
        require_perm(request.user, "tags.change")
        instance = get_by_id_or_404(Tag.objects.all(), request.POST["pk"]) if request.POST.get("pk") else None
        form = TagForm(request.POST, instance=detached(instance) if instance else None)
        if not form.is_valid():
            return self.get(request, form=form)
        data = {k: form.cleaned_data[k] for k in ("name", "sensitive", "order")}
        if instance:
            core_actions.update_object(instance, actor=request.user, **data)
        else:
            core_actions.create_object(Tag, actor=request.user, **data)
        messages.success(request, _("Saved."))
        return redirect("people:tags")


class ResidentPostCreateView(ScopedCreateView):
    model = ResidentPost
    parent_model = Grid
    parent_field = "grid"
    form_class = ResidentPostForm


class ResidentPostDeleteView(ScopedDeleteView):
    model = ResidentPost
    action = "change"  # ending a post is part of keeping the grid's people current

    def success_url(self, obj):
        return obj.grid.get_absolute_url()


class OwnershipCreateView(ScopedCreateView):
    """产权人: register an owner of a house (audited by core.actions)."""

    model = Ownership
    parent_model = House
    parent_field = "house"
    form_class = OwnershipForm


class OwnershipDeleteView(ScopedDeleteView):
    model = Ownership
    action = "change"  # keeping the register current is part of keeping the ledger

    def success_url(self, obj):
        return obj.house.get_absolute_url()
