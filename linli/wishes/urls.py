from django.urls import path

from . import views

app_name = "wishes"
urlpatterns = [
    path("", views.WishListView.as_view(), name="list"),
    path("new/", views.PostWishView.as_view(), name="post"),
    path("new/on-behalf/", views.PostOnBehalfView.as_view(), name="post_on_behalf"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("mine/", views.MyClaimsView.as_view(), name="mine"),
    path("wall/<int:community>/", views.WallView.as_view(), name="wall"),
    path("<int:pk>/", views.WishView.as_view(), name="wish"),
    path("<int:pk>/photo/", views.PhotoView.as_view(), name="photo"),
    path("<int:pk>/<str:move>/", views.WishView.as_view(), name="wish_move"),
]
