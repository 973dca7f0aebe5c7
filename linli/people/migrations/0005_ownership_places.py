import django.db.models.deletion
from django.db import migrations, models

LEVELS = ("unit", "building", "compound", "grid", "community", "subdistrict")


def copy_places(apps, schema_editor):
    """The register is scoped like the house: its place keys copied from the house."""
    Ownership = apps.get_model("people", "Ownership")
    for o in Ownership.objects.select_related("house"):
        for level in LEVELS:
            setattr(o, f"{level}_id", getattr(o.house, f"{level}_id"))
        o.save(update_fields=[f"{level}_id" for level in LEVELS])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_mask_birth_dates_in_audit_records"),
        ("places", "0003_house_developer_owned"),
    ]

    operations = [
        *[
            migrations.AddField(
                model_name="ownership",
                name=level,
                field=models.ForeignKey(
                    editable=False,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=f"places.{level}",
                ),
            )
            for level in LEVELS
        ],
        migrations.RunPython(copy_places, migrations.RunPython.noop),
    ]
