from django.urls import path

from . import views

app_name = "deliberation"
urlpatterns = [
    path("votes/", views.VoteListView.as_view(), name="votes"),
    path("votes/new/", views.VoteCreateView.as_view(), name="vote_create"),
    path("votes/<int:pk>/", views.VoteDetailView.as_view(), name="vote"),
]
