from django.urls import path

from . import views
from .models import Building, Community, Compound, Grid, House, Subdistrict, Unit

app_name = "places"
PARENTS = {
    Community: (Subdistrict, "subdistrict"),
    Grid: (Community, "community"),
    Compound: (Community, "community"),
    Building: (Compound, "compound"),
    Unit: (Building, "building"),
    House: (Unit, "unit"),
}

urlpatterns = [
    path("", views.TreeView.as_view(), name="tree"),
    path("houses/search/", views.HouseSearchView.as_view(), name="house_search"),
]
for model in (Subdistrict, Community, Grid, Compound, Building, Unit, House):
    name = model._meta.model_name
    urlpatterns += [
        path(f"{name}/<int:pk>/", views.detail(model), name=name),
        path(f"{name}/<int:pk>/edit/", views.edit(model), name=f"{name}_edit"),
        path(f"{name}/<int:pk>/delete/", views.delete(model), name=f"{name}_delete"),
    ]
    if model in PARENTS:
        parent_model, field = PARENTS[model]
        urlpatterns.append(
            path(
                f"{parent_model._meta.model_name}/<int:parent>/new-{name}/",
                views.create(model, parent_model, field),
                name=f"{name}_create",
            )
        )
