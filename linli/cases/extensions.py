"""What the apps above cases add to a request's page: panels (deliberation: the topic a request was
taken into, with the topic's timeline); and to the dashboard (reports: 党建共建 in figures).
Cases imports none of those apps (docs/architecture.md, "Layers"); each registers its part in its
AppConfig.ready(), as on the place pages (places.extensions)."""

from collections.abc import Callable

# (template, context(request, case) -> dict, or None when the panel has nothing to show)
PANELS: list[tuple[str, Callable]] = []


def add_panel(template: str, context: Callable) -> None:
    if (template, context) not in PANELS:
        PANELS.append((template, context))


def panels_for(request, case) -> list[tuple[str, dict]]:
    return [(template, p) for template, context in PANELS if (p := context(request, case)) is not None]


# (template, context(request, year) -> dict, or None when the panel has nothing to show)
DASHBOARD: list[tuple[str, Callable]] = []


def add_dashboard_panel(template: str, context: Callable) -> None:
    if (template, context) not in DASHBOARD:
        DASHBOARD.append((template, context))


def dashboard_panels(request, year) -> list[tuple[str, dict]]:
    return [(template, p) for template, context in DASHBOARD if (p := context(request, year)) is not None]
