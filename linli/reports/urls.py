from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("periodic/", views.PeriodicView.as_view(), name="periodic"),
    path("jobs/", views.JobCreateView.as_view(), name="job_create"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/report.xlsx", views.JobFileView.as_view(), {"fmt": "xlsx"}, name="job_xlsx"),
    path("jobs/<int:pk>/report.pdf", views.JobFileView.as_view(), {"fmt": "pdf"}, name="job_pdf"),
    path("cobuilding/", views.CoBuildingView.as_view(), name="cobuilding"),
    path("problems/", views.ProblemsView.as_view(), name="problems"),
]
