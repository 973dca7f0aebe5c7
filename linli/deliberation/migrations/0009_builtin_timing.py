"""Notice periods and hearings on the built-in procedures: owners' assembly notice ≥ 15 days
before the vote (物业管理条例 art. 14, R1.6); 城乡社区协商 tells the parties in advance (3 days by
default, editable) and needs a hearing or consultation meeting for major matters (R3.2, R3.3)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Step = apps.get_model("deliberation", "ProcedureStep")
    Step.objects.filter(procedure__name="业主共同决定", order=1).update(lead_days=15)
    Step.objects.filter(procedure__name="城乡社区协商", order=2).update(lead_days=3)
    Step.objects.filter(procedure__name="城乡社区协商", order=3).update(needs_hearing_if_major=True)


def backwards(apps, schema_editor):
    apps.get_model("deliberation", "ProcedureStep").objects.update(lead_days=0, needs_hearing_if_major=False)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0008_step_timing")]
    operations = [migrations.RunPython(forwards, backwards)]
