"""The OpenAPI document in the reader's language (Chinese by default): each operation without a
summary of its own gets one made from the model's translated name and the operation — 列表, 详情,
新建, 修改, 删除 — and a lifecycle move keeps its label (core.api.moves). Field descriptions are the
models' and forms' gettext_lazy labels and help texts, rendered in the request's language."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_view_model

ACTIONS = {
    "list": _("List of %(things)s"),
    "retrieve": _("One %(thing)s"),
    "create": _("New %(thing)s"),
    "update": _("Change %(thing)s"),
    "partial_update": _("Change part of %(thing)s"),
    "destroy": _("Delete %(thing)s"),
}


class ChineseAutoSchema(AutoSchema):
    def get_summary(self):
        summary = super().get_summary()
        if summary:
            return summary
        action = getattr(self.view, "action", None) or {"get": "retrieve", "post": "create"}.get(self.method.lower())
        model = get_view_model(self.view, emit_warnings=False)
        if action in ACTIONS and model is not None:
            opts = model._meta
            return str(ACTIONS[action] % {"thing": opts.verbose_name, "things": opts.verbose_name_plural})
        return None
