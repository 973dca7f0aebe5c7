"""What the apps above places add to the place pages: counts in the tables and badges, and
panels on the page of one place. Places imports none of those apps (docs/architecture.md,
"Layers"); each registers its part in its AppConfig.ready() (people: households, people, posts)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Count:
    """Rows counted under each place: `rows(user)` is the queryset in the user's scope,
    `key(level)` the lookup of a place of that level's id on those rows."""

    name: str
    label: str
    rows: Callable
    key: Callable[[str], str]


@dataclass(frozen=True)
class Panel:
    """A card on the page of a place of `level`: `template`, rendered with `p` set to
    `context(request, place)`."""

    level: str
    template: str
    context: Callable


COUNTS: dict[str, Count] = {}
PANELS: list[Panel] = []


def add_count(count: Count) -> None:
    COUNTS[count.name] = count


def add_panel(panel: Panel) -> None:
    if panel not in PANELS:
        PANELS.append(panel)


def panels_for(request, level: str, place) -> list[tuple[str, dict]]:
    return [(p.template, p.context(request, place)) for p in PANELS if p.level == level]
