"""Ledger export: the filtered residents list as xlsx, scoped and masked."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from linli.core.masking import mask_id_number, mask_phone

from . import columns as C


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = C.SHEET
    ws.append(C.HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJ", (14, 8, 8, 8, 10, 10, 10, 22, 16, 18), strict=True):
        ws.column_dimensions[col].width = width
    help_ws = wb.create_sheet("填写说明")
    for line in (
        ["每行一位居民；同一房屋（小区+楼栋+单元+门牌号）的居民为一户。"],
        ["必填：小区、楼栋、单元、门牌号、姓名、身份证号。小区、楼栋、单元、门牌号须与系统中的名称一致。"],
        ["自有或租住：自有 / 租住（以户主所在行为准）。"],
        ["与户主关系：" + "、".join(C.RELATION_LABELS.values()) + "；每户只能有一位户主。"],
        ["身份证号：18 位，校验码须正确；已在台账中的身份证号将更新该居民，不会重复建档。"],
        ["联系电话：11 位手机号或 0951-1234567 格式的固定电话；留空则保留原有电话。"],
        ["标签：多个标签用顿号或逗号分隔，须是系统中已有的标签。"],
        ["整份文件全部校验通过才会导入；任何一行有误，都不会写入任何数据。"],
        [],
        ["示例", *C.HEADERS],
        ["", "馨和苑", "1号楼", "1单元", "101", "自有", "张三", "户主", "11010519491231002X", "13800001234", "党员"],
    ):
        help_ws.append(line)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_workbook(persons, show_sensitive: bool) -> bytes:
    """persons: an iterable already restricted to the user's scope, with places selected."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(C.SHEET)
    ws.append(C.EXPORT_HEADERS)
    for p in persons:
        house = p.household.house
        ws.append([
            p.grid.name, house.unit.building.compound.name, house.unit.building.name, house.unit.name, house.number,
            C.TENURE_LABELS.get(p.household.tenure, ""), p.name, C.RELATION_LABELS.get(p.relation, ""),
            mask_id_number(p.id_number), mask_phone(p.phone), "、".join(t.name for t in p.tags.all() if show_sensitive or not t.sensitive),
        ])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def error_workbook(job) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(C.SHEET)
    ws.append([*C.HEADERS, C.ERROR_HEADER])
    for values in job.error_rows:
        ws.append([values.get(h, "") for h in C.HEADERS] + [values.get(C.ERROR_HEADER, "")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
