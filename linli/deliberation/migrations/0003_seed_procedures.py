"""The built-in procedures (RULES.md R3, R4, R1)."""

from django.db import migrations

PROCEDURES = {
    ("城乡社区协商", "中办国办2015年《关于加强城乡社区协商的意见》：确定议题和参与主体 → 提前告知 → 协商形成意见 → 组织实施并反馈"): [
        ("确定议题和参与主体", "record"),
        ("提前告知协商内容", "publication"),
        ("开展协商，形成意见", "record"),
        ("组织实施", "record"),
        ("向参与主体和居民反馈结果", "publication"),
    ],
    ("四议两公开", "党组织提议 → 两委会商议 → 党员大会审议 → 居民（代表）会议决议 → 决议公开 → 实施结果公开"): [
        ("党组织提议", "record"),
        ("两委会商议", "record"),
        ("党员大会审议", "party_meeting"),
        ("居民（代表）会议决议", "residents_meeting"),
        ("决议公开", "publication"),
        ("实施结果公开", "publication"),
    ],
    ("业主共同决定", "《民法典》第二百七十八条：提前十五日公告 → 业主表决 → 公布表决结果"): [
        ("提前十五日公告业主大会", "publication"),
        ("业主表决", "owner_vote"),
        ("公布表决结果", "publication"),
    ],
}


def seed(apps, schema_editor):
    Procedure = apps.get_model("deliberation", "Procedure")
    Step = apps.get_model("deliberation", "ProcedureStep")
    for (name, description), steps in PROCEDURES.items():
        proc = Procedure.objects.create(name=name, description=description)
        for order, (step, rule) in enumerate(steps, start=1):
            Step.objects.create(procedure=proc, order=order, name=step, rule=rule)


def unseed(apps, schema_editor):
    apps.get_model("deliberation", "Procedure").objects.filter(name__in=[n for n, _d in PROCEDURES]).delete()


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0002_procedure_procedurestep_topic_steprecord_and_more")]
    operations = [migrations.RunPython(seed, unseed)]
