from django.urls import path

from linli.core.views import ScopedEditView

from . import views
from .forms import OrganisationForm
from .models import Organisation

app_name = "orgs"
urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    path("new/", views.OrganisationCreateView.as_view(), name="create"),
    path("<int:pk>/", views.OrganisationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", ScopedEditView.as_view(model=Organisation, form_class=OrganisationForm), name="edit"),
    path("<int:pk>/delete/", views.OrganisationDeleteView.as_view(), name="delete"),
]
