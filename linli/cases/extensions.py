"""What the apps above cases add to a request's page: panels (deliberation: the topic a request was
taken into, with the topic's timeline); and to the dashboard (reports: 党建共建 in figures).
Cases imports none of those apps (docs/architecture.md, "Layers"); each registers its part in its
AppConfig.ready(), as on the place pages (places.extensions)."""

from collections.abc import Callable


class Panels:
    """Panels of one page: (template, context(request, …) -> dict, or None when the panel has
    nothing to show), in the order they were added."""

    def __init__(self) -> None:
        self.items: list[tuple[str, Callable]] = []

    def add(self, template: str, context: Callable) -> None:
        if (template, context) not in self.items:
            self.items.append((template, context))

    def shown(self, request, *args) -> list[tuple[str, dict]]:
        return [(template, p) for template, context in self.items if (p := context(request, *args)) is not None]


CASE = Panels()  # context(request, case)
DASHBOARD = Panels()  # context(request, year)
add_panel, panels_for = CASE.add, CASE.shown
add_dashboard_panel, dashboard_panels = DASHBOARD.add, DASHBOARD.shown
