"""The requests' search index (issue 16, core.search): a side table of character bigrams kept by
triggers, built here for the requests already there."""

from django.db import migrations

from linli.core.search import TextIndex

INDEX = TextIndex(
    table="cases_search",
    source="cases_case",
    fields=("description", "result"),
    weights=("A", "B"),
    notes=("cases_caseevent", "case_id", "note"),
    narrow=("subdistrict_id", "community_id", "grid_id"),
)


def install(apps, schema_editor):
    INDEX.install(schema_editor)


def uninstall(apps, schema_editor):
    INDEX.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0019_case_facility")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
