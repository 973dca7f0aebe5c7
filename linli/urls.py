from django.contrib import admin
from django.urls import include, path

from linli.deliberation.views import ConfirmAttendanceView

urlpatterns = [
    path("", include("linli.home.urls")),
    path("", include("linli.core.urls")),
    path("accounts/", include("linli.accounts.urls")),
    path("places/", include("linli.places.urls")),
    path("people/", include("linli.people.urls")),
    path("orgs/", include("linli.orgs.urls")),
    path("ledger/", include("linli.ledger.urls")),
    path("cases/", include("linli.cases.urls")),
    path("board/", include("linli.board.urls")),
    path("open311/", include("linli.cases.open311_urls")),
    path("deliberation/", include("linli.deliberation.urls")),
    path("reports/", include("linli.reports.urls")),
    path("party/", include("linli.party.urls")),
    path("facilities/", include("linli.facilities.urls")),
    path("projects/", include("linli.projects.urls")),
    path("funds/", include("linli.funds.urls")),
    path("wishes/", include("linli.wishes.urls")),
    path("m/<str:token>/", ConfirmAttendanceView.as_view(), name="meeting_confirm"),
    path("api/v1/", include("linli.api.urls")),
    path("django-admin/", admin.site.urls),
]
