"""/api/v1/: the versioned REST API (see docs/architecture.md, "How a request flows")."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from linli.cases import api as cases_api
from linli.deliberation import api as deliberation_api

from . import auth, views

app_name = "api"

router = DefaultRouter()
router.register("subdistricts", views.SubdistrictViewSet, basename="subdistrict")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("grids", views.GridViewSet, basename="grid")
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("units", views.UnitViewSet, basename="unit")
router.register("houses", views.HouseViewSet, basename="house")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("persons", views.PersonViewSet, basename="person")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("tags", views.TagViewSet, basename="tag")
router.register("audit", views.AuditLogViewSet, basename="auditlog")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("categories", cases_api.CategoryViewSet, basename="category")
router.register("topics", deliberation_api.TopicWriteViewSet, basename="topic")
router.register("meetings", deliberation_api.MeetingWriteViewSet, basename="meeting")
router.register("votes", deliberation_api.VoteViewSet, basename="vote")
router.register("auth/tokens", auth.TokenViewSet, basename="apitoken")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    *router.urls,
]
