from django.urls import path

from linli.core.views import ScopedEditView

from . import views
from .forms import HouseholdForm, OwnershipForm, PersonForm
from .models import Household, Ownership, Person

app_name = "people"
urlpatterns = [
    path("", views.PersonListView.as_view(), name="list"),
    path("household/<int:pk>/", views.HouseholdDetailView.as_view(), name="household"),
    path(
        "household/<int:pk>/edit/",
        ScopedEditView.as_view(model=Household, form_class=HouseholdForm),
        name="household_edit",
    ),
    path("household/<int:pk>/delete/", views.HouseholdDeleteView.as_view(), name="household_delete"),
    path("house/<int:parent>/new-household/", views.HouseholdCreateView.as_view(), name="household_create"),
    path("household/<int:parent>/new-person/", views.PersonCreateView.as_view(), name="person_create"),
    path("person/<int:pk>/", views.PersonDetailView.as_view(), name="person"),
    path("person/<int:pk>/edit/", ScopedEditView.as_view(model=Person, form_class=PersonForm), name="person_edit"),
    path("person/<int:pk>/delete/", views.PersonDeleteView.as_view(), name="person_delete"),
    path("person/<int:pk>/reveal/<str:field>/", views.RevealView.as_view(), name="reveal"),
    path("house/<int:parent>/new-owner/", views.OwnershipCreateView.as_view(), name="ownership_create"),
    path(
        "owner/<int:pk>/edit/",
        ScopedEditView.as_view(model=Ownership, form_class=OwnershipForm),
        name="ownership_edit",
    ),
    path("owner/<int:pk>/delete/", views.OwnershipDeleteView.as_view(), name="ownership_delete"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    path("grid/<int:parent>/new-post/", views.ResidentPostCreateView.as_view(), name="post_create"),
    path("post/<int:pk>/delete/", views.ResidentPostDeleteView.as_view(), name="post_delete"),
]
