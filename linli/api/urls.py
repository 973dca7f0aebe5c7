"""/api/v1/: the versioned REST API (see docs/architecture.md, "How a request flows"). This app
composes each domain's `api.py` (built on linli.core.api) under one router, and issues and checks
API tokens (auth.py, authentication.py)."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from linli.cases import api as cases_api
from linli.core.api import audit as audit_api
from linli.deliberation import api as deliberation_api
from linli.facilities import api as facilities_api
from linli.funds import api as funds_api
from linli.orgs import api as orgs_api
from linli.party import api as party_api
from linli.people import api as people_api
from linli.places import api as places_api
from linli.projects import api as projects_api
from linli.wishes import api as wishes_api

from . import auth

app_name = "api"

router = DefaultRouter()
router.register("subdistricts", places_api.SubdistrictViewSet, basename="subdistrict")
router.register("communities", places_api.CommunityViewSet, basename="community")
router.register("grids", places_api.GridViewSet, basename="grid")
router.register("compounds", places_api.CompoundViewSet, basename="compound")
router.register("buildings", places_api.BuildingViewSet, basename="building")
router.register("units", places_api.UnitViewSet, basename="unit")
router.register("houses", places_api.HouseViewSet, basename="house")
router.register("households", people_api.HouseholdViewSet, basename="household")
router.register("persons", people_api.PersonViewSet, basename="person")
router.register("ownerships", people_api.OwnershipViewSet, basename="ownership")
router.register("organisations", orgs_api.OrganisationViewSet, basename="organisation")
router.register("tags", people_api.TagViewSet, basename="tag")
router.register("audit", audit_api.AuditLogViewSet, basename="auditlog")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("categories", cases_api.CategoryViewSet, basename="category")
router.register("routes", cases_api.RouteViewSet, basename="route")
router.register("department-grids", orgs_api.DepartmentGridViewSet, basename="departmentgrid")
router.register("topics", deliberation_api.TopicWriteViewSet, basename="topic")
router.register("meetings", deliberation_api.MeetingWriteViewSet, basename="meeting")
router.register("votes", deliberation_api.VoteViewSet, basename="vote")
router.register("party-members", party_api.MemberViewSet, basename="partymember")
router.register("check-ins", party_api.CheckInViewSet, basename="checkin")
router.register("commitments", party_api.CommitmentViewSet, basename="commitment")
router.register("agreements", party_api.AgreementViewSet, basename="agreement")
router.register("facilities", facilities_api.FacilityViewSet, basename="facility")
router.register("needs", projects_api.NeedViewSet, basename="need")
router.register("resources", projects_api.ResourceViewSet, basename="resource")
router.register("projects", projects_api.ProjectViewSet, basename="project")
router.register("funds", funds_api.FundViewSet, basename="fund")
router.register("fund-accounts", funds_api.AccountViewSet, basename="fundaccount")
router.register("fund-entries", funds_api.EntryViewSet, basename="fundentry")
router.register("fund-uses", funds_api.UseViewSet, basename="funduse")
router.register("wishes", wishes_api.WishViewSet, basename="wish")
router.register("auth/tokens", auth.TokenViewSet, basename="apitoken")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    # Swagger UI from drf-spectacular-sidecar; the split view serves its start-up script as a file,
    # and api/swagger_ui.html drops the inline <style>, so the page runs under the CSP
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:openapi", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("auth/token/", auth.TokenView.as_view(), name="token"),
    path("wall/<int:community>/", wishes_api.wall, name="wish_wall"),
    *router.urls,
]
