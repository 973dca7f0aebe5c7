"""Linli's URLs plus one bare view for the intake comparison (only under linli.bench.settings)."""

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request):
    return JsonResponse({"ok": True, "method": request.method})


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("linli.urls")),
]
