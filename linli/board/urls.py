from django.urls import path

from . import feeds, views

app_name = "board"
urlpatterns = [
    path("", views.BoardIndexView.as_view(), name="index"),
    path("<int:community>/", views.BoardView.as_view(), name="community"),
    path("<int:community>/feed/", feeds.BoardFeedView.as_view(), name="feed"),
    path("photo/<int:pk>/", views.PublicPhotoView.as_view(), name="photo"),
]
