from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.FundListView.as_view(), name="index"),
    path("open/", views.OpenFundView.as_view(), name="open"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("<int:pk>/", views.FundDetailView.as_view(), name="fund"),
    path("<int:pk>/accounts/", views.AccountListView.as_view(), name="accounts"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="account"),
    path("accounts/<int:pk>/book/", views.BookEntryView.as_view(), name="book"),
    path("entries/<int:pk>/reverse/", views.ReverseEntryView.as_view(), name="reverse"),
    path("uses/", views.UseListView.as_view(), name="uses"),
    path("uses/new/", views.UseCreateView.as_view(), name="use_create"),
    path("uses/<int:pk>/", views.UseView.as_view(), name="use"),
    path("uses/<int:pk>/<str:move>/", views.UseView.as_view(), name="use_move"),
]
