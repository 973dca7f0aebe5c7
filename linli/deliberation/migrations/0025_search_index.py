"""The search indexes of topics and meetings (issue 16, core.search; deliberation.search says what
is indexed and why): side tables of character bigrams kept by triggers, built here for the topics
and meetings already there."""

from django.db import migrations

from linli.core.search import TextIndex

NARROW = ("subdistrict_id", "community_id", "compound_id")
INDEXES = [
    TextIndex(
        table="deliberation_topic_search",
        source="deliberation_topic",
        fields=("title", "description", "outcome"),
        weights=("A", "B", "C"),
        notes=("deliberation_steprecord", "topic_id", "note"),
        notes_when="public",
        narrow=NARROW,
    ),
    TextIndex(
        table="deliberation_meeting_search",
        source="deliberation_meeting",
        fields=("title", "minutes", "location"),
        weights=("A", "B", "C"),
        notes=("deliberation_opinion", "meeting_id", "text"),
        narrow=NARROW,
    ),
]


def install(apps, schema_editor):
    for index in INDEXES:
        index.install(schema_editor)


def uninstall(apps, schema_editor):
    for index in reversed(INDEXES):
        index.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0024_consent_houses_shares")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
