from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("roles/", views.RoleListView.as_view(), name="roles"),
    path("roles/grant/", views.GrantRoleView.as_view(), name="grant"),
    path("roles/<int:pk>/revoke/", views.RevokeRoleView.as_view(), name="revoke"),
]
