"""The facility screens (设施台账): the register filtered by kind, compound, state, inspection
and repeated failures; a facility's page with its inspections, its timeline, the history the
apps above register (requests and work orders; later fund uses and projects) and its moves;
the register's forms. Every list and page fetches through restrict() (403 without the
permission, 404 out of scope) and writes through actions.py or the lifecycle (workflow.py)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from linli.core.scope import has_perm
from linli.core.views import (
    ExportMixin,
    MatterView,
    ScopedMixin,
    apply_form_errors,
    detached,
    export_context,
    require_perm,
)
from linli.places.models import Compound

from . import actions, exports, extensions, forms, rules
from .filters import filter_register
from .models import Facility, FacilityKind
from .workflow import LIFECYCLE

LIST_SELECT = ("compound", "building", "unit", "maintainer")


class FacilityListView(ScopedMixin, ListView):
    """The register: facilities in scope, paginated, in a fixed number of queries whatever the page."""

    model = Facility
    template_name = "facilities/facility_list.html"
    paginate_by = 50

    def get_queryset(self):
        user, today = self.request.user, timezone.localdate()
        qs = filter_register(super().get_queryset(), self.request.GET, user, today).select_related(*LIST_SELECT)
        if has_perm(user, "facilities.monitor") and "recent_failures" not in qs.query.annotations:
            qs = rules.with_recent_failures(qs)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        for f in ctx["page_obj"]:
            f.overdue = f.inspection_overdue(today)
            f.candidate = rules.is_candidate(getattr(f, "recent_failures", 0))
        return (
            ctx
            | {
                "kinds": FacilityKind.choices,
                "states": Facility.State.choices,
                "inspections": [("overdue", _("Inspection overdue")), ("soon", _("Inspection due soon"))],
                "compounds": Compound.objects.restrict(user, "view", domain="facilities").order_by("sort_key"),
                "can_change": has_perm(user, "facilities.change"),
                "monitor": has_perm(user, "facilities.monitor"),
                "threshold": rules.failures_threshold(),
            }
            | export_context(user, exports.FACILITIES, "facilities:export")
        )


class FacilityExportView(ExportMixin, FacilityListView):
    """导出 CSV / 导出 Excel of the register as filtered (core.views.ExportMixin)."""

    export = exports.FACILITIES
    list_url = "facilities:list"


class FacilityDetailView(MatterView):
    """A facility: the register's fields, its moves, inspections and timeline, and the history
    the apps above register (facilities.extensions). The repeated-failure flag is for those who
    watch the facilities (facilities.monitor), not for residents: it counts other people's
    requests."""

    model = Facility
    lifecycle = LIFECYCLE
    template_name = "facilities/facility_detail.html"
    select = (*LIST_SELECT, "community")

    def more_context(self, facility):
        user = self.request.user
        monitor = has_perm(user, "facilities.monitor")
        recent = None
        if monitor:
            recent = rules.with_recent_failures(Facility.objects.filter(pk=facility.pk)).get().recent_failures
        return {
            "facility": facility,
            "overdue": facility.inspection_overdue(timezone.localdate()),
            "inspections": facility.inspections.all()[:20],
            "events": facility.events.select_related("actor")[:30],
            "sections": extensions.history_for(user, facility),
            "monitor": monitor,
            "recent_failures": recent,
            "candidate": recent is not None and rules.is_candidate(recent),
            "topic_url": self.topic_url(facility, recent),
            "threshold": rules.failures_threshold(),
            "can_change": facility.allows(user, "change"),
        }

    def topic_url(self, facility, recent):
        """议题候选 → 议题: the topic form of the deliberation app (linked by URL name, not imported)
        with the requests counted, for those who raise topics; it checks them in their scope."""
        if recent is None or not rules.is_candidate(recent) or not has_perm(self.request.user, "votes.manage"):
            return None
        ids = ",".join(str(i) for i in rules.recent_failure_ids(facility))
        return f"{reverse('deliberation:topic_create')}?{urlencode({'cases': ids})}"


class _RegisterForm(ScopedMixin, FormView):
    model = Facility
    action = "change"
    form_class = forms.FacilityForm
    template_name = "core/form.html"

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            obj = self.act(form)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(obj.get_absolute_url())


class FacilityCreateView(_RegisterForm):
    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": Facility(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": _("New facility")}

    def act(self, form):
        return actions.add_facility(actor=self.request.user, **form.changed_values(all_fields=True))


class FacilityEditView(_RegisterForm):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_perm(request.user, "facilities.change")
            self.object = get_object_or_404(Facility.objects.restrict(request.user, "change"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": detached(self.object), "user": self.request.user}

    def get_context_data(self, **kwargs):
        title = _("Edit %(name)s") % {"name": self.object}
        return super().get_context_data(**kwargs) | {"title": title, "object": self.object}

    def act(self, form):
        data = {k: v for k, v in form.changed_values().items() if k not in actions.PLACE_FIELDS}
        return actions.edit_facility(self.object, actor=self.request.user, **data)
