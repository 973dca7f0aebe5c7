"""The requests' full-text search (issue 16, core.search): description (weight A), result (B) and
the notes of the timeline — comments, and the notes of the moves — (C), kept by triggers."""

from linli.core.search import TextIndex

INDEX = TextIndex(
    table="cases_search",
    source="cases_case",
    fields=("description", "result"),
    weights=("A", "B"),
    notes=("cases_caseevent", "case_id", "note"),
    narrow=("subdistrict_id", "community_id", "grid_id"),
)
