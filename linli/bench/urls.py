"""Linli's URLs plus the two views the intake benchmark compares the API with (only under
linli.bench.settings): the baseline, the fastest honest write of a request (linli.bench.intake),
and a bare view that writes nothing, kept as a reference for the cost of the stack alone."""

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from .intake import baseline


@csrf_exempt
def bare(request):
    return JsonResponse({"ok": True, "method": request.method})


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/intake/", baseline),
    path("", include("linli.urls")),
]
