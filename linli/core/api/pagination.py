"""Pages of /api/v1/ lists: by number for the small lists, by cursor for the long ones.

`CursorPagination` pages by position (core.keyset, the same cursors as the screens' "older" and
"newer" links): `{"next": url, "previous": url, "results": […]}`, no count. DRF's own
CursorPagination keeps only the ordering field in its cursor and skips ties by an offset, and
answers a bad cursor with a 404; this one names (field, id), so rows with equal timestamps are
neither skipped nor repeated, and a cursor altered or taken from another list is a 400 with the
JSON error shape of core.api.errors.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from linli.core.keyset import BadCursor, Keyset


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(BasePagination):
    """Newest first on `field`, then the id; set `keyset` on the viewset's pagination subclass or
    leave the default (created_at, cursors salted with the model's name)."""

    cursor_query_param = "cursor"
    page_size = Pagination.page_size
    page_size_query_param = Pagination.page_size_query_param
    max_page_size = Pagination.max_page_size
    field = "created_at"

    def keyset(self, queryset):
        return Keyset(f"api.{queryset.model._meta.label_lower}", self.field)

    def get_page_size(self, request):
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except ValueError:
            return self.page_size
        return min(max(size, 1), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            self.page = self.keyset(queryset).page(
                queryset, request.query_params.get(self.cursor_query_param), self.get_page_size(request)
            )
        except BadCursor:
            raise ValidationError(
                {self.cursor_query_param: [_("This page cursor is not valid: start again from the first page.")]},
                code="invalid_cursor",
            ) from None
        return self.page.object_list

    def _link(self, cursor):
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor) if cursor else None

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_first_link(self):
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": _("The page: the cursor of a “next” or “previous” link."),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": _("Number of results to return per page."),
                "schema": {"type": "integer"},
            },
        ]
