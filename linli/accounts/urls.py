from django.contrib.auth import views as auth_views
from django.urls import path

from . import security_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", security_views.TwoFactorView.as_view(), name="two_factor"),
    path("two-factor/setup/", security_views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/verify/", security_views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("tokens/", security_views.TokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", security_views.TokenRevokeView.as_view(), name="token_revoke"),
    path("open311-keys/", security_views.Open311KeyListView.as_view(), name="open311_keys"),
    path("open311-keys/<int:pk>/revoke/", security_views.Open311KeyRevokeView.as_view(), name="open311_key_revoke"),
    path("roles/", views.RoleListView.as_view(), name="roles"),
    path("roles/grant/", views.GrantRoleView.as_view(), name="grant"),
    path("roles/<int:pk>/revoke/", views.RevokeRoleView.as_view(), name="revoke"),
]
