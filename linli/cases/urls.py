from django.urls import path

from . import settings_views, views
from .workflow import LIFECYCLE

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("new/", views.ReportView.as_view(), name="report"),
    path("new/mine/", views.ResidentReportView.as_view(), name="report_mine"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/reporter/", views.RevealReporterView.as_view(), name="reveal_reporter"),
    path("<int:pk>/comment/", views.CommentView.as_view(), name="comment"),
    # one URL per move of the work-order lifecycle: POST cases/<id>/dispatch/, …/handle/, …
    *(path(f"<int:pk>/{m.name}/", views.MoveView.as_view(move=m.name), name=f"move_{m.name}") for m in LIFECYCLE),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("settings/categories/", settings_views.CategorySettingsView.as_view(), name="settings_categories"),
    path("settings/calendar/", settings_views.CalendarSettingsView.as_view(), name="settings_calendar"),
]
