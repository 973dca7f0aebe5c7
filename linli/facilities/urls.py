from django.urls import path

from linli.core.exports import FORMATS

from . import views

app_name = "facilities"
urlpatterns = [
    path("", views.FacilityListView.as_view(), name="list"),
    path("new/", views.FacilityCreateView.as_view(), name="create"),
    *(path(f"export.{fmt}", views.FacilityExportView.as_view(fmt=fmt), name=f"export_{fmt}") for fmt in FORMATS),
    path("<int:pk>/", views.FacilityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.FacilityEditView.as_view(), name="edit"),
    path("<int:pk>/<str:move>/", views.FacilityDetailView.as_view(), name="move"),
]
