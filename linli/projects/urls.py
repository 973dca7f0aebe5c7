from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.MatchingView.as_view(), name="index"),
    path("needs/", views.NeedListView.as_view(), name="needs"),
    path("needs/new/", views.NeedCreateView.as_view(), name="need_create"),
    path("needs/<int:pk>/", views.NeedView.as_view(), name="need"),
    path("needs/<int:pk>/<str:move>/", views.NeedView.as_view(), name="need_move"),
    path("resources/", views.ResourceListView.as_view(), name="resources"),
    path("resources/new/", views.ResourceCreateView.as_view(), name="resource_create"),
    path("resources/<int:pk>/", views.ResourceView.as_view(), name="resource"),
    path("resources/<int:pk>/<str:move>/", views.ResourceView.as_view(), name="resource_move"),
    path("projects/", views.ProjectListView.as_view(), name="projects"),
    path("livelihood/", views.LivelihoodListView.as_view(), name="livelihood"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", views.ProjectView.as_view(), name="project"),
    path("projects/<int:pk>/funding/", views.FundingAddView.as_view(), name="funding_add"),
    path("projects/<int:pk>/<str:move>/", views.ProjectView.as_view(), name="project_move"),
    path("meetings/<int:pk>/", views.MeetingAgendaView.as_view(), name="meeting"),
]
