"""The wish screens: the list of wishes in scope, a wish's page with the moves its viewer may take,
posting (a resident for their household, staff on behalf of one), the community's policy, the
claims of the user with their record, the delivery photo — and the public wish wall (心愿墙) of a
community, without login. Every page fetches through restrict() (403 without the permission, 404
out of scope) and writes through actions.py or the lifecycle (workflow.py).

Who wished (household, person, house) is shown only to the household itself and to the staff who
keep the community's wishes (`private`), the name masked; never to a claimant, a neighbour or the
wall."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from linli.core.ids import parse_id
from linli.core.masking import mask_name
from linli.core.scope import has_perm
from linli.core.views import MatterView, ScopedMixin, apply_form_errors
from linli.people.models import Household
from linli.places.models import Community

from . import actions, forms
from .models import ON_WALL, State, Wish, WishPolicy, claims_in, policy_for
from .workflow import WISH, is_household

WALL_PAGE = 20
# the wall's and the lists' columns: nothing of the household, the wisher or the poster
PUBLIC_FIELDS = ("title", "story", "category", "value_fen", "state", "published_at", "community_id", "version")


def private(wish, user) -> bool:
    """The household itself, or staff keeping the community's wishes (one query at most)."""
    return is_household(wish, user) or wish.allows(user, "manage")


class WishListView(ScopedMixin, ListView):
    """The wishes in scope: staff see their community's with the wisher's name masked; a resident
    sees their household's own and the community's published ones (to claim); partner staff the
    published ones of their paired community and their own claims."""

    model = Wish
    template_name = "wishes/wish_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().select_related("community", "wisher")
        state = self.request.GET.get("state", "")
        return qs.filter(state=state) if state in State.values else qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        manages = has_perm(user, "wishes.manage")
        households = user.scope_for("wishes.post").ids.get("household", set())
        ctx["rows"] = [
            (w, mask_name(w.wisher.name) if (manages and w.wisher_id) else "", manages or w.household_id in households)
            for w in ctx["page_obj"]
        ]
        ctx |= {
            "states": State.choices,
            "can_post": has_perm(user, "wishes.post"),
            "can_manage": manages,
        }
        return ctx


class WishView(MatterView):
    model = Wish
    lifecycle = WISH
    template_name = "wishes/wish_detail.html"

    def post(self, request, pk, move):
        # Someone else claimed it first: the wish left this user's scope, but it is still on the
        # public wall as claimed, so saying so reveals nothing the wall does not (the API answers 404)
        if move == "claim" and not self.get_queryset().filter(pk=pk).exists():
            taken = Wish.objects.filter(pk=pk, state=State.CLAIMED).values_list("community_id", flat=True).first()
            if taken is not None and has_perm(request.user, "wishes.claim") and claims_in(request.user, taken):
                messages.warning(request, _("Someone else has just claimed this wish. Thank you all the same."))
                return redirect("wishes:wall", community=taken)
        return super().post(request, pk, move)

    select = ("community", "wisher", "household__house__unit__building", "claimant_member__person", "claimant_org")

    def more_context(self, obj):
        user = self.request.user
        shown = private(obj, user)
        return {
            "private": shown,
            "wisher": mask_name(obj.wisher.name) if shown and obj.wisher_id else "",
            "claimant": shown or obj.claimant_user_id == user.pk,
        }


class _PostView(ScopedMixin, FormView):
    model = Wish
    template_name = "core/form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        community = self.community_id()
        if community:
            limit = policy_for(community).max_value_fen
            form.fields["value"].help_text = _("At most %(limit)s 元.") % {"limit": actions.yuan(limit)}
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"title": self.title()}

    def community_id(self):
        return None

    def form_valid(self, form):
        try:
            wish = self.act(form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("The wish is posted; the community will check it."))
        return redirect(wish.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PostWishView(_PostView):
    """A resident's wish for their own household."""

    action = "post"
    form_class = forms.WishForm

    def title(self):
        return _("Make a micro-wish")

    def community_id(self):
        households = self.request.user.scope_for("wishes.post").ids.get("household")
        return Household.objects.filter(pk=min(households)).values_list("community_id", flat=True).first()

    def act(self, data):
        return actions.post_wish(actor=self.request.user, **data)


class PostOnBehalfView(_PostView):
    """Staff post a wish for a household of their community."""

    action = "manage"
    form_class = forms.OnBehalfForm

    def title(self):
        return _("Post a wish on behalf of a household")

    def act(self, data):
        return actions.post_on_behalf(actor=self.request.user, **data)


class PolicyView(ScopedMixin, View):
    """The community's rules for wishes: value limit, days to deliver, days unclaimed."""

    model = WishPolicy
    action = "manage"

    def community(self, request):
        communities = Community.objects.restrict(request.user, "manage", domain="wishes")
        chosen = parse_id(request.GET.get("community") or request.POST.get("community"))
        return get_object_or_404(communities, pk=chosen) if chosen else communities.first()

    def get(self, request, form=None, status=200):
        community = self.community(request)
        if community is None:
            raise Http404
        form = form or forms.PolicyForm(instance=policy_for(community.pk))
        return render(request, "wishes/policy.html", {"form": form, "community": community}, status=status)

    def post(self, request):
        community = self.community(request)
        if community is None:
            raise Http404
        form = forms.PolicyForm(request.POST, instance=policy_for(community.pk))
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.set_policy(
                    actor=request.user,
                    community=community,
                    max_value=d["max_value"],
                    deliver_days=d["deliver_days"],
                    unclaimed_days=d["unclaimed_days"],
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?community={community.pk}")
        return self.get(request, form=form, status=400)


class MyClaimsView(ScopedMixin, ListView):
    """认领记录: the wishes the user claimed, with the delivered count (feeds volunteer points)."""

    model = Wish
    action = "claim"
    template_name = "wishes/my_claims.html"
    paginate_by = 50

    def get_queryset(self):
        return Wish.objects.filter(claimant_user=self.request.user).order_by("-claimed_at", "-id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"record": actions.claimant_record(self.get_queryset())}


class PhotoView(ScopedMixin, View):
    """The delivery photo: only to the household and the community's staff (never public)."""

    model = Wish

    def get(self, request, pk):
        wish = get_object_or_404(self.get_queryset().exclude(photo=""), pk=pk)
        if not private(wish, request.user):
            raise Http404
        return FileResponse(wish.photo.open("rb"), content_type="image/jpeg")


# --- the public wall ---------------------------------------------------------------------------------


class WallView(View):
    """心愿墙: a community's published wishes, without login: the wish, its category and value, and
    whether it is still waiting — the community only, never a compound, building, house, name or
    the date it was posted (docs/wishes.md, "What the wall must not reveal")."""

    def get(self, request, community):
        community = get_object_or_404(Community, pk=community)
        rows = (
            Wish.objects.filter(community=community, state__in=ON_WALL)
            .only(*PUBLIC_FIELDS)
            .order_by("-state", "-published_at", "-id")  # waiting first, then claimed
        )
        page = Paginator(rows, WALL_PAGE).get_page(request.GET.get("page"))
        ctx = {"community": community, "page_obj": page, "can_claim": has_perm(request.user, "wishes.claim")}
        return render(request, "wishes/wall.html", ctx)
