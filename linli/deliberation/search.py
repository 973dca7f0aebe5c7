"""The full-text search of topics and meetings (issue 16, core.search), kept by triggers.

Only text that everyone who may open the row reads in full is indexed, so a search never finds a
row by words its reader is not shown (docs/architecture.md, "Search in Chinese"):

- a topic: its title (A), description (B) and published outcome (C), and the notes of its step
  records on the community board (C) — residents of the community read all of these; not the
  staff's internal step records, the decline reason (kept for the proposer), the evaluations'
  comments, nor the proposer or the source requests;
- a meeting (staff and grid workers only; residents never open one): its title (A), conclusions
  (B), location (C) and the opinions recorded (C), without the names of the speakers, the
  participants, the chair or the recorder.
"""

from linli.core.search import TextIndex

NARROW = ("subdistrict_id", "community_id", "compound_id")

TOPICS = TextIndex(
    table="deliberation_topic_search",
    source="deliberation_topic",
    fields=("title", "description", "outcome"),
    weights=("A", "B", "C"),
    notes=("deliberation_steprecord", "topic_id", "note"),
    notes_when="public",
    narrow=NARROW,
)

MEETINGS = TextIndex(
    table="deliberation_meeting_search",
    source="deliberation_meeting",
    fields=("title", "minutes", "location"),
    weights=("A", "B", "C"),
    notes=("deliberation_opinion", "meeting_id", "text"),
    narrow=NARROW,
)
