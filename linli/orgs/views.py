from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from linli.core import actions
from linli.core.views import ScopedDeleteView, ScopedDetailView, ScopedMixin, apply_form_errors
from linli.places.models import Community, Compound, Subdistrict

from .forms import OrganisationForm
from .models import Kind, Organisation


class OrganisationListView(ScopedMixin, ListView):
    model = Organisation
    paginate_by = 50
    template_name = "orgs/org_list.html"

    def get_queryset(self):
        qs = super().get_queryset().select_related("community", "compound")
        kind = self.request.GET.get("kind")
        return qs.filter(kind=kind) if kind in Kind.values else qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = Kind.choices
        ctx["can_create"] = (
            Subdistrict.objects.restrict(self.request.user, "change", domain="orgs").exists()
            or Community.objects.restrict(self.request.user, "change", domain="orgs").exists()
        )
        return ctx


class OrganisationDetailView(ScopedDetailView):
    model = Organisation
    template_name = "orgs/org_detail.html"

    def get_context_data(self, **kwargs):

        ctx = super().get_context_data(**kwargs)
        ctx["compounds"] = Compound.objects.restrict(self.request.user).filter(property_company=self.object)
        return ctx


class OrganisationCreateView(ScopedMixin, FormView):
    """A new organisation, registered at a sub-district or community the user may change."""

    model = Organisation
    action = "change"
    form_class = OrganisationForm
    template_name = "core/form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": Organisation(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": _("New organisation")}

    def form_valid(self, form):
        try:
            obj = actions.create_object(Organisation, actor=self.request.user, **form.changed_values(all_fields=True))
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        return redirect(obj.get_absolute_url())


class OrganisationDeleteView(ScopedDeleteView):
    model = Organisation

    def success_url(self, obj):

        return reverse("orgs:list")
