from django.urls import path

from . import views

app_name = "board"
urlpatterns = [
    path("", views.BoardIndexView.as_view(), name="index"),
    path("<int:community>/", views.BoardView.as_view(), name="community"),
]
