from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "linli.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from linli.cases.extensions import add_dashboard_panel

        from .cobuilding import dashboard_panel

        add_dashboard_panel("reports/_cobuilding_panel.html", dashboard_panel)
