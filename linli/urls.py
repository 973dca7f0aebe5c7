from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("linli.core.urls")),
    path("accounts/", include("linli.accounts.urls")),
    path("places/", include("linli.places.urls")),
    path("people/", include("linli.people.urls")),
    path("orgs/", include("linli.orgs.urls")),
    path("ledger/", include("linli.ledger.urls")),
    path("cases/", include("linli.cases.urls")),
    path("board/", include("linli.cases.board_urls")),
    path("open311/", include("linli.cases.open311_urls")),
    path("deliberation/", include("linli.deliberation.urls")),
    path("api/v1/", include("linli.api.urls")),
    path("django-admin/", admin.site.urls),
]

