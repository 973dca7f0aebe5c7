from django.urls import path

from linli.core.exports import FORMATS
from linli.orgs.models import DepartmentGrid

from . import papers, settings_views, views
from .models import Route
from .workflow import LIFECYCLE

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    *(path(f"export.{fmt}", views.CaseExportView.as_view(fmt=fmt), name=f"list_{fmt}") for fmt in FORMATS),
    path("new/", views.ReportView.as_view(), name="report"),
    path("new/mine/", views.ResidentReportView.as_view(), name="report_mine"),
    path("new/places/", views.ReportPlacesView.as_view(), name="report_places"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/reporter/", views.RevealReporterView.as_view(), name="reveal_reporter"),
    path("<int:pk>/slip/", papers.WorkOrderSlipView.as_view(), name="slip"),
    path("<int:pk>/assignments/<int:assignment>/", papers.AssignmentPaperView.as_view(), name="assignment_paper"),
    path(
        "<int:pk>/assignments/<int:assignment>/feedback/",
        papers.AssignmentPaperView.as_view(feedback=True),
        name="feedback_paper",
    ),
    path("<int:pk>/comment/", views.CommentView.as_view(), name="comment"),
    # one URL per move of the work-order lifecycle: POST cases/<id>/dispatch/, …/handle/, …
    *(path(f"<int:pk>/{m.name}/", views.MoveView.as_view(move=m.name), name=f"move_{m.name}") for m in LIFECYCLE),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("settings/categories/", settings_views.CategorySettingsView.as_view(), name="settings_categories"),
    path("settings/calendar/", settings_views.CalendarSettingsView.as_view(), name="settings_calendar"),
    path("settings/routing/", settings_views.RoutingSettingsView.as_view(), name="settings_routing"),
    path("settings/routing/routes/", settings_views.RouteCreateView.as_view(), name="route_create"),
    path(
        "settings/routing/routes/<int:pk>/delete/",
        settings_views.RoutingDeleteView.as_view(model=Route),
        name="route_delete",
    ),
    path(
        "settings/routing/department-grids/",
        settings_views.DepartmentGridCreateView.as_view(),
        name="department_grid_create",
    ),
    path(
        "settings/routing/department-grids/<int:pk>/delete/",
        settings_views.RoutingDeleteView.as_view(model=DepartmentGrid),
        name="department_grid_delete",
    ),
]
