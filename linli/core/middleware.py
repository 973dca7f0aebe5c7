"""Requests no page can answer, refused before any view sees them."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults


class RefuseNullCharactersMiddleware:
    """A NUL character in the path, a query parameter or a form field is refused with a 400 that
    names the parameter. No text of Linli contains one, and PostgreSQL refuses it in any string
    (a DataError, i.e. a 500, wherever a view hands such a value to a query). Django's form
    fields refuse it too, but many lists and actions read `request.GET` / `request.POST` by
    hand; this covers them all. JSON bodies are the API's serializers' to check (DRF's CharField
    refuses NUL on the field)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self.null_in(request)
        if found is None:
            return self.get_response(request)
        message = _("The request contains a NUL character (\\x00), which no field accepts.")
        if request.path.startswith(("/api/", "/open311/")):
            return JsonResponse(
                {"errors": [{"field": found or None, "message": message, "code": "null_characters"}]},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        return render(request, "core/bad_request.html", {"message": message, "field": found}, status=400)

    @staticmethod
    def null_in(request):
        """ "" for the path, the parameter's name for a query or form value, None when clean."""
        if "\x00" in request.path:
            return ""
        for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return key.replace("\x00", "?")
        return None


class ProductErrorPagesInDebugMiddleware:
    """With DEBUG on (`make run`), Django answers a 404 or a 500 with its English technical page;
    this answers with the product's own Chinese pages instead, as in production. The traceback
    still goes to the console (django.request logs it). LINLI_TECHNICAL_ERRORS=1 keeps Django's
    pages for a developer who wants them. JSON answers (the API's) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.DEBUG or settings.LINLI_TECHNICAL_ERRORS or response.status_code not in (404, 500):
            return response
        if getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if response.status_code == 404:
            return defaults.page_not_found(request, Http404())
        return defaults.server_error(request)
