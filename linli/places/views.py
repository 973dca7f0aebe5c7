"""The place tree: sub-district → community → grid / compound → building → unit → house."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from linli.core.views import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedDetailView,
    ScopedEditView,
    paginate,
    require_perm,
)

from . import forms, search
from .counts import columns, counts_for
from .extensions import panels_for
from .models import Building, Community, Compound, Grid, House, Subdistrict, Unit

# For each place: the child lists shown on its page, as (model, parent field, heading).
CHILDREN = {
    Subdistrict: [(Community, "subdistrict", _("Communities"))],
    Community: [(Grid, "community", _("Grids")), (Compound, "community", _("Compounds"))],
    Grid: [(Building, "grid", _("Buildings"))],
    Compound: [(Building, "compound", _("Buildings"))],
    Building: [(Unit, "building", _("Units"))],
    Unit: [(House, "unit", _("Houses"))],
    House: [],
}
SELECT = {
    Grid: ["community"],
    Building: ["compound", "grid"],
    Unit: ["building__compound"],
    House: ["unit__building__compound"],
    Compound: ["property_company"],
}
TOP_DOWN = [Subdistrict, Community, Grid, Compound, Building, Unit]


def place_table(request, model, queryset, heading):
    """One page of places with their counts (one grouped query per kind of count)."""
    level = model._meta.model_name
    page = paginate(request, queryset.select_related(*SELECT.get(model, [])), per_page=100)
    counts = counts_for(request.user, level, [o.pk for o in page])
    shown = columns(level)
    rows = [(o, [counts[o.pk][name] for name, _label in shown]) for o in page]
    return {"heading": heading, "columns": shown, "rows": rows, "page_obj": page, "model": level}


def child_table(request, model, parent_field, parent, heading):
    return place_table(request, model, model.objects.restrict(request.user).filter(**{parent_field: parent}), heading)


class TreeView(LoginRequiredMixin, View):
    """The top of the tree the user can see: the highest level among their granted places."""

    def get(self, request):
        require_perm(request.user, "places.view")
        for model in TOP_DOWN:
            table = place_table(request, model, model.objects.restrict(request.user), model._meta.verbose_name_plural)
            if table["page_obj"].paginator.count:
                return render(request, "places/tree.html", {"tables": [table]})
        return render(request, "places/tree.html", {"tables": []})


class HouseSearchView(LoginRequiredMixin, View):
    """GET ?q=枫林湾 3栋 2单元 501: the houses of the user's scope (places.view, as on the ledger's
    pages) matching the address, as JSON for the house pickers (static linli/location.js). A
    resident has no places.view: 403, never a list of addresses."""

    def get(self, request):
        require_perm(request.user, "places.view")
        houses = search.houses_matching(House.objects.restrict(request.user), request.GET.get("q", "")[:100])[
            : search.MAX_FOUND
        ]
        response = JsonResponse({"results": [{"id": h.pk, "label": str(h), "compound": h.compound_id} for h in houses]})
        response["Cache-Control"] = "private, no-store"
        return response


class PlaceDetailView(ScopedDetailView):
    template_name = "places/place_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(*SELECT.get(self.model, []))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj, user = self.object, self.request.user
        level = self.model._meta.model_name
        ctx["level"] = level
        ctx["kind"] = self.model._meta.verbose_name
        totals = counts_for(user, level, [obj.pk])[obj.pk]
        ctx["badges"] = [(label, totals[name]) for name, label in columns(level)]
        ctx["tables"] = [child_table(self.request, m, f, obj, h) for m, f, h in CHILDREN[self.model]]
        ctx["crumbs"] = visible_crumbs(user, breadcrumbs(obj))
        ctx["child_create"] = [
            (m._meta.model_name, m._meta.verbose_name) for m, _f, _h in CHILDREN[self.model] if ctx["can_change"]
        ]
        # Related places in badges are links only where the user may open them.
        related = {
            "grid": getattr(obj, "grid", None) if self.model is Building else None,
            "property_company": getattr(obj, "property_company", None) if self.model is Compound else None,
        }
        ctx["linkable"] = {k: bool(v) and v.allows(user) for k, v in related.items()}
        if self.model is Community:
            ctx["map_places"] = Grid.objects.restrict(user).filter(community=obj).exclude(boundary=None)
        ctx["panels"] = panels_for(self.request, level, obj)  # households, posts (people)
        return ctx


def breadcrumbs(obj):
    """Ancestors from the sub-district down, from the denormalised keys (already selected)."""
    chain = []
    node = obj
    parents = {
        House: "unit",
        Unit: "building",
        Building: "compound",
        Compound: "community",
        Grid: "community",
        Community: "subdistrict",
    }
    while type(node) in parents:
        node = getattr(node, parents[type(node)])
        chain.append(node)
    return list(reversed(chain))


def visible_crumbs(user, crumbs):
    """(ancestor, linkable): ancestors outside the user's scope are shown as plain text."""
    return [(c, c.allows(user)) for c in crumbs]


def detail(model):
    return PlaceDetailView.as_view(model=model)


def edit(model):
    return ScopedEditView.as_view(model=model, form_class=forms.FORMS[model])


def create(model, parent_model, parent_field):
    return ScopedCreateView.as_view(
        model=model, parent_model=parent_model, parent_field=parent_field, form_class=forms.FORMS[model]
    )


class PlaceDeleteView(ScopedDeleteView):
    def success_url(self, obj):
        crumbs = breadcrumbs(obj)
        return crumbs[-1].get_absolute_url() if crumbs else super().success_url(obj)


def delete(model):
    return PlaceDeleteView.as_view(model=model)
