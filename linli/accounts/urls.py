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
    path("password/", views.PasswordChangeView.as_view(), name="password"),
    path("sessions/", views.SessionListView.as_view(), name="sessions"),
    path("users/<int:pk>/reset-link/", views.PasswordResetLinkView.as_view(), name="reset_link"),
    path("invite/<int:pk>/", views.InvitationView.as_view(), name="invite"),
    path("link/<str:secret>/", views.UseLinkView.as_view(), name="use_link"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("registrations/", views.RegistrationListView.as_view(), name="registrations"),
    path("registrations/<int:pk>/", views.RegistrationDetailView.as_view(), name="registration"),
    path("registrations/<int:pk>/<str:move>/", views.RegistrationMoveView.as_view(), name="registration_move"),
    path("roles/", views.RoleListView.as_view(), name="roles"),
    path("roles/grant/", views.GrantRoleView.as_view(), name="grant"),
    path("roles/<int:pk>/revoke/", views.RevokeRoleView.as_view(), name="revoke"),
]
