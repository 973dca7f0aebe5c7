"""What the apps above facilities add to a facility's page: its history (the requests and work
orders that name it, later the maintenance fund's uses and the projects that touched it) and
the requests counted for repeated failures. Facilities imports none of those apps
(docs/architecture.md, "Layers"); each registers its part in its AppConfig.ready():

- `cases` registers the "requests" section and `reports`, the rows of requests naming a facility;
- `funds` (住宅专项维修资金) and `projects` (民生实事) are to register a section each the same way,
  e.g. `add_history(History("fund_uses", _("Maintenance fund uses"), rows, "funds/_facility_uses.html"))`,
  with `rows(user, facility)` restricted to the user's scope (docs/facilities.md, "History")."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class History:
    """A section of a facility's page: `rows(user, facility)` gives the rows the user may see
    (a bounded list, in a fixed number of queries), rendered by `template` with `rows`."""

    name: str
    label: str
    rows: Callable
    template: str
    order: int = 100


HISTORY: dict[str, History] = {}
# () -> a queryset of the requests that count as failures of a facility, with the columns
# `facility_id` and `created_at` (cases: every request naming it except those merged into another)
REPORTS: dict[str, Callable] = {}


def add_history(section: History) -> None:
    HISTORY[section.name] = section


def set_reports(rows: Callable) -> None:
    REPORTS["rows"] = rows


def history_for(user, facility) -> list[tuple[History, list]]:
    return [(h, list(h.rows(user, facility))) for h in sorted(HISTORY.values(), key=lambda h: h.order)]
