"""晒事: the public board of each community — settled requests, meeting notices and published
outcomes of deliberation. No login, no personal data, nothing anonymous. The board reads the
domains below it and writes nothing."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View

from linli.cases.models import Case, State
from linli.deliberation.models import Meeting, Topic
from linli.places.models import Community


class BoardView(View):
    def get(self, request, community):
        community = get_object_or_404(Community, pk=community)
        cases = (
            Case.objects.filter(
                community=community, anonymous=False, state__in=(State.CLOSED, State.RATED, State.VERIFIED)
            )
            .select_related("category__parent", "compound")
            .only(
                "created_at",
                "closed_at",
                "handled_at",
                "state",
                "rating",
                "category__name",
                "category__parent__name",
                "compound__name",
            )
            .order_by("-handled_at", "-id")
        )
        page = Paginator(cases, 30).get_page(request.GET.get("page"))
        notices = Meeting.objects.filter(
            community=community, notice_published_at__isnull=False, starts_at__gte=timezone.now()
        ).order_by("starts_at")[:10]
        outcomes = Topic.objects.filter(community=community, published_at__isnull=False).order_by("-published_at")[:10]
        return render(
            request,
            "board/board.html",
            {"community": community, "page_obj": page, "notices": notices, "outcomes": outcomes},
        )


class BoardIndexView(View):
    def get(self, request):
        return render(
            request, "board/board_index.html", {"communities": Community.objects.select_related("subdistrict")}
        )
