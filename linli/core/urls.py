from django.urls import path

from . import views
from .exports import FORMATS

app_name = "core"
urlpatterns = [
    path("elder-mode/", views.ElderModeView.as_view(), name="elder_mode"),
    path("audit/", views.AuditListView.as_view(), name="audit"),
    *(path(f"audit/export.{fmt}", views.AuditExportView.as_view(fmt=fmt), name=f"audit_{fmt}") for fmt in FORMATS),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/settings/", views.NotificationPreferenceView.as_view(), name="notification_settings"),
]
