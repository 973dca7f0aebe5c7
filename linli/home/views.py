"""The workbench: what a signed-in user starts from — their to-do (待办, home.todo), their roles,
grids and communities; a resident's requests, votes and household. It composes the domains below
it and owns no data."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from linli.core.scope import has_perm
from linli.people.models import Household
from linli.places.models import Community, Grid

from . import todo


class HomeView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        ctx = {
            "roles": user.role_assignments.select_related(
                "subdistrict", "community", "grid", "building", "unit", "household", "organisation"
            ),
            "todo": todo.staff_items(request),
        }
        if has_perm(user, "places.view"):
            ctx["grids"] = Grid.objects.restrict(user).select_related("community")[:12]
            ctx["communities"] = Community.objects.restrict(user)[:12]
        if user.has_role("resident"):
            ctx["own_households"] = (
                Household.objects.restrict(user)
                .filter(id__in=[ra.household_id for ra in user.role_list if ra.role == "resident"])
                .select_related("house__unit__building__compound")
            )
            ctx.update(todo.resident_todo(request))
        return render(request, "home/home.html", ctx)
