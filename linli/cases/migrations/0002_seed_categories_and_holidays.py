"""Initial category tree from the seed articles, and the 2026 holiday arrangement
(国务院办公厅关于2026年部分节假日安排的通知). Both are editable afterwards."""

import datetime as dt

from django.db import migrations

CATEGORIES = {
    ("环境与卫生", "community"): [("环境卫生", "community", 24, 3), ("垃圾分类", "community", 24, 3), ("文明养犬", "community", 24, 5), ("绿化与树木修剪", "property", 48, 7)],
    ("物业与设施", "property"): [("物业服务", "property", 24, 5), ("设施维修", "property", 24, 5), ("供暖", "property", 4, 2)],
    ("安全", "department"): [("安全隐患", "community", 2, 1), ("飞线充电", "property", 4, 2), ("停车与消防通道", "department", 8, 3)],
    ("邻里关系", "community"): [("邻里纠纷", "community", 24, 10)],
}


def _days(start, end):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)


HOLIDAYS_2026 = [
    ("元旦", dt.date(2026, 1, 1), dt.date(2026, 1, 3), [dt.date(2026, 1, 4)]),
    ("春节", dt.date(2026, 2, 15), dt.date(2026, 2, 23), [dt.date(2026, 2, 14), dt.date(2026, 2, 28)]),
    ("清明节", dt.date(2026, 4, 4), dt.date(2026, 4, 6), []),
    ("劳动节", dt.date(2026, 5, 1), dt.date(2026, 5, 5), [dt.date(2026, 5, 9)]),
    ("端午节", dt.date(2026, 6, 19), dt.date(2026, 6, 21), []),
    ("中秋节", dt.date(2026, 9, 25), dt.date(2026, 9, 27), []),
    ("国庆节", dt.date(2026, 10, 1), dt.date(2026, 10, 7), [dt.date(2026, 9, 20), dt.date(2026, 10, 10)]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Override = apps.get_model("cases", "WorkdayOverride")
    for order, ((group, kind), children) in enumerate(CATEGORIES.items()):
        parent = Category.objects.create(name=group, handler_kind=kind, order=order * 10)
        for i, (name, handler, hours, days) in enumerate(children):
            Category.objects.create(parent=parent, name=name, handler_kind=handler, respond_hours=hours, resolve_workdays=days, order=i)
    for name, start, end, makeup in HOLIDAYS_2026:
        for day in _days(start, end):
            if day.weekday() < 5:  # weekends are rest days anyway
                Override.objects.create(date=day, is_workday=False, note=name)
        for day in makeup:
            Override.objects.create(date=day, is_workday=True, note=f"{name}调休上班")


def unseed(apps, schema_editor):
    apps.get_model("cases", "WorkdayOverride").objects.all().delete()
    Category = apps.get_model("cases", "Category")
    Category.objects.exclude(parent=None).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
