"""The stable codes of the built-in procedures seeded by 0003, found by the names 0003 gave them
(a procedure an administrator added keeps no code)."""

from django.db import migrations

CODES = {"城乡社区协商": "community", "四议两公开": "four_and_two", "业主共同决定": "owners"}


def forwards(apps, schema_editor):
    Procedure = apps.get_model("deliberation", "Procedure")
    for name, code in CODES.items():
        Procedure.objects.filter(name=name, code=None).update(code=code)


def backwards(apps, schema_editor):
    apps.get_model("deliberation", "Procedure").objects.update(code=None)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0013_procedure_code")]
    operations = [migrations.RunPython(forwards, backwards)]
