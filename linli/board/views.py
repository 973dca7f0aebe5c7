"""晒事: the public board of each community — settled requests read as 问题—措施—结果, owners' vote
results, consent campaign outcomes, meeting notices and resolutions, published outcomes of
deliberation, the maintenance funds' accounts (funds.public) and the month's three rates. No
login, no personal data, nothing anonymous. The board reads the domains below it (board.content)
and writes nothing."""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from linli.cases.models import Case, CasePhoto, Category
from linli.core.keyset import Keyset
from linli.core.views import keyset_page
from linli.deliberation.models import Meeting, StepRecord, Topic
from linli.funds import public as funds_public
from linli.places.models import Community, Compound

from . import content

PAGE = 30
# latest handled first, paged by cursor (core.keyset; the index case_board serves it); a request
# closed without being handled has no handled_at and comes first, as PostgreSQL orders NULLs in DESC
KEYSET = Keyset("board", "handled_at")


class BoardFilterForm(forms.Form):
    """Category (a top category covers its sub-categories) and compound of this community. Only the
    categories of requests on the board are offered: a whisper's category is not hinted at."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("Choose a category from the list.")},
    )
    compound = forms.ModelChoiceField(
        label=_("Compound"),
        queryset=Compound.objects.none(),
        required=False,
        empty_label=_("All compounds"),
        error_messages={"invalid_choice": _("Choose a compound of this community.")},
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        # a probe per category (it stops at the first request found), not a scan of the board's requests
        on_board = Case.objects.filter(content.on_board(community), category=OuterRef("pk"))
        used = Category.objects.filter(Exists(on_board)).values("pk")
        self.fields["category"].queryset = (
            Category.objects.filter(Q(pk__in=used) | Q(children__in=used))
            .distinct()
            .select_related("parent")
            .order_by("parent__order", "parent__name", "order", "name")
        )
        self.fields["compound"].queryset = Compound.objects.filter(community=community)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class BoardView(View):
    def get(self, request, community):
        community = get_object_or_404(Community, pk=community)
        filters = BoardFilterForm(request.GET or None, community=community)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        cases = content.cases(community, chosen.get("category"), chosen.get("compound"))
        page = keyset_page(request, KEYSET, cases, PAGE)
        notices = Meeting.objects.filter(
            community=community, notice_published_at__isnull=False, starts_at__gte=timezone.now()
        ).order_by("starts_at")[:10]
        outcomes = Topic.objects.filter(community=community, published_at__isnull=False).order_by("-published_at")[:10]
        # 决议公开 · 实施结果公开: the publication steps of the procedures, checked for personal data
        publications = (
            StepRecord.objects.filter(topic__community=community, public=True)
            .select_related("topic", "step")
            .order_by("-completed_at", "-id")[:10]
        )
        return render(
            request,
            "board/board.html",
            {
                "community": community,
                "filters": filters,
                "page_obj": page,
                "notices": notices,
                "outcomes": outcomes,
                "publications": publications,
                "votes": content.vote_results(community),
                "consents": content.consent_outcomes(community),
                "resolutions": content.resolutions(community),
                "projects": content.projects(community),
                "livelihood": content.livelihood(community),
                "wishes": content.delivered_wishes(community),
                "figures": content.figures(community),
                "published_funds": funds_public.board(community),
            },
        )


class BoardIndexView(View):
    def get(self, request):
        return render(
            request, "board/board_index.html", {"communities": Community.objects.select_related("subdistrict")}
        )


class PublicPhotoView(View):
    """A result photo its handler marked public, of a request on a board; any other photo is a 404."""

    def get(self, request, pk):
        try:
            photo = content.public_photo(pk)
        except CasePhoto.DoesNotExist:
            raise Http404 from None
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["Cache-Control"] = "public, max-age=3600"
        return response
