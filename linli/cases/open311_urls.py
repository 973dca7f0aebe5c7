from django.urls import path

from . import open311

app_name = "open311"
urlpatterns = [
    path("discovery.<str:fmt>", open311.DiscoveryView.as_view(), name="discovery"),
    path("v2/services.<str:fmt>", open311.ServiceListView.as_view(), name="services"),
    path("v2/services/<int:code>.<str:fmt>", open311.ServiceDefinitionView.as_view(), name="service"),
    path("v2/requests.<str:fmt>", open311.RequestListView.as_view(), name="requests"),
    path("v2/requests/<int:pk>.<str:fmt>", open311.RequestDetailView.as_view(), name="request"),
]
