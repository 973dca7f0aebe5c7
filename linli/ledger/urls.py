from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("import/", views.ImportView.as_view(), name="import"),
    path("template.xlsx", views.TemplateView.as_view(), name="template"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/errors.xlsx", views.ErrorFileView.as_view(), name="errors"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
]
